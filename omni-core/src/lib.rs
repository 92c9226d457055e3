//! # omni: an omnichannel memory of customers
//!
//! Businesses talk to customers over calls, SMS, email, messengers, web forms, chat widgets,
//! social networks and visits. omni turns all of that into one customer: it reads every channel
//! into one [`Message`] type, normalises the identifiers people leave (phones in any local
//! format, emails under provider rules, messenger handles, names in Cyrillic and Latin), and finds
//! contact details inside free text.
//!
//! ```
//! use omni_core::{normalize_phone, normalize_email, extract_contacts};
//!
//! let phone = normalize_phone("8 (912) 345-67-89", "RU").unwrap();
//! assert_eq!(phone.e164, "+79123456789");
//!
//! let email = normalize_email("Ivan.Petrov@Example.com").unwrap();
//! assert_eq!(email.original, "Ivan.Petrov@Example.com");
//!
//! let _found = extract_contacts("мой номер 8 912 345-67-89, пишите на ivan@example.com");
//! ```
//!
//! omni-core is pure: no I/O, no global mutable state, no network. The C library (`omni-ffi`)
//! and the Python module (`omni-py`) only convert and forward to it.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod adapt;
pub mod classify;
mod codec;
pub mod engine;
pub mod error;
pub mod ident;
pub mod message;
pub mod resolve;
pub mod thread;

pub use error::{Error, ErrorKind, Result};
pub use ident::{
    extract_contacts, name_similarity, normalize_email, normalize_handle, normalize_name,
    normalize_phone, parse_profile_link, ContactExtractor, Email, EmailRules, FoundContact, Gender,
    NameRole, NameToken, PersonName, Phone, PhoneKind, PhoneNormalizer,
};
pub use message::{Channel, DeliveryStatus, Direction, Identifier, IdentifierKind, Message};
