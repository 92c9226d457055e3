//! VK Callback API events of a community.
//!
//! `message_new` is read in the current shape (`object.message`, API 5.103 and later) and the
//! earlier one (the message is the `object`, with `text`/`from_id` or the oldest
//! `body`/`user_id`); `message_reply` is an outbound message, `message_edit` an edit,
//! `wall_reply_new` a comment under a post, `message_allow` / `message_deny` consent,
//! `message_read` a read receipt, and `confirmation` the request to confirm the server. Other
//! types are ignored. The event id is VK's `event_id` (older API versions have none: the type,
//! group and object id stand in). Message ids are VK's message ids (unique in the community).

use super::event::{Confirmation, Consent, ConsentChange, EditedMessage, Event, StatusUpdate};
use super::sink::{decode_json, decode_json_at, field, missing, unix_seconds, Sink};
use crate::error::Result;
use crate::message::{
    Attachment, Channel, DeliveryStatus, Direction, Identifier, IdentifierKind, Message, Party,
};
use serde::Deserialize;
use serde_json::{json, value::RawValue, Value};

#[derive(Deserialize)]
struct Callback {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    group_id: Option<i64>,
    #[serde(default)]
    event_id: Option<String>,
    #[serde(default)]
    object: Option<Box<RawValue>>,
}

/// `object` of `message_new` since API 5.103.
#[derive(Deserialize)]
struct NewMessageObject {
    message: VkMessage,
    #[serde(default)]
    client_info: Option<Value>,
}

#[derive(Deserialize)]
struct VkMessage {
    #[serde(default)]
    id: i64,
    date: i64,
    #[serde(default)]
    from_id: Option<i64>,
    #[serde(default)]
    user_id: Option<i64>,
    #[serde(default)]
    peer_id: Option<i64>,
    #[serde(default)]
    out: Option<i64>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    conversation_message_id: Option<i64>,
    #[serde(default)]
    attachments: Vec<VkAttachment>,
    #[serde(default)]
    reply_message: Option<Box<ReplyRef>>,
    #[serde(default)]
    payload: Option<String>,
    #[serde(default)]
    ref_source: Option<String>,
    #[serde(rename = "ref", default)]
    referral: Option<String>,
}

#[derive(Deserialize)]
struct ReplyRef {
    #[serde(default)]
    id: Option<i64>,
}

#[derive(Deserialize)]
struct VkAttachment {
    #[serde(rename = "type")]
    kind: String,
    #[serde(flatten)]
    content: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
struct WallReply {
    id: i64,
    from_id: i64,
    date: i64,
    #[serde(default)]
    text: String,
    #[serde(default)]
    post_id: Option<i64>,
    #[serde(default)]
    post_owner_id: Option<i64>,
    #[serde(default)]
    reply_to_comment: Option<i64>,
    #[serde(default)]
    attachments: Vec<VkAttachment>,
}

#[derive(Deserialize)]
struct Permission {
    user_id: i64,
    #[serde(default)]
    key: Option<String>,
}

#[derive(Deserialize)]
struct ReadReceipt {
    from_id: i64,
    read_message_id: i64,
}

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let cb: Callback = decode_json(payload)?;
    let group = cb.group_id.map(|g| g.to_string());
    let object = || {
        cb.object
            .as_deref()
            .map(RawValue::get)
            .ok_or_else(|| missing("object"))
    };
    let event_id = |fallback: String| cb.event_id.clone().unwrap_or(fallback);
    match cb.kind.as_str() {
        "confirmation" => {
            let group_id = group.ok_or_else(|| missing("group_id"))?;
            sink.event(Event::Confirmation(Confirmation { group_id }));
        }
        "message_new" | "message_reply" | "message_edit" => {
            let raw = object()?;
            let (m, client_info, path) = if has_message_key(raw) {
                let o: NewMessageObject = decode_json_at(raw, "object")?;
                (o.message, o.client_info, "object.message")
            } else {
                (decode_json_at::<VkMessage>(raw, "object")?, None, "object")
            };
            let fallback_id = format!("{}:{}:{}", cb.kind, group.as_deref().unwrap_or(""), m.id);
            let eid = event_id(fallback_id);
            let mut msg = message(&m, &cb.kind, path, group.as_deref(), sink)?;
            msg.event_id = Some(eid.clone());
            if let Some(info) = client_info {
                msg.metadata.insert("client_info".into(), info);
            }
            if cb.kind == "message_edit" {
                sink.event(Event::Edit(EditedMessage {
                    event_id: eid,
                    message: Box::new(msg),
                }));
            } else {
                sink.message(msg);
            }
        }
        "wall_reply_new" | "wall_reply_edit" => {
            let r: WallReply = decode_json_at(object()?, "object")?;
            let owner = r.post_owner_id.unwrap_or_default();
            let eid = event_id(format!("{}:{owner}_{}", cb.kind, r.id));
            let timestamp = unix_seconds(r.date, "object.date")?;
            let direction = if r.from_id < 0 {
                Direction::Outbound
            } else {
                Direction::Inbound
            };
            let mut msg = Message::new(
                format!("wall{owner}_{}_{}", r.post_id.unwrap_or_default(), r.id),
                Channel::Vk,
                direction,
                timestamp,
            );
            msg.event_id = Some(eid.clone());
            msg.from = sender(r.from_id);
            msg.text.clone_from(&r.text);
            msg.refs.conversation_id =
                Some(format!("wall{owner}_{}", r.post_id.unwrap_or_default()));
            if let Some(parent) = r.reply_to_comment {
                msg.refs.reply_to_id = Some(format!(
                    "wall{owner}_{}_{parent}",
                    r.post_id.unwrap_or_default()
                ));
            }
            msg.metadata.insert("type".into(), json!("wall_reply"));
            if let Some(g) = &group {
                msg.metadata.insert("group_id".into(), json!(g));
            }
            msg.attachments = r.attachments.iter().map(attachment).collect();
            if cb.kind == "wall_reply_edit" {
                sink.event(Event::Edit(EditedMessage {
                    event_id: eid,
                    message: Box::new(msg),
                }));
            } else {
                sink.message(msg);
            }
        }
        "message_allow" | "message_deny" => {
            let p: Permission = decode_json_at(object()?, "object")?;
            let consent = if cb.kind == "message_allow" {
                Consent::OptIn
            } else {
                Consent::OptOut
            };
            let timestamp = sink.received_at("VK permission events have no date")?;
            let reason = match &p.key {
                Some(key) if !key.is_empty() => format!("{} (key {key})", cb.kind),
                _ => cb.kind.clone(),
            };
            sink.event(Event::Consent(ConsentChange {
                event_id: event_id(format!(
                    "{}:{}:{}",
                    cb.kind,
                    group.as_deref().unwrap_or(""),
                    p.user_id
                )),
                channel: Channel::Vk,
                consent,
                customer: sender(p.user_id),
                timestamp,
                reason,
            }));
        }
        "message_read" => {
            let r: ReadReceipt = decode_json_at(object()?, "object")?;
            let timestamp = sink.received_at("VK read receipts have no date")?;
            sink.event(Event::Status(StatusUpdate {
                event_id: event_id(format!("message_read:{}:{}", r.from_id, r.read_message_id)),
                channel: Channel::Vk,
                message_id: Some(r.read_message_id.to_string()),
                up_to: None,
                status: DeliveryStatus::Read,
                provider_status: "message_read".into(),
                timestamp,
                customer: sender(r.from_id),
                error: None,
            }));
        }
        other => sink.ignored(cb.event_id.clone(), other, "type"),
    }
    Ok(())
}

/// Whether an object has a `message` key at its top level (the 5.103+ shape).
fn has_message_key(raw: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        message: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(raw).is_ok_and(|p| p.message.is_some())
}

/// The party of a VK sender id: a user (positive) or a community (negative).
fn sender(id: i64) -> Party {
    if id > 0 {
        Party {
            identifiers: vec![Identifier::new(IdentifierKind::VkId, id.to_string())],
            display_name: None,
        }
    } else {
        Party {
            identifiers: Vec::new(),
            display_name: Some(format!("club{}", id.unsigned_abs())),
        }
    }
}

fn attachment(a: &VkAttachment) -> Attachment {
    let inner = a.content.get(&a.kind).and_then(Value::as_object);
    let get = |k: &str| inner.and_then(|o| o.get(k));
    let text = |k: &str| get(k).and_then(Value::as_str).map(str::to_string);
    let url = text("url").or_else(|| text("link_mp3")).or_else(|| {
        let owner = get("owner_id")?.as_i64()?;
        let id = get("id")?.as_i64()?;
        Some(format!("{}{owner}_{id}", a.kind))
    });
    Attachment {
        name: text("title"),
        mime_type: match a.kind.as_str() {
            "photo" => Some("image/jpeg".into()),
            "audio_message" => Some("audio/mpeg".into()),
            _ => None,
        },
        size: get("size").and_then(Value::as_u64),
        url,
    }
}

fn message(
    m: &VkMessage,
    kind: &str,
    path: &str,
    group: Option<&str>,
    _sink: &mut Sink<'_>,
) -> Result<Message> {
    let timestamp = unix_seconds(m.date, &format!("{path}.date"))?;
    let author = m
        .from_id
        .or(m.user_id)
        .ok_or_else(|| missing(&format!("{path}.from_id")))?;
    let outbound = kind == "message_reply" || m.out == Some(1) || author < 0;
    let peer = m.peer_id.unwrap_or(author);
    let id = if m.id != 0 {
        m.id.to_string()
    } else if let Some(c) = m.conversation_message_id {
        format!("{peer}:{c}")
    } else {
        return Err(field(
            &format!("{path}.id"),
            "a message has neither an id nor a conversation_message_id",
        ));
    };
    let direction = if outbound {
        Direction::Outbound
    } else {
        Direction::Inbound
    };
    let mut msg = Message::new(id, Channel::Vk, direction, timestamp);
    if outbound {
        msg.to = sender(peer);
        if author < 0 {
            msg.from = sender(author);
        }
    } else {
        msg.from = sender(author);
    }
    msg.text = m
        .text
        .clone()
        .or_else(|| m.body.clone())
        .unwrap_or_default();
    if let Some(t) = m
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty() && *t != " ... ")
    {
        msg.subject = Some(t.to_string());
    }
    msg.refs.conversation_id = Some(peer.to_string());
    if let Some(r) = m.reply_message.as_ref().and_then(|r| r.id) {
        msg.refs.reply_to_id = Some(r.to_string());
    }
    msg.attachments = m.attachments.iter().map(attachment).collect();
    msg.metadata.insert("type".into(), json!(kind));
    if let Some(g) = group {
        msg.metadata.insert("group_id".into(), json!(g));
    }
    if let Some(p) = &m.payload {
        msg.metadata.insert("payload".into(), json!(p));
    }
    for (key, value) in [("ref", &m.referral), ("ref_source", &m.ref_source)] {
        if let Some(v) = value {
            msg.metadata.insert(key.into(), json!(v));
        }
    }
    Ok(msg)
}
