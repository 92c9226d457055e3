//! The typed events a payload can hold besides new messages: receipts, consent, changed
//! contacts, call records, edits, confirmation requests, and items omni does not use.

use crate::message::Party;
use crate::message::{optional_timestamp, Channel, DeliveryStatus, Direction, Identifier, Message};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Something a payload reports that is not a new message. Serialised with a `"type"` tag
/// (`status`, `consent`, `contact_change`, `call`, `edit`, `confirmation`, `ignored`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A delivery or read receipt, or a failure, for an earlier outbound message.
    Status(StatusUpdate),
    /// The customer opted in to or out of messages on a channel.
    Consent(ConsentChange),
    /// The customer's identifier on a channel changed (WhatsApp: a new phone number).
    ContactChange(ContactChange),
    /// A phone call, answered or not.
    Call(CallRecord),
    /// A new version of an earlier message (the customer edited it).
    Edit(EditedMessage),
    /// The provider asks the endpoint to prove it is the right one (VK `confirmation`).
    Confirmation(Confirmation),
    /// An item omni does not use, with the provider's type for it.
    Ignored(Ignored),
}

impl Event {
    /// The provider's event id, used to recognise retries; `None` for items that must be
    /// handled every time they arrive (a confirmation request) or that have no id.
    pub fn event_id(&self) -> Option<&str> {
        match self {
            Event::Status(e) => Some(&e.event_id),
            Event::Consent(e) => Some(&e.event_id),
            Event::ContactChange(e) => Some(&e.event_id),
            Event::Call(e) => Some(&e.event_id),
            Event::Edit(e) => Some(&e.event_id),
            Event::Confirmation(_) => None,
            Event::Ignored(e) => e.event_id.as_deref(),
        }
    }

    /// The snake_case name of the event type (the JSON `"type"`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::Status(_) => "status",
            Event::Consent(_) => "consent",
            Event::ContactChange(_) => "contact_change",
            Event::Call(_) => "call",
            Event::Edit(_) => "edit",
            Event::Confirmation(_) => "confirmation",
            Event::Ignored(_) => "ignored",
        }
    }
}

/// A delivery status for one earlier message, or for every message up to a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    /// The provider's id of this event.
    pub event_id: String,
    /// The channel of the message.
    pub channel: Channel,
    /// The id of the message the status is for, as omni gave it (the provider's message id).
    /// `None` when the provider reports a watermark instead (see `up_to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The status applies to every outbound message to this customer sent up to this time
    /// (Messenger and Instagram read receipts).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_timestamp"
    )]
    pub up_to: Option<DateTime<Utc>>,
    /// The new status.
    pub status: DeliveryStatus,
    /// The provider's word for it (`read`, `seen`, `undelivered`, `message_read`).
    pub provider_status: String,
    /// When the status changed, in UTC.
    #[serde(with = "crate::message::timestamp")]
    pub timestamp: DateTime<Utc>,
    /// The customer the message went to.
    #[serde(default)]
    pub customer: Party,
    /// Why delivery failed, as the provider says it (code and title), for `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Opted in or out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// The customer agreed to receive messages (subscribed, allowed, START).
    OptIn,
    /// The customer refused messages (unsubscribed, denied, STOP, blocked the bot).
    OptOut,
}

/// The customer opted in to or out of messages on a channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentChange {
    /// The provider's id of this event.
    pub event_id: String,
    /// The channel the consent is for.
    pub channel: Channel,
    /// Opt-in or opt-out.
    pub consent: Consent,
    /// The customer.
    pub customer: Party,
    /// When it happened, in UTC.
    #[serde(with = "crate::message::timestamp")]
    pub timestamp: DateTime<Utc>,
    /// What the provider reported (`unsubscribed`, `message_deny`, `STOP`, `kicked`).
    pub reason: String,
}

/// A customer's identifiers on a channel changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactChange {
    /// The provider's id of this event.
    pub event_id: String,
    /// The channel.
    pub channel: Channel,
    /// The identifiers the customer had.
    pub old: Vec<Identifier>,
    /// The identifiers the customer has now (empty when the provider only says the identity
    /// changed).
    pub new: Vec<Identifier>,
    /// When it happened, in UTC.
    #[serde(with = "crate::message::timestamp")]
    pub timestamp: DateTime<Utc>,
    /// The provider's kind of change (`user_changed_number`, `user_identity_changed`).
    pub kind: String,
    /// The provider's description, as given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Someone answered and the call was connected.
    Answered,
    /// Nobody answered (or the caller hung up first).
    Missed,
    /// The called side was busy.
    Busy,
    /// The call could not be placed.
    Failed,
}

/// A phone call, from a PBX or telephony provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// The provider's id of this event (usually the call id).
    pub event_id: String,
    /// The call id.
    pub call_id: String,
    /// Inbound (the customer called) or outbound (the business called).
    pub direction: Direction,
    /// The calling side.
    pub from: Party,
    /// The called side.
    pub to: Party,
    /// When the call started, in UTC.
    #[serde(with = "crate::message::timestamp")]
    pub started_at: DateTime<Utc>,
    /// How it ended.
    pub outcome: CallOutcome,
    /// Seconds of conversation (0 when not answered).
    pub talk_seconds: u64,
    /// Seconds from the start to the answer or the hang-up, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring_seconds: Option<u64>,
    /// Where the recording is (URL or provider id), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<String>,
    /// The provider's own status word (`no-answer`, `NO ANSWER`, `completed`).
    pub provider_status: String,
}

/// A new version of an earlier message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditedMessage {
    /// The provider's id of this event.
    pub event_id: String,
    /// The message as it is now; its `id` is the id of the original message.
    pub message: Box<Message>,
}

/// A request to confirm the endpoint (VK sends `confirmation` and expects the community's
/// confirmation string in the response body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The community (VK group id) asking.
    pub group_id: String,
}

/// An item of a payload that omni does not use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ignored {
    /// The provider's id of the item, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The provider's type for it (`message_typing_state`, `account_update`, `poll_answer`).
    pub kind: String,
    /// Where it was in the payload.
    pub path: String,
}
