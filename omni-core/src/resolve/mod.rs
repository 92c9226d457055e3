//! Identity resolution: the same person across channels becomes one customer.
//!
//! Records ([`Observation`]s: CRM rows, message senders, form submissions) go into a
//! [`Resolver`], incrementally with [`Resolver::add`] or in bulk with [`Resolver::add_many`].
//! Records that share a personal identifier (an E.164 phone, a canonical email, a messenger id)
//! are linked; records without one are compared field by field with Fellegi-Sunter match
//! weights ([`MatchModel`], re-estimated from your own data with [`estimate_model`]) and linked
//! when the total reaches the threshold. Guard rails keep shared identifiers (a switchboard,
//! `info@`, a family phone) and placeholders (`0000000000`, `test@test.com`) from gluing
//! different people together, and flag pairs whose shared identifier contradicts the rest of
//! the evidence. Every link can be explained ([`Resolver::explain`]); every merge is in the
//! history and can be undone ([`Resolver::unmerge`], [`Resolver::split`]); manual merges and
//! "never merge" constraints hold against the rules.
//!
//! The result does not depend on the order of the records or on batch versus one-at-a-time
//! ingestion: the same records give the same customers with the same ids.
//!
//! ```
//! use omni_core::resolve::{Observation, Resolver, ResolverConfig};
//!
//! let mut form = Observation::new("form-1");
//! form.name = Some("Петров Александр".into());
//! form.phones = vec!["8 912 345-67-89".into()];
//! form.emails = vec!["a.petrov@gmail.com".into()];
//! let mut chat = Observation::new("wa-5");
//! chat.name = Some("Alexander Petrov".into());
//! chat.phones = vec!["+7 912 345 67 89".into()];
//!
//! let mut resolver = Resolver::new(ResolverConfig::default()).unwrap();
//! let outcome = resolver.add_many(vec![form, chat]).unwrap();
//! assert_eq!(outcome.customers, 1);
//! let card = resolver.customer("form-1").unwrap();
//! assert_eq!(card.identities.len(), 2); // one phone (seen twice) and the email
//! assert_eq!(card.identities[1].seen.len(), 2);
//! ```

mod block;
mod card;
mod compare;
mod estimate;
mod fields;
mod history;
mod observation;
mod person;
mod prepare;
mod resolver;
mod snapshot;
mod table;

pub use card::{
    ChannelUse, Conflict, CustomerCard, Identity, Provenance, RecordProblem, Survivorship,
    SurvivorshipRule,
};
pub use compare::{Evidence, FieldEvidence, Level, MatchModel, PairDecision};
pub use estimate::{estimate_model, Estimation};
pub use history::{Actor, EventKind, HistoryEvent};
pub use observation::{FieldKind, Observation};
pub use prepare::Placeholders;
pub use resolver::{
    AddOutcome, AddStatus, BatchOutcome, ReadRecord, RecordReader, Resolver, ResolverConfig,
    MAX_OBSERVATION_BYTES,
};
pub use table::{
    column_role, dedupe_table, observations_from_columns, parse_observation, parse_observations,
    split_list, split_phones, Cell, ColumnRole, TableResolution,
};
