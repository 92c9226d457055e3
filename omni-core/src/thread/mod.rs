//! Conversation threading across channels: a customer's messages on every channel grouped into
//! conversations, with each conversation's state, and a staleness check for planned follow-ups.
//!
//! Messages are threaded per customer (after identity resolution). Explicit links come first:
//! email threads by JWZ over `Message-ID` / `References` / `In-Reply-To` with subject grouping,
//! messenger reply ids, chat session ids, provider conversation ids, and order or ticket numbers
//! in the text. Then time: a message on a channel without threading of its own (a call, a form,
//! a messenger, SMS) continues the customer's current conversation when it comes within the
//! inactivity gap of its channel. Two email threads stay separate unless something explicit
//! links them. The exact rules are in [`group`](self#rules) below.
//!
//! A customer's conversations are a pure function of the set of that customer's messages, so
//! the result does not depend on the order messages arrive in, and adding them one at a time
//! ([`Threader::add`]) gives the same conversations as adding them at once
//! ([`Threader::add_many`], [`thread_messages`]). A conversation's id is the id of its earliest
//! message (by time, then id): the same messages always give the same id. When a late message
//! joins two conversations the later one's id retires and the outcome says so.
//!
//! ```
//! use omni_core::thread::{ConversationState, ThreadConfig, Threader};
//! use omni_core::Message;
//!
//! let form = Message::from_json(r#"{"id":"form-1","channel":"web_form","direction":"inbound",
//!     "timestamp":"2024-05-01T10:00:00Z","text":"Нужен тур в Турцию, перезвоните"}"#).unwrap();
//! let call = Message::from_json(r#"{"id":"call-1","channel":"voice","direction":"outbound",
//!     "timestamp":"2024-05-01T10:20:00Z"}"#).unwrap();
//! let wa = Message::from_json(r#"{"id":"wa-1","channel":"whatsapp","direction":"outbound",
//!     "timestamp":"2024-05-01T10:40:00Z","text":"Отправили подборку туров"}"#).unwrap();
//!
//! let mut threader = Threader::new(ThreadConfig::default()).unwrap();
//! for m in [&wa, &form, &call] {
//!     threader.add(m, "form-1").unwrap();
//! }
//! let conversation = threader.conversation("form-1").unwrap();
//! assert_eq!(conversation.message_ids, ["form-1", "call-1", "wa-1"]);
//! assert_eq!(conversation.state, ConversationState::WaitingForCustomer);
//! ```
//!
//! # Rules
//! With a customer's messages sorted by time, then id:
//! 1. Explicit links join messages into groups: email threads (JWZ; then threads whose
//!    normalised subjects agree and that come within [`ThreadConfig::subject_window_secs`] of
//!    each other), `reply_to_id` naming another message's id, a shared `session_id`, a shared
//!    provider `conversation_id`, a shared order or ticket number ([`reference_keys`]).
//! 2. A group without email whose first message comes within the inactivity gap of its channel
//!    ([`ThreadConfig::gap_secs`]) after the customer's previous message joins that message's
//!    conversation. Groups with email never join by time.
//! 3. Messages whose timestamps fall outside [`ThreadConfig::not_before`] /
//!    [`ThreadConfig::not_after`] take part in explicit links only; the reason is recorded.

mod batch;
mod email;
mod follow_up;
mod group;
mod record;
mod state;
mod subject;
mod text;

pub use batch::{
    resolve_message_customers, thread_messages, thread_messages_json, CustomerAssignment, Threading,
};
pub use follow_up::{FollowUpCheck, FollowUpReason, FollowUpReasonKind};
pub use subject::{normalize_subject, subject_key};
pub use text::reference_keys;

use crate::error::{Error, ErrorKind, Result};
use crate::message::{Channel, Direction, Message, Rejection};
use chrono::{DateTime, TimeZone, Utc};
use group::{by_time_then_id, compute, ConvCore, Placement, Scratch, NONE};
use hashbrown::HashTable;
use record::Record;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::Arc;

/// The longest message id, reference id, session or conversation id accepted, in bytes.
pub const MAX_ID_BYTES: usize = 1024;

/// The most `references` plus `in_reply_to` ids one message may carry.
pub const MAX_REFERENCES: usize = 1000;

/// Checks that a message can be threaded (it has an id; its ids and references are within
/// [`MAX_ID_BYTES`] and [`MAX_REFERENCES`]) without threading it: [`Threader::add`] fails on
/// exactly these messages.
///
/// # Errors
/// [`ErrorKind::FieldMissing`] for an empty id, [`ErrorKind::InputTooLarge`] naming the field.
pub fn check_message(message: &Message) -> Result<()> {
    record::validate(message)
}

/// How conversations are cut. Every field has a default; times are in seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThreadConfig {
    /// The inactivity gap after which a message on a channel without its own threading starts a
    /// new conversation (default 86 400: one day).
    pub inactivity_gap_secs: u64,
    /// Gaps for particular channels, by channel name (`{"live_chat": 7200}`); others use
    /// `inactivity_gap_secs`.
    pub channel_gaps_secs: BTreeMap<String, u64>,
    /// Email threads with the same normalised subject join when one starts within this long
    /// after the other's last message (default 30 days; 0 turns subject grouping off).
    pub subject_window_secs: u64,
    /// Timestamps before this are implausible (default 2000-01-01T00:00:00Z).
    #[serde(with = "crate::message::optional_timestamp")]
    pub not_before: Option<DateTime<Utc>>,
    /// Timestamps after this are implausible (default none; set it to "now" plus some clock
    /// skew to catch future-dated messages).
    #[serde(with = "crate::message::optional_timestamp")]
    pub not_after: Option<DateTime<Utc>>,
}

impl Default for ThreadConfig {
    fn default() -> Self {
        ThreadConfig {
            inactivity_gap_secs: 86_400,
            channel_gaps_secs: BTreeMap::new(),
            subject_window_secs: 30 * 86_400,
            not_before: Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single(),
            not_after: None,
        }
    }
}

impl ThreadConfig {
    /// The inactivity gap for `channel`, in seconds.
    pub fn gap_secs(&self, channel: &Channel) -> u64 {
        self.gap_secs_named(channel.name())
    }

    /// The inactivity gap for the channel named `name`, in seconds.
    fn gap_secs_named(&self, name: &str) -> u64 {
        if self.channel_gaps_secs.is_empty() {
            return self.inactivity_gap_secs;
        }
        self.channel_gaps_secs
            .get(name)
            .copied()
            .unwrap_or(self.inactivity_gap_secs)
    }

    fn validate(&self) -> Result<()> {
        let limit = 100 * 365 * 86_400;
        let too_long = |name: &str, v: u64| {
            (v > limit).then(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("config.{name}: {v} seconds is more than 100 years"),
                )
            })
        };
        if let Some(e) = too_long("inactivity_gap_secs", self.inactivity_gap_secs)
            .or_else(|| too_long("subject_window_secs", self.subject_window_secs))
        {
            return Err(e);
        }
        for (name, &gap) in &self.channel_gaps_secs {
            if let Some(e) = too_long(&format!("channel_gaps_secs.{name}"), gap) {
                return Err(e);
            }
        }
        if let (Some(a), Some(b)) = (self.not_before, self.not_after) {
            if a > b {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "config: not_before {} is after not_after {}",
                        a.to_rfc3339(),
                        b.to_rfc3339()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Where a conversation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// Going on, nobody owes a reply (after a call or a visit, or reopened by an event).
    Open,
    /// The customer wrote last: we owe a reply.
    WaitingForUs,
    /// We wrote last: the customer owes a reply.
    WaitingForCustomer,
    /// Closed: by an explicit event, the customer's words (`спасибо, получил`), or a payment or
    /// order confirmation.
    Resolved,
}

impl ConversationState {
    /// The snake_case name (`waiting_for_us`).
    pub fn name(self) -> &'static str {
        match self {
            ConversationState::Open => "open",
            ConversationState::WaitingForUs => "waiting_for_us",
            ConversationState::WaitingForCustomer => "waiting_for_customer",
            ConversationState::Resolved => "resolved",
        }
    }
}

/// How a message came into its conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinKind {
    /// It starts the conversation.
    Start,
    /// An email reply to the `with` message (its parent in the JWZ tree).
    EmailReply,
    /// In the same email thread as `with` (siblings under a missing parent, or the thread root).
    EmailThread,
    /// An email thread with the same normalised subject as `with`'s.
    EmailSubject,
    /// A messenger reply to (or replied to by) `with`.
    ReplyTo,
    /// The same chat or call session as `with`.
    Session,
    /// The same provider conversation as `with`.
    ProviderConversation,
    /// The same order or ticket number as `with`.
    OrderOrTicket,
    /// Within the inactivity gap after `with`, the customer's previous message.
    TimeWindow,
}

/// Why a message is where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinReason {
    /// The kind of link.
    pub via: JoinKind,
    /// The message it links to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
    /// The shared key, for sessions, provider conversations, orders and tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// What was wrong with a message; it is still threaded by the rules that apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A reference that is not a message id (empty, spaces inside); ignored.
    MalformedReference,
    /// The message it replies to is not among the customer's messages.
    MissingParent,
    /// Its references lead back to itself; the looping link is ignored.
    ReferenceLoop,
    /// Another message has the same email `Message-ID`; threaded as a copy next to it.
    DuplicateMessageId,
    /// Timestamp before [`ThreadConfig::not_before`]: no time-window links.
    TimestampTooEarly,
    /// Timestamp after [`ThreadConfig::not_after`]: no time-window links.
    TimestampInFuture,
    /// No customer was given or resolved: the message is its own customer.
    NoCustomer,
}

/// A problem with a message, and what was done about it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Problem {
    /// The kind of problem.
    pub kind: ProblemKind,
    /// What exactly, naming the field.
    pub detail: String,
}

impl Problem {
    pub(crate) fn new(kind: ProblemKind, detail: String) -> Problem {
        Problem { kind, detail }
    }
}

/// One message as placed in a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadedMessage {
    /// The message id.
    pub id: String,
    /// Its channel.
    pub channel: Channel,
    /// Inbound or outbound.
    pub direction: Direction,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
    /// How it joined the conversation.
    pub joined_by: JoinReason,
    /// What was wrong with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// A conversation: a customer's messages about one matter, across channels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// The id of its earliest message (by time, then id).
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// Its message ids, oldest first.
    pub message_ids: Vec<String>,
    /// Its messages with how each joined, oldest first.
    pub messages: Vec<ThreadedMessage>,
    /// Channels in order of first use.
    pub channels: Vec<Channel>,
    /// Where it stands.
    pub state: ConversationState,
    /// The message that resolved it, while it is resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
    /// Its first message's time.
    pub started: DateTime<Utc>,
    /// Its last message's time.
    pub last_activity: DateTime<Utc>,
    /// The customer's first message.
    #[serde(default, with = "crate::message::optional_timestamp")]
    pub first_inbound: Option<DateTime<Utc>>,
    /// The customer's last message.
    #[serde(default, with = "crate::message::optional_timestamp")]
    pub last_inbound: Option<DateTime<Utc>>,
    /// Our first message.
    #[serde(default, with = "crate::message::optional_timestamp")]
    pub first_outbound: Option<DateTime<Utc>>,
    /// Our last message.
    #[serde(default, with = "crate::message::optional_timestamp")]
    pub last_outbound: Option<DateTime<Utc>>,
    /// Seconds from the customer's first message to our first reply after it.
    #[serde(default)]
    pub first_response_secs: Option<i64>,
    /// The topic: the first normalised subject, or the first line of the first inbound text.
    #[serde(default)]
    pub topic: Option<String>,
    /// Order and ticket numbers mentioned (`order:12345`, `ticket:5521`), sorted.
    #[serde(default)]
    pub references: Vec<String>,
}

/// What [`Threader::add`] did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddStatus {
    /// A new message.
    Added,
    /// The same message (same id, same threading facts, same customer) was already there.
    Duplicate,
    /// A message with this id was there with other content or another customer; replaced.
    Updated,
}

/// A conversation that changed, and the conversations (by their ids before the change) whose
/// messages it now holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationChange {
    /// Its id now.
    pub conversation_id: String,
    /// The ids, before the change, of the conversations its messages were in (empty for a new
    /// conversation of new messages).
    pub previous: Vec<String>,
}

/// The outcome of adding one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadOutcome {
    /// The message.
    pub message_id: String,
    /// Its customer.
    pub customer_id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// New, duplicate or replaced.
    pub status: AddStatus,
    /// Conversations that changed because of it (created, grew, merged, split, changed state).
    pub changed: Vec<ConversationChange>,
    /// Conversation ids that no longer exist (merged into another, or renamed because an earlier
    /// message joined).
    pub retired: Vec<String>,
    /// What was wrong with the message.
    pub problems: Vec<Problem>,
}

/// The outcome of adding many messages. Find each message's conversation with
/// [`Threader::conversation_of`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    /// Messages that could not be added, with their input position and why.
    #[serde(skip)]
    pub rejections: Vec<Rejection>,
    /// How many were new.
    pub added: usize,
    /// How many were duplicates of messages already there (or earlier in the batch).
    pub duplicates: usize,
    /// How many replaced a message with the same id.
    pub updated: usize,
    /// Conversations that changed or were created. Left empty when the threader was empty
    /// before the batch: then every conversation is new (list them with
    /// [`Threader::conversations_of`] or [`Threader::partition`]).
    pub changed: Vec<ConversationChange>,
    /// Conversation ids that no longer exist.
    pub retired: Vec<String>,
}

/// Which messages to move to another customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reassign {
    /// Every message of customer `customer` (identity resolution merged it into `to`).
    Customer {
        /// The customer whose messages move.
        customer: String,
        /// The customer they move to.
        to: String,
    },
    /// These messages (identity resolution split them off into `to`).
    Messages {
        /// The message ids.
        messages: Vec<String>,
        /// The customer they move to.
        to: String,
    },
}

/// The outcome of a reassignment or a removal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeOutcome {
    /// How many messages moved or were removed.
    pub messages: usize,
    /// Conversations that changed.
    pub changed: Vec<ConversationChange>,
    /// Conversation ids that no longer exist.
    pub retired: Vec<String>,
}

#[derive(Clone, Debug)]
struct CustomerThreads {
    id: Box<str>,
    /// Message slots, sorted by time, then id.
    slots: Vec<u32>,
    convs: Vec<ConvCore>,
}

/// Threads messages into conversations, one message at a time or in batches, with the same
/// result in any order. Cheap to clone; `Send + Sync`; serialisable (serde) for snapshots.
///
/// ```
/// use omni_core::thread::{AddStatus, ThreadConfig, Threader};
/// use omni_core::Message;
///
/// let mut threader = Threader::new(ThreadConfig::default()).unwrap();
/// let first = Message::from_json(r#"{"id":"e1","channel":"email","direction":"inbound",
///     "timestamp":"2024-05-01T10:00:00Z","subject":"Счёт","refs":{"message_id":"a@example.com"}}"#).unwrap();
/// let reply = Message::from_json(r#"{"id":"e2","channel":"email","direction":"outbound",
///     "timestamp":"2024-05-03T10:00:00Z","subject":"Re: Счёт","refs":{"message_id":"b@example.com",
///     "in_reply_to":["a@example.com"]}}"#).unwrap();
/// threader.add(&reply, "cust-1").unwrap();
/// let outcome = threader.add(&first, "cust-1").unwrap();
/// assert_eq!(outcome.conversation_id, "e1");
/// assert_eq!(outcome.retired, ["e2"]); // the reply's conversation is now e1's
/// assert_eq!(threader.add(&first, "cust-1").unwrap().status, AddStatus::Duplicate);
/// ```
#[derive(Clone, Debug)]
pub struct Threader {
    /// Shared with the [`MessageReader`]s handed out, which read messages by it.
    config: Arc<ThreadConfig>,
    records: Vec<Option<Record>>,
    placements: Vec<Placement>,
    /// Problems found while threading, by slot (the few slots whose placement says so).
    placement_problems: FxHashMap<u32, Vec<Problem>>,
    customer_of_slot: Vec<u32>,
    /// Slots by message id, hashed from each record's own id (no second copy of the ids).
    by_id: HashTable<u32>,
    customers: Vec<Option<CustomerThreads>>,
    /// Customer indices by customer id, with the id's start inline (most ids are compared
    /// without reading the customer).
    customer_ix: HashTable<CustomerKey>,
}

/// Reads messages the way a [`Threader`] does (the text signals, references and times it
/// threads by), without the threader: [`Threader::reader`] hands one out, and
/// [`Threader::add_read`] takes what it read. Reading is most of the work of adding a message
/// that needs no state, so it can happen on the caller's thread, outside any lock.
#[derive(Clone, Debug)]
pub struct MessageReader {
    config: Arc<ThreadConfig>,
}

/// A message read by a [`MessageReader`], for [`Threader::add_read`] with that message.
#[derive(Clone, Debug)]
pub struct ReadMessage {
    config: Arc<ThreadConfig>,
    record: Record,
}

impl MessageReader {
    /// Reads `message`.
    ///
    /// # Errors
    /// As [`Threader::add`] for the message itself (no id, an id or references over the
    /// limits).
    pub fn read(&self, message: &Message) -> Result<ReadMessage> {
        Ok(ReadMessage {
            config: Arc::clone(&self.config),
            record: Record::from_message(message, &self.config)?,
        })
    }
}

/// How many bytes of a customer id its index entry holds.
const KEY_HEAD: usize = 24;

/// An entry of the customer index: the customer, its id's length and first bytes.
#[derive(Clone, Debug)]
struct CustomerKey {
    customer: u32,
    len: u32,
    head: [u8; KEY_HEAD],
}

impl CustomerKey {
    fn new(customer: u32, id: &str) -> CustomerKey {
        let mut head = [0u8; KEY_HEAD];
        let n = id.len().min(KEY_HEAD);
        head[..n].copy_from_slice(&id.as_bytes()[..n]);
        CustomerKey {
            customer,
            len: id.len() as u32,
            head,
        }
    }

    /// Whether this entry is customer `id`, whose entry would be `probe`; `customers` is read
    /// only for long ids.
    fn is(&self, probe: &CustomerKey, id: &str, customers: &[Option<CustomerThreads>]) -> bool {
        // Both heads are zero-padded: whole arrays compare (no call to memcmp).
        self.len == probe.len
            && self.head == probe.head
            && (id.len() <= KEY_HEAD
                || customers[self.customer as usize]
                    .as_ref()
                    .is_some_and(|ct| &*ct.id == id))
    }

    /// The hash of the customer id of this entry; `customers` is read only for long ids.
    fn hash(&self, customers: &[Option<CustomerThreads>]) -> u64 {
        match std::str::from_utf8(&self.head[..(self.len as usize).min(KEY_HEAD)]) {
            Ok(id) if self.len as usize <= KEY_HEAD => hash_id(id),
            _ => hash_id(
                customers[self.customer as usize]
                    .as_ref()
                    .map_or("", |ct| &ct.id),
            ),
        }
    }
}

/// The hash of an id in the threader's tables.
fn hash_id(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

/// A conversation before a change: id, members, summary.
type Before = Vec<(Box<str>, ConvCore)>;

impl Threader {
    /// A threader with `config`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for gaps over 100 years or `not_before` after `not_after`.
    pub fn new(config: ThreadConfig) -> Result<Threader> {
        config.validate()?;
        Ok(Threader {
            config: Arc::new(config),
            records: Vec::new(),
            placements: Vec::new(),
            placement_problems: FxHashMap::default(),
            customer_of_slot: Vec::new(),
            by_id: HashTable::new(),
            customers: Vec::new(),
            customer_ix: HashTable::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ThreadConfig {
        &self.config
    }

    /// How many messages it holds.
    pub fn message_count(&self) -> usize {
        self.by_id.len()
    }

    /// How many customers it holds.
    pub fn customer_count(&self) -> usize {
        self.customer_ix.len()
    }

    /// How many conversations there are.
    pub fn conversation_count(&self) -> usize {
        self.customers.iter().flatten().map(|c| c.convs.len()).sum()
    }

    fn record(&self, slot: u32) -> &Record {
        self.records[slot as usize]
            .as_ref()
            .expect("slots in use hold records")
    }

    fn customer(&self, slot: u32) -> &CustomerThreads {
        self.customers[self.customer_of_slot[slot as usize] as usize]
            .as_ref()
            .expect("slots in use belong to live customers")
    }

    /// The slot of the message with id `id` (whose hash is `hash`).
    fn find_slot(&self, hash: u64, id: &str) -> Option<u32> {
        let records = &self.records;
        self.by_id
            .find(hash, |&s| {
                records[s as usize].as_ref().is_some_and(|r| r.id() == id)
            })
            .copied()
    }

    /// The slot of the message with id `id`.
    fn slot_of(&self, id: &str) -> Option<u32> {
        self.find_slot(hash_id(id), id)
    }

    /// Indexes `slot` (holding a record whose id is not indexed yet) by its id's `hash`.
    fn index_slot(&mut self, hash: u64, slot: u32) {
        let records = &self.records;
        self.by_id.insert_unique(hash, slot, |&s| {
            hash_id(records[s as usize].as_ref().map_or("", |r| r.id()))
        });
    }

    /// Removes `slot` (still holding its record) from the id index.
    fn unindex_slot(&mut self, slot: u32) {
        let Some(r) = self.records[slot as usize].as_ref() else {
            return;
        };
        if let Ok(entry) = self.by_id.find_entry(hash_id(r.id()), |&s| s == slot) {
            entry.remove();
        }
    }

    /// The index of customer `id`, if known.
    fn customer_of_id(&self, id: &str) -> Option<u32> {
        let customers = &self.customers;
        let probe = CustomerKey::new(0, id);
        self.customer_ix
            .find(hash_id(id), |k| k.is(&probe, id, customers))
            .map(|k| k.customer)
    }

    /// The customer index for `id`, created if new.
    fn customer_index(&mut self, id: &str) -> u32 {
        self.customer_index_hashed(hash_id(id), id)
    }

    /// [`Threader::customer_index`] given the `hash` of `id`.
    fn customer_index_hashed(&mut self, hash: u64, id: &str) -> u32 {
        let customers = &self.customers;
        let c = customers.len() as u32;
        let probe = CustomerKey::new(c, id);
        if let Some(k) = self.customer_ix.find(hash, |k| k.is(&probe, id, customers)) {
            return k.customer;
        }
        self.customers.push(Some(CustomerThreads {
            id: id.into(),
            slots: Vec::new(),
            convs: Vec::new(),
        }));
        let customers = &self.customers;
        self.customer_ix
            .insert_unique(hash, probe, |k| k.hash(customers));
        c
    }

    /// Removes customer `c` (still present) from the customer index.
    fn unindex_customer(&mut self, c: u32) {
        let Some(ct) = self.customers[c as usize].as_ref() else {
            return;
        };
        if let Ok(entry) = self
            .customer_ix
            .find_entry(hash_id(&ct.id), |k| k.customer == c)
        {
            entry.remove();
        }
    }

    fn snapshot_before(&self, customers: &[u32], before: &mut Before) {
        for &c in customers {
            if let Some(ct) = &self.customers[c as usize] {
                for conv in &ct.convs {
                    before.push((self.record(conv.members[0]).id().into(), conv.clone()));
                }
            }
        }
    }

    /// Recomputes the conversations of `customers` (their slots already updated) and returns
    /// what changed against `before`.
    fn recompute(
        &mut self,
        customers: &[u32],
        before: Option<&Before>,
    ) -> (Vec<ConversationChange>, Vec<String>) {
        for &c in customers {
            if self.customers[c as usize]
                .as_ref()
                .is_some_and(|ct| ct.slots.is_empty())
            {
                self.unindex_customer(c);
                self.customers[c as usize] = None;
            }
        }
        let Threader {
            config,
            records,
            placements,
            placement_problems,
            customers: all,
            ..
        } = self;
        let mut scratch = Scratch::default();
        for (k, &c) in customers.iter().enumerate() {
            // The next customer's records, read ahead (their parts lie apart in memory).
            if let Some(next) = customers.get(k + 1).and_then(|&n| all[n as usize].as_ref()) {
                let touched = next.slots.iter().fold(0u8, |x, &s| {
                    x ^ records[s as usize].as_ref().map_or(0, Record::touch)
                });
                std::hint::black_box(touched);
            }
            let Some(ct) = all[c as usize].as_mut() else {
                continue;
            };
            let convs = compute(&ct.slots, records, config, &mut scratch);
            for (&slot, p) in ct.slots.iter().zip(scratch.placements.drain(..)) {
                if placements[slot as usize].has_problems {
                    placement_problems.remove(&slot);
                }
                placements[slot as usize] = p;
            }
            // Each message's problems in one list of their own (the old ones are gone), in the
            // order they were found.
            scratch.problems.sort_by_key(|&(local, _)| local);
            let mut found = scratch.problems.drain(..).peekable();
            while let Some((local, problem)) = found.next() {
                let mut list = vec![problem];
                while let Some((_, more)) = found.next_if(|&(l, _)| l == local) {
                    list.push(more);
                }
                let slot = ct.slots[local as usize];
                placements[slot as usize].has_problems = true;
                placement_problems.insert(slot, list);
            }
            ct.convs = convs;
        }
        match before {
            Some(before) => self.diff(customers, before),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn diff(&self, customers: &[u32], before: &Before) -> (Vec<ConversationChange>, Vec<String>) {
        let mut old_of_slot: FxHashMap<u32, usize> = FxHashMap::default();
        for (k, (_, conv)) in before.iter().enumerate() {
            for &m in &conv.members {
                old_of_slot.insert(m, k);
            }
        }
        let mut changed = Vec::new();
        let mut now_ids: FxHashSet<&str> = FxHashSet::default();
        for &c in customers {
            let Some(ct) = &self.customers[c as usize] else {
                continue;
            };
            for conv in &ct.convs {
                let id = self.record(conv.members[0]).id();
                now_ids.insert(id);
                let mut previous: Vec<usize> = conv
                    .members
                    .iter()
                    .filter_map(|m| old_of_slot.get(m).copied())
                    .collect();
                previous.sort_unstable();
                previous.dedup();
                let same = previous.len() == 1 && {
                    let (old_id, old) = &before[previous[0]];
                    &**old_id == id && old == conv
                };
                if !same {
                    let mut previous: Vec<String> =
                        previous.iter().map(|&k| before[k].0.to_string()).collect();
                    previous.sort_unstable();
                    changed.push(ConversationChange {
                        conversation_id: id.to_string(),
                        previous,
                    });
                }
            }
        }
        let mut retired: Vec<String> = before
            .iter()
            .filter(|(id, _)| !now_ids.contains(&**id))
            .map(|(id, _)| id.to_string())
            .collect();
        retired.sort_unstable();
        retired.dedup();
        changed.sort_by(|a, b| a.conversation_id.cmp(&b.conversation_id));
        (changed, retired)
    }

    /// Inserts `slot` into customer `c`'s sorted slots.
    fn insert_slot(&mut self, c: u32, slot: u32) {
        let records = &self.records;
        let r = records[slot as usize].as_ref().expect("live record");
        let ct = self.customers[c as usize].as_mut().expect("live customer");
        let at = ct.slots.partition_point(|&s| {
            by_time_then_id(records[s as usize].as_ref().expect("live"), r).is_lt()
        });
        ct.slots.insert(at, slot);
        self.customer_of_slot[slot as usize] = c;
    }

    fn remove_slot(&mut self, slot: u32) -> u32 {
        let c = self.customer_of_slot[slot as usize];
        self.remove_from_customer(c, slot);
        c
    }

    /// Takes `slot` out of customer `c`'s sorted slots.
    fn remove_from_customer(&mut self, c: u32, slot: u32) {
        if let Some(ct) = self.customers[c as usize].as_mut() {
            ct.slots.retain(|&s| s != slot);
        }
    }

    /// The customer of `message` given `customer_id`: the trimmed id, or the message's own id
    /// when that is empty.
    ///
    /// # Errors
    /// [`ErrorKind::InputTooLarge`] for a customer id over [`MAX_ID_BYTES`].
    fn customer_for<'m>(message: &'m Message, customer_id: &'m str) -> Result<&'m str> {
        Self::customer_for_id(&message.id, customer_id)
    }

    /// [`Threader::customer_for`] of the message with id `message_id`.
    fn customer_for_id<'m>(message_id: &'m str, customer_id: &'m str) -> Result<&'m str> {
        let customer = record::trim(customer_id);
        if customer.len() > MAX_ID_BYTES {
            return Err(Error::too_large(
                "customer_id",
                customer.len(),
                MAX_ID_BYTES,
            ));
        }
        Ok(if customer.is_empty() {
            message_id
        } else {
            customer
        })
    }

    /// A reader of messages by this threader's configuration, for reading messages ahead of
    /// [`Threader::add_read`] where the threader is not at hand (on another thread, outside a
    /// lock around it).
    pub fn reader(&self) -> MessageReader {
        MessageReader {
            config: Arc::clone(&self.config),
        }
    }

    /// The record of `message` for `customer_id` (empty: the message is its own customer,
    /// with the problem recorded), from what a reader read when it was read by this
    /// threader's configuration.
    fn prepare(
        &self,
        message: &Message,
        read: Option<ReadMessage>,
        customer_id: &str,
    ) -> Result<Record> {
        let mut record = match read {
            Some(r) if Arc::ptr_eq(&r.config, &self.config) && r.record.id() == message.id => {
                r.record
            }
            _ => Record::from_message(message, &self.config)?,
        };
        if record::trim(customer_id).is_empty() {
            record.add_problem(Problem::new(
                ProblemKind::NoCustomer,
                "customer_id: no customer given or resolved; the message is its own customer"
                    .into(),
            ));
        }
        Ok(record)
    }

    /// Adds one message of customer `customer_id` (an empty id makes the message its own
    /// customer, with the problem recorded) and rethreads that customer. Adding the same message
    /// again changes nothing; a message with a known id and other content, or another customer,
    /// replaces the old one.
    ///
    /// # Errors
    /// [`ErrorKind::FieldMissing`] for a message without an id; [`ErrorKind::InputTooLarge`] for
    /// an id over [`MAX_ID_BYTES`] or more than [`MAX_REFERENCES`] references. Malformed
    /// references and implausible times are not errors: they are in the outcome's `problems`.
    pub fn add(&mut self, message: &Message, customer_id: &str) -> Result<ThreadOutcome> {
        self.add_read(message, None, customer_id)
    }

    /// [`Threader::add`] of a message a [`MessageReader`] of this threader read ahead
    /// (`read` is that reading; one by another threader's configuration, or none, is redone).
    ///
    /// # Errors
    /// As [`Threader::add`].
    pub fn add_read(
        &mut self,
        message: &Message,
        read: Option<ReadMessage>,
        customer_id: &str,
    ) -> Result<ThreadOutcome> {
        let record = self.prepare(message, read, customer_id)?;
        let customer = Self::customer_for(message, customer_id)?;
        let hash = hash_id(record.id());
        let existing = self.find_slot(hash, record.id());
        let c = self.customer_index(customer);
        let (status, affected) = match existing {
            Some(slot)
                if self.customer_of_slot[slot as usize] == c && self.record(slot) == &record =>
            {
                (AddStatus::Duplicate, Vec::new())
            }
            Some(slot) => {
                let old = self.customer_of_slot[slot as usize];
                let affected = if old == c { vec![c] } else { vec![old, c] };
                (AddStatus::Updated, affected)
            }
            None => (AddStatus::Added, vec![c]),
        };
        let mut slot = existing.unwrap_or(NONE);
        let (changed, retired) = if affected.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let mut before = Vec::new();
            self.snapshot_before(&affected, &mut before);
            slot = match existing {
                Some(slot) => {
                    self.remove_slot(slot);
                    self.records[slot as usize] = Some(record);
                    slot
                }
                None => {
                    let slot = self.records.len() as u32;
                    self.records.push(Some(record));
                    self.index_slot(hash, slot);
                    self.placements.push(Placement::default());
                    self.customer_of_slot.push(c);
                    slot
                }
            };
            self.insert_slot(c, slot);
            self.recompute(&affected, Some(&before))
        };
        Ok(ThreadOutcome {
            message_id: message.id.clone(),
            customer_id: customer.to_string(),
            conversation_id: self.conversation_id_of_slot(slot).to_string(),
            status,
            changed,
            retired,
            problems: self.problems_of(slot),
        })
    }

    /// Adds many messages, `customer_ids[i]` being the customer of `messages[i]` (empty: the
    /// message is its own customer), and rethreads each affected customer once. Gives the same
    /// conversations as adding them one at a time, in any order. A message that cannot be added
    /// is reported in [`BatchOutcome::rejections`]; the others are added. A repeated id within
    /// the batch is a duplicate when equal, otherwise the later one replaces the earlier.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when the two slices differ in length.
    pub fn add_many<S: AsRef<str>>(
        &mut self,
        messages: &[Message],
        customer_ids: &[S],
    ) -> Result<BatchOutcome> {
        if messages.len() != customer_ids.len() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{} messages but {} customer ids; give one customer id per message",
                    messages.len(),
                    customer_ids.len()
                ),
            ));
        }
        self.add_many_with(
            customer_ids,
            |k| &messages[k].id,
            |k| record::validate(&messages[k]),
            |t, k, cid| t.prepare(&messages[k], None, cid),
        )
    }

    /// [`Threader::add_many`] of messages read already (by [`Threader::reader`] of this
    /// threader), each given with its id: the messages themselves are not needed, so a caller
    /// may keep them in a compact form meanwhile. `reads`, `ids` and `customer_ids` have one
    /// item per message.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when the lengths differ, when a read message is not
    /// the one its id names, or was read by another threader's reader.
    pub(crate) fn add_many_read<I: AsRef<str>, S: AsRef<str>>(
        &mut self,
        reads: Vec<ReadMessage>,
        ids: &[I],
        customer_ids: &[S],
    ) -> Result<BatchOutcome> {
        let bad = |why: &str| Err(Error::new(ErrorKind::InvalidArgument, why.to_string()));
        if reads.len() != ids.len() || ids.len() != customer_ids.len() {
            return bad("as many read messages, ids and customer ids are needed");
        }
        if reads
            .iter()
            .zip(ids)
            .any(|(r, id)| !Arc::ptr_eq(&r.config, &self.config) || r.record.id() != id.as_ref())
        {
            return bad("a read message is not the one its id names, or another threader read it");
        }
        let mut reads: Vec<Option<Record>> = reads.into_iter().map(|r| Some(r.record)).collect();
        self.add_many_with(
            customer_ids,
            |k| ids[k].as_ref(),
            |_| Ok(()),
            |_, k, cid| {
                let mut record = reads[k].take().ok_or_else(|| {
                    Error::new(ErrorKind::Internal, "a read message is used twice")
                })?;
                if record::trim(cid).is_empty() {
                    record.add_problem(Problem::new(
                        ProblemKind::NoCustomer,
                        "customer_id: no customer given or resolved; the message is its own customer"
                            .into(),
                    ));
                }
                Ok(record)
            },
        )
    }

    /// The batch of [`Threader::add_many`], its messages seen through their ids (`id`), a
    /// check of each (`check`) and the making of each one's record (`record`, called once per
    /// message that passed the check, in input order).
    fn add_many_with<'i, S: AsRef<str>>(
        &mut self,
        customer_ids: &[S],
        id: impl Fn(usize) -> &'i str,
        check: impl Fn(usize) -> Result<()>,
        mut record: impl FnMut(&Threader, usize, &str) -> Result<Record>,
    ) -> Result<BatchOutcome> {
        let n = customer_ids.len();
        let track = !self.by_id.is_empty();
        let mut out = BatchOutcome {
            rejections: Vec::new(),
            added: 0,
            duplicates: 0,
            updated: 0,
            changed: Vec::new(),
            retired: Vec::new(),
        };
        let reject = |out: &mut BatchOutcome, index: usize, m: &str, e: Error| {
            out.rejections.push(Rejection {
                index,
                id: (!m.trim().is_empty()).then(|| m.to_string()),
                error: e.at(format!("messages[{index}]")),
            });
        };
        // Each message's customer (NONE for a message that cannot be threaded) and the hash of
        // its id.
        let mut customer_of: Vec<u32> = Vec::with_capacity(n);
        let mut id_hash: Vec<u64> = Vec::with_capacity(n);
        // First the checks and the hashes of the customer ids (kept in `id_hash` for now)...
        for (index, cid) in customer_ids.iter().enumerate() {
            let m = id(index);
            match check(index).and_then(|()| Self::customer_for_id(m, cid.as_ref())) {
                Ok(customer) => {
                    customer_of.push(0);
                    id_hash.push(hash_id(customer));
                }
                Err(e) => {
                    reject(&mut out, index, m, e);
                    customer_of.push(NONE);
                    id_hash.push(0);
                }
            }
        }
        // ...then the customers, in a tight loop (so the processor overlaps the cache misses of
        // the customer index), and the hashes of the message ids.
        for (k, (cid, (c, hash))) in customer_ids
            .iter()
            .zip(customer_of.iter_mut().zip(id_hash.iter_mut()))
            .enumerate()
        {
            let m = id(k);
            if *c != NONE {
                let customer = Self::customer_for_id(m, cid.as_ref()).unwrap_or(m);
                *c = self.customer_index_hashed(*hash, customer);
            }
            *hash = hash_id(m);
        }
        // Each message's slot: new messages are stored customer by customer (input order within
        // a customer), so that threading a customer reads memory that lies together. A large
        // batch is placed by counting, a small one by sorting.
        let base = self.records.len();
        let mut slot_of_input: Vec<u32> = vec![NONE; n];
        let large = n >= self.customers.len() / 4;
        if large {
            let mut next = vec![0u32; self.customers.len() + 1];
            for &c in customer_of.iter().filter(|&&c| c != NONE) {
                next[c as usize + 1] += 1;
            }
            next[0] = base as u32;
            for c in 1..next.len() {
                next[c] += next[c - 1];
            }
            for (slot, &c) in slot_of_input.iter_mut().zip(&customer_of) {
                if c != NONE {
                    *slot = next[c as usize];
                    next[c as usize] += 1;
                }
            }
        } else {
            let mut order: Vec<u32> = (0..n as u32)
                .filter(|&k| customer_of[k as usize] != NONE)
                .collect();
            order.sort_by_key(|&k| customer_of[k as usize]);
            for (i, &k) in order.iter().enumerate() {
                slot_of_input[k as usize] = (base + i) as u32;
            }
        }
        let new = n - out.rejections.len();
        self.records.resize_with(base + new, || None);
        self.placements.resize(base + new, Placement::default());
        self.customer_of_slot.resize(base + new, NONE);
        {
            let records = &self.records;
            self.by_id.reserve(new, |&s| {
                hash_id(records[s as usize].as_ref().map_or("", |r| r.id()))
            });
        }
        // The customers the batch touches, in a flag per customer for a large batch.
        let mut touched_flags: Vec<bool> = if large {
            vec![false; self.customers.len()]
        } else {
            Vec::new()
        };
        let mut touched_set: FxHashSet<u32> = FxHashSet::default();
        let mut touch = |c: u32| {
            if large {
                touched_flags[c as usize] = true;
            } else {
                touched_set.insert(c);
            }
        };
        // The records, built in input order (which reads the input front to back), then moved
        // to their slots a few thousand at a time (a loop of its own, so the processor overlaps
        // the cache misses of writing far apart).
        const CHUNK: usize = 4096;
        let mut built: Vec<(u32, u32, Record)> = Vec::with_capacity(CHUNK.min(new));
        let place = |t: &mut Threader, built: &mut Vec<(u32, u32, Record)>| {
            for (slot, c, record) in built.drain(..) {
                t.records[slot as usize] = Some(record);
                t.customer_of_slot[slot as usize] = c;
            }
        };
        for k in 0..n {
            let c = customer_of[k];
            if c == NONE {
                continue;
            }
            match record(self, k, customer_ids[k].as_ref()) {
                Ok(record) => {
                    built.push((slot_of_input[k], c, record));
                    if built.len() == CHUNK {
                        place(self, &mut built);
                    }
                }
                Err(e) => {
                    // Not expected (the message was checked above); its customer may be left
                    // without messages, which the recomputation drops.
                    reject(&mut out, k, id(k), e);
                    touch(c);
                    customer_of[k] = NONE;
                }
            }
        }
        place(self, &mut built);
        drop(built);
        // Then indexed by id, in input order as if added one at a time: a repeated id is a
        // duplicate when equal, otherwise the later message replaces the earlier one in its
        // slot. A slot left empty (a duplicate, a replacement) stays unused. (A loop of its own,
        // so the processor overlaps the hash table's cache misses.)
        let mut moved: Vec<u32> = Vec::new();
        for k in 0..n {
            let m = id(k);
            let c = customer_of[k];
            if c == NONE {
                continue;
            }
            let slot = slot_of_input[k];
            let Threader {
                records,
                by_id,
                customer_of_slot,
                ..
            } = &mut *self;
            let entry = by_id.entry(
                id_hash[k],
                |&s| records[s as usize].as_ref().is_some_and(|r| r.id() == m),
                |&s| hash_id(records[s as usize].as_ref().map_or("", |r| r.id())),
            );
            let existing = match entry {
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert(slot);
                    out.added += 1;
                    touch(c);
                    continue;
                }
                hashbrown::hash_table::Entry::Occupied(o) => *o.get(),
            };
            let record = records[slot as usize].take();
            customer_of_slot[slot as usize] = NONE;
            let old = customer_of_slot[existing as usize];
            if old == c && records[existing as usize] == record {
                out.duplicates += 1;
                continue;
            }
            out.updated += 1;
            records[existing as usize] = record;
            customer_of_slot[existing as usize] = c;
            touch(c);
            if (existing as usize) < base {
                touch(old);
                if old != c {
                    self.remove_from_customer(old, existing);
                    moved.push(existing);
                }
            }
        }
        drop(id_hash);
        drop(customer_of);
        drop(slot_of_input);
        out.rejections.sort_by_key(|r| r.index);
        let affected: Vec<u32> = if large {
            (0..touched_flags.len() as u32)
                .filter(|&c| touched_flags[c as usize])
                .collect()
        } else {
            let mut v: Vec<u32> = touched_set.into_iter().collect();
            v.sort_unstable();
            v
        };
        drop(touched_flags);
        let mut before = Vec::new();
        if track {
            self.snapshot_before(&affected, &mut before);
        }
        // Add the new slots to their customers (they come customer by customer), and the moved
        // ones; then sort each affected customer once.
        let mut run = base;
        while run < self.records.len() {
            if self.records[run].is_none() {
                run += 1;
                continue;
            }
            let c = self.customer_of_slot[run];
            let mut end = run + 1;
            while end < self.records.len()
                && self.records[end].is_some()
                && self.customer_of_slot[end] == c
            {
                end += 1;
            }
            if let Some(ct) = self.customers[c as usize].as_mut() {
                ct.slots.extend(run as u32..end as u32);
            }
            run = end;
        }
        for slot in moved {
            let c = self.customer_of_slot[slot as usize];
            if let Some(ct) = self.customers[c as usize].as_mut() {
                ct.slots.push(slot);
            }
        }
        {
            let records = &self.records;
            for &c in &affected {
                if let Some(ct) = self.customers[c as usize].as_mut() {
                    ct.slots.sort_unstable_by(|&a, &b| {
                        by_time_then_id(
                            records[a as usize].as_ref().expect("live"),
                            records[b as usize].as_ref().expect("live"),
                        )
                    });
                    ct.slots.dedup();
                }
            }
        }
        let (changed, retired) = self.recompute(&affected, track.then_some(&before));
        out.changed = changed;
        out.retired = retired;
        Ok(out)
    }

    fn conversation_id_of_slot(&self, slot: u32) -> &str {
        let ct = self.customer(slot);
        let conv = &ct.convs[self.placements[slot as usize].conv as usize];
        self.record(conv.members[0]).id()
    }

    fn problems_of(&self, slot: u32) -> Vec<Problem> {
        let mut out: Vec<Problem> = self.record(slot).problems().to_vec();
        if self.placements[slot as usize].has_problems {
            if let Some(found) = self.placement_problems.get(&slot) {
                out.extend(found.iter().cloned());
            }
        }
        out
    }

    /// The id of the conversation a message is in.
    pub fn conversation_of(&self, message_id: &str) -> Option<&str> {
        let slot = self.slot_of(message_id)?;
        Some(self.conversation_id_of_slot(slot))
    }

    /// The customer a message belongs to.
    pub fn customer_of(&self, message_id: &str) -> Option<&str> {
        let slot = self.slot_of(message_id)?;
        Some(&self.customer(slot).id)
    }

    /// The conversation with this id. A retired id (the id of a message that is now inside
    /// another conversation) finds the conversation that holds that message.
    pub fn conversation(&self, id: &str) -> Option<Conversation> {
        let slot = self.slot_of(id)?;
        let ct = self.customer(slot);
        Some(self.view(ct, &ct.convs[self.placements[slot as usize].conv as usize]))
    }

    /// A customer's conversations, oldest first (by their first message). Empty for an unknown
    /// customer.
    pub fn conversations_of(&self, customer_id: &str) -> Vec<Conversation> {
        let Some(c) = self.customer_of_id(customer_id) else {
            return Vec::new();
        };
        let ct = self.customers[c as usize]
            .as_ref()
            .expect("indexed customers are live");
        ct.convs.iter().map(|conv| self.view(ct, conv)).collect()
    }

    /// Every conversation, customer by customer (customers sorted by id), each customer's
    /// oldest first.
    pub fn conversations(&self) -> Vec<Conversation> {
        self.customer_ids()
            .into_iter()
            .flat_map(|c| self.conversations_of(c))
            .collect()
    }

    /// Every customer id, sorted.
    pub fn customer_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.customers.iter().flatten().map(|ct| &*ct.id).collect();
        ids.sort_unstable();
        ids
    }

    /// Every conversation id with its message ids, customer by customer: `(conversation id,
    /// message ids oldest first)`, sorted by conversation id.
    pub fn partition(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = self
            .customers
            .iter()
            .flatten()
            .flat_map(|ct| ct.convs.iter())
            .map(|conv| {
                let ids: Vec<String> = conv
                    .members
                    .iter()
                    .map(|&s| self.record(s).id().to_string())
                    .collect();
                (ids[0].clone(), ids)
            })
            .collect();
        out.sort_unstable();
        out
    }

    fn view(&self, ct: &CustomerThreads, conv: &ConvCore) -> Conversation {
        let s = &conv.summary;
        let tm = state::timings(&conv.members, &self.records);
        let first = self.record(conv.members[0]);
        let last = self.record(*conv.members.last().expect("conversations are not empty"));
        let mut references: Vec<String> = conv
            .members
            .iter()
            .flat_map(|&m| self.record(m).keys().iter().map(|k| k.to_string()))
            .collect();
        references.sort_unstable();
        references.dedup();
        let messages: Vec<ThreadedMessage> = conv
            .members
            .iter()
            .map(|&slot| {
                let r = self.record(slot);
                let join = self.placements[slot as usize].join;
                let with = (join.with != NONE).then(|| self.record(join.with));
                let key = with.and_then(|w| match join.via {
                    JoinKind::Session => r.session().map(str::to_string),
                    JoinKind::ProviderConversation => r.provider_conversation().map(str::to_string),
                    JoinKind::OrderOrTicket => r
                        .keys()
                        .iter()
                        .find(|k| w.keys().contains(k))
                        .map(|k| k.to_string()),
                    JoinKind::EmailSubject => r
                        .email
                        .as_ref()
                        .and_then(|e| e.subject.as_ref())
                        .map(|k| k.to_string()),
                    _ => None,
                });
                ThreadedMessage {
                    id: r.id().to_string(),
                    channel: r.channel(),
                    direction: r.direction,
                    timestamp: r.time,
                    joined_by: JoinReason {
                        via: join.via,
                        with: with.map(|w| w.id().to_string()),
                        key,
                    },
                    problems: self.problems_of(slot),
                }
            })
            .collect();
        Conversation {
            id: first.id().to_string(),
            customer_id: ct.id.to_string(),
            message_ids: messages.iter().map(|m| m.id.clone()).collect(),
            messages,
            channels: tm.channels,
            state: s.state,
            resolved_by: s.resolved_by.map(|slot| self.record(slot).id().to_string()),
            started: first.time,
            last_activity: last.time,
            first_inbound: tm.first_inbound,
            last_inbound: tm.last_inbound,
            first_outbound: tm.first_outbound,
            last_outbound: tm.last_outbound,
            first_response_secs: tm.first_response_secs,
            topic: s
                .topic
                .and_then(|slot| self.record(slot).topic().map(str::to_string)),
            references,
        }
    }

    /// Moves messages to another customer, as identity resolution merges or splits customers;
    /// their conversations follow (merged customers' conversations rethread together, split-off
    /// messages form the new customer's conversations).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer or message id (nothing is moved then);
    /// [`ErrorKind::InvalidArgument`] for an empty target customer.
    pub fn reassign(&mut self, what: Reassign) -> Result<ChangeOutcome> {
        let (slots, to) = match &what {
            Reassign::Customer { customer, to } => {
                let c = self.customer_of_id(customer).ok_or_else(|| {
                    Error::new(
                        ErrorKind::NotFound,
                        format!("customer: no customer {customer:?}"),
                    )
                })?;
                let slots = self.customers[c as usize]
                    .as_ref()
                    .map(|ct| ct.slots.clone())
                    .unwrap_or_default();
                (slots, to)
            }
            Reassign::Messages { messages, to } => {
                let mut slots = Vec::with_capacity(messages.len());
                for id in messages {
                    let slot = self.slot_of(id).ok_or_else(|| {
                        Error::new(ErrorKind::NotFound, format!("messages: no message {id:?}"))
                    })?;
                    slots.push(slot);
                }
                slots.sort_unstable();
                slots.dedup();
                (slots, to)
            }
        };
        let to = to.trim();
        if to.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "to: the target customer id is empty",
            ));
        }
        if to.len() > MAX_ID_BYTES {
            return Err(Error::too_large("to", to.len(), MAX_ID_BYTES));
        }
        let target = self.customer_index(to);
        let mut affected: Vec<u32> = slots
            .iter()
            .map(|&s| self.customer_of_slot[s as usize])
            .collect();
        affected.push(target);
        affected.sort_unstable();
        affected.dedup();
        let mut before = Vec::new();
        self.snapshot_before(&affected, &mut before);
        let mut moved = 0;
        for &slot in &slots {
            if self.customer_of_slot[slot as usize] != target {
                self.remove_slot(slot);
                self.insert_slot(target, slot);
                moved += 1;
            }
        }
        let (changed, retired) = self.recompute(&affected, Some(&before));
        Ok(ChangeOutcome {
            messages: moved,
            changed,
            retired,
        })
    }

    /// Removes a customer and every message and conversation of theirs (for erasure requests):
    /// nothing of them stays in the threader or its snapshots.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer.
    pub fn remove_customer(&mut self, customer_id: &str) -> Result<ChangeOutcome> {
        let c = self.customer_of_id(customer_id).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("customer: no customer {customer_id:?}"),
            )
        })?;
        self.unindex_customer(c);
        let ct = self.customers[c as usize]
            .take()
            .expect("indexed customers are live");
        let mut retired: Vec<String> = ct
            .convs
            .iter()
            .map(|conv| self.record(conv.members[0]).id().to_string())
            .collect();
        retired.sort_unstable();
        for &slot in &ct.slots {
            self.unindex_slot(slot);
            self.records[slot as usize] = None;
            self.placement_problems.remove(&slot);
            self.placements[slot as usize] = Placement::default();
        }
        Ok(ChangeOutcome {
            messages: ct.slots.len(),
            changed: Vec::new(),
            retired,
        })
    }
}

/// The saved form of a threader: its configuration and every message's facts with its customer.
/// Conversations are recomputed on load (they are a function of these).
#[derive(Serialize, Deserialize)]
struct ThreaderState {
    version: u32,
    config: ThreadConfig,
    #[serde(deserialize_with = "crate::codec::vec_at_once")]
    customers: Vec<(Box<str>, Vec<Record>)>,
}

const STATE_VERSION: u32 = 1;
const MAGIC: &[u8; 8] = b"OMNITHR2";
const OLD_MAGICS: &[&[u8; 8]] = &[b"OMNITHR1"];

impl Serialize for Threader {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct StateRef<'a> {
            version: u32,
            config: &'a ThreadConfig,
            customers: Vec<(&'a str, Vec<&'a Record>)>,
        }
        let mut customers: Vec<(&str, Vec<&Record>)> = self
            .customers
            .iter()
            .flatten()
            .map(|ct| (&*ct.id, ct.slots.iter().map(|&s| self.record(s)).collect()))
            .collect();
        customers.sort_by(|a, b| a.0.cmp(b.0));
        StateRef {
            version: STATE_VERSION,
            config: &self.config,
            customers,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Threader {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let state = ThreaderState::deserialize(deserializer)?;
        Threader::from_state(state).map_err(serde::de::Error::custom)
    }
}

impl Threader {
    fn from_state(state: ThreaderState) -> Result<Threader> {
        if state.version != STATE_VERSION {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!(
                    "threader state version {}; this build reads version {STATE_VERSION}",
                    state.version
                ),
            ));
        }
        let mut t = Threader::new(state.config)?;
        let mut affected = Vec::new();
        for (customer, records) in state.customers {
            let c = t.customer_index(&customer);
            affected.push(c);
            for record in records {
                let hash = hash_id(record.id());
                if t.find_slot(hash, record.id()).is_some() {
                    return Err(Error::new(
                        ErrorKind::InvalidSnapshot,
                        format!("message {:?} appears twice in the saved state", record.id()),
                    ));
                }
                let slot = t.records.len() as u32;
                t.records.push(Some(record));
                t.index_slot(hash, slot);
                t.placements.push(Placement::default());
                t.customer_of_slot.push(c);
                t.customers[c as usize]
                    .as_mut()
                    .expect("just made")
                    .slots
                    .push(slot);
            }
        }
        let records = &t.records;
        for ct in t.customers.iter_mut().flatten() {
            ct.slots.sort_unstable_by(|&a, &b| {
                by_time_then_id(
                    records[a as usize].as_ref().expect("live"),
                    records[b as usize].as_ref().expect("live"),
                )
            });
        }
        t.recompute(&affected, None);
        Ok(t)
    }

    /// Appends the threader's state to `out` as one section of the snapshot codec (also the
    /// threader part of an engine snapshot).
    pub(crate) fn write_section(&self, out: &mut Vec<u8>) {
        crate::codec::encode_into(out, self).expect("the state always serialises");
    }

    /// A threader from a section written by [`Threader::write_section`].
    pub(crate) fn read_section(section: &[u8]) -> Result<Threader> {
        let bad = |why: String| Error::new(ErrorKind::InvalidSnapshot, why);
        let state: ThreaderState = crate::codec::decode(section)
            .map_err(|e| bad(format!("the threader snapshot does not decode: {e}")))?;
        Threader::from_state(state).map_err(|e| bad(e.message().to_string()))
    }

    /// Saves the threader to bytes (the 8 bytes `OMNITHR2`, a little-endian CRC-32 of the
    /// payload, then the payload: its serde form in the compact binary snapshot codec);
    /// [`Threader::restore`] gives back an equal threader.
    pub fn snapshot(&self) -> Vec<u8> {
        crate::codec::framed(MAGIC, |out| self.write_section(out))
    }

    /// Restores a threader saved by [`Threader::snapshot`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSnapshot`] when the bytes are not an omni threader snapshot, are
    /// corrupted, or do not decode; [`ErrorKind::UnsupportedVersion`] for a snapshot in an
    /// older format (`OMNITHR1`).
    pub fn restore(bytes: &[u8]) -> Result<Threader> {
        let payload = crate::codec::unframe(bytes, MAGIC, OLD_MAGICS, "threader")?;
        Threader::read_section(payload)
    }
}
