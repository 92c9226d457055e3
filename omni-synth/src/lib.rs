//! # omni-synth: seeded synthetic CRM contacts and multichannel inboxes, with ground truth
//!
//! Test, benchmark and example data for omni, invented from scratch: no real person is in it.
//! The same seed and settings give the same bytes on every machine and Rust version (the random
//! stream is [`SynthRng`], defined in this crate; nothing depends on hash-map order).
//!
//! - [`ContactGenerator`]: CRM rows and contact observations of Russian- and English-speaking
//!   people, 1 to 4 per person, with the corruptions real data has and the hard cases (shared
//!   office phones and `info@` mailboxes, family phones, namesakes, placeholders). Truth:
//!   [`ContactRecord::person_id`] and [`ContactRecord::corruptions`].
//! - [`InboxGenerator`]: omni [`Message`](omni_core::Message)s across 14 channels for N
//!   customers, with conversations that switch channels, email threads, opt-outs, auto-replies,
//!   spam. Truth: [`MessageTruth`] per message (person, conversation, kind, intents).
//! - [`write_contacts`], [`write_inbox`]: CSV or JSON lines, truth in a separate file.
//!
//! ```
//! use omni_synth::{ContactConfig, ContactGenerator};
//!
//! let generator = ContactGenerator::new(ContactConfig { seed: 7, people: 50, ..Default::default() });
//! for record in generator.records().take(3) {
//!     println!("{} {:?} {:?} {:?}", record.channel, record.name, record.phones, record.emails);
//! }
//! ```
//!
//! The `omni-synth` binary writes the same data to files (`omni-synth --help`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod contacts;
mod email;
mod export;
mod inbox;
mod names;
mod person;
mod phone;
mod places;
mod rng;
mod translit;
mod typo;

pub use contacts::{
    ContactConfig, ContactGenerator, ContactRecord, Corruption, RawHandle, EXTRA_COLUMNS,
};
pub use email::{mailbox_key, PLACEHOLDER_EMAILS};
pub use export::{write_contacts, write_inbox, Format, CONTACT_COLUMNS, CONTACT_TRUTH_COLUMNS};
pub use inbox::{Inbox, InboxConfig, InboxGenerator, Intent, MessageKind, MessageTruth};
pub use phone::PLACEHOLDER_PHONES;
pub use rng::{SynthRng, ZipfTable};
pub use translit::{transliterate, wrong_layout, TranslitSystem};
pub use typo::typo;
