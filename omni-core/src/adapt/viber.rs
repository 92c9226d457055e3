//! Viber REST bot API callbacks.
//!
//! `message` becomes a message; `conversation_started` (the user opened the chat and waits for
//! the welcome message) a message without text; `subscribed` / `unsubscribed` consent;
//! `delivered`, `seen` and `failed` status updates of the message with that `message_token`.
//! `webhook` (the set-up check) and unknown events are ignored. Ids are the `message_token`;
//! the sender's Viber id is kept as given (it is case-sensitive).

use super::event::{Consent, ConsentChange, Event, StatusUpdate};
use super::sink::{decode_json, missing, unix_millis, IdText, Sink};
use crate::error::Result;
use crate::message::{
    Attachment, Channel, DeliveryStatus, Direction, IdentifierKind, Message, Party,
};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct Callback {
    event: String,
    timestamp: i64,
    #[serde(default)]
    message_token: Option<IdText>,
    #[serde(default)]
    sender: Option<User>,
    #[serde(default)]
    user: Option<User>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    message: Option<ViberMessage>,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    context: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    subscribed: Option<bool>,
}

#[derive(Deserialize)]
struct User {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

#[derive(Deserialize)]
struct ViberMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    media: Option<String>,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    sticker_id: Option<IdText>,
    #[serde(default)]
    location: Option<Location>,
    #[serde(default)]
    contact: Option<Contact>,
    #[serde(default)]
    tracking_data: Option<String>,
    #[serde(default)]
    quoted_message: Option<Value>,
}

#[derive(Deserialize)]
struct Location {
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
struct Contact {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
}

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let cb: Callback = decode_json(payload)?;
    let timestamp = unix_millis(cb.timestamp, "timestamp")?;
    let token = cb.message_token.as_ref().map(|t| t.0.clone());
    let token_or_missing = || token.clone().ok_or_else(|| missing("message_token"));
    match cb.event.as_str() {
        "message" | "conversation_started" => {
            let (user, path) = if cb.event == "message" {
                (cb.sender.as_ref(), "sender")
            } else {
                (cb.user.as_ref(), "user")
            };
            let user = user.ok_or_else(|| missing(path))?;
            let token = token_or_missing()?;
            let mut msg = Message::new(&token, Channel::Viber, Direction::Inbound, timestamp);
            msg.event_id = Some(token);
            msg.from = user_party(user, path, sink);
            for (key, value) in [("country", &user.country), ("language", &user.language)] {
                if let Some(v) = value {
                    msg.metadata.insert(key.into(), json!(v));
                }
            }
            if cb.event == "conversation_started" {
                msg.metadata
                    .insert("type".into(), json!("conversation_started"));
                if let Some(c) = &cb.context {
                    msg.metadata.insert("context".into(), json!(c));
                }
                if let Some(k) = &cb.kind {
                    msg.metadata.insert("open_type".into(), json!(k));
                }
                if let Some(s) = cb.subscribed {
                    msg.metadata.insert("subscribed".into(), json!(s));
                }
            } else {
                let m = cb.message.as_ref().ok_or_else(|| missing("message"))?;
                fill_message(&mut msg, m, sink);
            }
            sink.message(msg);
        }
        "subscribed" | "unsubscribed" => {
            let customer = match (&cb.user, &cb.user_id) {
                (Some(user), _) => user_party(user, "user", sink),
                (None, Some(id)) => Party {
                    identifiers: sink.handle(IdentifierKind::ViberId, id, "user_id"),
                    display_name: None,
                },
                (None, None) => return Err(missing("user_id")),
            };
            let consent = if cb.event == "subscribed" {
                Consent::OptIn
            } else {
                Consent::OptOut
            };
            sink.event(Event::Consent(ConsentChange {
                event_id: format!(
                    "{}:{}",
                    cb.event,
                    token.unwrap_or_else(|| cb.timestamp.to_string())
                ),
                channel: Channel::Viber,
                consent,
                customer,
                timestamp,
                reason: cb.event.clone(),
            }));
        }
        "delivered" | "seen" | "failed" => {
            let token = token_or_missing()?;
            let status = match cb.event.as_str() {
                "delivered" => DeliveryStatus::Delivered,
                "seen" => DeliveryStatus::Read,
                _ => DeliveryStatus::Failed,
            };
            let identifiers = match &cb.user_id {
                Some(id) => sink.handle(IdentifierKind::ViberId, id, "user_id"),
                None => Vec::new(),
            };
            sink.event(Event::Status(StatusUpdate {
                event_id: format!("{}:{token}", cb.event),
                channel: Channel::Viber,
                message_id: Some(token),
                up_to: None,
                status,
                provider_status: cb.event.clone(),
                timestamp,
                customer: Party {
                    identifiers,
                    display_name: None,
                },
                error: cb.desc.clone(),
            }));
        }
        other => sink.ignored(token.map(|t| format!("{other}:{t}")), other, "event"),
    }
    Ok(())
}

fn user_party(user: &User, path: &str, sink: &mut Sink<'_>) -> Party {
    Party {
        identifiers: sink.handle(IdentifierKind::ViberId, &user.id, &format!("{path}.id")),
        display_name: user.name.clone().filter(|n| !n.trim().is_empty()),
    }
}

fn fill_message(msg: &mut Message, m: &ViberMessage, sink: &mut Sink<'_>) {
    msg.metadata.insert("type".into(), json!(m.kind));
    msg.text = m.text.clone().unwrap_or_default();
    if let Some(media) = &m.media {
        if m.kind == "url" {
            if msg.text.is_empty() {
                msg.text.clone_from(media);
            }
        } else {
            msg.attachments.push(Attachment {
                name: m.file_name.clone(),
                mime_type: match m.kind.as_str() {
                    "picture" => Some("image/jpeg".into()),
                    "video" => Some("video/mp4".into()),
                    _ => None,
                },
                size: m.size,
                url: Some(media.clone()),
            });
        }
    }
    if let Some(s) = &m.sticker_id {
        msg.metadata.insert("sticker_id".into(), json!(s.0));
    }
    if let Some(l) = &m.location {
        msg.metadata.insert(
            "location".into(),
            json!({"latitude": l.lat, "longitude": l.lon}),
        );
    }
    if let Some(c) = &m.contact {
        let ids: Vec<_> = c
            .phone_number
            .as_deref()
            .and_then(|p| sink.phone(p, "message.contact.phone_number"))
            .into_iter()
            .collect();
        msg.metadata.insert(
            "shared_contacts".into(),
            json!([{"name": c.name, "identifiers": ids}]),
        );
        if msg.text.is_empty() {
            msg.text = [c.name.as_deref(), c.phone_number.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    if let Some(t) = &m.tracking_data {
        msg.metadata.insert("tracking_data".into(), json!(t));
    }
    if let Some(q) = &m.quoted_message {
        if let Some(token) = q.get("message_token") {
            msg.refs.reply_to_id = Some(match token {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
    }
}
