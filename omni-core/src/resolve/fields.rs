//! Normalising the descriptive fields records carry besides identifiers and names: cities,
//! companies, dates, addresses, postcodes and free text, into keys that compare well across
//! spelling, script and format (`Москва` = `Moscow` = `мск`; `14.03.1985` = `1985-03-14`).

use chrono::{Datelike, NaiveDate};

/// Lower-cases, maps `ё` to `е`, and turns every run of non-alphanumeric characters into one
/// space.
pub(crate) fn fold_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c == 'ё' { 'е' } else { c };
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// Cities known under several names, scripts and abbreviations; the first name is canonical.
const CITY_ALIASES: &[&[&str]] = &[
    &["москва", "moscow", "moskva", "мск", "msk", "moskow"],
    &[
        "санкт петербург",
        "спб",
        "питер",
        "петербург",
        "saint petersburg",
        "st petersburg",
        "sankt peterburg",
        "st petersburg russia",
        "spb",
        "piter",
        "petersburg",
        "sankt petersburg",
    ],
    &[
        "екатеринбург",
        "ekaterinburg",
        "yekaterinburg",
        "екб",
        "ekb",
    ],
    &["новосибирск", "novosibirsk", "нск", "nsk"],
    &["казань", "kazan", "kazan'"],
    &[
        "нижний новгород",
        "nizhny novgorod",
        "nizhniy novgorod",
        "nizhnii novgorod",
        "н новгород",
        "нн",
    ],
    &[
        "ростов на дону",
        "rostov on don",
        "rostov na donu",
        "ростов",
    ],
    &["самара", "samara"],
    &["челябинск", "chelyabinsk", "chelyabinsk'"],
    &["омск", "omsk"],
    &["уфа", "ufa"],
    &["красноярск", "krasnoyarsk"],
    &["пермь", "perm", "perm'"],
    &["воронеж", "voronezh"],
    &["волгоград", "volgograd"],
    &["краснодар", "krasnodar"],
    &["сочи", "sochi"],
    &["калининград", "kaliningrad"],
    &["владивосток", "vladivostok"],
    &["тюмень", "tyumen", "tiumen"],
    &["иркутск", "irkutsk"],
    &["хабаровск", "khabarovsk", "habarovsk"],
    &["ярославль", "yaroslavl", "iaroslavl"],
    &["тула", "tula"],
    &["алматы", "almaty", "алма ата", "alma ata"],
    &["астана", "astana", "нур султан", "nur sultan"],
    &["шымкент", "shymkent", "чимкент"],
    &["минск", "minsk"],
    &["ташкент", "tashkent", "toshkent"],
    &["бишкек", "bishkek"],
    &["ереван", "yerevan", "erevan"],
    &["тбилиси", "tbilisi"],
    &["лондон", "london"],
    &["берлин", "berlin"],
    &["нью йорк", "new york", "nyc", "new york city"],
];

/// Words around a city name that say nothing about which city it is.
const CITY_NOISE: &[&str] = &["г", "город", "city", "of", "гор", "russia", "россия", "рф"];

/// The canonical key of a city name: known aliases map to one name, otherwise the folded words
/// without `г.`/`город`/`city`.
pub(crate) fn city_key(text: &str) -> Option<String> {
    let folded = fold_words(text);
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty() && !CITY_NOISE.contains(w))
        .collect();
    if words.is_empty() {
        return None;
    }
    let joined = words.join(" ");
    for aliases in CITY_ALIASES {
        if aliases.contains(&joined.as_str()) {
            return Some(aliases[0].to_string());
        }
    }
    Some(joined)
}

/// Legal-form words that do not tell companies apart.
const LEGAL_FORMS: &[&str] = &[
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "ип",
    "нко",
    "ано",
    "гуп",
    "муп",
    "фгуп",
    "llc",
    "ltd",
    "inc",
    "gmbh",
    "corp",
    "co",
    "company",
    "plc",
    "limited",
    "ag",
    "sa",
    "группа",
    "компания",
    "group",
];

/// The comparison key of a company name: folded words without legal forms and quotes
/// (`ООО «Ромашка»` = `Romashka LLC` only when written in the same script; `Ромашка` = `ромашка`).
pub(crate) fn company_key(text: &str) -> Option<String> {
    let folded = fold_words(text);
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty() && !LEGAL_FORMS.contains(w))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

const MONTHS: &[(&str, u32)] = &[
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("ма", 5),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

fn month_of(word: &str) -> Option<u32> {
    // `ма` (май, мая) must be the whole stem, or it would match `март`.
    if word == "май" || word == "мая" {
        return Some(5);
    }
    MONTHS
        .iter()
        .filter(|(stem, _)| *stem != "ма")
        .find(|(stem, _)| word.starts_with(stem))
        .map(|&(_, m)| m)
}

fn full_year(y: u32, digits: usize) -> i32 {
    if digits == 2 {
        // Birthdays: `85` is 1985, `07` is 2007.
        if y <= 30 {
            2000 + y as i32
        } else {
            1900 + y as i32
        }
    } else {
        y as i32
    }
}

/// Reads a date in the formats people and CRMs write: `1985-03-14`, `14.03.1985`, `14/03/85`,
/// `03/14/1985` (read as month/day only when the first number cannot be a month), `14 марта
/// 1985`, `March 14, 1985`, `14 Mar 1985`, `19850314`. A time after the date is ignored.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    let head = text.split([' ', 'T']).next().unwrap_or("");
    if head.len() == 8 && head.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(head, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = head.split(['.', '/', '-']).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let n = |i: usize| parts[i].parse::<u32>().ok();
        let (a, b, c) = (n(0)?, n(1)?, n(2)?);
        return if parts[0].len() == 4 {
            ymd(a as i32, b, c)
        } else if a > 12 || b <= 12 {
            ymd(full_year(c, parts[2].len()), b, a)
        } else {
            ymd(full_year(c, parts[2].len()), a, b)
        };
    }
    let folded = fold_words(text);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let month = words.iter().find_map(|w| month_of(w))?;
    let numbers: Vec<(u32, usize)> = words
        .iter()
        .filter_map(|w| w.parse::<u32>().ok().map(|n| (n, w.len())))
        .collect();
    match numbers.as_slice() {
        [(day, _), (year, digits), ..] if *day <= 31 => ymd(full_year(*year, *digits), month, *day),
        _ => None,
    }
}

/// Whether two dates agree only with day and month swapped (a US/European mix-up).
pub(crate) fn dates_swapped(a: NaiveDate, b: NaiveDate) -> bool {
    a.year() == b.year() && a.month() == b.day() && a.day() == b.month()
}

/// Street-address words that carry no identity (street types, `дом`, `кв.`).
const ADDRESS_NOISE: &[&str] = &[
    "ул",
    "улица",
    "пр",
    "пр-т",
    "проспект",
    "пер",
    "переулок",
    "б-р",
    "бульвар",
    "ш",
    "шоссе",
    "пл",
    "площадь",
    "наб",
    "набережная",
    "д",
    "дом",
    "кв",
    "квартира",
    "корп",
    "корпус",
    "к",
    "стр",
    "строение",
    "офис",
    "оф",
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "apt",
    "apartment",
    "suite",
    "building",
    "bldg",
    "lane",
    "ln",
    "г",
    "город",
];

/// The words of an address that identify it, sorted (`ул. Ленина, д. 5, кв. 12` = `Ленина 5-12`).
pub(crate) fn address_words(text: &str) -> Vec<String> {
    let folded = fold_words(text);
    let mut words: Vec<String> = folded
        .split(' ')
        .filter(|w| !w.is_empty() && !ADDRESS_NOISE.contains(w))
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// How much two sorted word lists share: |A ∩ B| / |A ∪ B|.
pub(crate) fn word_overlap(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// Whether every number in `a` appears in `b` and vice versa (house and flat numbers must agree
/// for two addresses to be one).
pub(crate) fn numbers_agree(a: &[String], b: &[String]) -> bool {
    let nums = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
            .cloned()
            .collect()
    };
    nums(a) == nums(b)
}

/// A postcode without spaces or dashes, upper case (`101 000` = `101000`, `sw1a 1aa` =
/// `SW1A1AA`).
pub(crate) fn postcode_key(text: &str) -> Option<String> {
    let key: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    (!key.is_empty()).then_some(key)
}

/// An exact identifier field (customer number, tax id) without spaces, dashes and case.
pub(crate) fn identifier_key(text: &str) -> Option<String> {
    let key: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cities_in_any_script_and_abbreviation_are_one() {
        for text in [
            "Москва",
            "г. Москва",
            "moscow",
            "MSK",
            "город Москва",
            "Moskva",
        ] {
            assert_eq!(city_key(text).as_deref(), Some("москва"), "{text}");
        }
        for text in ["Санкт-Петербург", "СПб", "St. Petersburg", "Питер"] {
            assert_eq!(city_key(text).as_deref(), Some("санкт петербург"), "{text}");
        }
        assert_eq!(city_key("Урюпинск").as_deref(), Some("урюпинск"));
        assert_eq!(city_key("г."), None);
    }

    #[test]
    fn companies_without_legal_forms_and_quotes() {
        assert_eq!(company_key("ООО «Ромашка»"), company_key("Ромашка"));
        assert_eq!(company_key("Acme Ltd."), company_key("ACME"));
        assert_eq!(company_key("ООО"), None);
    }

    #[test]
    fn dates_in_every_common_format() {
        let want = NaiveDate::from_ymd_opt(1985, 3, 14);
        for text in [
            "1985-03-14",
            "14.03.1985",
            "14/03/1985",
            "03/14/1985",
            "14.03.85",
            "14 марта 1985",
            "14 марта 1985 г.",
            "March 14, 1985",
            "14 Mar 1985",
            "19850314",
            "1985-03-14T00:00:00Z",
        ] {
            assert_eq!(parse_date(text), want, "{text}");
        }
        assert_eq!(
            parse_date("5 мая 1990"),
            NaiveDate::from_ymd_opt(1990, 5, 5)
        );
        for text in ["", "вчера", "31.02.1990", "1985", "12/13/14/15"] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn addresses_compare_by_their_identifying_words() {
        let a = address_words("ул. Ленина, д. 5, кв. 12");
        let b = address_words("Ленина 5 кв 12");
        assert_eq!(a, b);
        let c = address_words("ул. Ленина, д. 7");
        assert!(!numbers_agree(&a, &c));
        assert!(word_overlap(&a, &c) > 0.0 && word_overlap(&a, &c) < 0.5);
    }
}
