//! CRM contact records with ground truth: the input of identity resolution.
//!
//! Each person leaves 1 to 4 records (mean 2.5) on different channels over time, written the way
//! real CRM rows are: phones in local formats, mailboxes with case changes, Gmail dots, `+tags`
//! and Yandex aliases, names transliterated, nicknamed, swapped, mistyped, fields missing; and the
//! hard cases: office switchboards and `info@` mailboxes shared by colleagues, a family phone,
//! namesakes in one city, placeholder values. Every record knows its person ([`ContactRecord::
//! person_id`]) and what was done to it ([`ContactRecord::corruptions`]); writers keep that truth
//! in a separate file.

use crate::email::{EmailRates, PLACEHOLDER_EMAILS};
use crate::person::{Culture, NameStyle, Person, Population, Relation};
use crate::phone::{PhoneNumber, PLACEHOLDER_PHONES};
use crate::rng::SynthRng;
use chrono::{DateTime, TimeZone, Utc};
use omni_core::{Channel, IdentifierKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a generated record shows that a plain, canonical record would not: the corruptions and
/// hard cases identity resolution must see through. Serialised in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corruption {
    /// A phone written in a local format, not plain E.164 (`8 (912) 345-67-89`).
    PhoneFormat,
    /// An office phone with an extension (`доб. 123`).
    PhoneExtension,
    /// A phone with one wrong digit (a different, valid-looking number).
    PhoneTypo,
    /// The person's second or newer phone.
    SecondPhone,
    /// A phone of a family member, shared within the household.
    FamilyPhone,
    /// The company switchboard, shared by colleagues.
    OfficePhone,
    /// A placeholder phone (`0000000000`, `+7 999 999-99-99`).
    PlaceholderPhone,
    /// An email in changed case (`Ivan.Petrov@Gmail.com`).
    EmailCase,
    /// A Gmail address with dots added or removed.
    GmailDots,
    /// An email with a `+tag` (or Yahoo `-tag`).
    EmailTag,
    /// Another domain of the same mailbox (`ya.ru` for `yandex.ru`, `googlemail.com`).
    DomainAlias,
    /// An email with a typing mistake (`gmial.com`): a different address.
    EmailTypo,
    /// The person's new mailbox.
    NewEmail,
    /// A shared role mailbox of the company (`info@`, `office@`).
    RoleEmail,
    /// A placeholder email (`test@test.com`, `no@email.com`).
    PlaceholderEmail,
    /// The name in the other script (`Ivan Petrov` for `Иван Петров`, `Джон Смит` for `John Smith`).
    Translit,
    /// A nickname or diminutive (`Саша`, `Sasha`, `Bill`).
    Nickname,
    /// Surname first (`Петров Иван`).
    SwappedOrder,
    /// The patronymic is present (`Иван Сергеевич Петров`).
    Patronymic,
    /// Initials (`Петров И.С.`).
    Initials,
    /// A typing mistake in the name.
    NameTypo,
    /// The name typed with the wrong keyboard layout (`Bdfy` for `Иван`).
    WrongLayout,
    /// `ё` written as `е` (`Семенов` for `Семёнов`).
    YoAsE,
    /// The name in ALL CAPS or all lower case.
    NameCase,
    /// No name on the record.
    MissingName,
    /// No phone on the record.
    MissingPhone,
    /// No email on the record.
    MissingEmail,
    /// The city written another way (`СПб`, `Moscow`, `г. Москва`).
    CityVariant,
    /// The person has a namesake: another person with the same full name in the same city.
    Namesake,
}

impl Corruption {
    /// Every corruption kind.
    pub const ALL: &'static [Corruption] = &[
        Corruption::PhoneFormat,
        Corruption::PhoneExtension,
        Corruption::PhoneTypo,
        Corruption::SecondPhone,
        Corruption::FamilyPhone,
        Corruption::OfficePhone,
        Corruption::PlaceholderPhone,
        Corruption::EmailCase,
        Corruption::GmailDots,
        Corruption::EmailTag,
        Corruption::DomainAlias,
        Corruption::EmailTypo,
        Corruption::NewEmail,
        Corruption::RoleEmail,
        Corruption::PlaceholderEmail,
        Corruption::Translit,
        Corruption::Nickname,
        Corruption::SwappedOrder,
        Corruption::Patronymic,
        Corruption::Initials,
        Corruption::NameTypo,
        Corruption::WrongLayout,
        Corruption::YoAsE,
        Corruption::NameCase,
        Corruption::MissingName,
        Corruption::MissingPhone,
        Corruption::MissingEmail,
        Corruption::CityVariant,
        Corruption::Namesake,
    ];

    /// The snake_case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Corruption::PhoneFormat => "phone_format",
            Corruption::PhoneExtension => "phone_extension",
            Corruption::PhoneTypo => "phone_typo",
            Corruption::SecondPhone => "second_phone",
            Corruption::FamilyPhone => "family_phone",
            Corruption::OfficePhone => "office_phone",
            Corruption::PlaceholderPhone => "placeholder_phone",
            Corruption::EmailCase => "email_case",
            Corruption::GmailDots => "gmail_dots",
            Corruption::EmailTag => "email_tag",
            Corruption::DomainAlias => "domain_alias",
            Corruption::EmailTypo => "email_typo",
            Corruption::NewEmail => "new_email",
            Corruption::RoleEmail => "role_email",
            Corruption::PlaceholderEmail => "placeholder_email",
            Corruption::Translit => "translit",
            Corruption::Nickname => "nickname",
            Corruption::SwappedOrder => "swapped_order",
            Corruption::Patronymic => "patronymic",
            Corruption::Initials => "initials",
            Corruption::NameTypo => "name_typo",
            Corruption::WrongLayout => "wrong_layout",
            Corruption::YoAsE => "yo_as_e",
            Corruption::NameCase => "name_case",
            Corruption::MissingName => "missing_name",
            Corruption::MissingPhone => "missing_phone",
            Corruption::MissingEmail => "missing_email",
            Corruption::CityVariant => "city_variant",
            Corruption::Namesake => "namesake",
        }
    }
}

/// A messenger or social handle as it appears on a record: its kind and the raw text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawHandle {
    /// What kind of account the text names.
    pub kind: IdentifierKind,
    /// The text as typed or exported (`@ivan_petrov`, `vk.com/id12345`, `79123456789`).
    pub raw: String,
}

/// The names of the extra columns some records carry, in file order.
pub const EXTRA_COLUMNS: &[&str] = &["customer_no", "tax_id"];

/// One CRM row or contact observation, with its truth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// Unique record id, numbered from 1 in `seen_at` order.
    pub record_id: u64,
    /// Truth: the person this record belongs to. Not written to the record file.
    #[serde(skip)]
    pub person_id: u64,
    /// The channel the record came from.
    pub channel: Channel,
    /// When the record was made, UTC.
    pub seen_at: DateTime<Utc>,
    /// The name as written, if any.
    pub name: Option<String>,
    /// Phones as typed.
    pub phones: Vec<String>,
    /// Emails as typed.
    pub emails: Vec<String>,
    /// Messenger and social handles as typed.
    pub handles: Vec<RawHandle>,
    /// The company, as written.
    pub company: Option<String>,
    /// The city, as written.
    pub city: Option<String>,
    /// The birthday, in one of several formats (`14.03.1985`, `1985-03-14`, `14 марта 1985`).
    pub birthday: Option<String>,
    /// The postal address, as written.
    pub address: Option<String>,
    /// Extra CRM columns (see [`EXTRA_COLUMNS`]): a customer number, a tax id (ИНН).
    pub extra: BTreeMap<String, String>,
    /// Truth: what was done to this record, sorted. Not written to the record file.
    #[serde(skip)]
    pub corruptions: Vec<Corruption>,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct ContactConfig {
    /// The seed: the same seed and settings give the same records, byte for byte.
    pub seed: u64,
    /// How many people (records are about 2.5 times as many).
    pub people: u64,
    /// The first moment records may carry.
    pub start: DateTime<Utc>,
    /// How many days records span from `start`.
    pub days: u32,
    /// Share of English-speaking people (the rest are Russian speakers in Russia and Kazakhstan).
    pub english_share: f64,
    /// Share of people who come as a family of 2 or 3 (same surname and address, shared phones).
    pub family_share: f64,
    /// Share of people who come as a pair of namesakes (same full name, same city).
    pub namesake_share: f64,
}

impl Default for ContactConfig {
    fn default() -> Self {
        ContactConfig {
            seed: 1,
            people: 1000,
            start: Utc
                .with_ymd_and_hms(2023, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 730,
            english_share: 0.12,
            family_share: 0.08,
            namesake_share: 0.04,
        }
    }
}

/// Where one record comes from: its time and its person and place among that person's records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RecordKey {
    seen_at: i64,
    person: u32,
    ordinal: u8,
}

/// Generates contact records for a [`ContactConfig`].
///
/// People are made first (they are small); records are made one at a time, in `seen_at` order,
/// as the iterator is read, so a million records are never all held in memory.
///
/// # Example
/// ```
/// use omni_synth::{ContactConfig, ContactGenerator};
/// let records: Vec<_> = ContactGenerator::new(ContactConfig { seed: 7, people: 100, ..Default::default() })
///     .records()
///     .collect();
/// assert!(records.len() >= 100 && records.len() <= 400);
/// assert!(records.windows(2).all(|w| w[0].seen_at <= w[1].seen_at));
/// ```
pub struct ContactGenerator {
    config: ContactConfig,
    people: Vec<Person>,
    population: Population,
    keys: Vec<RecordKey>,
}

const DOMAIN_RECORD: u64 = 2;
const DOMAIN_PEOPLE: u64 = 1;

impl ContactGenerator {
    /// Makes the people and the schedule of their records.
    pub fn new(config: ContactConfig) -> ContactGenerator {
        let start = config.start.timestamp();
        let end = start + i64::from(config.days.max(1)) * 86_400;
        let mut rng = SynthRng::derive(config.seed, &[DOMAIN_PEOPLE]);
        let companies = (config.people / 30).clamp(5, 50_000) as usize;
        let mut population = Population::new(
            &mut rng,
            companies,
            config.people as usize,
            config.english_share,
            (start, end),
        );
        let mut people: Vec<Person> = Vec::with_capacity(config.people as usize);
        let mut keys = Vec::with_capacity((config.people as f64 * 2.6) as usize);
        while (people.len() as u64) < config.people {
            let left = config.people - people.len() as u64;
            let id = people.len() as u64;
            let roll = rng.unit();
            let head = population.person(&mut rng, id, Relation::Stranger);
            let mut unit = vec![head];
            if roll < config.family_share && left >= 2 {
                let size = if left >= 3 && rng.chance(0.35) { 3 } else { 2 };
                for k in 1..size {
                    let member =
                        population.person(&mut rng, id + k, Relation::Family { of: &unit[0] });
                    unit.push(member);
                }
            } else if roll < config.family_share + config.namesake_share && left >= 2 {
                let twin = population.person(&mut rng, id + 1, Relation::Namesake { of: &unit[0] });
                unit[0].namesake = true;
                unit.push(twin);
            }
            for p in unit {
                let count = 1 + rng.weighted(&[2, 3, 3, 2]);
                let mut times: Vec<i64> = (0..count)
                    .map(|_| start + rng.below((end - start) as u64) as i64)
                    .collect();
                times.sort_unstable();
                for (ordinal, seen_at) in times.into_iter().enumerate() {
                    keys.push(RecordKey {
                        seen_at,
                        person: p.id as u32,
                        ordinal: ordinal as u8,
                    });
                }
                people.push(p);
            }
        }
        keys.sort_unstable();
        ContactGenerator {
            config,
            people,
            population,
            keys,
        }
    }

    /// How many records [`records`](Self::records) yields.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are no records (zero people).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The records in `seen_at` order, made as they are read (in chunks, on all cores: each
    /// record depends only on the seed, its person and its place, so the output is the same
    /// whatever the number of threads).
    pub fn records(&self) -> impl Iterator<Item = ContactRecord> + '_ {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        ContactRecords {
            generator: self,
            next: 0,
            buffer: std::collections::VecDeque::new(),
            threads,
        }
    }

    /// Records `range` of the schedule, in order, made by `threads` threads.
    fn chunk(&self, range: std::ops::Range<usize>, threads: usize) -> Vec<ContactRecord> {
        let make = |r: std::ops::Range<usize>| -> Vec<ContactRecord> {
            r.map(|i| self.record(i as u64 + 1, &self.keys[i]))
                .collect()
        };
        if threads <= 1 || range.len() < 1024 {
            return make(range);
        }
        let step = range.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (range.start..range.end)
                .step_by(step)
                .map(|lo| {
                    let hi = (lo + step).min(range.end);
                    scope.spawn(move || make(lo..hi))
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }

    fn record(&self, record_id: u64, key: &RecordKey) -> ContactRecord {
        let person = &self.people[key.person as usize];
        let mut rng = SynthRng::derive(
            self.config.seed,
            &[DOMAIN_RECORD, u64::from(key.person), u64::from(key.ordinal)],
        );
        RecordWriter {
            rng: &mut rng,
            person,
            population: &self.population,
            seen_at: key.seen_at,
            corruptions: Vec::new(),
        }
        .write(record_id)
    }
}

/// The iterator behind [`ContactGenerator::records`].
struct ContactRecords<'a> {
    generator: &'a ContactGenerator,
    next: usize,
    buffer: std::collections::VecDeque<ContactRecord>,
    threads: usize,
}

const CHUNK: usize = 16_384;

impl Iterator for ContactRecords<'_> {
    type Item = ContactRecord;

    fn next(&mut self) -> Option<ContactRecord> {
        if self.buffer.is_empty() && self.next < self.generator.keys.len() {
            let end = (self.next + CHUNK).min(self.generator.keys.len());
            self.buffer = self.generator.chunk(self.next..end, self.threads).into();
            self.next = end;
        }
        self.buffer.pop_front()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.buffer.len() + self.generator.keys.len() - self.next;
        (left, Some(left))
    }
}

/// Channel mix of CRM records and how likely each field is on each.
struct ChannelProfile {
    channel: Channel,
    weight: u32,
    name: f64,
    phone: f64,
    email: f64,
    city: f64,
    birthday: f64,
    address: f64,
    /// Written by an operator (FIO order, patronymics, Cyrillic) rather than by the person.
    operator: bool,
}

#[allow(clippy::too_many_arguments)] // a table row, read column by column below
const fn profile(
    channel: Channel,
    weight: u32,
    name: f64,
    phone: f64,
    email: f64,
    city: f64,
    birthday: f64,
    address: f64,
    operator: bool,
) -> ChannelProfile {
    ChannelProfile {
        channel,
        weight,
        name,
        phone,
        email,
        city,
        birthday,
        address,
        operator,
    }
}

static PROFILES: &[ChannelProfile] = &[
    profile(Channel::Voice, 18, 0.75, 1.0, 0.2, 0.3, 0.02, 0.05, true),
    profile(Channel::WebForm, 20, 0.95, 0.9, 0.6, 0.2, 0.05, 0.1, false),
    profile(Channel::Email, 12, 0.85, 0.4, 1.0, 0.15, 0.03, 0.05, false),
    profile(
        Channel::Whatsapp,
        10,
        0.8,
        1.0,
        0.05,
        0.05,
        0.0,
        0.02,
        false,
    ),
    profile(Channel::Telegram, 8, 0.9, 0.55, 0.1, 0.05, 0.0, 0.0, false),
    profile(Channel::Visit, 10, 0.95, 0.9, 0.4, 0.6, 0.5, 0.35, true),
    profile(Channel::LiveChat, 6, 0.7, 0.55, 0.55, 0.1, 0.0, 0.05, false),
    profile(Channel::Vk, 5, 0.95, 0.4, 0.15, 0.6, 0.3, 0.0, false),
    profile(Channel::Instagram, 4, 0.7, 0.4, 0.15, 0.1, 0.0, 0.0, false),
    profile(Channel::Sms, 4, 0.2, 1.0, 0.0, 0.0, 0.0, 0.0, false),
    profile(Channel::Viber, 3, 0.7, 0.9, 0.0, 0.05, 0.0, 0.0, false),
];

struct RecordWriter<'a> {
    rng: &'a mut SynthRng,
    person: &'a Person,
    population: &'a Population,
    seen_at: i64,
    corruptions: Vec<Corruption>,
}

impl RecordWriter<'_> {
    fn mark(&mut self, c: Corruption) {
        self.corruptions.push(c);
    }

    fn write(mut self, record_id: u64) -> ContactRecord {
        let p = self.person;
        // People only show up on channels where they have an account.
        let profile = &PROFILES[self.rng.weighted_by(PROFILES, |pr| {
            let has = match pr.channel {
                Channel::Telegram => p.telegram_id.is_some(),
                Channel::Vk => p.vk_id.is_some(),
                Channel::Instagram => p.instagram.is_some(),
                Channel::Viber => p.viber_id.is_some(),
                Channel::Email => !p.emails.is_empty(),
                _ => true,
            };
            if has {
                pr.weight
            } else {
                0
            }
        })];
        let employer = p.employer.map(|i| &self.population.companies[i]);
        // A B2B contact: the person writes or calls from work.
        let at_work = employer.is_some()
            && matches!(
                profile.channel,
                Channel::Voice | Channel::Email | Channel::WebForm | Channel::Visit
            )
            && self.rng.chance(0.35);

        let name = self.name(profile);
        let mut phones = self.phones(profile, at_work);
        let emails = self.emails(profile, at_work);
        let handles = self.handles(&profile.channel);
        if name.is_none() && phones.is_empty() && emails.is_empty() && handles.is_empty() {
            // A record with nothing on it would not be in a CRM: the channel saw a phone.
            let (phone, _) = p.phone_at(self.seen_at);
            let text = self.write_phone(phone, None);
            phones.push(text);
        }
        let company = employer
            .filter(|_| at_work || self.rng.chance(0.1))
            .map(|c| c.written(self.rng));
        let city = self.rng.chance(profile.city).then(|| {
            if self.rng.chance(0.35) {
                self.mark(Corruption::CityVariant);
                self.rng.pick(p.city.variants).to_string()
            } else {
                p.city.name.to_string()
            }
        });
        let birthday = self
            .rng
            .chance(profile.birthday)
            .then(|| written_birthday(self.rng, p, &profile.channel));
        let address = self
            .rng
            .chance(profile.address)
            .then(|| p.address.written(self.rng, p.city));
        let mut extra = BTreeMap::new();
        if let Some(no) = &p.customer_no {
            let rate = match profile.channel {
                Channel::Visit => 0.7,
                Channel::Voice | Channel::Email => 0.3,
                Channel::WebForm => 0.2,
                _ => 0.05,
            };
            if self.rng.chance(rate) {
                extra.insert("customer_no".to_string(), no.clone());
            }
        }
        if let Some(inn) = &p.tax_id {
            if matches!(profile.channel, Channel::Visit | Channel::Email) && self.rng.chance(0.4) {
                extra.insert("tax_id".to_string(), inn.clone());
            }
        }
        if name.is_none() {
            self.mark(Corruption::MissingName);
        }
        if phones.is_empty() {
            self.mark(Corruption::MissingPhone);
        }
        if emails.is_empty() {
            self.mark(Corruption::MissingEmail);
        }
        if p.namesake {
            self.mark(Corruption::Namesake);
        }
        let mut corruptions = self.corruptions;
        corruptions.sort_unstable();
        corruptions.dedup();
        ContactRecord {
            record_id,
            person_id: p.id,
            channel: profile.channel.clone(),
            seen_at: DateTime::from_timestamp(self.seen_at, 0).unwrap_or_default(),
            name,
            phones,
            emails,
            handles,
            company,
            city,
            birthday,
            address,
            extra,
            corruptions,
        }
    }

    fn name(&mut self, profile: &ChannelProfile) -> Option<String> {
        if !self.rng.chance(profile.name) {
            return None;
        }
        let russian = self.person.culture == Culture::Russian;
        let style = match (profile.operator, &profile.channel) {
            (true, _) => NameStyle {
                other_script: if russian { 0.02 } else { 0.4 },
                nickname: 0.06,
                patronymic: 0.5,
                surname_first: 0.55,
                given_only: 0.1,
                initials: 0.05,
                typo: 0.05,
                case: 0.06,
                wrong_layout: 0.0,
                yo_as_e: 0.6,
            },
            (
                false,
                Channel::Email | Channel::Instagram | Channel::Telegram | Channel::Whatsapp,
            ) => NameStyle {
                other_script: if russian { 0.4 } else { 0.0 },
                nickname: 0.25,
                patronymic: 0.03,
                surname_first: 0.08,
                given_only: 0.25,
                initials: 0.02,
                typo: 0.02,
                case: 0.04,
                wrong_layout: 0.0,
                yo_as_e: 0.5,
            },
            _ => NameStyle {
                other_script: if russian { 0.12 } else { 0.02 },
                nickname: 0.12,
                patronymic: 0.08,
                surname_first: 0.15,
                given_only: 0.3,
                initials: 0.02,
                typo: 0.04,
                case: 0.08,
                wrong_layout: 0.02,
                yo_as_e: 0.6,
            },
        };
        let (text, ch) = self.person.written_name(self.rng, &style);
        for (on, c) in [
            (ch.translit, Corruption::Translit),
            (ch.nickname, Corruption::Nickname),
            (ch.patronymic, Corruption::Patronymic),
            (ch.swapped, Corruption::SwappedOrder),
            (ch.initials, Corruption::Initials),
            (ch.typo, Corruption::NameTypo),
            (ch.case, Corruption::NameCase),
            (ch.wrong_layout, Corruption::WrongLayout),
            (ch.yo_as_e, Corruption::YoAsE),
        ] {
            if on {
                self.mark(c);
            }
        }
        Some(text)
    }

    fn write_phone(&mut self, phone: &PhoneNumber, ext: Option<&str>) -> String {
        let (text, differs) = phone.written(self.rng, ext);
        if differs {
            self.mark(Corruption::PhoneFormat);
        }
        if ext.is_some() {
            self.mark(Corruption::PhoneExtension);
        }
        text
    }

    fn phones(&mut self, profile: &ChannelProfile, at_work: bool) -> Vec<String> {
        let p = self.person;
        let mut out = Vec::new();
        if !self.rng.chance(profile.phone) {
            if matches!(profile.channel, Channel::WebForm | Channel::Visit) && self.rng.chance(0.2)
            {
                self.mark(Corruption::PlaceholderPhone);
                out.push(self.rng.pick(PLACEHOLDER_PHONES).to_string());
            }
            return out;
        }
        if at_work && self.rng.chance(0.5) {
            let company = &self.population.companies[p.employer.unwrap_or(0)];
            self.mark(Corruption::OfficePhone);
            let ext = self.rng.chance(0.7).then(|| p.office_ext.clone());
            let text = self.write_phone(&company.switchboard, ext.as_deref());
            out.push(text);
            if self.rng.chance(0.5) {
                let (mobile, second) = p.phone_at(self.seen_at);
                if second {
                    self.mark(Corruption::SecondPhone);
                }
                let text = self.write_phone(mobile, None);
                out.push(text);
            }
            return out;
        }
        if let Some(family) = p.family_phone.as_ref().filter(|_| self.rng.chance(0.35)) {
            self.mark(Corruption::FamilyPhone);
            let text = self.write_phone(family, None);
            out.push(text);
            return out;
        }
        if let Some(home) = p.landline.as_ref().filter(|_| self.rng.chance(0.3)) {
            self.mark(Corruption::FamilyPhone);
            let text = self.write_phone(home, None);
            out.push(text);
            if self.rng.chance(0.5) {
                let text = self.write_phone(&p.phones[0], None);
                out.push(text);
            }
            return out;
        }
        let (phone, second) = p.phone_at(self.seen_at);
        let mut phone = phone.clone();
        if second {
            self.mark(Corruption::SecondPhone);
        }
        if self.rng.chance(0.007) {
            // One digit wrong, somewhere after the operator code.
            let mut digits: Vec<u8> = phone.national.bytes().collect();
            let i = self.rng.range(3, digits.len() as u64 - 1) as usize;
            digits[i] = b'0' + ((digits[i] - b'0' + 1 + self.rng.below(9) as u8) % 10);
            phone.national = String::from_utf8(digits).unwrap_or_default();
            self.mark(Corruption::PhoneTypo);
        }
        let text = self.write_phone(&phone, None);
        out.push(text);
        if p.phones.len() > 1 && self.rng.chance(0.35) {
            let other = if second { &p.phones[0] } else { &p.phones[1] };
            self.mark(Corruption::SecondPhone);
            let text = self.write_phone(other, None);
            out.push(text);
        }
        out
    }

    fn emails(&mut self, profile: &ChannelProfile, at_work: bool) -> Vec<String> {
        let p = self.person;
        let mut out = Vec::new();
        let rates = EmailRates {
            case: 0.08,
            gmail_dots: 0.3,
            tag: 0.06,
            domain_alias: 0.25,
            typo: 0.012,
        };
        if at_work && self.rng.chance(0.35) {
            let company = &self.population.companies[p.employer.unwrap_or(0)];
            const ROLES: &[&str] = &["info", "office", "sales", "zakaz", "mail", "admin"];
            let role = self.rng.pick(ROLES);
            self.mark(Corruption::RoleEmail);
            let mut text = format!("{role}@{}", company.domain);
            if self.rng.chance(0.1) {
                text = text.to_uppercase();
                self.mark(Corruption::EmailCase);
            }
            out.push(text);
            return out;
        }
        let Some((mailbox, new)) = p
            .email_at(self.seen_at)
            .filter(|_| self.rng.chance(profile.email))
        else {
            if matches!(profile.channel, Channel::WebForm | Channel::Visit) && self.rng.chance(0.08)
            {
                self.mark(Corruption::PlaceholderEmail);
                out.push(self.rng.pick(PLACEHOLDER_EMAILS).to_string());
            }
            return out;
        };
        if new {
            self.mark(Corruption::NewEmail);
        }
        let (text, ch) = mailbox.written(self.rng, &rates);
        for (on, c) in [
            (ch.case, Corruption::EmailCase),
            (ch.gmail_dots, Corruption::GmailDots),
            (ch.tag, Corruption::EmailTag),
            (ch.domain_alias, Corruption::DomainAlias),
            (ch.typo, Corruption::EmailTypo),
        ] {
            if on {
                self.mark(c);
            }
        }
        out.push(text);
        if p.emails.len() > 1 && self.rng.chance(0.2) {
            let other = if new { &p.emails[0] } else { &p.emails[1] };
            self.mark(Corruption::NewEmail);
            out.push(other.address());
        }
        out
    }

    fn handles(&mut self, channel: &Channel) -> Vec<RawHandle> {
        let p = self.person;
        let mut out = Vec::new();
        let mut push = |kind, raw: String| out.push(RawHandle { kind, raw });
        let listed = self.rng.chance(0.04); // a CRM row that lists messengers in extra fields
        if matches!(channel, Channel::Telegram) || listed {
            let on_telegram = *channel == Channel::Telegram;
            let with_id = on_telegram && (p.telegram_username.is_none() || self.rng.chance(0.85));
            if let Some(id) = p.telegram_id.filter(|_| with_id) {
                push(IdentifierKind::TelegramId, id.to_string());
            }
            if let Some(u) = p
                .telegram_username
                .as_ref()
                .filter(|_| !with_id || self.rng.chance(0.6))
            {
                let raw = match self.rng.below(5) {
                    0 | 1 => format!("@{u}"),
                    2 => u.clone(),
                    3 => format!("t.me/{u}"),
                    _ => format!("https://t.me/{u}"),
                };
                push(IdentifierKind::TelegramUsername, raw);
            }
        }
        if *channel == Channel::Whatsapp && self.rng.chance(0.6) {
            let (phone, _) = p.phone_at(self.seen_at);
            push(IdentifierKind::Whatsapp, phone.wa_id());
        }
        if matches!(channel, Channel::Vk) || listed {
            if let Some(id) = p.vk_id {
                match (&p.vk_screen_name, self.rng.below(5)) {
                    (Some(s), 0 | 1) => push(IdentifierKind::VkScreenName, format!("vk.com/{s}")),
                    (_, 0 | 1) => push(IdentifierKind::VkId, format!("https://vk.com/id{id}")),
                    (_, 2) => push(IdentifierKind::VkId, format!("id{id}")),
                    (_, 3) => push(IdentifierKind::VkId, format!("vk.com/id{id}")),
                    _ => push(IdentifierKind::VkId, id.to_string()),
                }
            }
        }
        if matches!(channel, Channel::Instagram) || listed {
            if let Some(ig) = &p.instagram {
                let raw = match self.rng.below(4) {
                    0 | 1 => format!("@{ig}"),
                    2 => ig.clone(),
                    _ => format!("https://www.instagram.com/{ig}/"),
                };
                push(IdentifierKind::Instagram, raw);
            }
        }
        if *channel == Channel::Viber {
            if let Some(v) = p.viber_id.as_ref().filter(|_| self.rng.chance(0.6)) {
                push(IdentifierKind::ViberId, v.clone());
            }
        }
        out
    }
}

const RU_MONTHS: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn written_birthday(rng: &mut SynthRng, p: &Person, channel: &Channel) -> String {
    use chrono::Datelike;
    let b = p.birthday;
    let (d, m, y) = (b.day(), b.month(), b.year());
    let ru_month = RU_MONTHS[(m - 1) as usize];
    let en_month = EN_MONTHS[(m - 1) as usize];
    if *channel == Channel::Vk && rng.chance(0.5) {
        return format!("{d} {ru_month}"); // VK often hides the year
    }
    match (p.culture, rng.below(6)) {
        (_, 0) => format!("{y:04}-{m:02}-{d:02}"),
        (Culture::Russian, 1 | 2) => format!("{d:02}.{m:02}.{y:04}"),
        (Culture::Russian, 3) => format!("{d:02}.{m:02}.{:02}", y % 100),
        (Culture::Russian, 4) => format!("{d} {ru_month} {y}"),
        (Culture::Russian, _) => format!("{d:02}/{m:02}/{y:04}"),
        (Culture::English, 1 | 2) if matches!(p.city.country, crate::phone::Country::Us) => {
            format!("{m:02}/{d:02}/{y:04}")
        }
        (Culture::English, 1 | 2) => format!("{d:02}/{m:02}/{y:04}"),
        (Culture::English, 3) => format!("{en_month} {d}, {y}"),
        (Culture::English, 4) => format!("{d} {} {y}", &en_month[..3]),
        (Culture::English, _) => format!("{d:02}.{m:02}.{y:04}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(seed: u64, people: u64) -> Vec<ContactRecord> {
        ContactGenerator::new(ContactConfig {
            seed,
            people,
            ..Default::default()
        })
        .records()
        .collect()
    }

    #[test]
    fn record_ids_follow_time_and_people_are_all_present() {
        let records = generate(3, 500);
        for (i, r) in records.iter().enumerate() {
            assert_eq!(r.record_id, i as u64 + 1);
        }
        let mut people: Vec<u64> = records.iter().map(|r| r.person_id).collect();
        people.sort_unstable();
        people.dedup();
        assert_eq!(people, (0..500).collect::<Vec<_>>());
    }

    #[test]
    fn every_record_has_something_to_match_on() {
        for r in generate(4, 500) {
            assert!(
                r.name.is_some()
                    || !r.phones.is_empty()
                    || !r.emails.is_empty()
                    || !r.handles.is_empty(),
                "{r:?}"
            );
        }
    }
}
