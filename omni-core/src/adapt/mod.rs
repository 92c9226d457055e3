//! Channel adapters: what providers really send (webhooks, form posts, emails, call records) in,
//! omni [`Message`]s and typed events out.
//!
//! A CRM receives provider payloads, not omni messages. [`parse_payload`] reads one payload of a
//! [`Provider`] (the bytes of a webhook body or an `.eml` file) and returns a [`ParsedPayload`]:
//! the messages found, in the documented message format with identifiers normalised (a WhatsApp
//! `wa_id` gives the E.164 phone and the `whatsapp` id; a Telegram user gives the numeric id and
//! the @username), and the [`Event`]s that are not messages: delivery and read receipts for an
//! earlier message, opt-in and opt-out, a changed number, call records, edits, the VK
//! confirmation request, and the items omni does not use (reported with their type, never as
//! errors). Every message and event carries the provider's event id, so [`SeenEvents`] can drop
//! provider retries.
//!
//! Adapters are pure functions over bytes. A payload that is not what the provider documents
//! gives an error naming the provider, the path and the reason:
//! `whatsapp: entry[0].changes[0].value.messages[0].timestamp: "soon" is not a Unix time`.
//!
//! ```
//! use omni_core::adapt::{parse_payload, Provider};
//!
//! let body = r#"{"update_id": 1001, "message": {"message_id": 7, "date": 1714546800,
//!   "chat": {"id": 5551234567, "type": "private"},
//!   "from": {"id": 5551234567, "is_bot": false, "first_name": "Anna", "username": "Anna_Smirnova"},
//!   "text": "Здравствуйте! Есть ли тур в Сочи?"}}"#.as_bytes();
//! let parsed = parse_payload(Provider::Telegram, body).unwrap();
//! let m = &parsed.messages[0];
//! assert_eq!(m.id, "5551234567:7");
//! assert_eq!(m.event_id.as_deref(), Some("1001"));
//! let ids: Vec<String> = m.from.identifiers.iter().map(|i| i.to_string()).collect();
//! assert_eq!(ids, ["telegram_id:5551234567", "telegram_username:anna_smirnova"]);
//! ```

mod call;
mod dedup;
mod email;
mod event;
mod form_encoding;
mod meta;
mod sink;
mod telegram;
mod twilio;
mod viber;
mod vk;
mod web_form;
mod whatsapp;

pub use dedup::SeenEvents;
pub use event::{
    CallOutcome, CallRecord, Confirmation, Consent, ConsentChange, ContactChange, EditedMessage,
    Event, Ignored, StatusUpdate,
};

use crate::error::{Error, ErrorKind, Result};
use crate::ident::{EmailRules, PhoneNormalizer};
use crate::message::Message;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest payload accepted, in bytes (an email with attachments included).
pub const MAX_PAYLOAD_BYTES: usize = 64 << 20;

/// A source of payloads: a messenger's webhooks, an SMS gateway, email, web forms, telephony.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Provider {
    /// WhatsApp Business Cloud API webhooks (`"object": "whatsapp_business_account"`).
    Whatsapp,
    /// Telegram Bot API `Update` objects.
    Telegram,
    /// Viber REST bot API callbacks.
    Viber,
    /// VK Callback API events of a community.
    Vk,
    /// Instagram messaging and comment webhooks (`"object": "instagram"`).
    Instagram,
    /// Facebook Messenger and page webhooks (`"object": "page"`).
    Facebook,
    /// Twilio Messaging webhooks: inbound SMS and status callbacks (form-encoded).
    Twilio,
    /// An email message (RFC 5322 / MIME, as in an `.eml` file).
    Email,
    /// A web-site form submission (JSON or form-encoded key/value pairs).
    WebForm,
    /// A call record from a PBX or telephony provider.
    Call,
}

impl Provider {
    /// Every provider, in declaration order.
    pub const ALL: &'static [Provider] = &[
        Provider::Whatsapp,
        Provider::Telegram,
        Provider::Viber,
        Provider::Vk,
        Provider::Instagram,
        Provider::Facebook,
        Provider::Twilio,
        Provider::Email,
        Provider::WebForm,
        Provider::Call,
    ];

    /// The snake_case name used in JSON, C and Python (`whatsapp`, `web_form`).
    pub const fn name(self) -> &'static str {
        match self {
            Provider::Whatsapp => "whatsapp",
            Provider::Telegram => "telegram",
            Provider::Viber => "viber",
            Provider::Vk => "vk",
            Provider::Instagram => "instagram",
            Provider::Facebook => "facebook",
            Provider::Twilio => "twilio",
            Provider::Email => "email",
            Provider::WebForm => "web_form",
            Provider::Call => "call",
        }
    }

    /// The provider with this name (exact snake_case name, case-insensitive).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the known providers.
    ///
    /// # Example
    /// ```
    /// use omni_core::adapt::Provider;
    /// assert_eq!(Provider::from_name("WhatsApp").unwrap(), Provider::Whatsapp);
    /// assert!(Provider::from_name("pigeon").is_err());
    /// ```
    pub fn from_name(name: &str) -> Result<Provider> {
        let lower = name.trim().to_ascii_lowercase();
        Provider::ALL
            .iter()
            .copied()
            .find(|p| p.name() == lower)
            .ok_or_else(|| {
                let known: Vec<&str> = Provider::ALL.iter().map(|p| p.name()).collect();
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "provider: unknown provider {name:?}; known: {}",
                        known.join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How payloads are read: the time to use when a payload carries none, how national phone
/// numbers are read, email provider rules, and the offset of local times.
#[derive(Clone, Debug, Default)]
pub struct AdaptOptions {
    /// When the payload was received. Used only for payloads that carry no time of their own
    /// (Twilio inbound SMS, most web forms); without it such a payload is an error.
    pub received_at: Option<DateTime<Utc>>,
    /// Reads national phone numbers (forms, call records); default region `RU`.
    pub phones: PhoneNormalizer,
    /// Email canonicalisation rules; `None` uses the default table.
    pub email_rules: Option<EmailRules>,
    /// The UTC offset of times written without one (PBX call records, some forms). Without it
    /// such a time is an error: omni never guesses a time zone.
    pub local_offset: Option<FixedOffset>,
}

/// [`AdaptOptions`] as JSON, for the bindings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdaptOptionsJson {
    #[serde(default, with = "crate::message::optional_timestamp")]
    received_at: Option<DateTime<Utc>>,
    #[serde(default)]
    default_region: Option<String>,
    #[serde(default)]
    local_offset: Option<String>,
    #[serde(default)]
    email_rules: Option<EmailRules>,
}

impl AdaptOptions {
    /// Options from JSON: `{"received_at": "2024-05-01T10:00:00Z" | 1714557600, "default_region":
    /// "RU", "local_offset": "+03:00", "email_rules": {...}}`, every key optional; empty text
    /// gives the defaults.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the bad option.
    ///
    /// # Example
    /// ```
    /// let o = omni_core::adapt::AdaptOptions::from_json(r#"{"default_region": "KZ", "local_offset": "+05:00"}"#).unwrap();
    /// assert_eq!(o.phones.default_region(), "KZ");
    /// ```
    pub fn from_json(text: &str) -> Result<AdaptOptions> {
        if text.trim().is_empty() {
            return Ok(AdaptOptions::default());
        }
        let raw: AdaptOptionsJson = serde_json::from_str(text)
            .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("options: {e}")))?;
        let phones = match raw.default_region.as_deref() {
            Some(region) => {
                PhoneNormalizer::new(region).map_err(|e| e.at("options.default_region"))?
            }
            None => PhoneNormalizer::default(),
        };
        let local_offset = raw
            .local_offset
            .as_deref()
            .map(|o| {
                o.parse::<FixedOffset>().map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        format!("options.local_offset: {o:?} is not an offset like \"+03:00\""),
                    )
                })
            })
            .transpose()?;
        Ok(AdaptOptions {
            received_at: raw.received_at,
            phones,
            email_rules: raw.email_rules,
            local_offset,
        })
    }
}

/// A note about something in a payload that was read but could not be used fully (an
/// identifier that does not normalise), with where it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The path in the payload (`message.from.username`).
    pub path: String,
    /// What was wrong.
    pub message: String,
}

/// What one payload held: messages, events, and notes on what could not be used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParsedPayload {
    /// The provider the payload was read as.
    pub provider: Provider,
    /// New messages (inbound, and outbound echoes), in payload order.
    pub messages: Vec<Message>,
    /// Everything else, in payload order.
    pub events: Vec<Event>,
    /// Values that were read but not used (an identifier that did not normalise), with paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

impl ParsedPayload {
    /// An empty result for `provider`.
    pub fn new(provider: Provider) -> Self {
        ParsedPayload {
            provider,
            messages: Vec::new(),
            events: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The result as JSON: `{"provider", "messages": [...], "events": [...], "problems": [...]}`,
    /// messages in the documented message format, events tagged by `"type"`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a ParsedPayload always serialises")
    }
}

/// Reads one payload of `provider` with the default [`AdaptOptions`].
///
/// # Errors
/// As [`parse_payload_with`].
pub fn parse_payload(provider: Provider, payload: &[u8]) -> Result<ParsedPayload> {
    parse_payload_with(provider, payload, &AdaptOptions::default())
}

/// Reads one payload of `provider`: the messages and events it holds.
///
/// # Errors
/// Every error message starts with the provider and the path:
/// [`ErrorKind::InvalidJson`] for a JSON payload that is not JSON, [`ErrorKind::FieldMissing`]
/// and [`ErrorKind::InvalidField`] for a payload not shaped as the provider documents
/// (including a payload without a time when [`AdaptOptions::received_at`] is not set),
/// [`ErrorKind::InputTooLarge`] above [`MAX_PAYLOAD_BYTES`].
pub fn parse_payload_with(
    provider: Provider,
    payload: &[u8],
    options: &AdaptOptions,
) -> Result<ParsedPayload> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(Error::too_large(
            &format!("{provider} payload"),
            payload.len(),
            MAX_PAYLOAD_BYTES,
        ));
    }
    let mut sink = sink::Sink::new(provider, options);
    let result = match provider {
        Provider::Whatsapp => whatsapp::read(payload, &mut sink),
        Provider::Telegram => telegram::read(payload, &mut sink),
        Provider::Viber => viber::read(payload, &mut sink),
        Provider::Vk => vk::read(payload, &mut sink),
        Provider::Instagram | Provider::Facebook => meta::read(payload, &mut sink),
        Provider::Twilio => twilio::read(payload, &mut sink),
        Provider::Email => email::read(payload, &mut sink),
        Provider::WebForm => web_form::read(payload, &mut sink),
        Provider::Call => call::read(payload, &mut sink),
    };
    result.map_err(|e| e.at(provider))?;
    Ok(sink.finish())
}

macro_rules! provider_fn {
    ($(#[$doc:meta])* $name:ident, $provider:expr) => {
        $(#[$doc])*
        ///
        /// # Errors
        /// As [`parse_payload_with`].
        pub fn $name(payload: &[u8], options: &AdaptOptions) -> Result<ParsedPayload> {
            parse_payload_with($provider, payload, options)
        }
    };
}

provider_fn!(
    /// Reads a WhatsApp Business Cloud API webhook body.
    parse_whatsapp,
    Provider::Whatsapp
);
provider_fn!(
    /// Reads a Telegram Bot API `Update` (one object, or an array as `getUpdates` returns).
    parse_telegram,
    Provider::Telegram
);
provider_fn!(
    /// Reads a Viber REST bot callback.
    parse_viber,
    Provider::Viber
);
provider_fn!(
    /// Reads a VK Callback API event.
    parse_vk,
    Provider::Vk
);
provider_fn!(
    /// Reads an Instagram messaging or comments webhook body.
    parse_instagram,
    Provider::Instagram
);
provider_fn!(
    /// Reads a Facebook Messenger or page webhook body.
    parse_facebook,
    Provider::Facebook
);
provider_fn!(
    /// Reads a Twilio Messaging webhook (form-encoded inbound SMS or status callback).
    parse_twilio,
    Provider::Twilio
);
provider_fn!(
    /// Reads one email message (RFC 5322 / MIME bytes).
    parse_email,
    Provider::Email
);
provider_fn!(
    /// Reads one web-form submission (JSON object or form-encoded).
    parse_web_form,
    Provider::WebForm
);
provider_fn!(
    /// Reads one call record (Twilio voice callback, Mango Office, Zadarma, Asterisk CDR, or
    /// omni's own call shape).
    parse_call,
    Provider::Call
);
