//! Turning an [`Observation`] into what matching compares: normalised link keys (E.164 phones,
//! canonical emails, messenger ids, declared identifier fields), name features, and keys for the
//! descriptive fields. Nothing is dropped: a value that cannot be used becomes a problem on the
//! record, with its reason.

use super::fields;
use super::observation::{FieldKind, Observation};
use super::person::NameFeatures;
use crate::ident::{normalize_handle, parse_profile_link, EmailRules, PhoneNormalizer};
use crate::message::{Identifier, IdentifierKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which family a link key belongs to: an identifier kind, or a declared identifier field (by
/// its position in the sorted list of declared fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum KeyFamily {
    Id(IdentifierKind),
    Field(u16),
}

/// A normalised value that links records which share it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct LinkKey {
    pub family: KeyFamily,
    pub value: String,
}

/// Values that people type when they have nothing to give; they never link records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Placeholders {
    /// Whole addresses, canonical form (`test@test.com`).
    pub emails: Vec<String>,
    /// Local parts that are never a person (`no`, `noemail`, `test`).
    pub email_local_parts: Vec<String>,
    /// Domains that are never a real mailbox (`example.com`).
    pub email_domains: Vec<String>,
    /// Phone numbers in E.164.
    pub phones: Vec<String>,
    /// Treat national numbers made of one repeated digit or a straight run (`0000000000`,
    /// `1234567890`, `+7 999 999-99-99`) as placeholders.
    pub repeated_digit_phones: bool,
}

impl Default for Placeholders {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Placeholders {
            emails: list(&[
                "test@test.com",
                "no@email.com",
                "a@a.ru",
                "a@a.com",
                "1@1.ru",
            ]),
            email_local_parts: list(&[
                "no",
                "noemail",
                "no-email",
                "no_email",
                "nomail",
                "none",
                "null",
                "nil",
                "test",
                "tests",
                "asdf",
                "qwerty",
                "xxx",
                "na",
                "n.a",
                "nobody",
                "unknown",
                "noreply",
                "no-reply",
                "donotreply",
                "do-not-reply",
                "нет",
            ]),
            email_domains: list(&[
                "example.com",
                "example.org",
                "example.net",
                "test.com",
                "test.ru",
                "localhost",
                "noemail.com",
                "none.com",
            ]),
            phones: Vec::new(),
            repeated_digit_phones: true,
        }
    }
}

impl Placeholders {
    fn is_placeholder_email(&self, canonical: &str) -> bool {
        let (local, domain) = canonical.rsplit_once('@').unwrap_or((canonical, ""));
        self.emails.iter().any(|e| e == canonical)
            || self.email_local_parts.iter().any(|l| l == local)
            || self.email_domains.iter().any(|d| d == domain)
    }

    fn is_placeholder_phone(&self, e164: &str) -> bool {
        if self.phones.iter().any(|p| p == e164) {
            return true;
        }
        if !self.repeated_digit_phones {
            return false;
        }
        let digits = e164.trim_start_matches('+').as_bytes();
        let national = &digits[country_code_len(digits).min(digits.len())..];
        national.len() >= 6 && is_trivial_run(national)
    }
}

/// The length of the country calling code an E.164 number starts with. Calling codes are
/// prefix-free: `1` and `7` are the only one-digit codes, and the two-digit ones are listed.
fn country_code_len(digits: &[u8]) -> usize {
    const TWO_DIGIT: &[&[u8]] = &[
        b"20", b"27", b"30", b"31", b"32", b"33", b"34", b"36", b"39", b"40", b"41", b"43", b"44",
        b"45", b"46", b"47", b"48", b"49", b"51", b"52", b"53", b"54", b"55", b"56", b"57", b"58",
        b"60", b"61", b"62", b"63", b"64", b"65", b"66", b"81", b"82", b"84", b"86", b"90", b"91",
        b"92", b"93", b"94", b"95", b"98",
    ];
    match digits.first() {
        Some(b'1') | Some(b'7') => 1,
        _ if digits.len() >= 2 && TWO_DIGIT.contains(&&digits[..2]) => 2,
        _ => 3,
    }
}

/// One repeated digit, or digits that go up or down by one each step.
fn is_trivial_run(digits: &[u8]) -> bool {
    let steps: Vec<i16> = digits
        .windows(2)
        .map(|w| (w[1] as i16 - w[0] as i16).rem_euclid(10))
        .collect();
    steps.iter().all(|&s| s == 0) || steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == 9)
}

/// Email local parts of shared role mailboxes: a match on one is weak evidence, never a link by
/// itself.
pub(crate) const ROLE_EMAIL_LOCAL_PARTS: &[&str] = &[
    "info",
    "office",
    "sales",
    "support",
    "admin",
    "contact",
    "contacts",
    "hello",
    "mail",
    "manager",
    "reception",
    "hr",
    "buh",
    "zakaz",
    "order",
    "orders",
    "shop",
    "team",
    "secretary",
    "priemnaya",
    "service",
    "help",
];

/// A declared field's prepared value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) enum FieldValue {
    Name(Box<NameFeatures>),
    Date(NaiveDate),
    Words(Vec<String>),
    Key(String),
}

/// An observation prepared for matching. A resolver keeps one per record: lists are boxed
/// slices (no spare capacity, one word less each than a `Vec`). The serialised form is the
/// same as with `Vec`s and `String`s.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Prepared {
    /// Link keys, sorted and without duplicates; placeholders excluded.
    pub keys: Box<[LinkKey]>,
    /// Keys that are shared role mailboxes or placeholders: weak evidence only.
    pub weak_keys: Box<[LinkKey]>,
    /// Device and session identifiers: kept for the card, never linked.
    pub devices: Box<[Identifier]>,
    pub name: Option<NameFeatures>,
    /// Hash of the full name's identity key (given and family name both present), counting
    /// how many records carry the same name: see `block::name_frequency_key`.
    pub name_frequency: Option<u64>,
    /// Local parts of the record's emails (for matching one person's addresses at two providers).
    pub email_locals: Box<[String]>,
    /// Name comparison keys of the record's email local parts and usernames, to compare with a
    /// name on another record (`tatiana_timofeeva@...` against `Татьяна Тимофеева`).
    pub handle_keys: Box<[String]>,
    pub city: Option<Box<str>>,
    pub company: Option<Box<str>>,
    pub birthday: Option<NaiveDate>,
    pub address: Box<[String]>,
    /// Declared fields other than identifiers, by field position.
    pub fields: Box<[(u16, FieldValue)]>,
    /// What could not be used, with the reason (`phones[1]: "12" is too short`).
    pub problems: Box<[String]>,
}

/// A [`Prepared`] being built: the lists that preparation grows.
#[derive(Default)]
struct Draft {
    keys: Vec<LinkKey>,
    weak_keys: Vec<LinkKey>,
    devices: Vec<Identifier>,
    email_locals: Vec<String>,
    handle_keys: Vec<String>,
    fields: Vec<(u16, FieldValue)>,
    problems: Vec<String>,
}

/// Where a value came from in an observation (`phones[1]`), for its problems; formatted only
/// when there is a problem to report.
#[derive(Clone, Copy)]
struct At(&'static str, usize);

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

/// Everything preparation needs: the normalisers and the declared fields.
#[derive(Clone, Debug)]
pub(crate) struct Preparer {
    pub phones: PhoneNormalizer,
    /// Normalisers of the fallback regions, tried for numbers invalid in the default region.
    pub fallback_phones: Vec<PhoneNormalizer>,
    pub emails: EmailRules,
    pub placeholders: Placeholders,
    /// Declared fields, sorted by name; a field's position is its `u16` index.
    pub fields: Vec<(String, FieldKind)>,
}

impl Preparer {
    /// Prepares one observation.
    pub(crate) fn prepare(&self, obs: &Observation) -> Prepared {
        let mut p = Draft::default();
        let mut name = None;
        for (i, raw) in obs.phones.iter().enumerate() {
            self.add_phone(&mut p, raw, At("phones", i));
        }
        for (i, raw) in obs.emails.iter().enumerate() {
            self.add_email(&mut p, raw, At("emails", i));
        }
        for (i, raw) in obs.handles.iter().enumerate() {
            let at = At("handles", i);
            match parse_profile_link(raw) {
                Ok(id) => self.add_identifier(&mut p, &id, at),
                Err(e) => p.problems.push(format!("{at}: {e}")),
            }
        }
        for (i, id) in obs.identifiers.iter().enumerate() {
            self.add_identifier(&mut p, id, At("identifiers", i));
        }
        if let Some(text) = obs.name.as_deref() {
            name = NameFeatures::new(text);
            if name.is_none() && !text.trim().is_empty() {
                p.problems
                    .push(format!("name: {text:?} has no usable person name"));
            }
        }
        let city = obs.city.as_deref().and_then(fields::city_key);
        let company = obs.company.as_deref().and_then(fields::company_key);
        let mut birthday = None;
        if let Some(text) = obs.birthday.as_deref().filter(|t| !t.trim().is_empty()) {
            birthday = fields::parse_date(text);
            if birthday.is_none() {
                p.problems
                    .push(format!("birthday: {text:?} is not a date omni can read"));
            }
        }
        let address: Vec<String> = obs
            .address
            .as_deref()
            .map(fields::address_words)
            .unwrap_or_default();
        for (index, (field, kind)) in self.fields.iter().enumerate() {
            let Some(text) = obs.fields.get(field).filter(|t| !t.trim().is_empty()) else {
                continue;
            };
            let index = index as u16;
            let value = match kind {
                FieldKind::Identifier => {
                    if let Some(value) = fields::identifier_key(text) {
                        p.keys.push(LinkKey {
                            family: KeyFamily::Field(index),
                            value,
                        });
                    }
                    continue;
                }
                FieldKind::PersonName => {
                    NameFeatures::new(text).map(|n| FieldValue::Name(Box::new(n)))
                }
                FieldKind::Date => fields::parse_date(text).map(FieldValue::Date),
                FieldKind::Address => Some(FieldValue::Words(fields::address_words(text))),
                FieldKind::Text => Some(FieldValue::Words({
                    let mut w: Vec<String> = fields::fold_words(text)
                        .split(' ')
                        .map(str::to_string)
                        .collect();
                    w.sort();
                    w.dedup();
                    w
                })),
                FieldKind::Postcode => fields::postcode_key(text).map(FieldValue::Key),
                FieldKind::City => fields::city_key(text).map(FieldValue::Key),
            };
            match value {
                Some(v) => p.fields.push((index, v)),
                None => p.problems.push(format!(
                    "fields.{field}: {text:?} is not a usable {}",
                    kind.name()
                )),
            }
        }
        p.keys.sort();
        p.keys.dedup();
        p.weak_keys.sort();
        p.weak_keys.dedup();
        p.email_locals.sort();
        p.email_locals.dedup();
        for key in &p.keys {
            let text = match key.family {
                KeyFamily::Id(IdentifierKind::Email) => {
                    key.value.rsplit_once('@').map_or("", |(local, _)| local)
                }
                KeyFamily::Id(
                    IdentifierKind::TelegramUsername
                    | IdentifierKind::Instagram
                    | IdentifierKind::VkScreenName
                    | IdentifierKind::Skype,
                ) => key.value.as_str(),
                _ => continue,
            };
            let handle = crate::ident::name::comparison_key(text);
            if handle.len() >= 4 {
                p.handle_keys.push(handle);
            }
        }
        p.handle_keys.sort();
        p.handle_keys.dedup();
        if p.keys.is_empty() {
            p.problems
                .push("no usable identifier: matched by name and other fields only".to_string());
        }
        // A resolver keeps a prepared record per record: no spare capacity.
        for key in p.keys.iter_mut().chain(&mut p.weak_keys) {
            key.value.shrink_to_fit();
        }
        let mut prepared = Prepared {
            keys: p.keys.into(),
            weak_keys: p.weak_keys.into(),
            devices: p.devices.into(),
            name,
            name_frequency: None,
            email_locals: p.email_locals.into(),
            handle_keys: p.handle_keys.into(),
            city: city.map(String::into_boxed_str),
            company: company.map(String::into_boxed_str),
            birthday,
            address: address.into(),
            fields: p.fields.into(),
            problems: p.problems.into(),
        };
        prepared.name_frequency = super::block::name_frequency_key(&prepared);
        prepared
    }

    fn add_phone(&self, p: &mut Draft, raw: &str, at: At) {
        if raw.trim().is_empty() {
            return;
        }
        let digits: Vec<u8> = raw.bytes().filter(u8::is_ascii_digit).collect();
        if self.placeholders.repeated_digit_phones
            && digits.len() >= 6
            && (is_trivial_run(&digits) || is_trivial_run(&digits[1..]))
        {
            p.problems
                .push(format!("{at}: {raw:?} is a placeholder number"));
            return;
        }
        match self.phones.normalize(raw) {
            Ok(phone) if self.placeholders.is_placeholder_phone(&phone.e164) => p
                .problems
                .push(format!("{at}: {raw:?} is a placeholder number")),
            Ok(phone) if phone.valid => {
                let value = match &phone.extension {
                    Some(ext) => {
                        // The number without the extension is the office's switchboard: it
                        // counts the colleagues who use it, and is weak evidence only.
                        p.weak_keys.push(LinkKey {
                            family: KeyFamily::Id(IdentifierKind::Phone),
                            value: phone.e164.clone(),
                        });
                        format!("{};ext={ext}", phone.e164)
                    }
                    None => phone.e164,
                };
                p.keys.push(LinkKey {
                    family: KeyFamily::Id(IdentifierKind::Phone),
                    value,
                });
            }
            Ok(phone) => {
                // A foreign number typed without its `+` (`1-617-555-0101` under RU) is not a
                // number of the default region; for matching, read it internationally when that
                // gives a valid number (normalisation itself stays libphonenumber's).
                let international = (!raw.contains('+') && digits.len() >= 11)
                    .then(|| self.phones.normalize(&format!("+{}", raw.trim())).ok())
                    .flatten()
                    .filter(|p| p.valid && !self.placeholders.is_placeholder_phone(&p.e164))
                    .or_else(|| self.fallback_reading(raw));
                match international {
                    Some(found) => {
                        p.problems.push(format!(
                            "{at}: {raw:?} is not a valid number of the default region; matched as {}",
                            found.e164
                        ));
                        p.keys.push(LinkKey {
                            family: KeyFamily::Id(IdentifierKind::Phone),
                            value: match &found.extension {
                                Some(ext) => format!("{};ext={ext}", found.e164),
                                None => found.e164,
                            },
                        });
                    }
                    None => p.problems.push(format!(
                        "{at}: {raw:?} ({}) is not a valid number",
                        phone.e164
                    )),
                }
            }
            Err(e) => p.problems.push(format!("{at}: {e}")),
        }
    }

    /// The reading of `raw` in the fallback regions, in their order of preference: the first
    /// valid mobile (or mobile-or-fixed) reading, else the first valid reading. (Some plans,
    /// Germany's among them, accept many digit strings, so order matters.)
    fn fallback_reading(&self, raw: &str) -> Option<crate::ident::Phone> {
        let mut first_valid: Option<crate::ident::Phone> = None;
        for normalizer in &self.fallback_phones {
            let Ok(phone) = normalizer.normalize(raw) else {
                continue;
            };
            if !phone.valid || self.placeholders.is_placeholder_phone(&phone.e164) {
                continue;
            }
            if matches!(
                phone.kind,
                crate::ident::PhoneKind::Mobile | crate::ident::PhoneKind::FixedLineOrMobile
            ) {
                return Some(phone);
            }
            first_valid.get_or_insert(phone);
        }
        first_valid
    }

    fn add_email(&self, p: &mut Draft, raw: &str, at: At) {
        if raw.trim().is_empty() {
            return;
        }
        match self.emails.normalize(raw) {
            Ok(email) => {
                let local = email
                    .canonical
                    .rsplit_once('@')
                    .map_or("", |(l, _)| l)
                    .to_string();
                let key = LinkKey {
                    family: KeyFamily::Id(IdentifierKind::Email),
                    value: email.canonical.clone(),
                };
                if self.placeholders.is_placeholder_email(&email.canonical) {
                    p.problems
                        .push(format!("{at}: {raw:?} is a placeholder address"));
                } else if ROLE_EMAIL_LOCAL_PARTS.contains(&local.as_str()) {
                    p.weak_keys.push(key);
                } else {
                    if local.chars().count() >= 4 {
                        p.email_locals.push(local);
                    }
                    p.keys.push(key);
                }
            }
            Err(e) => p.problems.push(format!("{at}: {e}")),
        }
    }

    fn add_identifier(&self, p: &mut Draft, id: &Identifier, at: At) {
        match id.kind {
            IdentifierKind::Phone => self.add_phone(p, &id.value, at),
            IdentifierKind::Email => self.add_email(p, &id.value, at),
            kind if !kind.is_strong() => p.devices.push(id.clone()),
            kind => match normalize_handle(kind, &id.value) {
                Ok(ids) => {
                    for id in ids {
                        match id.kind {
                            IdentifierKind::Phone => self.add_phone(p, &id.value, at),
                            kind => p.keys.push(LinkKey {
                                family: KeyFamily::Id(kind),
                                value: id.value,
                            }),
                        }
                    }
                }
                Err(e) => p.problems.push(format!("{at}: {e}")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preparer() -> Preparer {
        Preparer {
            phones: PhoneNormalizer::default(),
            fallback_phones: vec![
                PhoneNormalizer::new("GB").unwrap(),
                PhoneNormalizer::new("US").unwrap(),
            ],
            emails: EmailRules::default(),
            placeholders: Placeholders::default(),
            fields: vec![("inn".into(), FieldKind::Identifier)],
        }
    }

    #[test]
    fn identifiers_become_keys_and_bad_ones_problems() {
        let mut obs = Observation::new("r1");
        obs.phones = vec!["8 (912) 345-67-89".into(), "12".into(), "0000000000".into()];
        obs.emails = vec!["Ivan.Petrov@Example.ORG".into(), "info@romashka.ru".into()];
        obs.fields.insert("inn".into(), "7701 234 567".into());
        let p = preparer().prepare(&obs);
        let values: Vec<&str> = p.keys.iter().map(|k| k.value.as_str()).collect();
        assert!(values.contains(&"+79123456789"), "{values:?}");
        assert!(values.contains(&"7701234567"), "{values:?}");
        assert_eq!(p.weak_keys.len(), 1, "info@ is a role mailbox");
        assert_eq!(p.problems.len(), 3, "{:?}", p.problems);
        assert!(p.problems[0].starts_with("phones[1]: "), "{:?}", p.problems);
        assert!(p.problems.iter().any(|m| m.contains("placeholder number")));
        assert!(p.problems.iter().any(|m| m.contains("placeholder address")));
    }

    #[test]
    fn trivial_digit_runs_are_placeholders() {
        let ph = Placeholders::default();
        assert!(ph.is_placeholder_phone("+70000000000"));
        assert!(ph.is_placeholder_phone("+79999999999"));
        assert!(ph.is_placeholder_phone("+71234567890"));
        assert!(!ph.is_placeholder_phone("+79123456789"));
        assert!(!ph.is_placeholder_phone("+442012345678"));
        assert!(ph.is_placeholder_phone("+441111111111"));
        assert!(ph.is_placeholder_email("test@test.com"));
        assert!(ph.is_placeholder_email("no@email.com"));
        assert!(!ph.is_placeholder_email("ivan@mail.ru"));
    }

    #[test]
    fn a_record_without_identifiers_says_so() {
        let mut obs = Observation::new("r2");
        obs.name = Some("Иван Петров".into());
        let p = preparer().prepare(&obs);
        assert!(p.keys.is_empty());
        assert!(p.problems[0].starts_with("no usable identifier"));
    }
}
