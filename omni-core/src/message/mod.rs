//! One typed message for every channel, inbound and outbound, and its JSON format.
//!
//! A [`Message`] is what omni knows about one contact event: a WhatsApp message, a missed call,
//! a web-form submission, an email. The JSON format (see `docs/message-format.md`) is versioned
//! (`"v": 1`, optional on input), snake_case, and round-trips losslessly through
//! [`Message::to_json`] and [`Message::from_json`]. Parse errors name the field path:
//! `messages[3].timestamp: "yesterday" is not an RFC 3339 time or a Unix timestamp`.

mod channel;
mod identifier;
pub(crate) mod json;
pub(crate) mod timestamp;

pub(crate) use timestamp::optional as optional_timestamp;

pub use channel::{Channel, ChannelProperties};
pub use identifier::{Identifier, IdentifierKind};
pub use json::{
    messages_to_json, parse_messages, parse_messages_lenient, MessageBatch, Rejection,
    FORMAT_VERSION, MAX_JSON_BYTES,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Reads a time in any shape the message format accepts: RFC 3339 with an offset, or Unix
/// seconds or milliseconds (see `docs/message-format.md`).
///
/// # Errors
/// [`ErrorKind::InvalidField`](crate::ErrorKind::InvalidField) with the reason.
pub fn parse_timestamp(text: &str) -> crate::Result<DateTime<Utc>> {
    timestamp::parse_text(text).map_err(|e| crate::Error::new(crate::ErrorKind::InvalidField, e))
}

/// Which way a message went: from the customer (inbound) or to the customer (outbound).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer to the business.
    Inbound,
    /// From the business to the customer.
    Outbound,
}

/// How far an outbound message got, as the provider last reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Accepted by the provider, not yet sent (Twilio `queued`, `accepted`, `sending`).
    Queued,
    /// Sent to the network.
    Sent,
    /// Delivered to the customer's device.
    Delivered,
    /// Read (seen) by the customer.
    Read,
    /// Not delivered (failed, undelivered, bounced).
    Failed,
}

impl DeliveryStatus {
    /// The snake_case name used in JSON, C and Python.
    pub const fn name(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// How far along the delivery this status is: a later status never goes back to an
    /// earlier one (`failed` counts as final, like `read`).
    pub const fn rank(self) -> u8 {
        match self {
            DeliveryStatus::Queued => 0,
            DeliveryStatus::Sent => 1,
            DeliveryStatus::Delivered => 2,
            DeliveryStatus::Read | DeliveryStatus::Failed => 3,
        }
    }
}

/// One side of a message: the identifiers it is known by and a display name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Normalised identifiers (phone, email, messenger ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// The name shown by the channel, as given (`Иван Петров`, `ivan_p`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// References that tie a message to others: email headers, messenger replies, sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRefs {
    /// Email `Message-ID`, without angle brackets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Email `In-Reply-To` ids, without angle brackets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_reply_to: Vec<String>,
    /// Email `References` ids, oldest first, without angle brackets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The provider id of the message this one replies to (messenger quote or reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<String>,
    /// A chat or call session id shared by the messages of one session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The provider's own conversation or thread id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

impl ReplyRefs {
    /// True when no reference is set.
    pub fn is_empty(&self) -> bool {
        self == &ReplyRefs::default()
    }
}

/// Metadata of an attachment (the content itself is not carried).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// File name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// MIME type (`image/jpeg`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Size in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Where the content can be fetched (provider media id or URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One message on one channel, inbound or outbound.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Format version; always [`FORMAT_VERSION`] when written, optional when read.
    #[serde(
        default = "json::default_version",
        deserialize_with = "json::deserialize_version"
    )]
    pub v: u32,
    /// The message id, unique within the caller's data (provider id or own id).
    pub id: String,
    /// The channel it came or went on.
    pub channel: Channel,
    /// Inbound (from the customer) or outbound (from the business).
    pub direction: Direction,
    /// When it happened, in UTC. Read from RFC 3339 with any offset, or Unix seconds or
    /// milliseconds (as a number or a string of digits); written as RFC 3339 in UTC.
    #[serde(with = "timestamp")]
    pub timestamp: DateTime<Utc>,
    /// The sender.
    #[serde(default, skip_serializing_if = "is_default_party")]
    pub from: Party,
    /// The recipient.
    #[serde(default, skip_serializing_if = "is_default_party")]
    pub to: Party,
    /// Subject (email) or title (form, ticket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The text body (plain text).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Structured fields of a web form or chatbot, by field name (written sorted by name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub form_fields: BTreeMap<String, String>,
    /// Reply and session references.
    #[serde(default, skip_serializing_if = "ReplyRefs::is_empty")]
    pub refs: ReplyRefs,
    /// Attachment metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Free metadata (provider fields, call duration, campaign), kept as given.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, serde_json::Value>,
    /// The provider's id of the delivery that carried this message (a webhook update id), so a
    /// provider retry of the same delivery can be recognised. Often equal to `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Delivery status of an outbound message, as last reported by the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeliveryStatus>,
}

fn is_default_party(p: &Party) -> bool {
    p == &Party::default()
}

impl Message {
    /// A message with the required fields set and everything else empty.
    pub fn new(
        id: impl Into<String>,
        channel: Channel,
        direction: Direction,
        timestamp: DateTime<Utc>,
    ) -> Self {
        Message {
            v: FORMAT_VERSION,
            id: id.into(),
            channel,
            direction,
            timestamp,
            from: Party::default(),
            to: Party::default(),
            subject: None,
            text: String::new(),
            form_fields: BTreeMap::new(),
            refs: ReplyRefs::default(),
            attachments: Vec::new(),
            metadata: BTreeMap::new(),
            event_id: None,
            status: None,
        }
    }

    /// The party that is the customer: the sender of an inbound message, the recipient of an
    /// outbound one.
    pub fn customer(&self) -> &Party {
        match self.direction {
            Direction::Inbound => &self.from,
            Direction::Outbound => &self.to,
        }
    }

    /// Parses one message from its JSON format.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidJson`](crate::ErrorKind::InvalidJson) for malformed JSON,
    /// [`ErrorKind::FieldMissing`](crate::ErrorKind::FieldMissing) /
    /// [`ErrorKind::InvalidField`](crate::ErrorKind::InvalidField) naming the field path,
    /// [`ErrorKind::InputTooLarge`](crate::ErrorKind::InputTooLarge) above [`MAX_JSON_BYTES`].
    pub fn from_json(text: &str) -> crate::Result<Message> {
        json::parse_one(text, "")
    }

    /// Writes this message in its JSON format (compact, one line).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Message always serialises")
    }
}
