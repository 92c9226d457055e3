//! Messenger and social handles: Telegram, WhatsApp, Viber, VK, Instagram, Facebook, Skype.

use crate::error::{Error, ErrorKind, Result};
use crate::message::{Identifier, IdentifierKind};

/// Normalises a handle of a known kind into its canonical identifiers.
///
/// # Errors
/// [`ErrorKind::InvalidHandle`] when the text is not a valid handle of that kind.
pub fn normalize_handle(kind: IdentifierKind, text: &str) -> Result<Vec<Identifier>> {
    let value = text.trim().trim_start_matches('@').to_lowercase();
    if value.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidHandle,
            format!("{text:?} is empty"),
        ));
    }
    Ok(vec![Identifier::new(kind, value)])
}

/// Recognises a profile link or prefixed handle (`t.me/name`, `vk.com/id1`, `@name`).
///
/// # Errors
/// [`ErrorKind::InvalidHandle`] when the text is not a recognised link or handle.
pub fn parse_profile_link(text: &str) -> Result<Identifier> {
    Err(Error::new(
        ErrorKind::InvalidHandle,
        format!("{text:?} is not a recognised profile link"),
    ))
}
