//! The customer 360 engine: every channel feeds one [`Engine`], which keeps one card per
//! customer with their conversations, leads, consent and preferred channels, and says where to
//! send an outbound message.
//!
//! [`Engine::ingest`] takes one message through the whole pipeline: the sender is normalised
//! and resolved to a customer (new, or an existing one; customers merge when the message
//! proves they are one person), the message is threaded into the customer's conversations,
//! classified (a known customer's message is an `existing_customer` request, never a new
//! lead), and the consent ledger is updated (an opt-out found by classification, a consent box
//! ticked in a web form). The result says all of that at once. [`Engine::ingest_many`] does
//! the same for a batch, with one rejection per message it cannot take; a rejected message
//! changes nothing.
//!
//! Queries: [`Engine::customer`] (the 360 card), [`Engine::conversation`],
//! [`Engine::timeline`], [`Engine::find`] (any identifier in any format), [`Engine::route`]
//! (best channel with fallbacks, consent, reachability, quiet hours and cost), and the
//! analytics in [`Engine::analytics`]. Manual operations: [`Engine::merge`],
//! [`Engine::never_merge`], [`Engine::split`], [`Engine::forget`] (erasure). The whole state
//! saves to bytes with [`Engine::snapshot`] and loads with [`Engine::restore`].
//!
//! The engine is `Send + Sync`: share it between threads behind an `Arc`. Reading and
//! classifying a message happen outside its lock, so several threads ingest faster than one.
//!
//! ```
//! use omni_core::engine::{Engine, EngineConfig};
//! use omni_core::Message;
//!
//! let engine = Engine::new(EngineConfig::default()).unwrap();
//! let form = Message::from_json(r#"{"id":"form-1","channel":"web_form","direction":"inbound",
//!     "timestamp":"2024-05-01T10:00:00Z","text":"Хочу заказать диван, перезвоните",
//!     "form_fields":{"Имя":"Анна Смирнова","Телефон":"8 912 345-67-89"}}"#).unwrap();
//! let wa = Message::from_json(r#"{"id":"wa-1","channel":"whatsapp","direction":"inbound",
//!     "timestamp":"2024-05-01T12:00:00Z","from":{"identifiers":[{"kind":"phone","value":"+79123456789"}]},
//!     "text":"Добрый день, хочу добавить к заказу два кресла"}"#).unwrap();
//! let first = engine.ingest(form).unwrap();
//! let second = engine.ingest(wa).unwrap();
//! assert_eq!(first.customer_id, second.customer_id);
//! assert_eq!(first.lead.kind.name(), "new_lead");
//! assert!(second.known_customer);
//! assert_ne!(second.lead.kind.name(), "new_lead");
//! assert_eq!(engine.find("8 (912) 345-67-89").unwrap()[0].customer_id, "form-1");
//! ```

mod analytics;
mod config;
mod consent;
mod route;
mod snapshot;
mod store;

pub use analytics::{Analytics, ChannelStats, ChannelSwitch, DedupStats};
pub use config::{
    ConsentConfig, ConsentPolicy, EngineConfig, PreferenceConfig, QuietHours, ReachabilityConfig,
};
pub use consent::{ChannelConsent, ConsentAction, ConsentEntry, ConsentStatus, Purpose};
pub use route::{ChannelPreference, Excluded, LocalTime, Reachability, Route, RouteOption};

use crate::classify::{Assessment, Classifier, Intent, Kind, LeftContact, Temperature};
use crate::codec::NameTable;
use crate::error::{Error, ErrorKind, Result};
use crate::ident::{normalize_email, PhoneNormalizer};
use crate::message::{Channel, Direction, Identifier, IdentifierKind, Message, Rejection};
use crate::resolve::{
    CustomerCard, EventKind, FieldKind, HistoryEvent, Observation, ReadRecord, RecordReader,
    Resolver,
};
use crate::thread::{self, ConversationState, MessageReader, ReadMessage, Reassign, Threader};
use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use store::{MessageStore, StoredRef};

/// The declared resolver field that links messages of one chat session or provider
/// conversation.
const SESSION_FIELD: &str = "omni_session";
/// The declared resolver field that links messages of one site visitor or push subscription.
const DEVICE_FIELD: &str = "omni_device";
/// Prefix of the resolver records that carry provider consent events.
const CONSENT_PREFIX: &str = "consent:";

/// What the engine keeps of a lead assessment (the full one is in [`IngestResult`]; classify
/// the message again for the signals).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    /// The message.
    pub message_id: String,
    /// What it is.
    pub kind: Kind,
    /// What the sender wants.
    pub intents: Vec<Intent>,
    /// 0 to 100.
    pub score: u8,
    /// Hot, warm or cold.
    pub temperature: Temperature,
    /// For an opt-out, the channel it revokes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out_channel: Option<Channel>,
    /// A sale is possible.
    pub sales_opportunity: bool,
    /// The sender was a known customer (had an earlier message).
    pub known_customer: bool,
}

impl Lead {
    /// The verdict on every outbound message: not a lead (kind `not_applicable`, intent
    /// `other`, score 0, cold). The classifier gives exactly this for an outbound message
    /// whatever its text and whether the recipient is known (rules: an outbound message is
    /// `not_applicable`, its intents are cleared and its score capped at 0), so batches skip
    /// classifying outbound messages; the integration test
    /// `outbound_leads_do_not_depend_on_the_path` checks it.
    fn outbound(message_id: &str) -> Lead {
        Lead {
            message_id: message_id.to_string(),
            kind: Kind::NotApplicable,
            intents: vec![Intent::Other],
            score: 0,
            temperature: Temperature::Cold,
            opt_out_channel: None,
            sales_opportunity: false,
            known_customer: false,
        }
    }

    fn from_assessment(message_id: &str, a: &Assessment, known_customer: bool) -> Lead {
        Lead {
            message_id: message_id.to_string(),
            kind: a.kind,
            intents: a.intents.clone(),
            score: a.score,
            temperature: a.temperature,
            opt_out_channel: a.opt_out_channel.clone(),
            sales_opportunity: a.sales_opportunity,
            known_customer,
        }
    }
}

/// A lead with where it stands: one row of [`Engine::leads`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadRow {
    /// The assessment.
    #[serde(flatten)]
    pub lead: Lead,
    /// The customer now.
    pub customer_id: String,
    /// The conversation now.
    pub conversation_id: String,
    /// The message's channel.
    pub channel: Channel,
    /// The message's direction.
    pub direction: Direction,
    /// The message's time.
    pub timestamp: DateTime<Utc>,
}

/// What happened to a message that was ingested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IngestStatus {
    /// A new message.
    Added,
    /// The same message was already there: nothing changed.
    Duplicate,
    /// A message with this id was there with other content; it was replaced.
    Updated,
}

/// Everything one ingested message did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IngestResult {
    /// The message.
    pub message_id: String,
    /// New, duplicate or replaced.
    pub status: IngestStatus,
    /// Its customer, after any merge it caused.
    pub customer_id: String,
    /// Whether the customer had written or been written to before this message.
    pub known_customer: bool,
    /// Its conversation.
    pub conversation_id: String,
    /// The lead assessment (with signals and contacts left).
    pub lead: Assessment,
    /// Merges and splits of customers it caused.
    pub merges: Vec<HistoryEvent>,
    /// Conversation ids that no longer exist because of it (merged into another).
    pub retired_conversations: Vec<String>,
    /// Consent ledger entries it added.
    pub consent_changes: Vec<ConsentEntry>,
    /// What could not be used in it (a malformed phone, a missing parent email).
    pub problems: Vec<String>,
    /// Earlier-stored messages whose lead verdict changed because of it: a message that is
    /// earlier than the customer's first one makes that one a known customer's, and a merge
    /// makes one of the two first messages a known customer's (the stored [`Lead`]s are what
    /// ingesting in time order gives).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relabeled: Vec<String>,
}

/// One message of a batch, in short.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IngestSummary {
    /// The message.
    pub message_id: String,
    /// New, duplicate or replaced.
    pub status: IngestStatus,
    /// Its customer.
    pub customer_id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// What it is.
    pub kind: Kind,
    /// Lead score.
    pub score: u8,
    /// Lead temperature.
    pub temperature: Temperature,
}

/// What a batch did: every input message either ingested (in `ingested`, input order) or
/// rejected (with its input position and the reason).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchResult {
    /// The messages taken, in input order.
    pub ingested: Vec<IngestSummary>,
    /// The messages refused, with their position and why.
    #[serde(serialize_with = "serialize_rejections", skip_deserializing)]
    pub rejections: Vec<Rejection>,
    /// Customer merges and splits the batch caused.
    pub merges: usize,
    /// Consent entries the batch added.
    pub consent_changes: usize,
    /// Customers now.
    pub customers: usize,
    /// Conversations now.
    pub conversations: usize,
}

fn serialize_rejections<S: serde::Serializer>(
    list: &[Rejection],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(list.len()))?;
    for r in list {
        seq.serialize_element(&serde_json::json!({
            "index": r.index,
            "id": r.id,
            "code": r.error.code(),
            "kind": r.error.kind().name(),
            "message": r.error.message(),
        }))?;
    }
    seq.end()
}

/// A conversation in short, for the card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationSummary {
    /// Its id.
    pub id: String,
    /// Where it stands.
    pub state: ConversationState,
    /// Channels in order of first use.
    pub channels: Vec<Channel>,
    /// First message.
    pub started: DateTime<Utc>,
    /// Last message.
    pub last_activity: DateTime<Utc>,
    /// How many messages.
    pub messages: usize,
    /// Topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

/// Use of one channel by a customer, in messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelActivity {
    /// The channel.
    pub channel: Channel,
    /// Messages from the customer.
    pub inbound: usize,
    /// Messages to the customer.
    pub outbound: usize,
    /// First message.
    pub first: DateTime<Utc>,
    /// Last message.
    pub last: DateTime<Utc>,
}

/// The customer 360 card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// The customer id (the id of its earliest record).
    pub customer_id: String,
    /// The golden name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Identity: identities with provenance, golden fields, aliases, problems, conflicts (the
    /// resolver's card).
    pub identity: CustomerCard,
    /// Channels by messages, most used first.
    pub channels: Vec<ChannelActivity>,
    /// First message.
    #[serde(default, with = "crate::message::optional_timestamp")]
    pub first_contact: Option<DateTime<Utc>>,
    /// Last message.
    #[serde(default, with = "crate::message::optional_timestamp")]
    pub last_contact: Option<DateTime<Utc>>,
    /// How many messages.
    pub messages: usize,
    /// Conversations, oldest first.
    pub conversations: Vec<ConversationSummary>,
    /// Sales opportunities in conversations that are not resolved.
    pub open_leads: Vec<Lead>,
    /// Consent per sending channel and purpose.
    pub consent: Vec<ChannelConsent>,
    /// The channel the customer prefers, among channels we can send on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_channel: Option<Channel>,
    /// Preference of every channel the customer used, strongest first.
    pub preferences: Vec<ChannelPreference>,
    /// Addresses and whether they can be reached (at the last contact).
    pub reachability: Vec<Reachability>,
    /// Time zone.
    pub time_zone: LocalTime,
    /// Merge history.
    pub history: Vec<HistoryEvent>,
}

/// A conversation with its messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    /// The conversation as threading sees it.
    pub conversation: thread::Conversation,
    /// Its messages, oldest first, each with its lead assessment.
    pub messages: Vec<TimelineEntry>,
}

/// One message in a timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// The message.
    pub message: Message,
    /// Its conversation.
    pub conversation_id: String,
    /// Its lead assessment.
    pub lead: Lead,
}

/// A customer found by an identifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// The customer.
    pub customer_id: String,
    /// The identifier kind that matched (`phone`, `email`, ...).
    pub kind: String,
    /// Its normalised value.
    pub value: String,
}

/// What [`Engine::forget`] erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForgetReport {
    /// The customer erased.
    pub customer_id: String,
    /// Records erased (messages and consent records).
    pub records: usize,
    /// Messages erased.
    pub messages: usize,
    /// Conversations erased.
    pub conversations: usize,
}

/// A message ready to go in: checked, classified both ways (as from a stranger and as from a
/// known customer), its observation built. Batches keep only the compact [`Lead`]s.
struct Prepared<A = Assessment> {
    message: Message,
    /// The resolver record: as built, or read (normalised) already when the message goes in
    /// alone.
    record: RecordInput,
    stranger: A,
    known: A,
    form_addresses: Vec<Identifier>,
    /// The message read for threading, when it goes in alone (a batch threads its own way).
    read: Option<ReadMessage>,
    /// The message's stored form, built before the lock when it goes in alone.
    stored: StoredForm,
}

/// A message's stored form as built before the lock ([`store::encode_record_fixed`]).
#[derive(Debug)]
enum StoredForm {
    /// Not built (batches store their own way).
    NotBuilt,
    /// Built against the name table of the store of this generation.
    Built(u64, Box<[u8]>),
    /// The message has a name the table copy did not hold: built under the lock, after
    /// which the copy is renewed.
    Missed,
}

impl Prepared {
    fn compact(self) -> Prepared<Lead> {
        let id = &self.message.id;
        Prepared {
            stranger: Lead::from_assessment(id, &self.stranger, false),
            known: Lead::from_assessment(id, &self.known, true),
            message: self.message,
            record: self.record,
            form_addresses: self.form_addresses,
            read: None,
            stored: StoredForm::NotBuilt,
        }
    }
}

/// A message of a batch into an empty engine, ready to go in: a [`Prepared`] whose message
/// is already in its stored form and read for threading, with its consent entries for either
/// verdict (the message itself is not needed again).
struct BatchItem {
    /// The stored form (see `store`), names numbered in the batch's table.
    stored: Box<[u8]>,
    time: DateTime<Utc>,
    obs: Observation,
    read: ReadMessage,
    stranger: Lead,
    known: Lead,
    form_addresses: Vec<Identifier>,
    /// Consent entries with the stranger's verdict, then with the known customer's.
    consent: (Vec<ConsentEntry>, Vec<ConsentEntry>),
}

impl BatchItem {
    fn pack(
        p: Prepared<Lead>,
        read: ReadMessage,
        names: &mut NameTable,
        scratch: &mut Vec<u8>,
    ) -> BatchItem {
        let entries = |lead: &Lead| {
            consent::entries_from_message(
                &p.message,
                lead.kind,
                lead.opt_out_channel.as_ref(),
                &p.form_addresses,
            )
        };
        let stranger = entries(&p.stranger);
        let known = if (p.known.kind, &p.known.opt_out_channel)
            == (p.stranger.kind, &p.stranger.opt_out_channel)
        {
            stranger.clone()
        } else {
            entries(&p.known)
        };
        let obs = match p.record {
            RecordInput::Built(obs) => obs,
            RecordInput::Read(r) => r.into_observation(),
        };
        BatchItem {
            time: p.message.timestamp,
            stored: store::encode_record(names, scratch, p.message),
            obs,
            read,
            stranger: p.stranger,
            known: p.known,
            form_addresses: p.form_addresses,
            consent: (stranger, known),
        }
    }

    /// The message's id.
    fn id(&self) -> &str {
        store::record_id(&self.stored)
    }

    /// Back to a [`Prepared`], to go in one at a time.
    fn unpack(self, names: &NameTable) -> Prepared<Lead> {
        Prepared {
            message: store::decode_record(names, &self.stored)
                .expect("a message just stored decodes"),
            record: RecordInput::Built(self.obs),
            stranger: self.stranger,
            known: self.known,
            form_addresses: self.form_addresses,
            read: None,
            stored: StoredForm::NotBuilt,
        }
    }
}

/// A message's resolver record before it goes in. (Moved once per message, so the size
/// difference between the variants costs nothing worth a box.)
#[allow(clippy::large_enum_variant)]
enum RecordInput {
    /// As built from the message (checked).
    Built(Observation),
    /// Read by the resolver's [`RecordReader`] outside the lock.
    Read(ReadRecord),
}

/// What the engine needs of a verdict: the full assessment or the compact lead.
trait Verdict {
    fn kind(&self) -> Kind;
    fn opt_out_channel(&self) -> Option<&Channel>;
    fn to_lead(&self, message_id: &str, known: bool) -> Lead;
}

impl Verdict for Assessment {
    fn kind(&self) -> Kind {
        self.kind
    }
    fn opt_out_channel(&self) -> Option<&Channel> {
        self.opt_out_channel.as_ref()
    }
    fn to_lead(&self, message_id: &str, known: bool) -> Lead {
        Lead::from_assessment(message_id, self, known)
    }
}

impl Verdict for Lead {
    fn kind(&self) -> Kind {
        self.kind
    }
    fn opt_out_channel(&self) -> Option<&Channel> {
        self.opt_out_channel.as_ref()
    }
    fn to_lead(&self, _message_id: &str, known: bool) -> Lead {
        Lead {
            known_customer: known,
            ..self.clone()
        }
    }
}

/// [`IngestResult`] with either verdict.
struct Ingested<A> {
    message_id: String,
    status: IngestStatus,
    customer_id: String,
    known_customer: bool,
    conversation_id: String,
    lead: A,
    merges: Vec<HistoryEvent>,
    retired_conversations: Vec<String>,
    consent_changes: Vec<ConsentEntry>,
    problems: Vec<String>,
    relabeled: Vec<String>,
}

impl Ingested<Assessment> {
    fn full(self) -> IngestResult {
        IngestResult {
            message_id: self.message_id,
            status: self.status,
            customer_id: self.customer_id,
            known_customer: self.known_customer,
            conversation_id: self.conversation_id,
            lead: self.lead,
            merges: self.merges,
            retired_conversations: self.retired_conversations,
            consent_changes: self.consent_changes,
            problems: self.problems,
            relabeled: self.relabeled,
        }
    }
}

/// The mutable state behind the lock.
#[derive(Clone, Debug)]
pub(crate) struct State {
    pub resolver: Resolver,
    pub threader: Threader,
    pub messages: MessageStore,
    /// Consent entries by the record that brought them.
    pub ledger: FxHashMap<String, Vec<ConsentEntry>>,
    /// Explicit UTC offsets (seconds) by record id of the customer they were set on.
    pub time_zones: FxHashMap<String, i32>,
    /// Counter for manual records.
    pub manual_seq: u64,
    /// Counts the times the message store (and its name table) was replaced.
    pub store_generation: u64,
}

/// The customer 360 engine. See the [module documentation](self).
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
    classifier: Classifier,
    phones: PhoneNormalizer,
    /// Reads messages for the threader before the lock is taken.
    reader: MessageReader,
    /// Reads (normalises) resolver records before the lock is taken.
    records: RecordReader,
    /// A copy of the message store's name table with the store's generation, to build a
    /// message's stored form before the lock is taken; renewed when a message misses a name.
    store_names: Mutex<(u64, Arc<NameTable>)>,
    state: RwLock<State>,
}

/// Whether an inbound message comes from a mail system's own mailbox (a bounce from
/// `mailer-daemon@` or `postmaster@`).
fn from_mail_system(message: &Message) -> bool {
    message.from.identifiers.iter().any(|i| {
        i.kind == IdentifierKind::Email
            && i.value.split_once('@').is_some_and(|(local, _)| {
                ["mailer-daemon", "postmaster", "mail-daemon"]
                    .iter()
                    .any(|s| local.trim().eq_ignore_ascii_case(s))
            })
    })
}

fn internal_lock() -> Error {
    Error::new(
        ErrorKind::Internal,
        "the engine lock is poisoned (a thread panicked while holding it)",
    )
}

impl Engine {
    /// An empty engine.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an unknown region or a value out of range, naming
    /// the field.
    pub fn new(config: EngineConfig) -> Result<Engine> {
        config.validate()?;
        let state = State::new(&config)?;
        Engine::with_state(config, state)
    }

    fn with_state(config: EngineConfig, state: State) -> Result<Engine> {
        let classifier = Classifier::new()
            .with_region(&config.default_region)
            .map_err(|e| e.at("config.default_region"))?;
        let phones = PhoneNormalizer::new(&config.default_region)
            .map_err(|e| e.at("config.default_region"))?;
        Ok(Engine {
            config,
            classifier,
            phones,
            reader: state.threader.reader(),
            records: state.resolver.reader(),
            store_names: Mutex::new((
                state.store_generation,
                Arc::new(state.messages.names().clone()),
            )),
            state: RwLock::new(state),
        })
    }

    /// The copy of the store's name table, with the store's generation.
    fn store_names(&self) -> (u64, Arc<NameTable>) {
        let guard = self
            .store_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (guard.0, Arc::clone(&guard.1))
    }

    /// Renews the copy of the store's name table (called with the state locked).
    fn renew_store_names(&self, state: &State) {
        let copy = (
            state.store_generation,
            Arc::new(state.messages.names().clone()),
        );
        *self
            .store_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = copy;
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, State>> {
        self.state.read().map_err(|_| internal_lock())
    }

    fn write(&self) -> Result<RwLockWriteGuard<'_, State>> {
        self.state.write().map_err(|_| internal_lock())
    }

    // ----- ingest -----

    /// Checks and classifies a message and builds its resolver record; no lock is held.
    /// `alone`: the message goes in by itself, so it is also read for the threader here
    /// (a batch threads its own way).
    fn prepare(&self, message: Message, alone: bool) -> Result<Prepared> {
        Self::check(&message)?;
        let read = if alone {
            Some(self.reader.read(&message)?)
        } else {
            None
        };
        let (stranger, known) = self.classifier.classify_message_both(&message);
        let (obs, form_addresses) = self.observe(&message, &stranger.contacts);
        let record = if alone {
            RecordInput::Read(self.records.read(obs)?)
        } else {
            Resolver::check(&obs)?;
            RecordInput::Built(obs)
        };
        let mut message = message;
        let stored = if alone {
            let (generation, names) = self.store_names();
            match store::encode_record_fixed(&names, &mut message) {
                Some(record) => StoredForm::Built(generation, record),
                None => StoredForm::Missed,
            }
        } else {
            StoredForm::NotBuilt
        };
        Ok(Prepared {
            message,
            record,
            stranger,
            known,
            form_addresses,
            read,
            stored,
        })
    }

    /// [`Engine::prepare`] keeping only the compact verdicts, for batches: an outbound message
    /// is not classified at all (its verdict is [`Lead::outbound`]).
    fn prepare_compact(&self, message: Message) -> Result<Prepared<Lead>> {
        if message.direction != Direction::Outbound {
            return self.prepare(message, false).map(Prepared::compact);
        }
        Self::check(&message)?;
        let (obs, form_addresses) = self.observe(&message, &[]);
        Resolver::check(&obs)?;
        let record = RecordInput::Built(obs);
        let lead = Lead::outbound(&message.id);
        Ok(Prepared {
            stranger: lead.clone(),
            known: Lead {
                known_customer: true,
                ..lead
            },
            message,
            record,
            form_addresses,
            read: None,
            stored: StoredForm::NotBuilt,
        })
    }

    /// The checks every message passes before anything else.
    fn check(message: &Message) -> Result<()> {
        thread::check_message(message)?;
        if message.id.starts_with(CONSENT_PREFIX) || message.id.starts_with("manual:") {
            return Err(Error::new(
                ErrorKind::InvalidField,
                format!("id: {:?} uses a prefix the engine keeps for its own records (consent:, manual:)", message.id),
            ));
        }
        Ok(())
    }

    /// The resolver record of a message (with the contacts its text left, for an inbound one)
    /// and the addresses its consent form fields speak for.
    fn observe(
        &self,
        message: &Message,
        text_contacts: &[LeftContact],
    ) -> (Observation, Vec<Identifier>) {
        let mut obs = Observation::from_message(message);
        let system = message.direction == Direction::Inbound && from_mail_system(message);
        if system {
            // A bounce is about the customer whose address failed, which its text names: the
            // mail system's own mailbox and name are nobody's.
            let kept = (obs.record_id.clone(), obs.channel.clone(), obs.seen_at);
            obs = Observation::new(kept.0);
            (obs.channel, obs.seen_at) = (kept.1, kept.2);
            if self.config.link_contacts_in_text {
                obs.emails.extend(
                    text_contacts
                        .iter()
                        .filter(|c| c.contact.kind == IdentifierKind::Email)
                        .map(|c| c.contact.value.clone()),
                );
            }
        } else if message.direction == Direction::Inbound
            && self.config.link_contacts_in_text
            && !message.metadata.contains_key("auto_reply")
        {
            for c in text_contacts {
                let in_form = c.source.starts_with("form_fields");
                if in_form
                    && matches!(
                        c.contact.kind,
                        IdentifierKind::Phone | IdentifierKind::Email
                    )
                {
                    continue; // from_message reads the form's phone and email fields
                }
                match c.contact.kind {
                    IdentifierKind::Phone => obs.phones.push(c.contact.value.clone()),
                    IdentifierKind::Email => obs.emails.push(c.contact.value.clone()),
                    kind => obs
                        .identifiers
                        .push(Identifier::new(kind, c.contact.value.clone())),
                }
            }
        }
        if self.config.link_sessions {
            let key = message
                .refs
                .session_id
                .as_deref()
                .map(|s| ("s", s))
                .or(message.refs.conversation_id.as_deref().map(|s| ("c", s)));
            if let Some((k, v)) = key.filter(|(_, v)| !v.trim().is_empty()) {
                obs.fields.insert(
                    SESSION_FIELD.into(),
                    format!("{}:{k}:{}", message.channel.name(), v.trim()),
                );
            }
        }
        if self.config.link_devices {
            if let Some(d) = message
                .customer()
                .identifiers
                .iter()
                .find(|i| !i.kind.is_strong())
            {
                obs.fields.insert(
                    DEVICE_FIELD.into(),
                    format!("{}:{}", d.kind.name(), d.value),
                );
            }
        }
        let mut form_addresses = Vec::new();
        if message
            .form_fields
            .keys()
            .any(|k| consent::is_consent_field(k))
        {
            for p in &obs.phones {
                if let Ok(p) = self.phones.normalize(p) {
                    form_addresses.push(Identifier::new(IdentifierKind::Phone, p.e164));
                }
            }
            for e in &obs.emails {
                if let Ok(e) = normalize_email(e) {
                    form_addresses.push(Identifier::new(IdentifierKind::Email, e.canonical));
                }
            }
        }
        (obs, form_addresses)
    }

    /// The stored verdict of a message once whether its sender was known has changed, with
    /// the message's consent entries when they change with it (an opt-out that only one of
    /// the two verdicts sees).
    fn relabel(
        &self,
        message: &Message,
        old: &Lead,
        known: bool,
    ) -> (Lead, Option<Vec<ConsentEntry>>) {
        if message.direction == Direction::Outbound {
            let lead = Lead {
                known_customer: known,
                ..old.clone()
            };
            return (lead, None);
        }
        let a = self.classifier.classify_message(message, known, false);
        let lead = Lead::from_assessment(&message.id, &a, known);
        if (lead.kind == Kind::OptOut) == (old.kind == Kind::OptOut)
            && lead.opt_out_channel == old.opt_out_channel
        {
            return (lead, None);
        }
        let (_, form_addresses) = self.observe(message, &a.contacts);
        let entries = consent::entries_from_message(
            message,
            lead.kind,
            lead.opt_out_channel.as_ref(),
            &form_addresses,
        );
        (lead, Some(entries))
    }

    /// Ingests one message: resolves its customer, threads it, classifies it, updates consent.
    /// Ingesting the same message again changes nothing (status `duplicate`); a message with a
    /// known id and other content replaces the old one.
    ///
    /// # Errors
    /// [`ErrorKind::FieldMissing`] for a message without an id, [`ErrorKind::InputTooLarge`]
    /// for ids, references or sender data over the limits, [`ErrorKind::InvalidField`] for an
    /// id with a reserved prefix. The engine is unchanged after an error.
    pub fn ingest(&self, message: Message) -> Result<IngestResult> {
        let prepared = self.prepare(message, true)?;
        let mut state = self.write()?;
        state.ingest(prepared, self).map(Ingested::full)
    }

    /// Ingests one message given as JSON in omni's message format.
    ///
    /// # Errors
    /// As [`Message::from_json`] and [`Engine::ingest`].
    pub fn ingest_json(&self, json: &str) -> Result<IngestResult> {
        self.ingest(Message::from_json(json)?)
    }

    /// Ingests a batch. Every message is ingested or rejected (with its position and the
    /// reason); a rejected message changes nothing. Into an empty engine the batch runs the
    /// batch algorithms of resolution and threading; otherwise messages go in one at a time.
    /// The result is the same either way, and does not depend on the order of the batch.
    ///
    /// # Errors
    /// [`ErrorKind::Internal`] only (a poisoned lock).
    pub fn ingest_many(&self, messages: Vec<Message>) -> Result<BatchResult> {
        let mut rejections = Vec::new();
        let reject = |rejections: &mut Vec<Rejection>, index: usize, id, e: Error| {
            rejections.push(Rejection {
                index,
                id,
                error: e.at(format!("messages[{index}]")),
            })
        };
        // Into an empty engine, each message goes to its stored form as soon as it is
        // prepared, so the parsed batch is never held twice.
        if self.read()?.is_empty() {
            let mut names = NameTable::default();
            let mut scratch = Vec::new();
            let mut items = Vec::with_capacity(messages.len());
            for (index, m) in messages.into_iter().enumerate() {
                let id = (!m.id.trim().is_empty()).then(|| m.id.clone());
                match self.prepare_batch(m, &mut names, &mut scratch) {
                    Ok(p) => items.push((index, p)),
                    Err(e) => reject(&mut rejections, index, id, e),
                }
            }
            let mut state = self.write()?;
            let result = if state.is_empty() {
                state.ingest_batch(items, names)?
            } else {
                // Another thread got there first: one at a time, as for any non-empty engine.
                let prepared = items
                    .into_iter()
                    .map(|(index, b)| (index, b.unpack(&names)));
                state.ingest_each(prepared, self)
            };
            return Ok(Self::finish_batch(&state, result, rejections));
        }
        let mut prepared = Vec::with_capacity(messages.len());
        for (index, m) in messages.into_iter().enumerate() {
            let id = (!m.id.trim().is_empty()).then(|| m.id.clone());
            match self.prepare_compact(m) {
                Ok(p) => prepared.push((index, p)),
                Err(e) => reject(&mut rejections, index, id, e),
            }
        }
        let mut state = self.write()?;
        let result = if state.is_empty() {
            let mut names = NameTable::default();
            let mut scratch = Vec::new();
            let items = prepared
                .into_iter()
                .map(|(index, p)| {
                    let read = self.reader.read(&p.message)?;
                    Ok((index, BatchItem::pack(p, read, &mut names, &mut scratch)))
                })
                .collect::<Result<Vec<_>>>()?;
            state.ingest_batch(items, names)?
        } else {
            state.ingest_each(prepared.into_iter(), self)
        };
        Ok(Self::finish_batch(&state, result, rejections))
    }

    /// A batch's result with the counts after it and every rejection, in input order.
    fn finish_batch(
        state: &State,
        mut result: BatchResult,
        mut rejections: Vec<Rejection>,
    ) -> BatchResult {
        result.customers = state.customer_count();
        result.conversations = state.threader.conversation_count();
        rejections.append(&mut result.rejections);
        rejections.sort_by_key(|r| r.index);
        result.rejections = rejections;
        result
    }

    /// [`Engine::prepare_compact`] for a batch into an empty engine: the message is also read
    /// for threading, its consent entries found for either verdict, and it is put in its
    /// stored form (names numbered in `names`).
    fn prepare_batch(
        &self,
        message: Message,
        names: &mut NameTable,
        scratch: &mut Vec<u8>,
    ) -> Result<BatchItem> {
        let p = self.prepare_compact(message)?;
        let read = self.reader.read(&p.message)?;
        Ok(BatchItem::pack(p, read, names, scratch))
    }
}

impl State {
    /// Ingests prepared messages one at a time.
    fn ingest_each(
        &mut self,
        prepared: impl ExactSizeIterator<Item = (usize, Prepared<Lead>)>,
        engine: &Engine,
    ) -> BatchResult {
        {
            let mut r = BatchResult {
                ingested: Vec::with_capacity(prepared.len()),
                rejections: Vec::new(),
                merges: 0,
                consent_changes: 0,
                customers: 0,
                conversations: 0,
            };
            for (index, p) in prepared {
                match self.ingest(p, engine) {
                    Ok(one) => {
                        r.merges += one.merges.len();
                        r.consent_changes += one.consent_changes.len();
                        r.ingested.push(IngestSummary {
                            message_id: one.message_id,
                            status: one.status,
                            customer_id: one.customer_id,
                            conversation_id: one.conversation_id,
                            kind: one.lead.kind,
                            score: one.lead.score,
                            temperature: one.lead.temperature,
                        });
                    }
                    Err(e) => r.rejections.push(Rejection {
                        index,
                        id: None,
                        error: e.at(format!("messages[{index}]")),
                    }),
                }
            }
            r
        }
    }
}

impl Engine {
    /// Ingests a batch given as JSON (an array of messages, or JSON lines); malformed
    /// messages are rejections like any other.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidJson`] when the text as a whole is not JSON of messages,
    /// [`ErrorKind::InputTooLarge`] above [`crate::message::MAX_JSON_BYTES`].
    pub fn ingest_json_many(&self, json: &str) -> Result<BatchResult> {
        let batch = crate::message::parse_messages_lenient(json)?;
        // Positions: parse rejections keep theirs; accepted messages fill the rest in order.
        let mut positions = Vec::with_capacity(batch.messages.len());
        let rejected: FxHashSet<usize> = batch.rejections.iter().map(|r| r.index).collect();
        let mut i = 0;
        while positions.len() < batch.messages.len() {
            if !rejected.contains(&i) {
                positions.push(i);
            }
            i += 1;
        }
        let mut result = self.ingest_many(batch.messages)?;
        for r in &mut result.rejections {
            r.index = positions[r.index];
        }
        result.rejections.extend(batch.rejections);
        result.rejections.sort_by_key(|r| r.index);
        Ok(result)
    }

    /// Applies a provider event (from [`crate::adapt`]): a consent change goes into the ledger
    /// (its customer found by the identifiers it carries, or created); a delivery status
    /// updates the outbound message it is for (reachability follows). Other events are
    /// ignored. Returns the customer concerned, if any.
    ///
    /// # Errors
    /// [`ErrorKind::InputTooLarge`] for an event id over the id limit.
    pub fn apply_event(&self, event: &crate::adapt::Event) -> Result<Option<String>> {
        use crate::adapt::{Consent, Event};
        match event {
            Event::Consent(c) => {
                let record_id = format!("{CONSENT_PREFIX}{}", c.event_id);
                if record_id.len() > thread::MAX_ID_BYTES {
                    return Err(Error::too_large(
                        "event_id",
                        c.event_id.len(),
                        thread::MAX_ID_BYTES,
                    ));
                }
                let mut obs = Observation::new(record_id.clone());
                obs.channel = Some(c.channel.clone());
                obs.seen_at = Some(c.timestamp);
                obs.name = c.customer.display_name.clone();
                obs.identifiers = c.customer.identifiers.clone();
                Resolver::check(&obs)?;
                let address = c
                    .channel
                    .properties()
                    .identifiers
                    .iter()
                    .find_map(|k| c.customer.identifiers.iter().find(|i| i.kind == *k))
                    .cloned();
                let action = match c.consent {
                    Consent::OptIn => ConsentAction::OptIn,
                    Consent::OptOut => ConsentAction::OptOut,
                };
                let purposes: &[Purpose] = match action {
                    ConsentAction::OptIn => &[Purpose::Marketing],
                    ConsentAction::OptOut => Purpose::ALL,
                };
                let entries: Vec<ConsentEntry> = purposes
                    .iter()
                    .map(|&purpose| ConsentEntry {
                        channel: c.channel.clone(),
                        purpose,
                        action,
                        at: c.timestamp,
                        source: record_id.clone(),
                        basis: format!("provider: {}", c.reason),
                        address: address.clone(),
                    })
                    .collect();
                let mut state = self.write()?;
                let outcome = state.resolver.add(obs)?;
                let customers = state.sync_threads(&outcome.events)?;
                state.settle_known(self, &customers);
                state.ledger.insert(record_id, entries);
                Ok(Some(outcome.customer_id))
            }
            Event::Status(s) => {
                let mut state = self.write()?;
                let Some(id) = s.message_id.as_deref() else {
                    return Ok(None);
                };
                let Some(stored) = state.messages.get(id) else {
                    return Ok(None);
                };
                let newer = stored.message().status.is_none_or_rank_below(s.status);
                if newer {
                    state.messages.update(id, |m| m.status = Some(s.status));
                }
                Ok(state.resolver.customer_of(id).map(str::to_string))
            }
            _ => Ok(None),
        }
    }

    /// Records a consent change made by hand (a signed form, a call-centre note) for a
    /// customer. Returns the entry.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer.
    pub fn record_consent(
        &self,
        customer_id: &str,
        channel: Channel,
        purpose: Purpose,
        action: ConsentAction,
        at: DateTime<Utc>,
        basis: &str,
    ) -> Result<ConsentEntry> {
        let mut state = self.write()?;
        let customer = state.customer_id(customer_id)?;
        state.manual_seq += 1;
        let entry = ConsentEntry {
            channel,
            purpose,
            action,
            at,
            source: format!("manual:{}", state.manual_seq),
            basis: basis.to_string(),
            address: None,
        };
        state
            .ledger
            .entry(customer)
            .or_default()
            .push(entry.clone());
        Ok(entry)
    }

    /// Sets a customer's time zone as a UTC offset (`+05:00`), over the one read from their
    /// phone.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer, [`ErrorKind::InvalidArgument`] for an
    /// offset that does not read.
    pub fn set_time_zone(&self, customer_id: &str, offset: &str) -> Result<()> {
        let secs = config::parse_offset(offset).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("offset: {offset:?} is not a UTC offset like \"+05:00\""),
            )
        })?;
        let mut state = self.write()?;
        let customer = state.customer_id(customer_id)?;
        state.time_zones.insert(customer, secs);
        Ok(())
    }

    // ----- queries -----

    /// How many customers, messages and conversations there are.
    pub fn counts(&self) -> Result<(usize, usize, usize)> {
        let s = self.read()?;
        Ok((
            s.customer_count(),
            s.messages.len(),
            s.threader.conversation_count(),
        ))
    }

    /// The customer a message or a former customer id belongs to now.
    pub fn customer_of(&self, id: &str) -> Result<Option<String>> {
        Ok(self.read()?.resolver.customer_of(id).map(str::to_string))
    }

    /// Every customer id, sorted.
    pub fn customer_ids(&self) -> Result<Vec<String>> {
        let s = self.read()?;
        Ok(s.resolver
            .customer_ids()
            .into_iter()
            .map(str::to_string)
            .collect())
    }

    /// The 360 card of a customer (by its id, a former id, or any of its message ids).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id.
    pub fn customer(&self, id: &str) -> Result<Customer> {
        let s = self.read()?;
        s.customer_card(&self.config, &self.phones, id)
    }

    /// A conversation with its messages.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown conversation id.
    pub fn conversation(&self, id: &str) -> Result<ConversationView> {
        let s = self.read()?;
        let conversation = s.threader.conversation(id).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("conversation_id: no conversation {id:?}"),
            )
        })?;
        let messages = conversation
            .message_ids
            .iter()
            .filter_map(|m| s.entry(m))
            .collect();
        Ok(ConversationView {
            conversation,
            messages,
        })
    }

    /// Every message of a customer on every channel, oldest first.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer.
    pub fn timeline(&self, customer_id: &str) -> Result<Vec<TimelineEntry>> {
        let s = self.read()?;
        let customer = s.customer_id(customer_id)?;
        Ok(s.message_ids_of(&customer)
            .iter()
            .filter_map(|m| s.entry(m))
            .collect())
    }

    /// The customers holding an identifier written in any format (`8 912 345-67-89` finds
    /// `+79123456789`; emails in any case or provider variant; `@handle`, profile links,
    /// `kind:value`).
    pub fn find(&self, text: &str) -> Result<Vec<Found>> {
        let s = self.read()?;
        Ok(s.resolver
            .lookup(text)
            .into_iter()
            .filter(|(kind, _, _)| !kind.starts_with("fields.omni_"))
            .map(|(kind, value, customer_id)| Found {
                customer_id,
                kind,
                value,
            })
            .collect())
    }

    /// The stored lead assessment of a message.
    pub fn lead(&self, message_id: &str) -> Result<Option<Lead>> {
        Ok(self
            .read()?
            .messages
            .get(message_id)
            .map(|s| s.lead().to_lead(s.id())))
    }

    /// Where to send an outbound message of `purpose` to a customer at `now`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer.
    pub fn route(&self, customer_id: &str, purpose: Purpose, now: DateTime<Utc>) -> Result<Route> {
        let s = self.read()?;
        s.route(&self.config, &self.phones, customer_id, purpose, now)
    }

    /// Counts by channel, channel switches and deduplication figures over everything ingested.
    pub fn analytics(&self) -> Result<Analytics> {
        let s = self.read()?;
        Ok(analytics::compute(&s))
    }

    /// Every stored lead with its customer, conversation, channel and time, ordered by
    /// message time.
    pub fn leads(&self) -> Result<Vec<LeadRow>> {
        let s = self.read()?;
        let mut out: Vec<LeadRow> = s
            .messages
            .values()
            .map(|st| {
                let m = st.message();
                LeadRow {
                    lead: st.lead().to_lead(st.id()),
                    customer_id: s
                        .resolver
                        .customer_of(&m.id)
                        .unwrap_or_default()
                        .to_string(),
                    conversation_id: s
                        .threader
                        .conversation_of(&m.id)
                        .unwrap_or_default()
                        .to_string(),
                    channel: m.channel.clone(),
                    direction: m.direction,
                    timestamp: m.timestamp,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (a.timestamp, &a.lead.message_id).cmp(&(b.timestamp, &b.lead.message_id))
        });
        Ok(out)
    }

    /// Every conversation.
    pub fn conversations(&self) -> Result<Vec<thread::Conversation>> {
        Ok(self.read()?.threader.conversations())
    }

    // ----- manual operations -----

    /// Merges two customers by hand; their conversations, leads and consent follow. Returns
    /// the merge event (none when they already are one).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id.
    pub fn merge(&self, a: &str, b: &str) -> Result<Option<HistoryEvent>> {
        let mut s = self.write()?;
        let event = s.resolver.merge(a, b, None)?;
        if let Some(e) = &event {
            let customers = s.sync_threads(std::slice::from_ref(e))?;
            s.settle_known(self, &customers);
        }
        Ok(event)
    }

    /// Marks two customers as never to be merged.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id; [`ErrorKind::InvalidArgument`] when they
    /// are one customer.
    pub fn never_merge(&self, a: &str, b: &str) -> Result<HistoryEvent> {
        let mut s = self.write()?;
        s.resolver.never_merge(a, b, None)
    }

    /// Splits messages (records) off a customer by hand; they never join it again by rule.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer; [`ErrorKind::InvalidArgument`] when
    /// a record is not the customer's, or the records are none or all of them.
    pub fn split(&self, customer_id: &str, record_ids: &[&str]) -> Result<Vec<HistoryEvent>> {
        let mut s = self.write()?;
        let events = s.resolver.split(customer_id, record_ids, None)?;
        let customers = s.sync_threads(&events)?;
        s.settle_known(self, &customers);
        Ok(events)
    }

    /// Erases a customer: every message, conversation, lead, consent entry, identity and
    /// time zone of theirs. Nothing of them remains in the engine or its later snapshots
    /// (merge history keeps its events with `[erased]` in place of their ids).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer.
    pub fn forget(&self, customer_id: &str) -> Result<ForgetReport> {
        let mut s = self.write()?;
        let customer = s.customer_id(customer_id)?;
        let records = s.resolver.remove_customer(&customer, None)?;
        let conversations = match s.threader.remove_customer(&customer) {
            Ok(c) => c.retired.len(),
            Err(e) if e.kind() == ErrorKind::NotFound => 0,
            Err(e) => return Err(e),
        };
        let mut messages = 0;
        for r in &records {
            if s.messages.remove(r) {
                messages += 1;
            }
            s.ledger.remove(r);
            s.time_zones.remove(r);
        }
        s.messages.shrink_to_fit();
        Ok(ForgetReport {
            customer_id: customer,
            records: records.len(),
            messages,
            conversations,
        })
    }

    // ----- snapshots -----

    /// The whole engine as bytes: `OMNIENG4`, a CRC-32 of the payload, the payload (the
    /// head, threader and resolver in omni's compact binary snapshot codec, the messages as
    /// stored; the resolver part is written on a second thread).
    ///
    /// # Errors
    /// [`ErrorKind::Internal`] only (a poisoned lock).
    pub fn snapshot(&self) -> Result<Vec<u8>> {
        let s = self.read()?;
        Ok(snapshot::write(&self.config, &s))
    }

    /// An engine from [`Engine::snapshot`] bytes.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSnapshot`] when the bytes are not an engine snapshot, are
    /// corrupted, or do not decode; [`ErrorKind::UnsupportedVersion`] for a snapshot of an
    /// earlier format (`OMNIENG1` to `OMNIENG3`), which is not read. Nothing is half-loaded. The resolver
    /// is rebuilt on a second thread.
    pub fn restore(bytes: &[u8]) -> Result<Engine> {
        let (config, state) = snapshot::read(bytes)?;
        Engine::with_state(config, state)
            .map_err(|e| Error::new(ErrorKind::InvalidSnapshot, format!("snapshot: {e}")))
    }
}

trait StatusRank {
    fn is_none_or_rank_below(&self, new: crate::message::DeliveryStatus) -> bool;
}

impl StatusRank for Option<crate::message::DeliveryStatus> {
    fn is_none_or_rank_below(&self, new: crate::message::DeliveryStatus) -> bool {
        self.map_or(true, |old| old.rank() <= new.rank())
    }
}

impl State {
    fn new(config: &EngineConfig) -> Result<State> {
        let mut rc = config.resolver.clone();
        rc.default_region = config.default_region.clone();
        if config.link_sessions {
            rc.fields
                .insert(SESSION_FIELD.into(), FieldKind::Identifier);
        }
        if config.link_devices {
            rc.fields.insert(DEVICE_FIELD.into(), FieldKind::Identifier);
        }
        Ok(State {
            resolver: Resolver::new(rc).map_err(|e| e.at("config.resolver"))?,
            threader: Threader::new(config.threading.clone())
                .map_err(|e| e.at("config.threading"))?,
            messages: MessageStore::default(),
            ledger: FxHashMap::default(),
            time_zones: FxHashMap::default(),
            manual_seq: 0,
            store_generation: 0,
        })
    }

    fn is_empty(&self) -> bool {
        self.messages.is_empty()
            && self.resolver.record_count() == 0
            && self.resolver.all_history().is_empty()
    }

    pub(crate) fn customer_count(&self) -> usize {
        self.resolver.customer_count()
    }

    fn customer_id(&self, id: &str) -> Result<String> {
        self.resolver
            .customer_of(id)
            .map(str::to_string)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("customer_id: no customer {id:?}"),
                )
            })
    }

    /// The message ids of a customer, oldest first.
    pub(crate) fn message_ids_of(&self, customer: &str) -> Vec<String> {
        let mut ids: Vec<(DateTime<Utc>, &str)> = self
            .resolver
            .records(customer)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|o| {
                self.messages
                    .get(&o.record_id)
                    .map(|s| (s.time(), o.record_id.as_str()))
            })
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id.to_string()).collect()
    }

    fn entry(&self, id: &str) -> Option<TimelineEntry> {
        let s = self.messages.get(id)?;
        Some(TimelineEntry {
            message: s.message(),
            conversation_id: self
                .threader
                .conversation_of(id)
                .unwrap_or_default()
                .to_string(),
            lead: s.lead().to_lead(id),
        })
    }

    /// Moves the messages of customers a merge or split touched to their customer now.
    /// Moves messages in the threader to the customers the resolver's merges and splits
    /// gave them; returns those customers.
    fn sync_threads(&mut self, events: &[HistoryEvent]) -> Result<Vec<String>> {
        let mut customers: Vec<String> = Vec::new();
        for e in events {
            if matches!(e.kind, EventKind::Merge | EventKind::Split) {
                for id in std::iter::once(&e.customer_id).chain(&e.others) {
                    if let Some(c) = self.resolver.customer_of(id) {
                        customers.push(c.to_string());
                    }
                }
            }
        }
        customers.sort();
        customers.dedup();
        for c in &customers {
            let moving: Vec<String> = self
                .resolver
                .records(c)
                .unwrap_or_default()
                .into_iter()
                .map(|o| o.record_id.as_str())
                .filter(|id| self.threader.customer_of(id).is_some_and(|t| t != c))
                .map(str::to_string)
                .collect();
            if !moving.is_empty() {
                self.threader.reassign(Reassign::Messages {
                    messages: moving,
                    to: c.clone(),
                })?;
            }
        }
        Ok(customers)
    }

    /// Keeps every stored message's verdict as a batch computes it: from a stranger for each
    /// customer's earliest message, from a known customer for the others. Relabels the
    /// messages of `customers` that are off (see [`Engine::relabel`]); returns their ids.
    fn settle_known(&mut self, engine: &Engine, customers: &[String]) -> Vec<String> {
        let mut off: Vec<(String, bool)> = Vec::new();
        for c in customers {
            let Some(records) = self.resolver.records_unordered(c) else {
                continue;
            };
            let stored: Vec<StoredRef<'_>> = records
                .filter_map(|o| self.messages.get(&o.record_id))
                .collect();
            let Some(first) = stored.iter().map(|s| (s.time(), s.id())).min() else {
                continue;
            };
            off.extend(
                stored
                    .iter()
                    .filter(|s| s.lead().known_customer == (s.id() == first.1))
                    .map(|s| (s.id().to_string(), s.id() != first.1)),
            );
        }
        for (id, known) in &off {
            self.relabel(engine, id, *known);
        }
        off.into_iter().map(|(id, _)| id).collect()
    }

    /// Gives stored message `id` the verdict for `known` (see [`Engine::relabel`]).
    fn relabel(&mut self, engine: &Engine, id: &str, known: bool) {
        let Some(st) = self.messages.get(id) else {
            return;
        };
        let (lead, entries) = engine.relabel(&st.message(), &st.lead().to_lead(id), known);
        match entries {
            Some(e) if e.is_empty() => {
                self.ledger.remove(id);
            }
            Some(e) => {
                self.ledger.insert(id.to_string(), e);
            }
            None => {}
        }
        self.messages.set_lead(id, lead);
    }

    /// The customer's earliest stored message other than `id`, by time then id.
    fn earliest_other(&self, customer: &str, id: &str) -> Option<(DateTime<Utc>, String)> {
        // A customer's id is its earliest record by time, then id (the resolver's anchor rule),
        // and a message's record has the message's id and time: when that record is a stored
        // message other than `id`, it is the answer without looking at the others.
        if customer != id {
            if let Some(s) = self.messages.get(customer) {
                let found = (s.time(), customer.to_string());
                debug_assert_eq!(
                    Some(&found),
                    self.earliest_other_by_scan(customer, id).as_ref()
                );
                return Some(found);
            }
        }
        self.earliest_other_by_scan(customer, id)
    }

    /// [`State::earliest_other`] by looking at every record of the customer.
    fn earliest_other_by_scan(&self, customer: &str, id: &str) -> Option<(DateTime<Utc>, String)> {
        self.resolver
            .records_unordered(customer)?
            .filter(|o| o.record_id != id)
            .filter_map(|o| self.messages.get(&o.record_id))
            .map(|s| (s.time(), s.id()))
            .min()
            .map(|(at, id)| (at, id.to_string()))
    }

    fn ingest<A: Verdict>(&mut self, p: Prepared<A>, engine: &Engine) -> Result<Ingested<A>> {
        let id = p.message.id.clone();
        let status = match self.messages.get(&id) {
            Some(old) if old.message() == p.message => IngestStatus::Duplicate,
            Some(_) => IngestStatus::Updated,
            None => IngestStatus::Added,
        };
        if status == IngestStatus::Duplicate {
            let customer_id = self
                .resolver
                .customer_of(&id)
                .unwrap_or_default()
                .to_string();
            let known = self
                .messages
                .get(&id)
                .is_some_and(|s| s.lead().known_customer);
            return Ok(Ingested {
                message_id: id.clone(),
                status,
                conversation_id: self
                    .threader
                    .conversation_of(&id)
                    .unwrap_or_default()
                    .to_string(),
                customer_id,
                known_customer: known,
                lead: if known { p.known } else { p.stranger },
                merges: Vec::new(),
                retired_conversations: Vec::new(),
                consent_changes: Vec::new(),
                problems: Vec::new(),
                relabeled: Vec::new(),
            });
        }
        // A replaced message may leave its customer: that one's first message may change.
        let before = match status {
            IngestStatus::Updated => self.resolver.customer_of(&id).map(str::to_string),
            _ => None,
        };
        let outcome = match p.record {
            RecordInput::Built(obs) => self.resolver.add(obs)?,
            RecordInput::Read(r) => self.resolver.add_read(r)?,
        };
        let mut problems = outcome.problems.clone();
        let mut affected = self.sync_threads(&outcome.events)?;
        affected.extend(before);
        let customer = outcome.customer_id.clone();
        let earliest = self.earliest_other(&customer, &id);
        let known = earliest
            .as_ref()
            .is_some_and(|(at, e)| (*at, e.as_str()) < (p.message.timestamp, id.as_str()));
        let thread = self.threader.add_read(&p.message, p.read, &customer)?;
        problems.extend(thread.problems.iter().map(|pr| pr.detail.clone()));
        let lead = if known { p.known } else { p.stranger };
        let entries = consent::entries_from_message(
            &p.message,
            lead.kind(),
            lead.opt_out_channel(),
            &p.form_addresses,
        );
        if entries.is_empty() {
            self.ledger.remove(&id);
        } else {
            self.ledger.insert(id.clone(), entries.clone());
        }
        let stored_lead = lead.to_lead(&id, known);
        match p.stored {
            StoredForm::Built(generation, record) if generation == self.store_generation => {
                self.messages
                    .insert_record(record, p.message.timestamp, stored_lead);
            }
            missed => {
                self.messages.insert(p.message, stored_lead);
                if !matches!(missed, StoredForm::NotBuilt) {
                    engine.renew_store_names(self);
                }
            }
        }
        let relabeled = if affected.is_empty() {
            // Only the customer's earliest other message can have changed place: it is the
            // first one unless this message is earlier.
            match earliest {
                Some((_, e))
                    if self
                        .messages
                        .get(&e)
                        .is_some_and(|s| s.lead().known_customer == known) =>
                {
                    self.relabel(engine, &e, !known);
                    vec![e]
                }
                _ => Vec::new(),
            }
        } else {
            if !affected.contains(&customer) {
                affected.push(customer.clone());
            }
            self.settle_known(engine, &affected)
        };
        Ok(Ingested {
            message_id: id,
            status,
            customer_id: self
                .resolver
                .customer_of(&thread.message_id)
                .unwrap_or(&customer)
                .to_string(),
            known_customer: known,
            conversation_id: thread.conversation_id,
            lead,
            merges: outcome.events,
            retired_conversations: thread.retired,
            consent_changes: entries,
            problems,
            relabeled,
        })
    }

    /// A batch into an empty engine: resolution and threading in one pass each. The
    /// messages come in their stored form (names numbered in `names`) and become the store.
    fn ingest_batch(
        &mut self,
        items: Vec<(usize, BatchItem)>,
        names: NameTable,
    ) -> Result<BatchResult> {
        // A repeated id: the later message wins (as resolution and threading do).
        let n = items.len();
        let mut keep = vec![false; n];
        let mut status: Vec<IngestStatus> = Vec::with_capacity(n);
        {
            let mut last: FxHashMap<&str, usize> = FxHashMap::default();
            let mut first: FxHashMap<&str, &[u8]> = FxHashMap::default();
            for (i, (_, p)) in items.iter().enumerate() {
                let id = p.id();
                last.insert(id, i);
                status.push(match first.get(id) {
                    None => IngestStatus::Added,
                    Some(m) if **m == *p.stored => IngestStatus::Duplicate,
                    // Equal messages have equal stored forms but for numbers that compare
                    // equal in other forms (0.0 and -0.0): the messages decide.
                    Some(m)
                        if store::decode_record(&names, m).ok()
                            == store::decode_record(&names, &p.stored).ok() =>
                    {
                        IngestStatus::Duplicate
                    }
                    Some(_) => IngestStatus::Updated,
                });
                first.entry(id).or_insert(&p.stored);
            }
            for i in last.into_values() {
                keep[i] = true;
            }
        }
        // Kept messages move on; repeats keep only their id for the summary.
        let mut observations = Vec::with_capacity(n);
        let mut kept: Vec<Box<[u8]>> = Vec::with_capacity(n);
        let mut times: Vec<DateTime<Utc>> = Vec::with_capacity(n);
        let mut reads: Vec<ReadMessage> = Vec::with_capacity(n);
        type Verdicts = (Lead, Lead, (Vec<ConsentEntry>, Vec<ConsentEntry>));
        let mut verdicts: Vec<Verdicts> = Vec::with_capacity(n);
        let mut order: Vec<(String, Option<usize>)> = Vec::with_capacity(n);
        for ((_, p), k) in items.into_iter().zip(&keep) {
            if *k {
                observations.push(p.obs);
                order.push((String::new(), Some(kept.len())));
                kept.push(p.stored);
                times.push(p.time);
                reads.push(p.read);
                verdicts.push((p.stranger, p.known, p.consent));
            } else {
                order.push((p.id().to_string(), None));
            }
        }
        let outcome = self.resolver.add_many(observations)?;
        let merges = outcome.events;
        drop(outcome);
        let ids: Vec<&str> = kept.iter().map(|r| store::record_id(r)).collect();
        let customers: Vec<&str> = ids
            .iter()
            .map(|id| self.resolver.customer_of(id).unwrap_or_default())
            .collect();
        // Known: not the customer's earliest message.
        let mut earliest: FxHashMap<&str, (DateTime<Utc>, &str)> = FxHashMap::default();
        for ((t, id), c) in times.iter().zip(&ids).zip(&customers) {
            let key = (*t, *id);
            earliest
                .entry(c)
                .and_modify(|e| {
                    if key < *e {
                        *e = key
                    }
                })
                .or_insert(key);
        }
        let known: Vec<bool> = times
            .iter()
            .zip(&ids)
            .zip(&customers)
            .map(|((t, id), c)| earliest[c] != (*t, *id))
            .collect();
        drop(earliest);
        self.threader.add_many_read(reads, &ids, &customers)?;
        let customers: Vec<String> = customers.into_iter().map(str::to_string).collect();
        let mut result = BatchResult {
            ingested: Vec::with_capacity(n),
            rejections: Vec::new(),
            merges,
            consent_changes: 0,
            customers: 0,
            conversations: 0,
        };
        let leads: Vec<Lead> = verdicts
            .iter()
            .zip(&known)
            .map(|((stranger, known_lead, _), &k)| {
                if k {
                    known_lead.to_lead("", true)
                } else {
                    stranger.clone()
                }
            })
            .collect();
        // A repeat is reported with the verdict of the message that stayed.
        let kept_index: FxHashMap<&str, usize> = if order.iter().any(|(_, slot)| slot.is_none()) {
            ids.iter().enumerate().map(|(k, id)| (*id, k)).collect()
        } else {
            FxHashMap::default()
        };
        for ((id, slot), st) in order.iter().zip(status) {
            let k = match slot {
                Some(k) => *k,
                None => kept_index.get(id.as_str()).copied().unwrap_or(0),
            };
            let (id, lead) = match slot {
                Some(_) => (ids[k], &leads[k]),
                None => (id.as_str(), &leads[k]),
            };
            result.ingested.push(IngestSummary {
                message_id: id.to_string(),
                status: st,
                // A repeat has the id of the message that stayed, so the same customer.
                customer_id: customers.get(k).cloned().unwrap_or_default(),
                conversation_id: self
                    .threader
                    .conversation_of(id)
                    .unwrap_or_default()
                    .to_string(),
                kind: lead.kind,
                score: lead.score,
                temperature: lead.temperature,
            });
        }
        drop(customers);
        drop(kept_index);
        for ((id, &k), (_, _, (stranger, known))) in ids.iter().zip(&known).zip(verdicts) {
            let entries = if k { known } else { stranger };
            if !entries.is_empty() {
                result.consent_changes += entries.len();
                self.ledger.insert(id.to_string(), entries);
            }
        }
        drop(ids);
        if self.messages.is_empty() {
            // The batch went into an empty engine: its records become the store as they are.
            self.messages = MessageStore::from_records(names, kept, times, leads);
            self.store_generation += 1;
        } else {
            for (record, lead) in kept.into_iter().zip(leads) {
                let message =
                    store::decode_record(&names, &record).expect("a message just stored decodes");
                self.messages.insert(message, lead);
            }
        }
        Ok(result)
    }

    fn identities_of(&self, card: &CustomerCard, messages: &[&Message]) -> Vec<Identifier> {
        let mut out: Vec<Identifier> = card
            .identities
            .iter()
            .filter_map(|i| {
                IdentifierKind::from_name(&i.kind).map(|k| Identifier::new(k, i.value.clone()))
            })
            .collect();
        for m in messages {
            for i in &m.customer().identifiers {
                if !out.contains(i) {
                    out.push(i.clone());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn phone_regions(&self, phones: &PhoneNormalizer, identities: &[Identifier]) -> Vec<String> {
        identities
            .iter()
            .filter(|i| i.kind == IdentifierKind::Phone)
            .filter_map(|i| phones.normalize(&i.value).ok()?.region)
            .collect()
    }

    fn explicit_tz(&self, records: &[String]) -> Option<i32> {
        records.iter().find_map(|r| self.time_zones.get(r).copied())
    }

    fn consent_of(
        &self,
        config: &EngineConfig,
        records: &[String],
        jurisdiction: &str,
        channels: &[Channel],
    ) -> Vec<ChannelConsent> {
        let entries: Vec<&ConsentEntry> = records
            .iter()
            .filter_map(|r| self.ledger.get(r))
            .flatten()
            .collect();
        let policy = config.consent.policy(jurisdiction);
        let mut all_channels: Vec<Channel> = channels.to_vec();
        for e in &entries {
            if !all_channels.contains(&e.channel) {
                all_channels.push(e.channel.clone());
            }
        }
        let mut out = Vec::new();
        for c in &all_channels {
            for &p in Purpose::ALL {
                out.push(consent::fold(c, p, &entries, policy, jurisdiction));
            }
        }
        out
    }

    fn customer_card(
        &self,
        config: &EngineConfig,
        phones: &PhoneNormalizer,
        id: &str,
    ) -> Result<Customer> {
        let customer = self.customer_id(id)?;
        let card = self.resolver.customer(&customer).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("customer_id: no customer {id:?}"),
            )
        })?;
        let records: Vec<String> = card.records.iter().map(|r| r.record_id.clone()).collect();
        let ids = self.message_ids_of(&customer);
        let msgs: Vec<Message> = ids
            .iter()
            .filter_map(|i| self.messages.get(i).map(|s| s.message()))
            .collect();
        let mut channels: BTreeMap<Channel, ChannelActivity> = BTreeMap::new();
        for m in &msgs {
            let a = channels
                .entry(m.channel.clone())
                .or_insert(ChannelActivity {
                    channel: m.channel.clone(),
                    inbound: 0,
                    outbound: 0,
                    first: m.timestamp,
                    last: m.timestamp,
                });
            match m.direction {
                Direction::Inbound => a.inbound += 1,
                Direction::Outbound => a.outbound += 1,
            }
            a.first = a.first.min(m.timestamp);
            a.last = a.last.max(m.timestamp);
        }
        let mut channels: Vec<ChannelActivity> = channels.into_values().collect();
        channels.sort_by(|a, b| {
            (b.inbound + b.outbound)
                .cmp(&(a.inbound + a.outbound))
                .then(a.channel.cmp(&b.channel))
        });
        let conversations: Vec<thread::Conversation> = self.threader.conversations_of(&customer);
        let open: FxHashSet<&str> = conversations
            .iter()
            .filter(|c| c.state != ConversationState::Resolved)
            .map(|c| c.id.as_str())
            .collect();
        let open_leads: Vec<Lead> = ids
            .iter()
            .filter(|i| {
                self.messages
                    .get(i)
                    .is_some_and(|s| s.lead().sales_opportunity)
                    && self
                        .threader
                        .conversation_of(i)
                        .is_some_and(|c| open.contains(c))
            })
            .filter_map(|i| self.messages.get(i).map(|s| s.lead().to_lead(i)))
            .collect();
        let last = msgs.last().map(|m| m.timestamp);
        let reference = last.unwrap_or_else(|| card.last_seen.unwrap_or_default());
        let (prefs, reach, consent, tz) =
            self.routing_facts(config, phones, &records, &msgs, &card, reference);
        let preferred_channel = prefs
            .iter()
            .find(|p| {
                reach
                    .iter()
                    .any(|r| r.channel == p.channel && r.status == "reachable")
            })
            .map(|p| p.channel.clone());
        let summaries = conversations
            .iter()
            .map(|c| ConversationSummary {
                id: c.id.clone(),
                state: c.state,
                channels: c.channels.clone(),
                started: c.started,
                last_activity: c.last_activity,
                messages: c.message_ids.len(),
                topic: c.topic.clone(),
            })
            .collect();
        let history = self
            .resolver
            .history(&customer)
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect();
        Ok(Customer {
            customer_id: customer,
            name: card.name.clone(),
            channels,
            first_contact: msgs.first().map(|m| m.timestamp),
            last_contact: last,
            messages: msgs.len(),
            conversations: summaries,
            open_leads,
            consent,
            preferred_channel,
            preferences: prefs,
            reachability: reach,
            time_zone: tz,
            history,
            identity: card,
        })
    }

    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn routing_facts(
        &self,
        config: &EngineConfig,
        phones: &PhoneNormalizer,
        records: &[String],
        msgs: &[Message],
        card: &CustomerCard,
        now: DateTime<Utc>,
    ) -> (
        Vec<ChannelPreference>,
        Vec<Reachability>,
        Vec<ChannelConsent>,
        LocalTime,
    ) {
        let msgs: Vec<&Message> = msgs.iter().collect();
        let with_conv: Vec<(&Message, &str)> = msgs
            .iter()
            .map(|m| {
                (
                    *m,
                    self.threader
                        .conversation_of(&m.id)
                        .unwrap_or(m.id.as_str()),
                )
            })
            .collect();
        let prefs = route::preferences(&config.preference, &with_conv, now);
        let identities = self.identities_of(card, &msgs);
        let reach = route::reachability(config, &identities, &msgs, now);
        let regions = self.phone_regions(phones, &identities);
        let jurisdiction = regions
            .first()
            .cloned()
            .unwrap_or_else(|| config.default_region.clone());
        let mut sending: Vec<Channel> = Vec::new();
        for r in &reach {
            if !sending.contains(&r.channel) {
                sending.push(r.channel.clone());
            }
        }
        let consent = self.consent_of(config, records, &jurisdiction, &sending);
        let tz = route::local_time(config, self.explicit_tz(records), &regions);
        (prefs, reach, consent, tz)
    }

    fn route(
        &self,
        config: &EngineConfig,
        phones: &PhoneNormalizer,
        id: &str,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<Route> {
        let customer = self.customer_id(id)?;
        let card = self.resolver.customer(&customer).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("customer_id: no customer {id:?}"),
            )
        })?;
        let records: Vec<String> = card.records.iter().map(|r| r.record_id.clone()).collect();
        let msgs: Vec<Message> = self
            .message_ids_of(&customer)
            .iter()
            .filter_map(|i| self.messages.get(i).map(|s| s.message()))
            .collect();
        let (prefs, reach, consent, tz) =
            self.routing_facts(config, phones, &records, &msgs, &card, now);
        Ok(route::route(
            config, &customer, purpose, now, &prefs, &reach, &consent, tz,
        ))
    }
}
