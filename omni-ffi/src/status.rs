//! Status codes returned by every C function: 0 for success, otherwise an omni error code.

use omni_core::ErrorKind;

/// The result of a C call. Values are the stable codes of omni's error kinds and are never
/// renumbered: 1-99 general, 100-199 identifiers, 200-299 message format, 300-399 state.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OmniStatus {
    /// Success.
    Ok = 0,
    /// A bug inside omni (including a caught panic).
    Internal = 1,
    /// An argument is outside what the function accepts (NULL pointer, unknown region).
    InvalidArgument = 2,
    /// The input is larger than the documented limit.
    InputTooLarge = 3,
    /// A text argument is not valid UTF-8.
    InvalidUtf8 = 4,
    /// A phone number that cannot be used.
    InvalidPhone = 100,
    /// An email address that is not valid.
    InvalidEmail = 101,
    /// A messenger or social handle that is not valid.
    InvalidHandle = 102,
    /// A person name with nothing usable in it.
    InvalidName = 103,
    /// Text that is not well-formed JSON.
    InvalidJson = 200,
    /// A required field is missing.
    FieldMissing = 201,
    /// A field has an unacceptable value.
    InvalidField = 202,
    /// A document declares a format version this build does not read.
    UnsupportedVersion = 203,
    /// No customer, record, conversation or event with that id.
    NotFound = 5,
    /// Bytes that are not an omni snapshot, or a corrupted one.
    InvalidSnapshot = 300,
    /// Bytes that are not an omni triage model, or a corrupted one.
    InvalidModel = 301,
}

impl OmniStatus {
    /// Every status (codes are stable; the order is that of declaration).
    pub const ALL: &'static [OmniStatus] = &[
        OmniStatus::Ok,
        OmniStatus::Internal,
        OmniStatus::InvalidArgument,
        OmniStatus::InputTooLarge,
        OmniStatus::InvalidUtf8,
        OmniStatus::InvalidPhone,
        OmniStatus::InvalidEmail,
        OmniStatus::InvalidHandle,
        OmniStatus::InvalidName,
        OmniStatus::InvalidJson,
        OmniStatus::FieldMissing,
        OmniStatus::InvalidField,
        OmniStatus::UnsupportedVersion,
        OmniStatus::NotFound,
        OmniStatus::InvalidSnapshot,
        OmniStatus::InvalidModel,
    ];

    /// The status for an omni error kind; `Internal` for a kind this build does not list
    /// (a test keeps the two lists in step).
    pub fn from_kind(kind: ErrorKind) -> OmniStatus {
        Self::ALL
            .iter()
            .copied()
            .find(|s| *s as u32 == kind.code())
            .unwrap_or(OmniStatus::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_a_status_with_its_code() {
        for kind in ErrorKind::ALL {
            assert_eq!(OmniStatus::from_kind(*kind) as u32, kind.code(), "{kind}");
        }
        assert_eq!(OmniStatus::ALL.len(), ErrorKind::ALL.len() + 1);
    }
}
