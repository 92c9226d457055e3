//! Invented people: names, phones, mailboxes, messenger accounts, city, employer, birthday.
//!
//! A [`Population`] hands out people one at a time and remembers which identifiers it has given
//! out, so two different people never get the same phone, mailbox or account by accident; they
//! share one only where the generator means it (a family phone, an office switchboard, `info@`).

use crate::email::{mailbox_key, Mailbox, PERSONAL_DOMAINS};
use crate::names::{
    female_surname, GivenName, EN_FEMALE, EN_MALE, EN_SURNAMES, RU_FEMALE, RU_MALE, RU_SURNAMES,
    RU_SURNAME_ROOTS,
};
use crate::phone::{Country, PhoneNumber};
use crate::places::{Address, City, Company, EN_CITIES, RU_CITIES};
use crate::rng::{SynthRng, ZipfTable};
use crate::translit::{transliterate, wrong_layout, TranslitSystem};
use crate::typo::typo;
use chrono::NaiveDate;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Flattens the head of the given-name distribution: the top Russian male name is about 9%.
const GIVEN_OFFSET: u64 = 5;
/// Flattens the head of the surname distribution: the top surname is about 1.5%.
const SURNAME_OFFSET: u64 = 25;

/// A Russian surname in the male form: a common one from the table (two times in three), else
/// a rarer one made from a root and a suffix (`Берёзкин`, `Соколовский`), as the real long tail is.
fn russian_surname(rng: &mut SynthRng) -> String {
    if rng.chance(0.65) {
        RU_SURNAMES[rng.zipf_from(&ZIPF.ru_surnames)].to_string()
    } else {
        let root = rng.pick(RU_SURNAME_ROOTS);
        let suffix = rng.pick(&["ов", "ин", "ев", "ский", "енко", "ович"]);
        let suffix = match (*suffix, root.chars().last()) {
            ("ов", Some('ь' | 'й')) => "ев",
            (s, _) => s,
        };
        let root = root.trim_end_matches(['ь', 'й']);
        format!("{root}{suffix}")
    }
}

/// The male form of a Russian surname given in either form.
fn male_surname(surname: &str, female: bool) -> String {
    if !female || surname.chars().count() <= 3 {
        return surname.to_string();
    }
    for (from, to) in [("ская", "ский"), ("цкая", "цкий"), ("ая", "ой")] {
        if let Some(stem) = surname.strip_suffix(from) {
            return format!("{stem}{to}");
        }
    }
    for end in ["ова", "ева", "ёва", "ина", "ына"] {
        if surname.ends_with(end) {
            return surname[..surname.len() - 'а'.len_utf8()].to_string();
        }
    }
    surname.to_string()
}

/// The name distributions, computed once (immutable).
struct NameTables {
    ru_male: ZipfTable,
    ru_female: ZipfTable,
    en_male: ZipfTable,
    en_female: ZipfTable,
    ru_surnames: ZipfTable,
    en_surnames: ZipfTable,
}

impl NameTables {
    fn given(&self, list: &[GivenName]) -> &ZipfTable {
        match (list.as_ptr(), list.len()) {
            (p, _) if std::ptr::eq(p, RU_MALE.as_ptr()) => &self.ru_male,
            (p, _) if std::ptr::eq(p, RU_FEMALE.as_ptr()) => &self.ru_female,
            (p, _) if std::ptr::eq(p, EN_MALE.as_ptr()) => &self.en_male,
            _ => &self.en_female,
        }
    }
}

static ZIPF: LazyLock<NameTables> = LazyLock::new(|| NameTables {
    ru_male: ZipfTable::new(RU_MALE.len(), GIVEN_OFFSET),
    ru_female: ZipfTable::new(RU_FEMALE.len(), GIVEN_OFFSET),
    en_male: ZipfTable::new(EN_MALE.len(), GIVEN_OFFSET),
    en_female: ZipfTable::new(EN_FEMALE.len(), GIVEN_OFFSET),
    ru_surnames: ZipfTable::new(RU_SURNAMES.len(), SURNAME_OFFSET),
    en_surnames: ZipfTable::new(EN_SURNAMES.len(), SURNAME_OFFSET),
});

/// Which naming tradition a person comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Culture {
    /// Russian speaker: Cyrillic name with patronymic, gendered surname.
    Russian,
    /// English speaker: Latin name, no patronymic.
    English,
}

/// One invented person with every identifier they own.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub id: u64,
    pub culture: Culture,
    pub given: &'static GivenName,
    /// Surname in its own script, in the person's gender (`Иванова`, `Smith`).
    pub surname: String,
    /// An English surname in Cyrillic (`Смит`); empty for Russians.
    pub surname_cyr: &'static str,
    pub patronymic: Option<&'static str>,
    /// The Latin spelling this person uses for their own name (email, handles).
    pub latin_given: String,
    pub latin_surname: String,
    /// The transliteration system of the person's documents.
    pub system: TranslitSystem,
    pub city: &'static City,
    /// Main mobile, then (maybe) a newer one used from `second_phone_from`.
    pub phones: Vec<PhoneNumber>,
    pub second_phone_from: i64,
    /// A home landline (sometimes shared with family).
    pub landline: Option<PhoneNumber>,
    /// A family member's phone this person sometimes leaves instead of their own.
    pub family_phone: Option<PhoneNumber>,
    /// Index of the employer in the population's companies.
    pub employer: Option<usize>,
    pub office_ext: String,
    /// Main mailbox, then (maybe) a new one used from `new_email_from`.
    pub emails: Vec<Mailbox>,
    pub new_email_from: i64,
    pub telegram_id: Option<u64>,
    pub telegram_username: Option<String>,
    pub vk_id: Option<u64>,
    pub vk_screen_name: Option<String>,
    pub instagram: Option<String>,
    pub viber_id: Option<String>,
    pub birthday: NaiveDate,
    pub address: Address,
    pub customer_no: Option<String>,
    pub tax_id: Option<String>,
    /// Another person has exactly this name in the same city.
    pub namesake: bool,
}

/// Who a new person is related to, when they are not a stranger.
pub(crate) enum Relation<'a> {
    /// Nobody.
    Stranger,
    /// A family member of `of`: same surname (gender form), city, address, maybe a phone.
    Family { of: &'a Person },
    /// Another person with the same full name in the same city.
    Namesake { of: &'a Person },
}

/// A hasher for keys that are already hashes ([`key_hash`]): one mixing step instead of SipHash.
#[derive(Default)]
struct PremixedHasher(u64);

impl std::hash::Hasher for PremixedHasher {
    fn finish(&self) -> u64 {
        crate::rng::mix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeySet = HashSet<u64, std::hash::BuildHasherDefault<PremixedHasher>>;

/// Hands out people, companies and unique identifiers for one seed.
pub(crate) struct Population {
    taken: KeySet,
    pub companies: Vec<Company>,
    english_share: f64,
    span: (i64, i64),
}

fn key_hash(kind: u8, value: &str) -> u64 {
    // FNV-1a: only for membership tests, never iterated, so output order never depends on it.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(kind);
    for b in value.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const K_PHONE: u8 = 1;
const K_EMAIL: u8 = 2;
const K_TG: u8 = 3;
const K_TG_ID: u8 = 4;
const K_VK: u8 = 5;
const K_VK_ID: u8 = 6;
const K_IG: u8 = 7;
const K_CUSTOMER: u8 = 8;
const K_INN: u8 = 9;

/// A valid 12-digit individual taxpayer number (ИНН) from 10 random digits and two check digits.
pub(crate) fn individual_inn(rng: &mut SynthRng) -> String {
    const REGIONS: &[&str] = &["77", "78", "50", "66", "16", "54", "52", "23", "02", "74"];
    let mut d: Vec<u32> = rng
        .pick(REGIONS)
        .bytes()
        .map(|b| u32::from(b - b'0'))
        .collect();
    d.extend(rng.digits(8).bytes().map(|b| u32::from(b - b'0')));
    let check = |d: &[u32], w: &[u32]| d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11 % 10;
    let c11 = check(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
    d.push(c11);
    let c12 = check(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
    d.push(c12);
    d.iter().map(|x| char::from(b'0' + *x as u8)).collect()
}

impl Population {
    /// A population whose people are English speakers with probability `english_share` and whose
    /// records fall in `span` (Unix seconds, start inclusive, end exclusive). `companies` invented
    /// companies are created up front from `rng`.
    pub fn new(
        rng: &mut SynthRng,
        companies: usize,
        people: usize,
        english_share: f64,
        span: (i64, i64),
    ) -> Self {
        let mut pop = Population {
            // About eight identifiers per person: sized once, never rehashed.
            taken: KeySet::with_capacity_and_hasher(companies + people * 8, Default::default()),
            companies: Vec::with_capacity(companies),
            english_share,
            span,
        };
        for i in 0..companies {
            let mut c = Company::random(rng, i);
            while !pop.claim(K_PHONE, &c.switchboard.e164()) {
                c.switchboard = PhoneNumber::landline(rng, c.city.country, c.city.area_codes);
            }
            pop.companies.push(c);
        }
        pop
    }

    /// Marks `value` of `kind` as given out; false when someone already has it.
    fn claim(&mut self, kind: u8, value: &str) -> bool {
        self.taken.insert(key_hash(kind, value))
    }

    fn unique_mobile(&mut self, rng: &mut SynthRng, country: Country) -> PhoneNumber {
        loop {
            let p = PhoneNumber::mobile(rng, country);
            if self.claim(K_PHONE, &p.e164()) {
                return p;
            }
        }
    }

    fn unique_landline(&mut self, rng: &mut SynthRng, city: &City) -> PhoneNumber {
        loop {
            let p = PhoneNumber::landline(rng, city.country, city.area_codes);
            if self.claim(K_PHONE, &p.e164()) {
                return p;
            }
        }
    }

    /// A handle made from `base` with digits added until nobody has it.
    fn unique_name(&mut self, rng: &mut SynthRng, kind: u8, base: String, year: i32) -> String {
        if self.claim(kind, &base) {
            return base;
        }
        let yy = format!("{base}{:02}", year % 100);
        if self.claim(kind, &yy) {
            return yy;
        }
        loop {
            let sep = if rng.chance(0.3) { "_" } else { "" };
            let n = rng.range(1, 9999);
            let candidate = format!("{base}{sep}{n}");
            if self.claim(kind, &candidate) {
                return candidate;
            }
        }
    }

    fn unique_mailbox(
        &mut self,
        rng: &mut SynthRng,
        local: String,
        domain: &str,
        year: i32,
    ) -> Mailbox {
        let mut local = local;
        let mut attempt = 0;
        loop {
            let key = mailbox_key(&format!("{local}@{domain}"));
            if self.claim(K_EMAIL, &key) {
                return Mailbox {
                    local,
                    domain: domain.to_string(),
                };
            }
            attempt += 1;
            let base = local
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .to_string();
            local = match attempt {
                1 => format!("{base}{:02}", year % 100),
                2 => format!("{base}{year}"),
                _ => format!("{base}{}", rng.range(1, 99_999)),
            };
        }
    }

    fn unique_number(
        &mut self,
        rng: &mut SynthRng,
        kind: u8,
        make: impl Fn(&mut SynthRng) -> String,
    ) -> String {
        loop {
            let v = make(rng);
            if self.claim(kind, &v) {
                return v;
            }
        }
    }

    /// A new person with id `id`, drawn from `rng`, related to someone as `relation` says.
    pub fn person(&mut self, rng: &mut SynthRng, id: u64, relation: Relation<'_>) -> Person {
        let (culture, female) = match &relation {
            Relation::Stranger => (
                if rng.chance(self.english_share) {
                    Culture::English
                } else {
                    Culture::Russian
                },
                rng.chance(0.5),
            ),
            Relation::Family { of } => (of.culture, rng.chance(0.5)),
            Relation::Namesake { of } => (of.culture, of.given.female),
        };
        let list: &'static [GivenName] = match (culture, female) {
            (Culture::Russian, false) => RU_MALE,
            (Culture::Russian, true) => RU_FEMALE,
            (Culture::English, false) => EN_MALE,
            (Culture::English, true) => EN_FEMALE,
        };
        let given = match &relation {
            Relation::Namesake { of } => of.given,
            _ => &list[rng.zipf_from(ZIPF.given(list))],
        };
        let (surname, surname_cyr) = match (&relation, culture) {
            (Relation::Namesake { of }, _) => (of.surname.clone(), of.surname_cyr),
            (Relation::Family { of }, Culture::Russian) => {
                let male = male_surname(&of.surname, of.given.female);
                let s = if female { female_surname(&male) } else { male };
                (s, "")
            }
            (Relation::Family { of }, Culture::English) => (of.surname.clone(), of.surname_cyr),
            (Relation::Stranger, Culture::Russian) => {
                let male = russian_surname(rng);
                let s = if female { female_surname(&male) } else { male };
                (s, "")
            }
            (Relation::Stranger, Culture::English) => {
                let (s, c) = EN_SURNAMES[rng.zipf_from(&ZIPF.en_surnames)];
                (s.to_string(), c)
            }
        };
        let patronymic = match (&relation, culture) {
            (_, Culture::English) => None,
            (Relation::Namesake { of }, _) if rng.chance(0.5) => of.patronymic,
            _ => {
                let father = &RU_MALE[rng.zipf_from(&ZIPF.ru_male)];
                Some(if female {
                    father.patronymic.1
                } else {
                    father.patronymic.0
                })
            }
        };
        let system = *rng.pick(&TranslitSystem::ALL);
        let (latin_given, latin_surname) = match culture {
            Culture::Russian => {
                let g = if !given.latin.is_empty() && rng.chance(0.4) {
                    rng.pick(given.latin).to_string()
                } else {
                    transliterate(given.native, system)
                };
                (g, transliterate(&surname, system))
            }
            Culture::English => (given.native.to_string(), surname.clone()),
        };
        let city: &'static City = match (&relation, culture) {
            (Relation::Family { of } | Relation::Namesake { of }, _) => of.city,
            (_, Culture::Russian) => &RU_CITIES[rng.weighted_by(RU_CITIES, |c| c.weight)],
            (_, Culture::English) if rng.chance(0.45) => &RU_CITIES[rng.index(2)],
            (_, Culture::English) => &EN_CITIES[rng.weighted_by(EN_CITIES, |c| c.weight)],
        };
        let birth_year = match &relation {
            Relation::Family { of } if rng.chance(0.5) => {
                (chrono::Datelike::year(&of.birthday) + 25).min(2007)
            }
            _ => rng.range(1950, 2006) as i32,
        };
        let birthday =
            NaiveDate::from_yo_opt(birth_year, rng.range(1, 365) as u32).unwrap_or(NaiveDate::MIN);

        let mut phones = vec![self.unique_mobile(rng, city.country)];
        let (start, end) = self.span;
        let second_phone_from = if rng.chance(0.08) {
            phones.push(self.unique_mobile(rng, city.country));
            start + rng.below((end - start).max(1) as u64) as i64
        } else {
            i64::MAX
        };
        let landline = match &relation {
            Relation::Family { of } if of.landline.is_some() => of.landline.clone(),
            _ if rng.chance(0.08) && !city.area_codes.is_empty() => {
                Some(self.unique_landline(rng, city))
            }
            _ => None,
        };
        let family_phone = match &relation {
            Relation::Family { of } if rng.chance(0.7) => Some(of.phones[0].clone()),
            _ => None,
        };
        let employer = (rng.chance(0.3) && !self.companies.is_empty())
            .then(|| rng.index(self.companies.len()));
        let office_ext = rng.range(10, 4999).to_string();

        let g = ascii_slug(&latin_given);
        let s = ascii_slug(&latin_surname);
        let year = birth_year;
        let mut emails = Vec::new();
        let mut new_email_from = i64::MAX;
        if rng.chance(0.85) {
            let m = self.new_mailbox(rng, culture, &g, &s, given, year);
            emails.push(m);
            if rng.chance(0.06) {
                let m = self.new_mailbox(rng, culture, &g, &s, given, year);
                emails.push(m);
                new_email_from = start + rng.below((end - start).max(1) as u64) as i64;
            }
        }
        let russian = culture == Culture::Russian;
        let (telegram_id, telegram_username) = if rng.chance(if russian { 0.55 } else { 0.25 }) {
            let id = self.unique_number(rng, K_TG_ID, |r| {
                r.range(100_000_000, 7_999_999_999).to_string()
            });
            let username = rng.chance(0.65).then(|| {
                let base = handle_base(rng, &g, &s, given, '_');
                self.unique_name(rng, K_TG, base, year)
            });
            (id.parse().ok(), username)
        } else {
            (None, None)
        };
        let (vk_id, vk_screen_name) = if rng.chance(if russian { 0.45 } else { 0.05 }) {
            let id = self.unique_number(rng, K_VK_ID, |r| r.range(1_000, 899_999_999).to_string());
            let screen = rng.chance(0.4).then(|| {
                let base = handle_base(rng, &g, &s, given, '_');
                self.unique_name(rng, K_VK, base, year)
            });
            (id.parse().ok(), screen)
        } else {
            (None, None)
        };
        let instagram = rng.chance(0.35).then(|| {
            let base = handle_base(rng, &g, &s, given, '.');
            self.unique_name(rng, K_IG, base, year)
        });
        let viber_id = (russian && rng.chance(0.2)).then(|| {
            const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let body: String = (0..22).map(|_| B64[rng.index(64)] as char).collect();
            format!("{body}==")
        });
        let address = match &relation {
            Relation::Family { of } => of.address.clone(),
            _ => Address::random(rng, city),
        };
        let customer_no = rng.chance(0.4).then(|| {
            self.unique_number(rng, K_CUSTOMER, |r| format!("{:07}", r.range(1, 9_999_999)))
        });
        let tax_id =
            (russian && rng.chance(0.12)).then(|| self.unique_number(rng, K_INN, individual_inn));
        Person {
            id,
            culture,
            given,
            surname,
            surname_cyr,
            patronymic,
            latin_given,
            latin_surname,
            system,
            city,
            phones,
            second_phone_from,
            landline,
            family_phone,
            employer,
            office_ext,
            emails,
            new_email_from,
            telegram_id,
            telegram_username,
            vk_id,
            vk_screen_name,
            instagram,
            viber_id,
            birthday,
            address,
            customer_no,
            tax_id,
            namesake: matches!(relation, Relation::Namesake { .. }),
        }
    }

    fn new_mailbox(
        &mut self,
        rng: &mut SynthRng,
        culture: Culture,
        g: &str,
        s: &str,
        given: &GivenName,
        year: i32,
    ) -> Mailbox {
        let w: Vec<u32> = PERSONAL_DOMAINS
            .iter()
            .map(|d| {
                if culture == Culture::Russian {
                    d.2
                } else {
                    d.3
                }
            })
            .collect();
        let domain = PERSONAL_DOMAINS[rng.weighted(&w)].0;
        let g0 = g.chars().next().unwrap_or('x');
        let nick = given
            .latin_nicknames
            .first()
            .map(|n| ascii_slug(n))
            .or_else(|| {
                given
                    .nicknames
                    .first()
                    .filter(|n| n.is_ascii())
                    .map(|n| ascii_slug(n))
            })
            .unwrap_or_else(|| g.to_string());
        let yy = year % 100;
        let local = match rng.below(12) {
            0 | 1 => format!("{g}.{s}"),
            2 => format!("{g}{s}"),
            3 => format!("{g}_{s}"),
            4 => format!("{s}.{g}"),
            5 => format!("{g0}.{s}"),
            6 => format!("{g0}{s}"),
            7 => format!("{s}{yy:02}"),
            8 => format!("{g}.{s}{yy:02}"),
            9 => format!("{nick}.{s}"),
            10 => format!("{s}_{g0}"),
            _ => format!("{g}{year}"),
        };
        self.unique_mailbox(rng, local, domain, year)
    }
}

/// Lower-case ASCII letters and digits of a Latin name (`O'Brien` -> `obrien`).
pub(crate) fn ascii_slug(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn handle_base(rng: &mut SynthRng, g: &str, s: &str, given: &GivenName, sep: char) -> String {
    let nick = given
        .latin_nicknames
        .first()
        .map(|n| ascii_slug(n))
        .unwrap_or_else(|| g.to_string());
    let g0 = g.chars().next().unwrap_or('x');
    match rng.below(6) {
        0 | 1 => format!("{g}{sep}{s}"),
        2 => format!("{g}{s}"),
        3 => format!("{s}{sep}{g}"),
        4 => format!("{nick}{sep}{s}"),
        _ => format!("{g0}{s}"),
    }
}

/// How a name is likely to be written on some channel: each field is a probability.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameStyle {
    /// Written in the other script (a Russian name in Latin, an English name in Cyrillic).
    pub other_script: f64,
    /// A nickname instead of the given name.
    pub nickname: f64,
    /// Patronymic included (Russians).
    pub patronymic: f64,
    /// Surname first (`Иванов Иван`).
    pub surname_first: f64,
    /// Given name only.
    pub given_only: f64,
    /// Initials (`Иванов И.И.`).
    pub initials: f64,
    /// One typing mistake.
    pub typo: f64,
    /// ALL CAPS or all lower case.
    pub case: f64,
    /// Typed with the wrong keyboard layout.
    pub wrong_layout: f64,
    /// `ё` written as `е` (when the name has one).
    pub yo_as_e: f64,
}

/// What was done to a name when writing it (for the truth labels).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct NameChanges {
    pub translit: bool,
    pub nickname: bool,
    pub patronymic: bool,
    pub swapped: bool,
    pub initials: bool,
    pub typo: bool,
    pub case: bool,
    pub wrong_layout: bool,
    pub yo_as_e: bool,
}

impl Person {
    /// The person's full name in its own script, given name first (`Иван Петров`).
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given.native, self.surname)
    }

    /// The name written as `style` makes likely; returns the text and what was changed.
    pub fn written_name(&self, rng: &mut SynthRng, style: &NameStyle) -> (String, NameChanges) {
        let mut ch = NameChanges::default();
        let russian = self.culture == Culture::Russian;
        let other_script = rng.chance(style.other_script);
        let nickname = rng.chance(style.nickname);
        let system = if rng.chance(0.6) {
            self.system
        } else {
            *rng.pick(&TranslitSystem::ALL)
        };
        let mut given: String = match (russian, other_script, nickname) {
            (true, false, false) => self.given.native.into(),
            (true, false, true) => rng.pick(self.given.nicknames).to_string(),
            (true, true, false) => {
                if rng.chance(0.5) {
                    self.latin_given.clone()
                } else if !self.given.latin.is_empty() && rng.chance(0.4) {
                    rng.pick(self.given.latin).to_string()
                } else {
                    transliterate(self.given.native, system)
                }
            }
            (true, true, true) => {
                if !self.given.latin_nicknames.is_empty() && rng.chance(0.7) {
                    rng.pick(self.given.latin_nicknames).to_string()
                } else {
                    transliterate(
                        self.given.nicknames[rng.index(self.given.nicknames.len())],
                        system,
                    )
                }
            }
            (false, false, false) => self.given.native.into(),
            (false, false, true) => rng.pick(self.given.nicknames).to_string(),
            (false, true, _) => self.given.cyrillic.into(),
        };
        // An English name in Cyrillic is written in full, so no nickname then.
        ch.nickname = nickname && (russian || !other_script);
        ch.translit = other_script;
        let surname: String = match (russian, other_script) {
            (true, false) => self.surname.clone(),
            (true, true) => {
                if rng.chance(0.5) {
                    self.latin_surname.clone()
                } else {
                    transliterate(&self.surname, system)
                }
            }
            (false, false) => self.surname.clone(),
            (false, true) => self.surname_cyr.into(),
        };
        let patronymic = match self.patronymic {
            Some(p) if russian && !nickname && rng.chance(style.patronymic) => {
                Some(if other_script {
                    transliterate(p, system)
                } else {
                    p.to_string()
                })
            }
            _ => None,
        };
        ch.patronymic = patronymic.is_some();
        let mut text = if rng.chance(style.given_only) && patronymic.is_none() {
            given.clone()
        } else if rng.chance(style.initials) && !nickname {
            ch.initials = true;
            let gi = given.chars().next().unwrap_or('?');
            match &patronymic {
                Some(p) => format!("{surname} {gi}.{}.", p.chars().next().unwrap_or('?')),
                None if rng.chance(0.5) => format!("{gi}. {surname}"),
                None => format!("{surname} {gi}."),
            }
        } else if rng.chance(style.surname_first) {
            ch.swapped = true;
            match &patronymic {
                Some(p) => format!("{surname} {given} {p}"),
                None if !russian && rng.chance(0.5) => format!("{surname}, {given}"),
                None => format!("{surname} {given}"),
            }
        } else {
            match &patronymic {
                Some(p) => format!("{given} {p} {surname}"),
                None => format!("{given} {surname}"),
            }
        };
        if (text.contains('ё') || text.contains('Ё')) && rng.chance(style.yo_as_e) {
            text = text.replace('ё', "е").replace('Ё', "Е");
            ch.yo_as_e = true;
        }
        if rng.chance(style.typo) {
            // A typo in one word (never the same letter as the first).
            let words: Vec<&str> = text.split(' ').collect();
            let w = rng.index(words.len());
            let mut out: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            out[w] = typo(rng, words[w]);
            text = out.join(" ");
            ch.typo = true;
        }
        if rng.chance(style.case) {
            text = if rng.chance(0.5) {
                text.to_uppercase()
            } else {
                text.to_lowercase()
            };
            ch.case = true;
        }
        if text
            .chars()
            .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
            && rng.chance(style.wrong_layout)
        {
            text = wrong_layout(&text);
            ch.wrong_layout = true;
        }
        given.clear();
        (text, ch)
    }

    /// The phone this person would leave at Unix time `at` (their new one once they have it).
    pub fn phone_at(&self, at: i64) -> (&PhoneNumber, bool) {
        if self.phones.len() > 1 && at >= self.second_phone_from {
            (&self.phones[1], true)
        } else {
            (&self.phones[0], false)
        }
    }

    /// The mailbox this person would give at Unix time `at` (their new one once they have it).
    pub fn email_at(&self, at: i64) -> Option<(&Mailbox, bool)> {
        match self.emails.len() {
            0 => None,
            1 => Some((&self.emails[0], false)),
            _ if at >= self.new_email_from => Some((&self.emails[1], true)),
            _ => Some((&self.emails[0], false)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population() -> (SynthRng, Population) {
        let mut rng = SynthRng::new(11);
        let pop = Population::new(&mut rng, 20, 3000, 0.15, (1_700_000_000, 1_760_000_000));
        (rng, pop)
    }

    #[test]
    fn inn_check_digits_are_valid() {
        let mut rng = SynthRng::new(3);
        for _ in 0..100 {
            let inn = individual_inn(&mut rng);
            assert_eq!(inn.len(), 12);
            let d: Vec<u32> = inn.bytes().map(|b| u32::from(b - b'0')).collect();
            let w11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
            let w12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
            let c = |n: usize, w: &[u32]| {
                d[..n].iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11 % 10
            };
            assert_eq!(c(10, &w11), d[10]);
            assert_eq!(c(11, &w12), d[11]);
        }
    }

    #[test]
    fn people_never_share_identifiers_by_accident() {
        let (mut rng, mut pop) = population();
        let mut phones = HashSet::new();
        let mut mailboxes = HashSet::new();
        for id in 0..3000 {
            let p = pop.person(&mut rng, id, Relation::Stranger);
            for ph in &p.phones {
                assert!(phones.insert(ph.e164()), "{}", ph.e164());
            }
            for m in &p.emails {
                assert!(
                    mailboxes.insert(mailbox_key(&m.address())),
                    "{}",
                    m.address()
                );
            }
        }
    }

    #[test]
    fn family_members_share_surname_city_and_address() {
        let (mut rng, mut pop) = population();
        for id in 0..200 {
            let head = pop.person(&mut rng, id * 2, Relation::Stranger);
            let member = pop.person(&mut rng, id * 2 + 1, Relation::Family { of: &head });
            assert_eq!(member.city.name, head.city.name);
            if head.culture == Culture::Russian && member.given.female == head.given.female {
                assert_eq!(member.surname, head.surname);
            }
            if head.culture == Culture::Russian && member.given.female && !head.given.female {
                assert_eq!(member.surname, female_surname(&head.surname));
            }
        }
    }

    #[test]
    fn surnames_turn_back_to_the_male_form() {
        assert_eq!(male_surname("Иванова", true), "Иванов");
        assert_eq!(male_surname("Соловьёва", true), "Соловьёв");
        assert_eq!(male_surname("Покровская", true), "Покровский");
        assert_eq!(male_surname("Шевченко", true), "Шевченко");
        assert_eq!(male_surname("Иванов", false), "Иванов");
        let mut rng = SynthRng::new(1);
        for _ in 0..200 {
            let m = russian_surname(&mut rng);
            assert_eq!(male_surname(&female_surname(&m), true), m);
        }
    }

    #[test]
    fn namesakes_share_the_full_name_but_no_identifier() {
        let (mut rng, mut pop) = population();
        let a = pop.person(&mut rng, 1, Relation::Stranger);
        let b = pop.person(&mut rng, 2, Relation::Namesake { of: &a });
        assert_eq!(a.full_name(), b.full_name());
        assert_eq!(a.city.name, b.city.name);
        assert_ne!(a.phones[0], b.phones[0]);
        assert!(b.namesake);
    }
}
