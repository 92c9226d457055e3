//! Instagram and Facebook Messenger webhooks (Meta's Messenger Platform; one shape for both).
//!
//! `entry[].messaging[]` holds messages (with `is_echo` for the business's own messages),
//! `delivery` and `read` receipts, `postback` button presses, `reaction`s, `message_edit`s and
//! `optin`s (marketing-message opt-in and opt-out); `entry[].changes[]` holds comments on media
//! and posts (`comments` on Instagram, `feed` items of type `comment` on a Facebook page).
//! Everything else is ignored with its type. Senders are known by the ids Meta scopes to the
//! account (`instagram_id`, or `facebook` page-scoped ids); message ids are Meta's `mid`.

use super::event::{Consent, ConsentChange, EditedMessage, Event, StatusUpdate};
use super::sink::{decode_json, decode_json_at, field, missing, IdText, Sink};
use super::Provider;
use crate::error::Result;
use crate::message::{
    Attachment, Channel, DeliveryStatus, Direction, Identifier, IdentifierKind, Message, Party,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, value::RawValue, Value};

#[derive(Deserialize)]
struct Webhook {
    object: String,
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    id: Option<IdText>,
    #[serde(default)]
    time: Option<f64>,
    #[serde(default)]
    messaging: Vec<Messaging>,
    #[serde(default)]
    changes: Vec<Change>,
    #[serde(default)]
    standby: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Change {
    field: String,
    value: Box<RawValue>,
}

#[derive(Deserialize)]
struct Id {
    id: IdText,
}

#[derive(Deserialize)]
struct Messaging {
    #[serde(default)]
    sender: Option<Id>,
    #[serde(default)]
    recipient: Option<Id>,
    #[serde(default)]
    timestamp: Option<f64>,
    #[serde(default)]
    message: Option<MetaMessage>,
    #[serde(default)]
    delivery: Option<Delivery>,
    #[serde(default)]
    read: Option<Read>,
    #[serde(default)]
    postback: Option<Postback>,
    #[serde(default)]
    reaction: Option<Reaction>,
    #[serde(default)]
    message_edit: Option<MessageEdit>,
    #[serde(default)]
    optin: Option<Optin>,
    #[serde(default)]
    referral: Option<Value>,
    #[serde(default)]
    account_linking: Option<Value>,
    #[serde(default)]
    policy_enforcement: Option<Value>,
    #[serde(default)]
    pass_thread_control: Option<Value>,
}

#[derive(Deserialize)]
struct MetaMessage {
    mid: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    is_echo: bool,
    #[serde(default)]
    is_deleted: bool,
    #[serde(default)]
    quick_reply: Option<Payload>,
    #[serde(default)]
    reply_to: Option<ReplyTo>,
    #[serde(default)]
    attachments: Vec<MetaAttachment>,
    #[serde(default)]
    referral: Option<Value>,
}

#[derive(Deserialize)]
struct Payload {
    payload: String,
}

#[derive(Deserialize)]
struct ReplyTo {
    #[serde(default)]
    mid: Option<String>,
    #[serde(default)]
    story: Option<Value>,
}

#[derive(Deserialize)]
struct MetaAttachment {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payload: Option<AttachmentPayload>,
}

#[derive(Deserialize)]
struct AttachmentPayload {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    coordinates: Option<Value>,
}

#[derive(Deserialize)]
struct Delivery {
    #[serde(default)]
    mids: Vec<String>,
    #[serde(default)]
    watermark: Option<f64>,
}

#[derive(Deserialize)]
struct Read {
    #[serde(default)]
    watermark: Option<f64>,
    #[serde(default)]
    mid: Option<String>,
}

#[derive(Deserialize)]
struct Postback {
    #[serde(default)]
    mid: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    payload: Option<String>,
}

#[derive(Deserialize)]
struct Reaction {
    mid: String,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    emoji: Option<String>,
    #[serde(default)]
    reaction: Option<String>,
}

#[derive(Deserialize)]
struct MessageEdit {
    mid: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    num_edit: Option<u64>,
}

#[derive(Deserialize)]
struct Optin {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    notification_messages_status: Option<String>,
    #[serde(default)]
    payload: Option<String>,
    #[serde(rename = "ref", default)]
    reference: Option<String>,
}

/// An Instagram `comments` value or a Facebook `feed` value.
#[derive(Deserialize)]
struct Comment {
    #[serde(default)]
    from: Option<CommentAuthor>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    comment_id: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    media: Option<Id>,
    #[serde(default)]
    post_id: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    item: Option<String>,
    #[serde(default)]
    verb: Option<String>,
    #[serde(default)]
    created_time: Option<IdText>,
}

#[derive(Deserialize)]
struct CommentAuthor {
    id: IdText,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

struct Account {
    channel: Channel,
    id_kind: IdentifierKind,
}

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let hook: Webhook = decode_json(payload)?;
    let (expected, account) = match sink.provider {
        Provider::Instagram => (
            "instagram",
            Account {
                channel: Channel::Instagram,
                id_kind: IdentifierKind::InstagramId,
            },
        ),
        _ => (
            "page",
            Account {
                channel: Channel::Facebook,
                id_kind: IdentifierKind::Facebook,
            },
        ),
    };
    if hook.object != expected {
        return Err(field(
            "object",
            format!(
                "{:?} is not this provider's webhook (expected {expected:?})",
                hook.object
            ),
        ));
    }
    for (e, entry) in hook.entry.iter().enumerate() {
        let path = format!("entry[{e}]");
        for (i, m) in entry.messaging.iter().enumerate() {
            read_messaging(m, entry, &account, &format!("{path}.messaging[{i}]"), sink)?;
        }
        for (c, change) in entry.changes.iter().enumerate() {
            let path = format!("{path}.changes[{c}]");
            match change.field.as_str() {
                "comments" | "feed" | "live_comments" => {
                    let value: Comment =
                        decode_json_at(change.value.get(), &format!("{path}.value"))?;
                    read_comment(&value, entry, &account, &change.field, &path, sink)?;
                }
                other => sink.ignored(None, other, path),
            }
        }
        if entry.standby.is_some() {
            sink.ignored(None, "standby", format!("{path}.standby"));
        }
    }
    Ok(())
}

fn time(n: f64, path: &str) -> Result<DateTime<Utc>> {
    // Messenger sends milliseconds, Instagram comment entries seconds: the shared reader tells
    // them apart by magnitude.
    crate::message::parse_timestamp(&format!("{n}")).map_err(|e| e.at(path))
}

fn party(sink: &mut Sink<'_>, account: &Account, id: &str, path: &str) -> Party {
    // Meta's scoped ids are numbers it issues: kept as given. Anything else goes through the
    // handle rules of the network.
    let identifiers = if !id.is_empty() && id.len() <= 25 && id.bytes().all(|b| b.is_ascii_digit())
    {
        vec![Identifier::new(account.id_kind, id)]
    } else {
        sink.handle(account.id_kind, id, path)
    };
    Party {
        identifiers,
        display_name: None,
    }
}

fn read_messaging(
    m: &Messaging,
    entry: &Entry,
    account: &Account,
    path: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let sender = m.sender.as_ref().map(|s| s.id.0.clone());
    let recipient = m.recipient.as_ref().map(|s| s.id.0.clone());
    let at = m.timestamp.or(entry.time);
    let timestamp = |sink: &Sink<'_>| -> Result<DateTime<Utc>> {
        match at {
            Some(n) => time(n, &format!("{path}.timestamp")),
            None => sink.received_at("no timestamp"),
        }
    };
    let sender_id = || {
        sender
            .clone()
            .ok_or_else(|| missing(&format!("{path}.sender")))
    };
    if let Some(msg) = &m.message {
        let ts = timestamp(sink)?;
        let sender_id = sender_id()?;
        let echo = msg.is_echo;
        let direction = if echo {
            Direction::Outbound
        } else {
            Direction::Inbound
        };
        let mut out = Message::new(&msg.mid, account.channel.clone(), direction, ts);
        out.event_id = Some(msg.mid.clone());
        let customer_id = if echo {
            recipient.clone()
        } else {
            Some(sender_id)
        };
        if let Some(c) = customer_id {
            let who = if echo { "recipient" } else { "sender" };
            let p = party(sink, account, &c, &format!("{path}.{who}.id"));
            if echo {
                out.to = p;
                out.status = Some(DeliveryStatus::Sent);
            } else {
                out.from = p;
            }
        }
        out.text = msg.text.clone().unwrap_or_default();
        out.metadata
            .insert("type".into(), json!(if echo { "echo" } else { "message" }));
        if msg.is_deleted {
            out.metadata.insert("deleted".into(), json!(true));
        }
        if let Some(q) = &msg.quick_reply {
            out.metadata.insert("reply_id".into(), json!(q.payload));
        }
        if let Some(r) = &msg.reply_to {
            out.refs.reply_to_id.clone_from(&r.mid);
            if let Some(story) = &r.story {
                out.metadata.insert("story".into(), story.clone());
            }
        }
        if let Some(r) = &msg.referral {
            out.metadata.insert("referral".into(), r.clone());
        }
        for a in &msg.attachments {
            let p = a.payload.as_ref();
            if let Some(c) = p.and_then(|p| p.coordinates.as_ref()) {
                out.metadata.insert("location".into(), c.clone());
                continue;
            }
            out.attachments.push(Attachment {
                name: p.and_then(|p| p.title.clone()),
                mime_type: match a.kind.as_str() {
                    "image" => Some("image/jpeg".into()),
                    "video" => Some("video/mp4".into()),
                    "audio" => Some("audio/mpeg".into()),
                    _ => None,
                },
                size: None,
                url: p.and_then(|p| p.url.clone()),
            });
        }
        if let Some(page) = &entry.id {
            out.metadata.insert("account_id".into(), json!(page.0));
        }
        sink.message(out);
    } else if let Some(d) = &m.delivery {
        let customer = match &sender {
            Some(s) => party(sink, account, s, &format!("{path}.sender.id")),
            None => Party::default(),
        };
        let ts = match d.watermark.or(at) {
            Some(n) => time(n, &format!("{path}.delivery.watermark"))?,
            None => sink.received_at("no watermark")?,
        };
        let base = format!(
            "delivery:{}:{}",
            sender.as_deref().unwrap_or(""),
            d.watermark.map(|w| w.to_string()).unwrap_or_default()
        );
        if d.mids.is_empty() {
            sink.event(Event::Status(StatusUpdate {
                event_id: base,
                channel: account.channel.clone(),
                message_id: None,
                up_to: Some(ts),
                status: DeliveryStatus::Delivered,
                provider_status: "delivery".into(),
                timestamp: ts,
                customer,
                error: None,
            }));
        } else {
            for mid in &d.mids {
                sink.event(Event::Status(StatusUpdate {
                    event_id: format!("{base}:{mid}"),
                    channel: account.channel.clone(),
                    message_id: Some(mid.clone()),
                    up_to: None,
                    status: DeliveryStatus::Delivered,
                    provider_status: "delivery".into(),
                    timestamp: ts,
                    customer: customer.clone(),
                    error: None,
                }));
            }
        }
    } else if let Some(r) = &m.read {
        let customer = match &sender {
            Some(s) => party(sink, account, s, &format!("{path}.sender.id")),
            None => Party::default(),
        };
        let ts = timestamp(sink)?;
        let up_to = r
            .watermark
            .map(|w| time(w, &format!("{path}.read.watermark")))
            .transpose()?;
        if r.mid.is_none() && up_to.is_none() {
            return Err(missing(&format!("{path}.read.watermark")));
        }
        sink.event(Event::Status(StatusUpdate {
            event_id: format!(
                "read:{}:{}",
                sender.as_deref().unwrap_or(""),
                r.mid
                    .clone()
                    .or(r.watermark.map(|w| w.to_string()))
                    .unwrap_or_default()
            ),
            channel: account.channel.clone(),
            message_id: r.mid.clone(),
            up_to,
            status: DeliveryStatus::Read,
            provider_status: "read".into(),
            timestamp: ts,
            customer,
            error: None,
        }));
    } else if let Some(p) = &m.postback {
        let ts = timestamp(sink)?;
        let sender_id = sender_id()?;
        let id = p
            .mid
            .clone()
            .unwrap_or_else(|| format!("postback:{sender_id}:{}", ts.timestamp_millis()));
        let mut out = Message::new(&id, account.channel.clone(), Direction::Inbound, ts);
        out.event_id = Some(id);
        out.from = party(sink, account, &sender_id, &format!("{path}.sender.id"));
        out.text = p.title.clone().unwrap_or_default();
        out.metadata.insert("type".into(), json!("postback"));
        if let Some(payload) = &p.payload {
            out.metadata.insert("reply_id".into(), json!(payload));
        }
        sink.message(out);
    } else if let Some(r) = &m.reaction {
        let ts = timestamp(sink)?;
        let sender_id = sender_id()?;
        let action = r.action.as_deref().unwrap_or("react");
        let id = format!("{}:{action}:{sender_id}:{}", r.mid, ts.timestamp_millis());
        let mut out = Message::new(&id, account.channel.clone(), Direction::Inbound, ts);
        out.event_id = Some(id);
        out.from = party(sink, account, &sender_id, &format!("{path}.sender.id"));
        if action == "react" {
            out.text = r
                .emoji
                .clone()
                .or_else(|| r.reaction.clone())
                .unwrap_or_default();
        }
        out.refs.reply_to_id = Some(r.mid.clone());
        out.metadata.insert("type".into(), json!("reaction"));
        out.metadata.insert("action".into(), json!(action));
        sink.message(out);
    } else if let Some(e) = &m.message_edit {
        let ts = timestamp(sink)?;
        let mut out = Message::new(&e.mid, account.channel.clone(), Direction::Inbound, ts);
        let event_id = format!("{}:edit:{}", e.mid, e.num_edit.unwrap_or(0));
        out.event_id = Some(event_id.clone());
        if let Some(s) = &sender {
            out.from = party(sink, account, s, &format!("{path}.sender.id"));
        }
        out.text = e.text.clone().unwrap_or_default();
        out.metadata.insert("type".into(), json!("message_edit"));
        sink.event(Event::Edit(EditedMessage {
            event_id,
            message: Box::new(out),
        }));
    } else if let Some(o) = &m.optin {
        let ts = timestamp(sink)?;
        let sender_id = sender_id()?;
        let stop = o
            .notification_messages_status
            .as_deref()
            .is_some_and(|s| s.to_ascii_uppercase().starts_with("STOP"));
        let reason = [
            o.kind.as_deref(),
            o.notification_messages_status.as_deref(),
            o.payload.as_deref().or(o.reference.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ");
        let customer = party(sink, account, &sender_id, &format!("{path}.sender.id"));
        sink.event(Event::Consent(ConsentChange {
            event_id: format!("optin:{sender_id}:{}", ts.timestamp_millis()),
            channel: account.channel.clone(),
            consent: if stop {
                Consent::OptOut
            } else {
                Consent::OptIn
            },
            customer,
            timestamp: ts,
            reason: if reason.is_empty() {
                "optin".into()
            } else {
                reason
            },
        }));
    } else {
        let kind = [
            ("referral", m.referral.is_some()),
            ("account_linking", m.account_linking.is_some()),
            ("policy_enforcement", m.policy_enforcement.is_some()),
            ("pass_thread_control", m.pass_thread_control.is_some()),
        ]
        .into_iter()
        .find(|(_, present)| *present)
        .map_or("unknown", |(k, _)| k);
        sink.ignored(None, kind, path);
    }
    Ok(())
}

fn read_comment(
    c: &Comment,
    entry: &Entry,
    account: &Account,
    field_name: &str,
    path: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    if field_name == "feed" && c.item.as_deref() != Some("comment") {
        sink.ignored(
            None,
            &format!("feed:{}", c.item.as_deref().unwrap_or("unknown")),
            path,
        );
        return Ok(());
    }
    let verb = c.verb.as_deref().unwrap_or("add");
    if !matches!(verb, "add" | "edited") {
        sink.ignored(None, &format!("{field_name}:{verb}"), path);
        return Ok(());
    }
    let value_path = format!("{path}.value");
    let id = c
        .comment_id
        .clone()
        .or_else(|| c.id.clone())
        .ok_or_else(|| missing(&format!("{value_path}.id")))?;
    let timestamp = match (&c.created_time, entry.time) {
        (Some(t), _) => crate::message::parse_timestamp(&t.0)
            .map_err(|e| e.at(format!("{value_path}.created_time")))?,
        (None, Some(n)) => time(n, &format!("{path}.time"))?,
        (None, None) => sink.received_at("no time")?,
    };
    let author = c
        .from
        .as_ref()
        .ok_or_else(|| missing(&format!("{value_path}.from")))?;
    let own = entry.id.as_ref().is_some_and(|e| e.0 == author.id.0);
    let direction = if own {
        Direction::Outbound
    } else {
        Direction::Inbound
    };
    let mut msg = Message::new(&id, account.channel.clone(), direction, timestamp);
    msg.event_id = Some(format!("{id}:{verb}"));
    let mut who = party(
        sink,
        account,
        &author.id.0,
        &format!("{value_path}.from.id"),
    );
    if let Some(u) = &author.username {
        if account.channel == Channel::Instagram {
            who.identifiers.extend(sink.handle(
                IdentifierKind::Instagram,
                u,
                &format!("{value_path}.from.username"),
            ));
        }
        who.display_name = Some(u.clone());
    }
    if let Some(n) = &author.name {
        who.display_name = Some(n.clone());
    }
    msg.from = who;
    msg.text = c
        .text
        .clone()
        .or_else(|| c.message.clone())
        .unwrap_or_default();
    msg.refs.conversation_id = c
        .media
        .as_ref()
        .map(|m| m.id.0.clone())
        .or_else(|| c.post_id.clone());
    msg.refs.reply_to_id = c
        .parent_id
        .clone()
        .filter(|p| Some(p) != c.post_id.as_ref());
    msg.metadata.insert("type".into(), json!("comment"));
    if let Some(page) = &entry.id {
        msg.metadata.insert("account_id".into(), json!(page.0));
    }
    if verb == "edited" {
        sink.event(Event::Edit(EditedMessage {
            event_id: format!("{id}:edited:{}", timestamp.timestamp()),
            message: Box::new(msg),
        }));
    } else {
        sink.message(msg);
    }
    Ok(())
}
