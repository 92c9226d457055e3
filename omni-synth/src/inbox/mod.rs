//! A multichannel inbox with ground truth: the input of threading, lead triage and the engine.
//!
//! Customers of an invented furniture shop («Уютный дом» / Cozy Home) write, call and visit over
//! a time span: a web form, then a call, then WhatsApp in one conversation; weeks later a new
//! conversation on Telegram about the order; complaints, refunds, opt-outs from marketing, auto
//! replies and bounces, spam. They appear under different identifiers on different channels
//! (WhatsApp phone, email, Telegram id, a cookie on the site) and leave contacts inside text, so
//! identity resolution has work to do.
//!
//! Messages are omni [`Message`]s in the documented JSON format. The truth for each (person,
//! conversation, kind, intents, contacts left in the text) is a separate [`MessageTruth`] keyed
//! by message id, so a consumer cannot read it from the message.

mod story;
mod texts;

use crate::person::{Culture, Person, Population, Relation};
use crate::rng::{mix64, SynthRng};
use chrono::{DateTime, TimeZone, Utc};
use omni_core::{Identifier, Message};
use serde::{Deserialize, Serialize};

/// What a message is, for lead triage (the kinds of issue 5). Serialised in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A first contact that is a sales opportunity (purchase, price, callback, booking, a form).
    NewLead,
    /// A known customer's request, or a message in an open conversation.
    ExistingCustomer,
    /// A complaint, or a refund or cancellation request.
    Support,
    /// Spam.
    Spam,
    /// An opt-out (`STOP`, `отписаться`).
    OptOut,
    /// An auto-reply or system notification (out of office, delivery failure).
    AutoReply,
    /// Not a lead by nature: outbound messages, praise without intent.
    NotApplicable,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: &'static [MessageKind] = &[
        MessageKind::NewLead,
        MessageKind::ExistingCustomer,
        MessageKind::Support,
        MessageKind::Spam,
        MessageKind::OptOut,
        MessageKind::AutoReply,
        MessageKind::NotApplicable,
    ];
}

/// What a message asks for (several may hold). Serialised in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Wants to buy or order.
    Purchase,
    /// Asks for a price or availability.
    PriceQuestion,
    /// Asks to be called or contacted.
    CallbackRequest,
    /// Wants to book an appointment or reserve something.
    Booking,
    /// Asks about an order's status or delivery.
    OrderStatus,
    /// About a payment or an invoice.
    Payment,
    /// Complains.
    Complaint,
    /// Wants to cancel or get a refund.
    Refund,
    /// Opts out of messages.
    OptOut,
    /// Greets or thanks.
    GreetingThanks,
    /// Anything else (spam, auto-replies, notifications).
    Other,
}

/// The truth about one generated message, kept apart from the message itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTruth {
    /// The message this is about ([`Message::id`]).
    pub message_id: String,
    /// The person the message is from or to (for a bounce: the customer it concerns).
    pub person_id: u64,
    /// The conversation it belongs to.
    pub conversation_id: String,
    /// What kind of message it is.
    pub kind: MessageKind,
    /// What it asks for.
    pub intents: Vec<Intent>,
    /// Contacts the customer left in the text or form fields, normalised (E.164 phone, mailbox
    /// key, lower-case Telegram username).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Identifier>,
}

/// What inbox to generate.
#[derive(Clone, Debug)]
pub struct InboxConfig {
    /// The seed: the same seed and settings give the same messages, byte for byte.
    pub seed: u64,
    /// How many customers (spammers come on top, about 1 for every 20 customers).
    pub customers: u64,
    /// The start of the time span.
    pub start: DateTime<Utc>,
    /// The length of the time span in days.
    pub days: u32,
    /// Share of English-speaking customers.
    pub english_share: f64,
}

impl Default for InboxConfig {
    fn default() -> Self {
        InboxConfig {
            seed: 1,
            customers: 100,
            start: Utc
                .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            days: 365,
            english_share: 0.12,
        }
    }
}

/// A generated inbox: messages in time order and their truth, index by index.
#[derive(Clone, Debug, Default)]
pub struct Inbox {
    /// The messages, ordered by timestamp (then id).
    pub messages: Vec<Message>,
    /// The truth of `messages[i]` is `truth[i]`.
    pub truth: Vec<MessageTruth>,
}

impl Inbox {
    /// Messages with their truth, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Message, &MessageTruth)> {
        self.messages.iter().zip(&self.truth)
    }
}

/// Generates an [`Inbox`] for an [`InboxConfig`].
///
/// # Example
/// ```
/// use omni_synth::{InboxConfig, InboxGenerator};
/// use omni_core::Message;
/// let inbox = InboxGenerator::new(InboxConfig { seed: 7, customers: 20, ..Default::default() }).generate();
/// let first = &inbox.messages[0];
/// assert_eq!(&Message::from_json(&first.to_json()).unwrap(), first);
/// assert_eq!(inbox.truth[0].message_id, first.id);
/// ```
pub struct InboxGenerator {
    config: InboxConfig,
}

const DOMAIN_INBOX_PEOPLE: u64 = 10;
const DOMAIN_INBOX_CUSTOMER: u64 = 11;

impl InboxGenerator {
    /// A generator for `config`.
    pub fn new(config: InboxConfig) -> InboxGenerator {
        InboxGenerator { config }
    }

    /// Generates every customer's conversations and returns the messages in time order.
    pub fn generate(&self) -> Inbox {
        let c = &self.config;
        let start = c.start.timestamp();
        let end = start + i64::from(c.days.max(1)) * 86_400;
        let mut rng = SynthRng::derive(c.seed, &[DOMAIN_INBOX_PEOPLE]);
        let companies = (c.customers / 30).clamp(3, 10_000) as usize;
        let mut population = Population::new(
            &mut rng,
            companies,
            (c.customers + c.customers.div_ceil(20)) as usize,
            c.english_share,
            (start, end),
        );
        let spammers = c.customers.div_ceil(20);
        let mut out = story::Output::new(c.seed);
        for id in 0..c.customers + spammers {
            let person: Person = population.person(&mut rng, id, Relation::Stranger);
            let mut crng = SynthRng::derive(c.seed, &[DOMAIN_INBOX_CUSTOMER, id]);
            if id < c.customers {
                story::customer(&mut out, &mut crng, &person, &population, (start, end));
            } else {
                story::spammer(&mut out, &mut crng, &person, (start, end));
            }
        }
        let pairs: Vec<(Message, MessageTruth)> = out.into_pairs();
        // Sort an index, not the (large) messages, then move each message once.
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&pairs[a].0, &pairs[b].0);
            a.timestamp.cmp(&b.timestamp).then_with(|| a.id.cmp(&b.id))
        });
        let mut slots: Vec<Option<(Message, MessageTruth)>> = pairs.into_iter().map(Some).collect();
        let (messages, truth) = order.into_iter().filter_map(|i| slots[i].take()).unzip();
        Inbox { messages, truth }
    }
}

/// An opaque, unique id from a counter: a bijective mix, so ids never collide and reveal nothing.
pub(crate) fn opaque_id(seed: u64, counter: u64) -> String {
    format!("{:016x}", mix64(counter ^ mix64(seed)))
}

pub(crate) fn is_russian(p: &Person) -> bool {
    p.culture == Culture::Russian
}
