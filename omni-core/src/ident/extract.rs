//! Finding phones, emails, messenger handles and profile links inside free text.
//!
//! Chat messages, email signatures and web-form comments carry contact details in passing:
//! `мой номер 8 912 345-67-89, пишите на ivan@mail.ru`. [`ContactExtractor::extract`] finds
//! them with their byte spans and normalised values, in this order of passes (each pass blanks
//! what it found so that later passes cannot reuse it):
//!
//! 1. emails (validated and keyed by [`EmailRules`]), so the `@` of an email is never a handle;
//! 2. profile links: `t.me/`, `wa.me/`, `vk.com/`, `instagram.com/`, `facebook.com/`, `tg://`,
//!    `skype:`, `viber://` (a WhatsApp link yields a `whatsapp` and a `phone` contact);
//! 3. `@handles`: Telegram usernames, or Instagram ones after an Instagram label; then handles
//!    without `@` right after a network label and a colon or dash (`Telegram: ivan_petrov`,
//!    `инстаграм - anna.smirnova`, `Skype: live:ivan_1`, `вк: id123`);
//! 4. phone numbers, after blanking dates (`12.05.2024`, `2024-05-12`) and times (`10:30`).
//!
//! A digit run is a phone only when the phone normaliser finds a valid number in it and none of
//! these say otherwise:
//! - the nearest label before it (within 48 bytes, not reaching back past the previous contact,
//!   and with no other number between them) is about something else: `заказ`, `order`, `№`,
//!   `#`, `ИНН`, `ОГРН`, `КПП`, `БИК`, `р/с`, `счёт`, `карта`, `card`, `трек`, `tracking`,
//!   `артикул`, `договор`, `invoice`, `код` ...;
//! - it is money: a currency sign before it or a currency word after it (`руб`, `₽`, `$`, `€`),
//!   or grouped like an amount (`2 500 000 000`);
//! - it has more than 15 digits (cards, bank accounts), or is an IP address; a longer run that
//!   is not Luhn-valid is tried as two numbers split at a blank (`89123456789 89161234567`);
//! - it is glued to letters or other digits (`ID89123456789`, `v2.89123456789`);
//! - it is an unformatted run (no `+`, no separators) that is not a Russian mobile shape
//!   (`89123456789`, `79123456789`, `9123456789`) and has no phone label (`тел`, `phone`,
//!   `звоните`, `whatsapp`, ...) before it: INN, OGRN and order numbers look exactly like this.
//!
//! An extension after a phone (`доб. 123`, `ext. 45`, `#12`, `x7`) is part of the span and is
//! reported in [`FoundContact::extension`]. A phone after a WhatsApp label (`whatsapp:`,
//! `ватсап`) also yields a `whatsapp` contact with the same span.
//!
//! Texts longer than [`MAX_EXTRACT_INPUT`] bytes: [`ContactExtractor::extract`] reads only the
//! first [`MAX_EXTRACT_INPUT`] bytes (cut back to a character boundary) and
//! [`ContactExtractor::extract_checked`] rejects them with
//! [`ErrorKind::InputTooLarge`](crate::ErrorKind::InputTooLarge). Time is linear in the length.

use crate::error::{Error, Result};
use crate::ident::email::{default_rules, EmailRules};
use crate::ident::handle::{instagram_username, skype_name, telegram_username, vk_path, Link};
use crate::ident::phone::PhoneNormalizer;
use crate::message::IdentifierKind;
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The longest text scanned, in bytes (1 MiB).
pub const MAX_EXTRACT_INPUT: usize = 1 << 20;

/// A contact detail found in text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundContact {
    /// What kind of identifier it is.
    pub kind: IdentifierKind,
    /// The normalised value (E.164 phone, canonical email, lower-case handle).
    pub value: String,
    /// The text as it stood.
    pub raw: String,
    /// Byte offset where it starts in the input.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// For a phone, the extension digits given after it (`доб. 123` gives `123`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// Finds contact details in text, reading national phone numbers with a default region.
///
/// # Example
/// ```
/// use omni_core::{ContactExtractor, IdentifierKind};
///
/// let text = "мой номер 8 912 345-67-89, пишите на ivan@mail.ru";
/// let found = ContactExtractor::default().extract(text);
/// assert_eq!(found[0].kind, IdentifierKind::Phone);
/// assert_eq!(found[0].value, "+79123456789");
/// assert_eq!(&text[found[0].start..found[0].end], "8 912 345-67-89");
/// assert_eq!(found[1].value, "ivan@mail.ru");
/// ```
#[derive(Clone, Debug, Default)]
pub struct ContactExtractor {
    phones: PhoneNormalizer,
    email_rules: Option<EmailRules>,
}

impl ContactExtractor {
    /// An extractor reading national phone numbers as numbers of `default_region`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) for an unknown region.
    pub fn new(default_region: &str) -> Result<Self> {
        Ok(ContactExtractor {
            phones: PhoneNormalizer::new(default_region)?,
            email_rules: None,
        })
    }

    /// The same extractor keying emails with `rules` instead of the default table.
    pub fn with_email_rules(mut self, rules: EmailRules) -> Self {
        self.email_rules = Some(rules);
        self
    }

    /// Every contact found in `text`, in order of position (contacts sharing a span in
    /// [`IdentifierKind`] order). Reads at most the first [`MAX_EXTRACT_INPUT`] bytes.
    pub fn extract(&self, text: &str) -> Vec<FoundContact> {
        let mut cut = text.len().min(MAX_EXTRACT_INPUT);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        Scan::new(self, &text[..cut]).run()
    }

    /// As [`ContactExtractor::extract`], but rejects texts over the limit instead of cutting.
    ///
    /// # Errors
    /// [`ErrorKind::InputTooLarge`](crate::ErrorKind::InputTooLarge) above
    /// [`MAX_EXTRACT_INPUT`] bytes.
    pub fn extract_checked(&self, text: &str) -> Result<Vec<FoundContact>> {
        if text.len() > MAX_EXTRACT_INPUT {
            return Err(Error::too_large("text", text.len(), MAX_EXTRACT_INPUT));
        }
        Ok(self.extract(text))
    }
}

/// Finds contact details in text with the default region `RU`.
///
/// # Example
/// ```
/// let found = omni_core::extract_contacts("Заказ №89123456789 оплачен, тел. +7 (912) 345-67-89");
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].value, "+79123456789");
/// ```
pub fn extract_contacts(text: &str) -> Vec<FoundContact> {
    static DEFAULT: LazyLock<ContactExtractor> = LazyLock::new(ContactExtractor::default);
    DEFAULT.extract(text)
}

/// The byte written over text a pass has consumed, so later patterns cannot match across it.
const BLANK: u8 = 0x01;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    // Each domain label is Latin or Cyrillic, not a mix: `ivan@mail.ruпишите` (a missing space)
    // is `ivan@mail.ru`.
    Regex::new(r"[\w.+%'-]+@(?:[A-Za-z0-9-]+|[\p{Cyrillic}0-9-]+)(?:\.(?:[A-Za-z0-9-]+|[\p{Cyrillic}0-9-]+))+")
        .expect("email pattern compiles")
});

static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?xi)
        (?:https?://)?(?:www\.|m\.|mobile\.|web\.|mbasic\.)?
        (?:t\.me|telegram\.me|telegram\.dog|wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com|
           vk\.com|vk\.ru|vk\.me|vkontakte\.ru|instagram\.com|instagr\.am|facebook\.com|fb\.com|fb\.me)
        /[^\s<>"'«»\[\]{}|\\^`\x01]*
        | tg://[^\s<>"'«»\x01]+
        | (?:whatsapp|viber)://[^\s<>"'«»\x01]+
        | skype:[^\s<>"'«»,;\x01]+
        "#,
    )
    .expect("link pattern compiles")
});

static HANDLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"@[A-Za-z0-9_.]{1,40}").expect("handle pattern compiles"));

static LABELLED_HANDLE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)(telegram|телеграмм?|тг|tg|instagram|инстаграмм?|инста|insta|skype|скайп|vk|вк|вконтакте)[ \t]*[:\-–—][ \t]*([A-Za-z0-9_.:]{2,40})",
    )
    .expect("labelled handle pattern compiles")
});

static DATE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    // ASCII word boundaries: a Unicode `\b` would keep the regex off its fast DFA engine.
    Regex::new(
        r"(?x-u)
        \b(?:[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{4}|[0-9]{2})|[0-9]{4}[./-][0-9]{1,2}[./-][0-9]{1,2})\b
        | \b[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\b",
    )
    .expect("date pattern compiles")
});

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+[ \t\u{A0}]?)?\(?[0-9](?:[ \t\u{A0}\-\u{2010}-\u{2014}.()/]{0,3}[0-9]){6,40}")
        .expect("phone pattern compiles")
});

static EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^[ \t\u{A0}]*,?[ \t\u{A0}]*(?:доб(?:авочный)?\.?|ext\.?|extension|x|\#)[ \t\u{A0}]*([0-9]{1,6})",
    )
    .expect("extension pattern compiles")
});

/// A blank gap inside a digit run (where two numbers written side by side can be split).
static GAP: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"[ \t\u{A0}]+").expect("gap pattern compiles"));

/// What the nearest label before a number says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    None,
    /// A phone label (`тел`, `phone`, `звоните`).
    Phone,
    /// A WhatsApp label: a phone that is also a WhatsApp account.
    Whatsapp,
    /// Something that is not a phone (`заказ`, `ИНН`, `карта`, `№`).
    NotPhone,
    /// An Instagram label (for `@handles`).
    Instagram,
}

/// Labels, lower case, matched at the start of a word (`№` and `#` anywhere).
const LABELS: &[(&str, Label)] = &[
    ("тел", Label::Phone),
    ("tel", Label::Phone),
    ("phone", Label::Phone),
    ("моб", Label::Phone),
    ("mob", Label::Phone),
    ("сот", Label::Phone),
    ("cell", Label::Phone),
    ("звон", Label::Phone),
    ("позвон", Label::Phone),
    ("call", Label::Phone),
    ("факс", Label::Phone),
    ("fax", Label::Phone),
    ("смс", Label::Phone),
    ("sms", Label::Phone),
    ("контакт", Label::Phone),
    ("contact", Label::Phone),
    ("связ", Label::Phone),
    ("viber", Label::Phone),
    ("вайбер", Label::Phone),
    ("telegram", Label::Phone),
    ("телеграм", Label::Phone),
    ("whatsapp", Label::Whatsapp),
    ("whats app", Label::Whatsapp),
    ("watsapp", Label::Whatsapp),
    ("ватсап", Label::Whatsapp),
    ("вацап", Label::Whatsapp),
    ("вотсап", Label::Whatsapp),
    ("воцап", Label::Whatsapp),
    ("instagram", Label::Instagram),
    ("инстаграм", Label::Instagram),
    ("инста", Label::Instagram),
    ("insta", Label::Instagram),
    ("инст", Label::Instagram),
    ("inst", Label::Instagram),
    ("ig", Label::Instagram),
    ("заказ", Label::NotPhone),
    ("order", Label::NotPhone),
    ("инн", Label::NotPhone),
    ("inn", Label::NotPhone),
    ("огрн", Label::NotPhone),
    ("ogrn", Label::NotPhone),
    ("кпп", Label::NotPhone),
    ("бик", Label::NotPhone),
    ("bik", Label::NotPhone),
    ("окпо", Label::NotPhone),
    ("октмо", Label::NotPhone),
    ("оквэд", Label::NotPhone),
    ("р/с", Label::NotPhone),
    ("к/с", Label::NotPhone),
    ("р/сч", Label::NotPhone),
    ("расч", Label::NotPhone),
    ("счет", Label::NotPhone),
    ("счёт", Label::NotPhone),
    ("сч.", Label::NotPhone),
    ("account", Label::NotPhone),
    ("acct", Label::NotPhone),
    ("iban", Label::NotPhone),
    ("карт", Label::NotPhone),
    ("card", Label::NotPhone),
    ("трек", Label::NotPhone),
    ("track", Label::NotPhone),
    ("накладн", Label::NotPhone),
    ("отправлен", Label::NotPhone),
    ("посылк", Label::NotPhone),
    ("parcel", Label::NotPhone),
    ("shipment", Label::NotPhone),
    ("артикул", Label::NotPhone),
    ("арт.", Label::NotPhone),
    ("sku", Label::NotPhone),
    ("паспорт", Label::NotPhone),
    ("passport", Label::NotPhone),
    ("снилс", Label::NotPhone),
    ("полис", Label::NotPhone),
    ("invoice", Label::NotPhone),
    ("инвойс", Label::NotPhone),
    ("договор", Label::NotPhone),
    ("contract", Label::NotPhone),
    ("квитанц", Label::NotPhone),
    ("receipt", Label::NotPhone),
    ("чек", Label::NotPhone),
    ("код", Label::NotPhone),
    ("code", Label::NotPhone),
    ("пин", Label::NotPhone),
    ("серийн", Label::NotPhone),
    ("serial", Label::NotPhone),
    ("лицев", Label::NotPhone),
    ("id", Label::NotPhone),
    ("no.", Label::NotPhone),
    ("№", Label::NotPhone),
    ("#", Label::NotPhone),
];

/// All [`LABELS`] in one case-insensitive pattern, longest first.
static LABEL: LazyLock<regex::Regex> = LazyLock::new(|| {
    let mut words: Vec<&str> = LABELS.iter().map(|(w, _)| *w).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let alternation: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
    regex::Regex::new(&format!("(?i){}", alternation.join("|"))).expect("label pattern compiles")
});

/// Currency words and signs that mark a number before them as money.
const CURRENCY_AFTER: &[&str] = &[
    "₽",
    "руб",
    "р.",
    "р ",
    "rub",
    "usd",
    "$",
    "€",
    "eur",
    "£",
    "грн",
    "тенге",
    "тг",
    "коп",
    "тыс",
    "млн",
    "млрд",
    "долл",
    "евро",
    "dollar",
    "k ",
];

struct Scan<'a> {
    extractor: &'a ContactExtractor,
    text: &'a str,
    blanked: Vec<u8>,
    found: Vec<FoundContact>,
    /// The end offsets of everything found so far, for [`Scan::label_before`].
    ends: std::collections::BTreeSet<usize>,
}

impl<'a> Scan<'a> {
    fn new(extractor: &'a ContactExtractor, text: &'a str) -> Self {
        Scan {
            extractor,
            text,
            blanked: text.as_bytes().to_vec(),
            found: Vec::new(),
            ends: std::collections::BTreeSet::new(),
        }
    }

    fn run(mut self) -> Vec<FoundContact> {
        self.emails();
        self.links();
        self.handles();
        self.labelled_handles();
        self.blank_dates_and_times();
        self.phones();
        self.found.sort_by_key(|f| (f.start, f.kind, f.end));
        self.found
    }

    fn blank(&mut self, start: usize, end: usize) {
        self.blanked[start..end].fill(BLANK);
    }

    fn push(&mut self, kind: IdentifierKind, value: String, start: usize, end: usize) {
        self.ends.insert(end);
        self.found.push(FoundContact {
            kind,
            value,
            raw: self.text[start..end].to_string(),
            start,
            end,
            extension: None,
        });
    }

    fn char_before(&self, i: usize) -> Option<char> {
        self.text[..i].chars().next_back()
    }

    fn char_after(&self, i: usize) -> Option<char> {
        self.text[i..].chars().next()
    }

    fn emails(&mut self) {
        let rules = self
            .extractor
            .email_rules
            .as_ref()
            .unwrap_or_else(|| default_rules());
        let text = self.text;
        let matches: Vec<(usize, usize)> = EMAIL
            .find_iter(text.as_bytes())
            .map(|m| (m.start(), m.end()))
            .collect();
        for (mut start, mut end) in matches {
            // Local parts do not start or end with a dot; a sentence may end with one.
            while text.as_bytes()[start] == b'.' || text.as_bytes()[start] == b'\'' {
                start += 1;
            }
            while matches!(text.as_bytes()[end - 1], b'.' | b'-' | b'_') {
                end -= 1;
            }
            if start >= end || self.char_before(start).is_some_and(|c| c == '@') {
                continue;
            }
            if let Ok(e) = rules.normalize(&text[start..end]) {
                self.push(IdentifierKind::Email, e.canonical, start, end);
                self.blank(start, end);
            }
        }
    }

    fn links(&mut self) {
        let text = self.text;
        let matches: Vec<(usize, usize)> = LINK
            .find_iter(&self.blanked)
            .map(|m| (m.start(), m.end()))
            .collect();
        for (start, mut end) in matches {
            if self
                .char_before(start)
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '@' | '/' | '_' | '-'))
            {
                continue;
            }
            while let Some(c) = text[start..end].chars().next_back() {
                if !".,;:!?)»\"'".contains(c) {
                    break;
                }
                end -= c.len_utf8();
            }
            let raw = &text[start..end];
            let Some(link) = Link::parse(raw) else {
                continue;
            };
            let Some(network) = link.network() else {
                continue;
            };
            let Ok(ids) = link.identify(network, &self.extractor.phones) else {
                continue;
            };
            for id in ids {
                self.push(id.kind, id.value, start, end);
            }
            self.blank(start, end);
        }
    }

    fn handles(&mut self) {
        let text = self.text;
        let matches: Vec<(usize, usize)> = HANDLE
            .find_iter(&self.blanked)
            .map(|m| (m.start(), m.end()))
            .collect();
        for (start, end) in matches {
            if self
                .char_before(start)
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '@' | '/' | '\\'))
                || self
                    .char_after(end)
                    .is_some_and(|c| c.is_alphanumeric() || c == '@')
            {
                continue;
            }
            let name_full = text[start + 1..end].trim_end_matches('.');
            let full_end = start + 1 + name_full.len();
            if self.label_before(start) == Label::Instagram {
                if let Ok(v) = instagram_username(name_full) {
                    self.push(IdentifierKind::Instagram, v, start, full_end);
                    self.blank(start, full_end);
                }
                continue;
            }
            // Telegram names have no dots: `@name.` ends a sentence, `@name.com` is a domain.
            let name = match name_full.find('.') {
                Some(_) => continue,
                None => name_full,
            };
            if let Ok(v) = telegram_username(name) {
                self.push(IdentifierKind::TelegramUsername, v, start, full_end);
                self.blank(start, full_end);
            }
        }
    }

    /// A handle without `@` right after a network label and a colon or dash
    /// (`Telegram: ivan_petrov`, `инстаграм - anna.smirnova`, `Skype: live:ivan_1`).
    fn labelled_handles(&mut self) {
        let Ok(blanked) = std::str::from_utf8(&self.blanked) else {
            return;
        };
        let matches: Vec<(String, usize, usize)> = LABELLED_HANDLE
            .captures_iter(blanked)
            .filter_map(|c| {
                let label = c.get(1)?;
                let name = c.get(2)?;
                let word_start = self.text[..label.start()]
                    .chars()
                    .next_back()
                    .map_or(true, |ch| !ch.is_alphanumeric());
                word_start.then(|| (label.as_str().to_lowercase(), name.start(), name.end()))
            })
            .collect();
        for (label, start, mut end) in matches {
            while end > start && matches!(self.text.as_bytes()[end - 1], b'.' | b':') {
                end -= 1;
            }
            if self
                .char_after(end)
                .is_some_and(|c| c.is_alphanumeric() || c == '@')
            {
                continue;
            }
            let name = &self.text[start..end];
            let id = match label.as_str() {
                "instagram" | "инстаграм" | "инстаграмм" | "инста" | "insta" => {
                    instagram_username(name).map(|v| (IdentifierKind::Instagram, v))
                }
                "skype" | "скайп" => skype_name(name).map(|v| (IdentifierKind::Skype, v)),
                "vk" | "вк" | "вконтакте" => {
                    vk_path(name, name).map(|i| (i.kind, i.value))
                }
                _ => telegram_username(name).map(|v| (IdentifierKind::TelegramUsername, v)),
            };
            if let Ok((kind, value)) = id {
                self.push(kind, value, start, end);
                self.blank(start, end);
            }
        }
    }

    fn blank_dates_and_times(&mut self) {
        let spans: Vec<(usize, usize)> = DATE_TIME
            .find_iter(&self.blanked)
            .filter(|m| is_date_or_time(&self.text[m.start()..m.end()]))
            .map(|m| (m.start(), m.end()))
            .collect();
        for (s, e) in spans {
            self.blank(s, e);
        }
    }

    fn phones(&mut self) {
        let matches: Vec<(usize, usize)> = PHONE
            .find_iter(&self.blanked)
            .map(|m| (m.start(), m.end()))
            .collect();
        for (start, end) in matches {
            self.phone_candidate(start, end);
        }
    }

    /// Takes the phone in `start..end` if it is one; true if it did.
    fn phone_candidate(&mut self, mut start: usize, end: usize) -> bool {
        let text = self.text;
        // A `(` that opens the run but is never closed is punctuation, not an area code.
        if text.as_bytes()[start] == b'(' && !text[start..end].contains(')') {
            start += 1;
        }
        let raw = &text[start..end];
        if let Some(c) = self.char_before(start) {
            if c.is_alphanumeric()
                || matches!(
                    c,
                    '_' | '@' | '/' | '\\' | '=' | '+' | '$' | '€' | '£' | '₽'
                )
            {
                return false;
            }
            if matches!(c, '.' | ',' | '-')
                && self.text[..start - 1]
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_ascii_digit())
            {
                return false;
            }
        }
        let after = &text[end..];
        let extension = EXTENSION
            .captures(after.as_bytes())
            .and_then(|c| c.get(1).map(|g| (c.get(0).map_or(0, |m| m.end()), g)));
        let span_end = match &extension {
            Some((len, _)) => end + len,
            None => end,
        };
        if let Some(c) = self.char_after(span_end) {
            if c.is_alphanumeric() || c == '_' || c == '@' {
                return false;
            }
            if matches!(c, '.' | ',' | '-' | '/')
                && text[span_end + 1..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_ascii_digit())
            {
                return false;
            }
        }
        let lower_after: String = after
            .trim_start()
            .chars()
            .take(8)
            .collect::<String>()
            .to_lowercase();
        if extension.is_none() && CURRENCY_AFTER.iter().any(|c| lower_after.starts_with(c)) {
            return false;
        }
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let has_plus = raw.starts_with('+');
        let formatted = raw
            .chars()
            .skip(usize::from(has_plus))
            .any(|c| !c.is_ascii_digit());
        let n = digits.len();
        let international_prefix = digits.starts_with("810") || digits.starts_with("00");
        if n > 15 && !(international_prefix && n <= 17) {
            // Two numbers written one after the other, unless the run is card-like.
            let card_like = (13..=19).contains(&n) && luhn_valid(&digits);
            return !card_like && self.split_run(start, end);
        }
        if n < 10 && !has_plus || n < 8 {
            return false;
        }
        if is_ip_address(raw) || (!has_plus && is_amount_grouping(raw)) {
            return false;
        }
        let label = self.label_before(start);
        if label == Label::NotPhone {
            return false;
        }
        let labelled = matches!(label, Label::Phone | Label::Whatsapp);
        let mobile_shape = (n == 11 && (digits.starts_with('7') || digits.starts_with('8')))
            || (n == 10 && digits.starts_with('9'));
        if !formatted && !has_plus && !labelled && !mobile_shape {
            return false;
        }
        let to_parse = if !has_plus && n == 11 && digits.starts_with('7') && !formatted {
            format!("+{digits}")
        } else {
            raw.to_string()
        };
        let Ok(phone) = self.extractor.phones.normalize(&to_parse) else {
            return false;
        };
        if !phone.valid {
            return false;
        }
        let e164 = phone.e164;
        let ext = extension.map(|(_, g)| String::from_utf8_lossy(g.as_bytes()).into_owned());
        if label == Label::Whatsapp {
            self.push(
                IdentifierKind::Whatsapp,
                e164.trim_start_matches('+').to_string(),
                start,
                span_end,
            );
        }
        self.push(IdentifierKind::Phone, e164, start, span_end);
        if let Some(last) = self.found.last_mut() {
            last.extension = ext;
        }
        self.blank(start, span_end);
        true
    }

    /// Splits a digit run too long for one phone at a blank gap into two phones; true if the
    /// first part was one.
    fn split_run(&mut self, start: usize, end: usize) -> bool {
        let run = &self.text[start..end];
        let gaps: Vec<(usize, usize)> = GAP
            .find_iter(run)
            .map(|m| (start + m.start(), start + m.end()))
            .collect();
        for (g0, g1) in gaps {
            let left = &self.text[start..g0];
            let left_digits = left.bytes().filter(u8::is_ascii_digit).count();
            let right_digits = self.text[g1..end]
                .bytes()
                .filter(u8::is_ascii_digit)
                .count();
            let plausible = (10..=12).contains(&left_digits) || left.starts_with('+');
            if plausible && right_digits >= 7 && self.phone_candidate(start, g0) {
                self.phone_candidate(g1, end);
                return true;
            }
        }
        false
    }

    /// The nearest label in the 48 bytes before `start`, not reaching back past the end of an
    /// earlier contact.
    fn label_before(&self, start: usize) -> Label {
        let floor = self.ends.range(..=start).next_back().copied().unwrap_or(0);
        let mut from = start.saturating_sub(48).max(floor);
        while !self.text.is_char_boundary(from) {
            from += 1;
        }
        let window = &self.text[from..start];
        let mut best: Option<(usize, Label)> = None;
        for m in LABEL.find_iter(window) {
            let word = m.as_str().to_lowercase();
            let Some(&(_, label)) = LABELS.iter().find(|(w, _)| *w == word) else {
                continue;
            };
            let word_start = word.starts_with(['№', '#'])
                || window[..m.start()]
                    .chars()
                    .next_back()
                    .map_or(true, |c| !c.is_alphanumeric());
            let short_whole = word.len() > 2
                || window[m.end()..]
                    .chars()
                    .next()
                    .map_or(true, |c| !c.is_alphanumeric());
            if word_start && short_whole {
                best = Some((m.end(), label));
            }
        }
        match best {
            // A label names the next number only: `ИНН 7707083893, 8 912 345-67-89`.
            Some((end, _)) if window[end..].bytes().any(|b| b.is_ascii_digit()) => Label::None,
            Some((_, label)) => label,
            None => Label::None,
        }
    }
}

/// Whether a date/time-pattern match has plausible fields (day 1-31, month 1-12, hour 0-23).
fn is_date_or_time(s: &str) -> bool {
    let parts: Vec<u32> = s
        .split(['.', '/', '-', ':'])
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect();
    if s.contains(':') {
        return parts[0] <= 23 && parts[1..].iter().all(|&p| p <= 59);
    }
    if parts.len() != 3 {
        return false;
    }
    let first_len = s.split(['.', '/', '-']).next().map_or(0, str::len);
    let (d, m) = if first_len == 4 {
        (parts[2], parts[1])
    } else {
        (parts[0], parts[1])
    };
    (1..=31).contains(&d) && (1..=12).contains(&m)
}

/// The Luhn checksum of a card number.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// `192.168.10.200`: four dot-separated groups of at most three digits.
fn is_ip_address(raw: &str) -> bool {
    let groups: Vec<&str> = raw.split('.').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.len() <= 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// `2 500 000 000` or `1,299,000`: a group of 1-3 digits, then groups of exactly 3 separated by
/// spaces, commas or dots.
fn is_amount_grouping(raw: &str) -> bool {
    let groups: Vec<&str> = raw
        .split([' ', '\u{A0}', ',', '.'])
        .filter(|g| !g.is_empty())
        .collect();
    groups.len() >= 3
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values(text: &str) -> Vec<(IdentifierKind, String)> {
        extract_contacts(text)
            .into_iter()
            .map(|f| (f.kind, f.value))
            .collect()
    }

    #[test]
    fn the_issue_example() {
        let text = "мой номер 8 912 345-67-89, пишите на ivan@mail.ru";
        let found = extract_contacts(text);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].start, found[0].end), (18, 33));
        assert_eq!(found[0].raw, "8 912 345-67-89");
        assert_eq!(found[1].raw, "ivan@mail.ru");
    }

    #[test]
    fn an_at_inside_an_email_is_not_a_handle() {
        assert_eq!(
            values("пишите ivan.petrov@gmail.com"),
            [(IdentifierKind::Email, "ivanpetrov@gmail.com".into())]
        );
    }

    #[test]
    fn labels_decide_unformatted_digit_runs() {
        assert!(values("ИНН 7707083893").is_empty());
        assert!(values("order #89123456789").is_empty());
        assert_eq!(values("тел 89123456789").len(), 1);
    }

    #[test]
    fn whatsapp_label_adds_a_whatsapp_contact() {
        assert_eq!(
            values("WhatsApp: +7 912 345-67-89"),
            [
                (IdentifierKind::Phone, "+79123456789".into()),
                (IdentifierKind::Whatsapp, "79123456789".into())
            ]
        );
    }

    #[test]
    fn extension_is_in_the_span_and_reported() {
        let text = "т. +7 495 123-45-67 доб. 123, спросить Олега";
        let f = &extract_contacts(text)[0];
        assert_eq!(f.raw, "+7 495 123-45-67 доб. 123");
        assert_eq!(f.extension.as_deref(), Some("123"));
    }

    #[test]
    fn oversized_text_is_cut_or_rejected() {
        let mut text = "x".repeat(MAX_EXTRACT_INPUT - 3);
        text.push_str("тел 8 912 345-67-89");
        assert!(ContactExtractor::default().extract(&text).is_empty());
        assert!(ContactExtractor::default().extract_checked(&text).is_err());
    }

    #[test]
    fn many_contacts_in_a_long_text_are_all_found() {
        let line = "тел 8 912 345-67-89, пишите ivan@mail.ru или @ivan_petrov; ";
        let text = line.repeat(500);
        let found = extract_contacts(&text);
        assert_eq!(found.len(), 1500);
        assert_eq!(found[1499].end, text.len() - 2);
    }

    #[test]
    fn date_and_amount_shapes() {
        assert!(is_date_or_time("12.05.2024"));
        assert!(is_date_or_time("2024-05-12"));
        assert!(!is_date_or_time("45.67.89"));
        assert!(is_amount_grouping("2 500 000 000"));
        assert!(!is_amount_grouping("8 912 345 67 89"));
    }

    proptest! {
        #[test]
        fn never_panics_and_spans_are_valid(s in "\\PC{0,120}") {
            for f in extract_contacts(&s) {
                prop_assert!(f.start < f.end && f.end <= s.len());
                prop_assert!(s.is_char_boundary(f.start) && s.is_char_boundary(f.end));
                prop_assert_eq!(&s[f.start..f.end], f.raw.as_str());
            }
        }

        #[test]
        fn never_panics_on_contact_shaped_text(
            s in "([ +()\\-.,:#№@/a-zа-я]|[0-9]{1,4}|тел|ИНН|заказ|доб\\.|t\\.me/|vk\\.com/|mail\\.ru|\u{A0}){0,30}",
        ) {
            for f in extract_contacts(&s) {
                prop_assert!(s.is_char_boundary(f.start) && s.is_char_boundary(f.end));
                prop_assert_eq!(&s[f.start..f.end], f.raw.as_str());
            }
        }
    }
}
