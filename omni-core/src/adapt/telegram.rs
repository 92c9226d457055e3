//! Telegram Bot API `Update` objects (one object, or an array as `getUpdates` returns them).
//!
//! `message`, `channel_post` and `business_message` become messages; their `edited_*` forms
//! become [`Event::Edit`]; `callback_query` (a button press) is an inbound message carrying the
//! button's data; `message_reaction` a reaction message; `my_chat_member` in a private chat is
//! consent (the user blocked the bot: `kicked`, or restarted it). Everything else is ignored
//! with its update field name. Message ids are `chat_id:message_id` (Telegram numbers messages
//! per chat); the event id is the `update_id`. A user gives `telegram_id` and, when set,
//! `telegram_username`; a contact the user shares about themselves adds their phone.

use super::event::{Consent, ConsentChange, EditedMessage, Event};
use super::sink::{decode_json, field, unix_seconds, Sink};
use crate::error::Result;
use crate::message::{Attachment, Channel, Direction, Identifier, IdentifierKind, Message, Party};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The update kinds are boxed: the struct is moved while it is read, and a few large inline
/// `Option`s made those moves the biggest cost in the adapter benchmark.
#[derive(Deserialize)]
struct Update {
    update_id: i64,
    #[serde(default)]
    message: Option<Box<TgMessage>>,
    #[serde(default)]
    edited_message: Option<Box<TgMessage>>,
    #[serde(default)]
    channel_post: Option<Box<TgMessage>>,
    #[serde(default)]
    edited_channel_post: Option<Box<TgMessage>>,
    #[serde(default)]
    business_message: Option<Box<TgMessage>>,
    #[serde(default)]
    edited_business_message: Option<Box<TgMessage>>,
    #[serde(default)]
    callback_query: Option<Box<CallbackQuery>>,
    #[serde(default)]
    message_reaction: Option<Box<ReactionUpdate>>,
    #[serde(default)]
    my_chat_member: Option<Box<ChatMemberUpdate>>,
}

#[derive(Deserialize)]
struct User {
    id: i64,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    language_code: Option<String>,
}

#[derive(Deserialize)]
struct Chat {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    username: Option<String>,
}

#[derive(Deserialize)]
struct TgMessage {
    message_id: i64,
    date: i64,
    chat: Chat,
    #[serde(default)]
    from: Option<User>,
    #[serde(default)]
    sender_chat: Option<Chat>,
    #[serde(default)]
    edit_date: Option<i64>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    reply_to_message: Option<Box<Reply>>,
    #[serde(default)]
    message_thread_id: Option<i64>,
    #[serde(default)]
    business_connection_id: Option<String>,
    #[serde(default)]
    photo: Vec<File>,
    #[serde(default)]
    document: Option<File>,
    #[serde(default)]
    audio: Option<File>,
    #[serde(default)]
    video: Option<File>,
    #[serde(default)]
    voice: Option<File>,
    #[serde(default)]
    video_note: Option<File>,
    #[serde(default)]
    animation: Option<File>,
    #[serde(default)]
    sticker: Option<Sticker>,
    #[serde(default)]
    contact: Option<SharedContact>,
    #[serde(default)]
    location: Option<Location>,
    #[serde(default)]
    venue: Option<Venue>,
    #[serde(default)]
    forward_origin: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Reply {
    message_id: i64,
}

#[derive(Deserialize)]
struct File {
    file_id: String,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    file_size: Option<u64>,
}

#[derive(Deserialize)]
struct Sticker {
    file_id: String,
    #[serde(default)]
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct SharedContact {
    phone_number: String,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    user_id: Option<i64>,
}

#[derive(Deserialize)]
struct Location {
    latitude: f64,
    longitude: f64,
}

#[derive(Deserialize)]
struct Venue {
    location: Location,
    title: String,
    address: String,
}

#[derive(Deserialize)]
struct CallbackQuery {
    id: String,
    from: User,
    #[serde(default)]
    message: Option<Box<CallbackMessage>>,
    #[serde(default)]
    data: Option<String>,
}

#[derive(Deserialize)]
struct CallbackMessage {
    message_id: i64,
    chat: Chat,
}

#[derive(Deserialize)]
struct ReactionUpdate {
    chat: Chat,
    message_id: i64,
    date: i64,
    #[serde(default)]
    user: Option<User>,
    #[serde(default)]
    new_reaction: Vec<ReactionType>,
}

#[derive(Deserialize)]
struct ReactionType {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct ChatMemberUpdate {
    chat: Chat,
    from: User,
    date: i64,
    old_chat_member: Member,
    new_chat_member: Member,
}

#[derive(Deserialize)]
struct Member {
    status: String,
}

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let first = payload.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let updates: Vec<Update> = decode_json(payload)?;
        for (i, u) in updates.iter().enumerate() {
            read_update(u, payload, &format!("[{i}]"), sink)?;
        }
        Ok(())
    } else {
        let u: Update = decode_json(payload)?;
        read_update(&u, payload, "", sink)
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn read_update(u: &Update, payload: &[u8], prefix: &str, sink: &mut Sink<'_>) -> Result<()> {
    let event_id = u.update_id.to_string();
    let plain = [
        ("message", &u.message),
        ("channel_post", &u.channel_post),
        ("business_message", &u.business_message),
    ];
    for (name, m) in plain {
        if let Some(m) = m {
            let msg = message(m, name, &event_id, &join(prefix, name), sink)?;
            sink.message(msg);
            return Ok(());
        }
    }
    let edits = [
        ("edited_message", &u.edited_message),
        ("edited_channel_post", &u.edited_channel_post),
        ("edited_business_message", &u.edited_business_message),
    ];
    for (name, m) in edits {
        if let Some(m) = m {
            let msg = message(m, name, &event_id, &join(prefix, name), sink)?;
            sink.event(Event::Edit(EditedMessage {
                event_id: event_id.clone(),
                message: Box::new(msg),
            }));
            return Ok(());
        }
    }
    if let Some(q) = &u.callback_query {
        let path = join(prefix, "callback_query");
        let timestamp = sink.received_at("a callback query has no date")?;
        let mut msg = Message::new(
            format!("callback:{}", q.id),
            Channel::Telegram,
            Direction::Inbound,
            timestamp,
        );
        msg.event_id = Some(event_id);
        msg.from = user_party(&q.from, &format!("{path}.from"), sink);
        msg.text = q.data.clone().unwrap_or_default();
        msg.metadata.insert("type".into(), json!("callback_query"));
        if let Some(m) = &q.message {
            msg.refs.reply_to_id = Some(format!("{}:{}", m.chat.id, m.message_id));
            msg.refs.conversation_id = Some(m.chat.id.to_string());
        }
        sink.message(msg);
        return Ok(());
    }
    if let Some(r) = &u.message_reaction {
        let path = join(prefix, "message_reaction");
        let timestamp = unix_seconds(r.date, &format!("{path}.date"))?;
        let target = format!("{}:{}", r.chat.id, r.message_id);
        let mut msg = Message::new(
            format!("{target}:reaction:{}", u.update_id),
            Channel::Telegram,
            Direction::Inbound,
            timestamp,
        );
        msg.event_id = Some(event_id);
        if let Some(user) = &r.user {
            msg.from = user_party(user, &format!("{path}.user"), sink);
        }
        msg.text = r
            .new_reaction
            .iter()
            .filter(|t| t.kind == "emoji")
            .filter_map(|t| t.emoji.as_deref())
            .collect::<Vec<_>>()
            .join("");
        msg.refs.reply_to_id = Some(target);
        msg.refs.conversation_id = Some(r.chat.id.to_string());
        msg.metadata.insert("type".into(), json!("reaction"));
        sink.message(msg);
        return Ok(());
    }
    if let Some(c) = &u.my_chat_member {
        let path = join(prefix, "my_chat_member");
        let consent = match (
            c.chat.kind.as_str(),
            c.old_chat_member.status.as_str(),
            c.new_chat_member.status.as_str(),
        ) {
            ("private", _, "kicked") => Some(Consent::OptOut),
            ("private", "kicked", "member") => Some(Consent::OptIn),
            _ => None,
        };
        match consent {
            Some(consent) => {
                let timestamp = unix_seconds(c.date, &format!("{path}.date"))?;
                let customer = user_party(&c.from, &format!("{path}.from"), sink);
                sink.event(Event::Consent(ConsentChange {
                    event_id,
                    channel: Channel::Telegram,
                    consent,
                    customer,
                    timestamp,
                    reason: format!(
                        "my_chat_member: {} -> {}",
                        c.old_chat_member.status, c.new_chat_member.status
                    ),
                }));
            }
            None => sink.ignored(Some(event_id), "my_chat_member", path),
        }
        return Ok(());
    }
    // Another update type: name it by its field.
    let kind = update_kind(payload, prefix).unwrap_or_else(|| "unknown".into());
    sink.ignored(Some(event_id), &kind, prefix.to_string());
    Ok(())
}

/// The name of the field other than `update_id` in an update (only for ignored updates).
fn update_kind(payload: &[u8], prefix: &str) -> Option<String> {
    let first = |m: BTreeMap<String, IgnoredAny>| m.into_keys().find(|k| k != "update_id");
    if prefix.is_empty() {
        first(serde_json::from_slice(payload).ok()?)
    } else {
        let index: usize = prefix.trim_matches(|c| c == '[' || c == ']').parse().ok()?;
        let all: Vec<BTreeMap<String, IgnoredAny>> = serde_json::from_slice(payload).ok()?;
        first(all.into_iter().nth(index)?)
    }
}

fn display_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let name = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

fn user_party(user: &User, path: &str, sink: &mut Sink<'_>) -> Party {
    let mut identifiers = vec![Identifier::new(
        IdentifierKind::TelegramId,
        user.id.to_string(),
    )];
    if let Some(name) = &user.username {
        identifiers.extend(sink.handle(
            IdentifierKind::TelegramUsername,
            name,
            &format!("{path}.username"),
        ));
    }
    Party {
        identifiers,
        display_name: display_name(user.first_name.as_deref(), user.last_name.as_deref()),
    }
}

fn chat_party(chat: &Chat, path: &str, sink: &mut Sink<'_>) -> Party {
    let mut identifiers = Vec::new();
    if let Some(name) = &chat.username {
        identifiers.extend(sink.handle(
            IdentifierKind::TelegramUsername,
            name,
            &format!("{path}.username"),
        ));
    }
    Party {
        identifiers,
        display_name: chat.title.clone(),
    }
}

fn file_attachment(f: &File) -> Attachment {
    Attachment {
        name: f.file_name.clone(),
        mime_type: f.mime_type.clone(),
        size: f.file_size,
        url: Some(f.file_id.clone()),
    }
}

fn message(
    m: &TgMessage,
    kind: &str,
    event_id: &str,
    path: &str,
    sink: &mut Sink<'_>,
) -> Result<Message> {
    let timestamp = unix_seconds(m.date, &format!("{path}.date"))?;
    let channel_post = kind.ends_with("channel_post");
    // A business message is outbound when the account owner wrote it: in a private chat the
    // chat id is the customer's user id.
    let outbound = channel_post
        || (m.business_connection_id.is_some()
            && m.from.as_ref().is_some_and(|f| f.id != m.chat.id));
    let direction = if outbound {
        Direction::Outbound
    } else {
        Direction::Inbound
    };
    let mut msg = Message::new(
        format!("{}:{}", m.chat.id, m.message_id),
        Channel::Telegram,
        direction,
        timestamp,
    );
    msg.event_id = Some(event_id.to_string());
    let sender = match (&m.from, &m.sender_chat) {
        (Some(user), _) => user_party(user, &format!("{path}.from"), sink),
        (None, Some(chat)) => chat_party(chat, &format!("{path}.sender_chat"), sink),
        (None, None) if channel_post => chat_party(&m.chat, &format!("{path}.chat"), sink),
        (None, None) => {
            return Err(field(
                path,
                "a message has neither `from` nor `sender_chat`",
            ))
        }
    };
    if m.from.as_ref().is_some_and(|u| u.is_bot) && !outbound {
        msg.metadata.insert("sender_is_bot".into(), json!(true));
    }
    if let Some(lang) = m.from.as_ref().and_then(|u| u.language_code.as_ref()) {
        msg.metadata.insert("language_code".into(), json!(lang));
    }
    msg.from = sender;
    if m.chat.kind != "private" {
        msg.to = chat_party(&m.chat, &format!("{path}.chat"), sink);
    } else if direction == Direction::Outbound {
        msg.to = Party {
            identifiers: vec![Identifier::new(
                IdentifierKind::TelegramId,
                m.chat.id.to_string(),
            )],
            display_name: None,
        };
    }
    msg.refs.conversation_id = Some(m.chat.id.to_string());
    if let Some(r) = &m.reply_to_message {
        msg.refs.reply_to_id = Some(format!("{}:{}", m.chat.id, r.message_id));
    }
    if let Some(t) = m.message_thread_id {
        msg.refs.session_id = Some(format!("{}:{t}", m.chat.id));
    }
    msg.metadata.insert("type".into(), json!(kind));
    msg.metadata.insert("chat_type".into(), json!(m.chat.kind));
    if let Some(b) = &m.business_connection_id {
        msg.metadata
            .insert("business_connection_id".into(), json!(b));
    }
    if let Some(edit) = m.edit_date {
        let at = unix_seconds(edit, &format!("{path}.edit_date"))?;
        msg.metadata.insert(
            "edited_at".into(),
            json!(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        );
    }
    if m.forward_origin.is_some() {
        msg.metadata.insert("forwarded".into(), json!(true));
    }
    msg.text = m
        .text
        .clone()
        .or_else(|| m.caption.clone())
        .unwrap_or_default();
    if let Some(largest) = m.photo.iter().max_by_key(|p| p.file_size.unwrap_or(0)) {
        let mut a = file_attachment(largest);
        a.mime_type.get_or_insert_with(|| "image/jpeg".into());
        msg.attachments.push(a);
    }
    for f in [
        &m.document,
        &m.audio,
        &m.video,
        &m.voice,
        &m.video_note,
        &m.animation,
    ]
    .into_iter()
    .flatten()
    {
        msg.attachments.push(file_attachment(f));
    }
    if let Some(s) = &m.sticker {
        msg.attachments.push(Attachment {
            url: Some(s.file_id.clone()),
            ..Attachment::default()
        });
        if msg.text.is_empty() {
            msg.text = s.emoji.clone().unwrap_or_default();
        }
    }
    if let Some(v) = &m.venue {
        msg.text = format!("{}, {}", v.title, v.address);
        msg.metadata.insert(
            "location".into(),
            json!({"latitude": v.location.latitude, "longitude": v.location.longitude}),
        );
    } else if let Some(l) = &m.location {
        msg.metadata.insert(
            "location".into(),
            json!({"latitude": l.latitude, "longitude": l.longitude}),
        );
    }
    if let Some(c) = &m.contact {
        let at = format!("{path}.contact.phone_number");
        let phone = sink.phone(&c.phone_number, &at);
        let name = display_name(c.first_name.as_deref(), c.last_name.as_deref());
        let own = c.user_id.is_some() && m.from.as_ref().map(|u| u.id) == c.user_id;
        if own {
            // The user shared their own contact (a "share my phone" button): it is theirs.
            msg.from.identifiers.extend(phone);
        } else {
            let mut ids: Vec<Identifier> = phone.into_iter().collect();
            if let Some(uid) = c.user_id {
                ids.push(Identifier::new(IdentifierKind::TelegramId, uid.to_string()));
            }
            msg.metadata.insert(
                "shared_contacts".into(),
                json!([{"name": name, "identifiers": ids}]),
            );
        }
        if msg.text.is_empty() {
            msg.text = [name.as_deref(), Some(c.phone_number.as_str())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    Ok(msg)
}
