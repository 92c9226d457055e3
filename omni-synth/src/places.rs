//! Cities, streets, addresses and invented companies for generated people.

use crate::phone::{Country, PhoneNumber};
use crate::rng::SynthRng;
use crate::translit::{transliterate, TranslitSystem};

/// A city with the other ways its name is written and its phone area codes.
#[derive(Debug)]
pub(crate) struct City {
    /// The usual name (`Москва`, `London`).
    pub name: &'static str,
    /// Other spellings seen in data (`г. Москва`, `МСК`, `Moscow`).
    pub variants: &'static [&'static str],
    /// The country it is in.
    pub country: Country,
    /// Landline area codes (Russia, Kazakhstan); empty elsewhere.
    pub area_codes: &'static [&'static str],
    /// The first digits of its postcodes.
    pub postcode: &'static str,
    /// How common the city is among generated people.
    pub weight: u32,
}

const fn city(
    name: &'static str,
    variants: &'static [&'static str],
    country: Country,
    area_codes: &'static [&'static str],
    postcode: &'static str,
    weight: u32,
) -> City {
    City {
        name,
        variants,
        country,
        area_codes,
        postcode,
        weight,
    }
}

/// Cities of Russian-speaking people (Russia and Kazakhstan).
pub(crate) static RU_CITIES: &[City] = &[
    city(
        "Москва",
        &[
            "г. Москва",
            "москва",
            "Moscow",
            "МСК",
            "Москва г",
            "г.Москва",
        ],
        Country::Ru,
        &["495", "499"],
        "1",
        30,
    ),
    city(
        "Санкт-Петербург",
        &[
            "СПб",
            "Питер",
            "г. Санкт-Петербург",
            "Saint Petersburg",
            "С-Петербург",
            "St. Petersburg",
        ],
        Country::Ru,
        &["812"],
        "19",
        14,
    ),
    city(
        "Новосибирск",
        &["г. Новосибирск", "Novosibirsk", "НСК"],
        Country::Ru,
        &["383"],
        "630",
        5,
    ),
    city(
        "Екатеринбург",
        &["Екб", "г. Екатеринбург", "Yekaterinburg", "Ekaterinburg"],
        Country::Ru,
        &["343"],
        "620",
        5,
    ),
    city(
        "Казань",
        &["г. Казань", "Kazan", "казань"],
        Country::Ru,
        &["843"],
        "420",
        4,
    ),
    city(
        "Нижний Новгород",
        &[
            "Н. Новгород",
            "Нижний",
            "Nizhny Novgorod",
            "г. Нижний Новгород",
        ],
        Country::Ru,
        &["831"],
        "603",
        4,
    ),
    city(
        "Челябинск",
        &["г. Челябинск", "Chelyabinsk"],
        Country::Ru,
        &["351"],
        "454",
        3,
    ),
    city(
        "Самара",
        &["г. Самара", "Samara"],
        Country::Ru,
        &["846"],
        "443",
        3,
    ),
    city(
        "Омск",
        &["г. Омск", "Omsk"],
        Country::Ru,
        &["381"],
        "644",
        3,
    ),
    city(
        "Ростов-на-Дону",
        &["Ростов", "г. Ростов-на-Дону", "Rostov-on-Don"],
        Country::Ru,
        &["863"],
        "344",
        3,
    ),
    city("Уфа", &["г. Уфа", "Ufa"], Country::Ru, &["347"], "450", 3),
    city(
        "Красноярск",
        &["г. Красноярск", "Krasnoyarsk"],
        Country::Ru,
        &["391"],
        "660",
        3,
    ),
    city(
        "Воронеж",
        &["г. Воронеж", "Voronezh"],
        Country::Ru,
        &["473"],
        "394",
        2,
    ),
    city(
        "Пермь",
        &["г. Пермь", "Perm"],
        Country::Ru,
        &["342"],
        "614",
        2,
    ),
    city(
        "Волгоград",
        &["г. Волгоград", "Volgograd"],
        Country::Ru,
        &["844"],
        "400",
        2,
    ),
    city(
        "Краснодар",
        &["г. Краснодар", "Krasnodar", "КРД"],
        Country::Ru,
        &["861"],
        "350",
        3,
    ),
    city(
        "Алматы",
        &["Алма-Ата", "Almaty", "г. Алматы"],
        Country::Kz,
        &[],
        "050",
        2,
    ),
    city(
        "Астана",
        &["Astana", "г. Астана", "Нур-Султан"],
        Country::Kz,
        &[],
        "010",
        1,
    ),
];

/// Cities of English-speaking people (abroad, or living in Russia: see the person generator).
pub(crate) static EN_CITIES: &[City] = &[
    city(
        "London",
        &["london", "LONDON", "London, UK", "Лондон"],
        Country::Gb,
        &[],
        "",
        5,
    ),
    city(
        "Manchester",
        &["Manchester, UK", "Манчестер"],
        Country::Gb,
        &[],
        "",
        2,
    ),
    city(
        "New York",
        &["NYC", "New York, NY", "Нью-Йорк"],
        Country::Us,
        &[],
        "",
        3,
    ),
    city("Boston", &["Boston, MA", "Бостон"], Country::Us, &[], "", 1),
    city("Berlin", &["berlin", "Берлин"], Country::De, &[], "", 2),
    city("Munich", &["München", "Мюнхен"], Country::De, &[], "", 1),
];

const RU_STREETS: &[&str] = &[
    "Ленина",
    "Мира",
    "Советская",
    "Гагарина",
    "Пушкина",
    "Садовая",
    "Лесная",
    "Центральная",
    "Молодёжная",
    "Школьная",
    "Набережная",
    "Октябрьская",
    "Победы",
    "Строителей",
    "Кирова",
    "Заречная",
    "Новая",
    "Полевая",
    "Чехова",
    "Лермонтова",
    "Горького",
    "Маяковского",
    "Комсомольская",
    "Пролетарская",
    "Зелёная",
    "Солнечная",
    "Парковая",
    "Весенняя",
];
const RU_STREET_TYPES: &[&str] = &["ул.", "ул.", "ул.", "пр-т", "пер.", "б-р", "ш."];
const EN_STREETS: &[&str] = &[
    "High",
    "Station",
    "Church",
    "Park",
    "Victoria",
    "Mill",
    "Oak",
    "Maple",
    "Elm",
    "Cedar",
    "Washington",
    "Lake",
    "Hill",
    "King",
    "Queen",
];
const EN_STREET_TYPES: &[&str] = &["Street", "Road", "Avenue", "Lane", "Drive"];

/// A postal address, kept in parts so records can write it in different ways.
#[derive(Clone, Debug)]
pub(crate) struct Address {
    street: &'static str,
    street_type: &'static str,
    house: u32,
    flat: Option<u32>,
    postcode: String,
}

impl Address {
    /// A random address in `city`.
    pub fn random(rng: &mut SynthRng, city: &City) -> Address {
        let russian = matches!(city.country, Country::Ru | Country::Kz);
        let (street, street_type) = if russian {
            (*rng.pick(RU_STREETS), *rng.pick(RU_STREET_TYPES))
        } else {
            (*rng.pick(EN_STREETS), *rng.pick(EN_STREET_TYPES))
        };
        let postcode = match city.country {
            Country::Ru | Country::Kz => {
                format!("{}{}", city.postcode, rng.digits(6 - city.postcode.len()))
            }
            Country::Us => format!("{:05}", rng.range(10001, 99950)),
            Country::De => format!("{:05}", rng.range(10115, 99998)),
            Country::Gb => {
                const AREAS: &[&str] = &["N1", "NW3", "SE15", "E8", "SW9", "M14", "W5"];
                let letters = b"ABDEFGHJLNPQRSTUWXYZ";
                format!(
                    "{} {}{}{}",
                    rng.pick(AREAS),
                    rng.range(1, 9),
                    letters[rng.index(letters.len())] as char,
                    letters[rng.index(letters.len())] as char
                )
            }
        };
        Address {
            street,
            street_type,
            house: rng.range(1, 180) as u32,
            flat: rng.chance(0.8).then(|| rng.range(1, 320) as u32),
            postcode,
        }
    }

    /// The address written one of the ways people write it.
    pub fn written(&self, rng: &mut SynthRng, city: &City) -> String {
        let (s, t, h) = (self.street, self.street_type, self.house);
        if matches!(city.country, Country::Ru | Country::Kz) {
            let flat = |f: &str| self.flat.map(|n| format!("{f}{n}")).unwrap_or_default();
            match rng.below(5) {
                0 => format!("г. {}, {t} {s}, д. {h}{}", city.name, flat(", кв. ")),
                1 => format!(
                    "{}, {}, {t} {s}, {h}{}",
                    self.postcode,
                    city.name,
                    flat(", кв ")
                ),
                2 => format!("{s} {h}{}", flat("-")),
                3 => format!("{t} {s}, д.{h}{}", flat(" кв.")),
                _ => format!("{}, {s} {h}{}", city.name, flat(", ")),
            }
        } else {
            let flat = self.flat.map(|n| format!("Apt {n}, ")).unwrap_or_default();
            match rng.below(3) {
                0 => format!("{flat}{h} {s} {t}, {} {}", city.name, self.postcode),
                1 => format!("{h} {s} {t}, {}", city.name),
                _ => format!("{h} {s} {}", &t[..2]),
            }
        }
    }
}

const RU_COMPANY_CORES: &[&str] = &[
    "Вектор",
    "Альфа",
    "Меридиан",
    "Горизонт",
    "Сфера",
    "Гранит",
    "Атлант",
    "Феникс",
    "Орион",
    "Восток",
    "Прогресс",
    "Импульс",
    "Кристалл",
    "Радуга",
    "Стрела",
    "Лидер",
    "Ромашка",
    "Профиль",
    "Старт",
    "Эталон",
    "Магистраль",
    "Спектр",
    "Северный ветер",
    "Теплый дом",
];
const RU_COMPANY_TAILS: &[&str] = &[
    "",
    "",
    "-М",
    "Строй",
    "Трейд",
    "Плюс",
    "Сервис",
    "Логистик",
    "Инвест",
];
const RU_LEGAL: &[&str] = &["ООО", "ООО", "ООО", "АО", "ПАО"];
const EN_COMPANY_CORES: &[&str] = &[
    "Northwind",
    "Bluestone",
    "Silverline",
    "Brightway",
    "Oakfield",
    "Riverside",
    "Greenbridge",
    "Westpoint",
    "Redwood",
    "Summit",
    "Harbor",
    "Ironbark",
];
const EN_COMPANY_TAILS: &[&str] = &[
    "Trading",
    "Logistics",
    "Consulting",
    "Systems",
    "Foods",
    "Labs",
];
const EN_LEGAL: &[&str] = &["Ltd", "LLC", "Inc.", "GmbH"];
const COMPANY_TLDS: &[&str] = &[".example", ".test", ".example.com", ".example.org"];

/// An invented company: where some people work, with a switchboard and shared mailboxes.
#[derive(Clone, Debug)]
pub(crate) struct Company {
    /// The name without legal form (`Вектор-Строй`, `Northwind Trading`).
    pub core: String,
    /// The legal form (`ООО`, `Ltd`).
    pub legal: &'static str,
    /// Russian (legal form before the quoted name) or English (after).
    pub russian: bool,
    /// The mail domain (`vektor-stroy.example`).
    pub domain: String,
    /// The office switchboard, shared by everyone who works there.
    pub switchboard: PhoneNumber,
    /// The city of the office.
    pub city: &'static City,
}

impl Company {
    /// A random company; `index` makes its domain unique among the generated ones.
    pub fn random(rng: &mut SynthRng, index: usize) -> Company {
        let russian = rng.chance(0.85);
        let (core, legal, city) = if russian {
            let core = rng.pick(RU_COMPANY_CORES);
            let tail = rng.pick(RU_COMPANY_TAILS);
            let name = if tail.is_empty() || tail.starts_with('-') {
                format!("{core}{tail}")
            } else {
                format!("{core}-{tail}")
            };
            let city = &RU_CITIES[rng.weighted_by(RU_CITIES, |c| c.weight)];
            (name, *rng.pick(RU_LEGAL), city)
        } else {
            let name = format!(
                "{} {}",
                rng.pick(EN_COMPANY_CORES),
                rng.pick(EN_COMPANY_TAILS)
            );
            (name, *rng.pick(EN_LEGAL), rng.pick(EN_CITIES))
        };
        let slug: String = transliterate(&core, TranslitSystem::Popular)
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let domain = format!("{slug}{}{}", index, rng.pick(COMPANY_TLDS));
        let switchboard = PhoneNumber::landline(rng, city.country, city.area_codes);
        Company {
            core,
            legal,
            russian,
            domain,
            switchboard,
            city,
        }
    }

    /// The company name written one of the ways CRM users write it:
    /// `ООО «Вектор»`, `ООО "Вектор"`, `Вектор`, `вектор ооо`, `Northwind Trading Ltd`.
    pub fn written(&self, rng: &mut SynthRng) -> String {
        let (core, legal) = (&self.core, self.legal);
        if self.russian {
            match rng.below(6) {
                0 | 1 => format!("{legal} «{core}»"),
                2 => format!("{legal} \"{core}\""),
                3 => core.clone(),
                4 => format!("{core}, {legal}"),
                _ => format!("{} {}", legal.to_lowercase(), core.to_lowercase()),
            }
        } else {
            match rng.below(4) {
                0 | 1 => format!("{core} {legal}"),
                2 => core.clone(),
                _ => format!("{core} {legal}").to_uppercase(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companies_get_reserved_domains_and_office_lines() {
        let mut rng = SynthRng::new(4);
        for i in 0..50 {
            let c = Company::random(&mut rng, i);
            assert!(
                c.domain.ends_with(".example")
                    || c.domain.ends_with(".test")
                    || c.domain.ends_with(".example.com")
                    || c.domain.ends_with(".example.org"),
                "{}",
                c.domain
            );
            assert!(c.domain.is_ascii(), "{}", c.domain);
            assert!(!c.switchboard.mobile || c.city.area_codes.is_empty());
        }
    }

    #[test]
    fn russian_addresses_read_naturally() {
        let mut rng = SynthRng::new(5);
        let msk = &RU_CITIES[0];
        let a = Address::random(&mut rng, msk);
        assert!(a.postcode.starts_with('1') && a.postcode.len() == 6);
        let text = a.written(&mut rng, msk);
        assert!(text.chars().any(|c| c.is_ascii_digit()), "{text}");
    }
}
