//! Identifier normalisation: phones, emails, messenger and social handles, person names, and
//! finding contact details inside free text.
//!
//! Every function here is pure: it takes text and returns a normalised value or an
//! [`Error`](crate::Error) that says what was wrong. Configuration (default region, email
//! provider rules) is passed in explicitly; the `normalize_*` free functions use the defaults.

pub mod email;
pub mod extract;
pub mod handle;
pub mod name;
pub mod phone;

pub use email::{normalize_email, DotRule, Email, EmailProvider, EmailRules};
pub use extract::{extract_contacts, ContactExtractor, FoundContact};
pub use handle::{normalize_handle, normalize_handle_with, parse_profile_link};
pub use name::{name_similarity, normalize_name, Gender, NameRole, NameToken, PersonName};
pub use phone::{normalize_phone, Phone, PhoneKind, PhoneNormalizer};
