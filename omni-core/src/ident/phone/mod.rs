//! Phone numbers in every local format to E.164, with region, type, validity and extension.
//!
//! Results agree with Google's libphonenumber (checked against a committed oracle table in
//! `tests/fixtures/phone_oracle.tsv`, made by `scripts/phone_oracle.py`). The default region
//! decides how national formats are read: with `RU`, `8 912 345-67-89`, `89123456789` and
//! `9123456789` are all `+79123456789`, while `+44 800 ...` keeps its `8`.
//!
//! The parser follows libphonenumber's `PhoneNumberUtil.parse` step by step (module `text` for the
//! text steps, `number` for the numeric ones) over the metadata the `phonenumber` crate ships,
//! compiled into digit DFAs, per region on first use (module `metadata`). Plain inputs (ASCII digits, spaces,
//! `+ ( ) - .`) skip the regular expressions of the text steps, which is what makes the common case
//! fast. The one deliberate difference: the extension label `доб` may also be spelled out as
//! `добавочный`.

mod metadata;
mod number;
mod text;

use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

/// The longest phone input accepted, in bytes.
pub const MAX_PHONE_INPUT: usize = 250;

/// What kind of line a number is, where the numbering plan says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PhoneKind {
    /// A mobile number.
    Mobile,
    /// A fixed (landline) number.
    FixedLine,
    /// A number that the plan does not tell apart as mobile or fixed (e.g. US).
    FixedLineOrMobile,
    /// A free-phone number (`8-800` in Russia).
    TollFree,
    /// A premium-rate number.
    PremiumRate,
    /// A shared-cost number.
    SharedCost,
    /// A VoIP number.
    Voip,
    /// A personal number.
    PersonalNumber,
    /// A pager.
    Pager,
    /// A universal access number.
    Uan,
    /// A voicemail access number.
    Voicemail,
    /// Not known (the number is not valid for its region).
    Unknown,
}

impl PhoneKind {
    /// Every kind, in declaration order (the C enum uses these positions).
    pub const ALL: &'static [PhoneKind] = &[
        PhoneKind::Mobile,
        PhoneKind::FixedLine,
        PhoneKind::FixedLineOrMobile,
        PhoneKind::TollFree,
        PhoneKind::PremiumRate,
        PhoneKind::SharedCost,
        PhoneKind::Voip,
        PhoneKind::PersonalNumber,
        PhoneKind::Pager,
        PhoneKind::Uan,
        PhoneKind::Voicemail,
        PhoneKind::Unknown,
    ];

    /// The snake_case name used in JSON, C and Python.
    pub const fn name(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::FixedLine => "fixed_line",
            PhoneKind::FixedLineOrMobile => "fixed_line_or_mobile",
            PhoneKind::TollFree => "toll_free",
            PhoneKind::PremiumRate => "premium_rate",
            PhoneKind::SharedCost => "shared_cost",
            PhoneKind::Voip => "voip",
            PhoneKind::PersonalNumber => "personal_number",
            PhoneKind::Pager => "pager",
            PhoneKind::Uan => "uan",
            PhoneKind::Voicemail => "voicemail",
            PhoneKind::Unknown => "unknown",
        }
    }
}

/// A normalised phone number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    /// E.164 form: `+79123456789`.
    pub e164: String,
    /// ISO 3166 region the number belongs to (`RU`, `KZ`), or `001` for non-geographic
    /// numbers; `None` when the country code is known but no region claims the number.
    pub region: Option<String>,
    /// The line type, [`PhoneKind::Unknown`] for invalid numbers.
    pub kind: PhoneKind,
    /// Whether the number is valid in its numbering plan (not just well-formed).
    pub valid: bool,
    /// The extension digits, if one was given (`доб. 123` gives `123`); kept as written, so
    /// digits of other scripts stay as they are, as in libphonenumber.
    pub extension: Option<String>,
}

/// Normalises phone numbers with a fixed default region.
///
/// Cheap to construct (a table index), to copy and to share between threads. The first
/// normalisation in a process decodes the `phonenumber` crate's metadata (about 0.15 s); each
/// region's patterns are then compiled the first time a number needs them (a few milliseconds).
#[derive(Clone, Copy)]
pub struct PhoneNormalizer {
    territory: usize,
}

impl std::fmt::Debug for PhoneNormalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneNormalizer")
            .field("default_region", &self.default_region())
            .finish()
    }
}

impl Default for PhoneNormalizer {
    fn default() -> Self {
        PhoneNormalizer {
            territory: metadata::PLANS
                .region("RU")
                .expect("the metadata has a plan for RU"),
        }
    }
}

impl PhoneNormalizer {
    /// A normaliser that reads national numbers as numbers of `default_region` (`RU`, `KZ`, ...).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when the region is not an ISO 3166 code with a numbering plan.
    ///
    /// # Example
    /// ```
    /// let kz = omni_core::PhoneNormalizer::new("kz").unwrap();
    /// assert_eq!(kz.default_region(), "KZ");
    /// assert!(omni_core::PhoneNormalizer::new("Narnia").is_err());
    /// ```
    pub fn new(default_region: &str) -> Result<Self> {
        let code = default_region.trim();
        let mut upper = [0u8; 2];
        let found = (code.len() == 2 && code.is_ascii())
            .then(|| {
                upper.copy_from_slice(code.as_bytes());
                upper.make_ascii_uppercase();
                std::str::from_utf8(&upper)
                    .ok()
                    .and_then(|id| metadata::PLANS.region(id))
            })
            .flatten();
        match found {
            Some(territory) => Ok(PhoneNormalizer { territory }),
            None => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "unknown region {default_region:?}: expected an ISO 3166 code such as \"RU\""
                ),
            )),
        }
    }

    /// The default region, as an ISO 3166 code.
    pub fn default_region(&self) -> &str {
        &metadata::PLANS.territories[self.territory].id
    }

    /// Normalises one phone number.
    ///
    /// Input that libphonenumber parses but finds invalid (`8 912 34`, a number outside the
    /// plan) gives a [`Phone`] with `valid: false`; only input libphonenumber refuses to parse is
    /// an error.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidPhone`] with the reason for garbage, too short or too long input, or an
    /// unknown country code; [`ErrorKind::InputTooLarge`] above [`MAX_PHONE_INPUT`] bytes.
    ///
    /// # Example
    /// ```
    /// use omni_core::{PhoneKind, PhoneNormalizer};
    ///
    /// let ru = PhoneNormalizer::default();
    /// let phone = ru.normalize("8-800-555-35-35 доб. 12").unwrap();
    /// assert_eq!(phone.e164, "+78005553535");
    /// assert_eq!(phone.kind, PhoneKind::TollFree);
    /// assert_eq!(phone.extension.as_deref(), Some("12"));
    /// assert_eq!(ru.normalize("+7 701 234 56 78").unwrap().region.as_deref(), Some("KZ"));
    /// ```
    pub fn normalize(&self, text: &str) -> Result<Phone> {
        self.normalize_with_code(text).map(|(phone, _)| phone)
    }

    /// Normalises one phone number and requires it to be valid: as
    /// [`normalize`](PhoneNormalizer::normalize), but a number outside its numbering plan is an
    /// error that says why, for forms that should refuse it.
    ///
    /// # Errors
    /// As [`normalize`](PhoneNormalizer::normalize), plus [`ErrorKind::InvalidPhone`] when the
    /// number is too short or too long for its region, is a local number without its area code,
    /// or has digits no number of the region has.
    ///
    /// # Example
    /// ```
    /// let ru = omni_core::PhoneNormalizer::default();
    /// assert!(ru.normalize_valid("8 912 345 67 89").is_ok());
    /// let e = ru.normalize_valid("8 912 34").unwrap_err();
    /// assert!(e.message().contains("too short for RU"));
    /// ```
    pub fn normalize_valid(&self, text: &str) -> Result<Phone> {
        let (phone, code) = self.normalize_with_code(text)?;
        if phone.valid {
            return Ok(phone);
        }
        Err(not_valid(text, &phone, code))
    }

    /// [`normalize`](PhoneNormalizer::normalize), and the country calling code.
    fn normalize_with_code(&self, text: &str) -> Result<(Phone, u16)> {
        if text.len() > MAX_PHONE_INPUT {
            return Err(Error::too_large("phone input", text.len(), MAX_PHONE_INPUT));
        }
        let plans = &*metadata::PLANS;
        let default = &plans.territories[self.territory];
        let mut digits = text::DigitBuf::new();
        let prepared = text::simple(text, &mut digits)
            .unwrap_or_else(|| text::prepare(text, &mut digits))
            .map_err(|reason| not_a_number(text, reason))?;
        let read = |plus: bool, digits: &str| -> Result<(Phone, u16)> {
            let parsed = number::parse(plans, default, plus, digits)
                .map_err(|reason| number_error(text, default, reason))?;
            let (territory, kind) = number::classify(plans, parsed.country_code, &parsed.nsn);
            let mut e164 = String::with_capacity(parsed.nsn.len() + 4);
            e164.push('+');
            e164.push_str(
                &plans.territories[plans.code(u32::from(parsed.country_code))[0]]
                    .country_code_digits,
            );
            e164.push_str(&parsed.nsn);
            let phone = Phone {
                e164,
                region: territory.map(|t| plans.territories[t].id.clone()),
                kind,
                valid: kind != PhoneKind::Unknown,
                extension: prepared.extension.clone(),
            };
            Ok((phone, parsed.country_code))
        };
        let result = read(prepared.plus, digits.as_str());
        // `00` is the international prefix people dial from mobiles almost everywhere, even where
        // the numbering plan lists another (Russia: 810). When a number written with a leading
        // `00` (and no `+`) does not read as a valid number under the plan, but reads as a valid
        // one with the `00` taken as `+`, the latter wins: a deliberate difference from
        // libphonenumber, which the oracle test checks as exactly this rule.
        if !prepared.plus && result.as_ref().map_or(true, |(p, _)| !p.valid) {
            if let Some(at) = text.find(|c: char| c.is_ascii_digit()) {
                if text[at..].starts_with("00") && !text.contains('+') {
                    let international = format!("{}+{}", &text[..at], &text[at + 2..]);
                    if let Ok(found) = self.normalize_with_code(&international) {
                        if found.0.valid {
                            return Ok(found);
                        }
                    }
                }
            }
        }
        result
    }
}

/// Why a parsed number is not valid, in the terms of libphonenumber's `isPossibleNumberWithReason`.
fn not_valid(text: &str, phone: &Phone, code: u16) -> Error {
    let plans = &*metadata::PLANS;
    let main = plans.code(u32::from(code))[0];
    let plan = &plans.territories[phone
        .region
        .as_deref()
        .and_then(|id| plans.region(id))
        .unwrap_or(main)];
    let place = phone
        .region
        .clone()
        .unwrap_or_else(|| format!("country code +{code}"));
    let nsn_len = phone.e164.len() - 1 - plan.country_code_digits.len();
    let lengths = plan.general.lengths.describe();
    let message = match plan.test_length(nsn_len) {
        metadata::LengthCheck::TooShort => format!(
            "{text:?} is too short for {place}: {nsn_len} digits after +{code}; numbers there have {lengths}"
        ),
        metadata::LengthCheck::TooLong => format!(
            "{text:?} is too long for {place}: {nsn_len} digits after +{code}; numbers there have {lengths}"
        ),
        metadata::LengthCheck::Invalid => format!(
            "{text:?} has {nsn_len} digits after +{code}; numbers in {place} have {lengths}"
        ),
        metadata::LengthCheck::LocalOnly => format!(
            "{text:?} is a local number without its area code: {nsn_len} digits after +{code}; full numbers in {place} have {lengths}"
        ),
        metadata::LengthCheck::Possible if phone.region.is_none() => format!(
            "{text:?} is not in the numbering plan of any region with country code +{code}"
        ),
        metadata::LengthCheck::Possible => {
            format!("{text:?} is not a number in the numbering plan of {place}")
        }
    };
    Error::new(ErrorKind::InvalidPhone, message)
}

/// The message for input that is not a phone number at all.
fn not_a_number(text: &str, reason: text::NotANumber) -> Error {
    let digits = text
        .chars()
        .filter(|c| text::decimal_value(*c).is_some())
        .count();
    let message = match reason {
        text::NotANumber::BadPhoneContext => {
            format!("{text:?}: the phone-context of this tel: URI is not valid RFC 3966")
        }
        text::NotANumber::NotViable if digits == 0 => format!("{text:?}: no digits"),
        text::NotANumber::NotViable if digits < 3 => {
            format!("{text:?} has {digits} digit(s); a phone number needs at least 3")
        }
        text::NotANumber::NotViable => format!(
            "{text:?} is not a phone number: it has characters that phone numbers do not contain"
        ),
    };
    Error::new(ErrorKind::InvalidPhone, message)
}

/// The message for digits that do not make a phone number.
fn number_error(text: &str, default: &metadata::Territory, reason: number::NumberError) -> Error {
    let message = match reason {
        number::NumberError::InvalidCountryCode(code) => {
            format!("{text:?}: unknown country code +{code}")
        }
        number::NumberError::TooShortAfterIdd => {
            format!("{text:?} is too short after the international prefix")
        }
        number::NumberError::TooShortNsn(n) => format!(
            "{text:?} is too short for {}: {n} digit(s) after the country code",
            default.id
        ),
        number::NumberError::TooLong(n) => format!(
            "{text:?} is too long: {n} digits after the country code, at most {} are possible",
            number::MAX_NSN
        ),
    };
    Error::new(ErrorKind::InvalidPhone, message)
}

/// Normalises one phone number, reading national formats as numbers of `default_region`.
///
/// # Errors
/// As [`PhoneNormalizer::normalize`], plus [`ErrorKind::InvalidArgument`] for an unknown region.
///
/// # Example
/// ```
/// let phone = omni_core::normalize_phone("8 (912) 345-67-89", "RU").unwrap();
/// assert_eq!(phone.e164, "+79123456789");
/// assert_eq!(phone.kind, omni_core::PhoneKind::Mobile);
/// ```
pub fn normalize_phone(text: &str, default_region: &str) -> Result<Phone> {
    PhoneNormalizer::new(default_region)?.normalize(text)
}
