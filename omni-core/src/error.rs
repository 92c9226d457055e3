//! The one error type of omni, with stable kinds and codes shared by the C and Python bindings.
//!
//! Every fallible function in omni returns [`Error`]. Its [`ErrorKind`] has a numeric
//! [`code`](ErrorKind::code) and a snake_case [`name`](ErrorKind::name) that never change once
//! published: the C header exposes the codes, Python maps each kind to an exception class, and a
//! test in each binding checks that the three lists agree. Codes come in blocks per domain:
//! 1-99 general, 100-199 identifiers, 200-299 message format, 300-399 state (snapshots, models).

use std::fmt;

/// Result alias used across omni.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as a stable category. New kinds may be added; existing ones never renumbered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A bug inside omni (for example a panic caught at the C boundary).
    Internal,
    /// An argument is outside what the function accepts (unknown region, bad option).
    InvalidArgument,
    /// The input is larger than the documented limit for this function.
    InputTooLarge,
    /// Bytes that should be UTF-8 are not (only reachable through C).
    InvalidUtf8,
    /// A phone number that cannot be used: garbage, too short, too long, unknown country code.
    InvalidPhone,
    /// An email address that is not syntactically valid.
    InvalidEmail,
    /// A messenger or social handle that is not valid for its network.
    InvalidHandle,
    /// A person name that has nothing usable in it (empty, only punctuation).
    InvalidName,
    /// Text that is not well-formed JSON.
    InvalidJson,
    /// A required field is absent from a record.
    FieldMissing,
    /// A field is present but its value is not acceptable.
    InvalidField,
    /// A document declares a format version this build does not read.
    UnsupportedVersion,
    /// No customer, record, conversation or event with that id.
    NotFound,
    /// Bytes that are not a snapshot omni wrote, or one that is corrupted.
    InvalidSnapshot,
    /// Bytes that are not a triage model omni wrote, or one that is corrupted.
    InvalidModel,
}

impl ErrorKind {
    /// Every kind, in declaration order (codes are stable, not sorted here). Used by the
    /// bindings to publish the catalogue.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::Internal,
        ErrorKind::InvalidArgument,
        ErrorKind::InputTooLarge,
        ErrorKind::InvalidUtf8,
        ErrorKind::InvalidPhone,
        ErrorKind::InvalidEmail,
        ErrorKind::InvalidHandle,
        ErrorKind::InvalidName,
        ErrorKind::InvalidJson,
        ErrorKind::FieldMissing,
        ErrorKind::InvalidField,
        ErrorKind::UnsupportedVersion,
        ErrorKind::NotFound,
        ErrorKind::InvalidSnapshot,
        ErrorKind::InvalidModel,
    ];

    /// The stable numeric code (also the C status code).
    pub const fn code(self) -> u32 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::InvalidArgument => 2,
            ErrorKind::InputTooLarge => 3,
            ErrorKind::InvalidUtf8 => 4,
            ErrorKind::InvalidPhone => 100,
            ErrorKind::InvalidEmail => 101,
            ErrorKind::InvalidHandle => 102,
            ErrorKind::InvalidName => 103,
            ErrorKind::InvalidJson => 200,
            ErrorKind::FieldMissing => 201,
            ErrorKind::InvalidField => 202,
            ErrorKind::UnsupportedVersion => 203,
            ErrorKind::NotFound => 5,
            ErrorKind::InvalidSnapshot => 300,
            ErrorKind::InvalidModel => 301,
        }
    }

    /// The stable snake_case name (also the Python `.kind`).
    pub const fn name(self) -> &'static str {
        match self {
            ErrorKind::Internal => "internal",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::InputTooLarge => "input_too_large",
            ErrorKind::InvalidUtf8 => "invalid_utf8",
            ErrorKind::InvalidPhone => "invalid_phone",
            ErrorKind::InvalidEmail => "invalid_email",
            ErrorKind::InvalidHandle => "invalid_handle",
            ErrorKind::InvalidName => "invalid_name",
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::FieldMissing => "field_missing",
            ErrorKind::InvalidField => "invalid_field",
            ErrorKind::UnsupportedVersion => "unsupported_version",
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidSnapshot => "invalid_snapshot",
            ErrorKind::InvalidModel => "invalid_model",
        }
    }

    /// The kind with this code, if any.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An omni error: a stable [`ErrorKind`] plus a message that says what was wrong and where.
///
/// The message starts with the location when there is one, e.g.
/// `messages[3].timestamp: "yesterday" is not an RFC 3339 time or a Unix timestamp`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// A new error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// The stable category of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable numeric code of this error's kind.
    pub fn code(&self) -> u32 {
        self.kind.code()
    }

    /// The full message, location first.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `location: ` put in front of its message (e.g. a field path).
    pub fn at(mut self, location: impl fmt::Display) -> Self {
        self.message = format!("{location}: {}", self.message);
        self
    }

    /// An [`ErrorKind::InputTooLarge`] error for an input of `len` bytes over `limit`.
    pub fn too_large(what: &str, len: usize, limit: usize) -> Self {
        Error::new(
            ErrorKind::InputTooLarge,
            format!("{what} is {len} bytes; the limit is {limit} bytes"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        let mut codes: Vec<u32> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(kind.code()), Some(*kind));
        }
    }

    #[test]
    fn at_prefixes_the_location() {
        let e = Error::new(ErrorKind::InvalidField, "not a time").at("messages[3].timestamp");
        assert_eq!(e.to_string(), "messages[3].timestamp: not a time");
        assert_eq!(e.code(), 202);
    }
}
