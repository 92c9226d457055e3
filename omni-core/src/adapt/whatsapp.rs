//! WhatsApp Business Cloud API webhooks (`"object": "whatsapp_business_account"`).
//!
//! `entry[].changes[]` with `field: "messages"` carries inbound `messages` (every type: text,
//! media, location, contacts, interactive and button replies, reactions, system messages) and
//! `statuses` of outbound messages; `field: "user_preferences"` carries marketing opt-outs.
//! Other fields (template and account updates) are reported as ignored. The sender's `wa_id`
//! gives the `whatsapp` id and the E.164 phone; the display name comes from `contacts[]`.

use super::event::{Consent, ConsentChange, ContactChange, Event, StatusUpdate};
use super::sink::{decode_json, decode_json_at, field, unix_seconds_text, IdText, Sink};
use crate::error::Result;
use crate::message::{
    Attachment, Channel, DeliveryStatus, Direction, Identifier, IdentifierKind, Message, Party,
};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct Webhook {
    object: String,
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    field: String,
    value: Box<serde_json::value::RawValue>,
}

#[derive(Deserialize)]
struct MessagesValue {
    #[serde(default)]
    metadata: Option<BusinessNumber>,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<WaMessage>,
    #[serde(default)]
    statuses: Vec<Status>,
    #[serde(default)]
    user_preferences: Vec<UserPreference>,
}

#[derive(Deserialize)]
struct BusinessNumber {
    #[serde(default)]
    display_phone_number: Option<String>,
    #[serde(default)]
    phone_number_id: Option<String>,
}

#[derive(Deserialize)]
struct Contact {
    wa_id: String,
    #[serde(default)]
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    name: Option<String>,
}

/// The optional parts are boxed: the struct is moved while it is read, and large inline
/// `Option`s made those moves a large share of the adapter's time.
#[derive(Deserialize)]
struct WaMessage {
    from: String,
    id: String,
    timestamp: IdText,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    context: Option<Box<Context>>,
    #[serde(default)]
    text: Option<Box<Text>>,
    #[serde(default)]
    image: Option<Box<Media>>,
    #[serde(default)]
    audio: Option<Box<Media>>,
    #[serde(default)]
    video: Option<Box<Media>>,
    #[serde(default)]
    document: Option<Box<Media>>,
    #[serde(default)]
    sticker: Option<Box<Media>>,
    #[serde(default)]
    location: Option<Box<Location>>,
    #[serde(default)]
    contacts: Vec<SharedContact>,
    #[serde(default)]
    interactive: Option<Box<Interactive>>,
    #[serde(default)]
    button: Option<Box<Button>>,
    #[serde(default)]
    reaction: Option<Box<Reaction>>,
    #[serde(default)]
    system: Option<Box<System>>,
    #[serde(default)]
    referral: Option<Value>,
    #[serde(default)]
    order: Option<Value>,
    #[serde(default)]
    errors: Vec<WaError>,
}

#[derive(Deserialize)]
struct Context {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    forwarded: Option<bool>,
    #[serde(default)]
    frequently_forwarded: Option<bool>,
}

#[derive(Deserialize)]
struct Text {
    body: String,
}

#[derive(Deserialize)]
struct Media {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    voice: Option<bool>,
}

#[derive(Deserialize)]
struct Location {
    latitude: f64,
    longitude: f64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

#[derive(Deserialize)]
struct SharedContact {
    #[serde(default)]
    name: Option<SharedName>,
    #[serde(default)]
    phones: Vec<SharedPhone>,
    #[serde(default)]
    emails: Vec<SharedEmail>,
}

#[derive(Deserialize)]
struct SharedName {
    #[serde(default)]
    formatted_name: Option<String>,
}

#[derive(Deserialize)]
struct SharedPhone {
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    wa_id: Option<String>,
}

#[derive(Deserialize)]
struct SharedEmail {
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
struct Interactive {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    button_reply: Option<Choice>,
    #[serde(default)]
    list_reply: Option<Choice>,
    #[serde(default)]
    nfm_reply: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    id: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct Button {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    payload: Option<String>,
}

#[derive(Deserialize)]
struct Reaction {
    message_id: String,
    #[serde(default)]
    emoji: Option<String>,
}

#[derive(Deserialize)]
struct System {
    #[serde(default)]
    body: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    new_wa_id: Option<String>,
    #[serde(default)]
    wa_id: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    id: String,
    status: String,
    timestamp: IdText,
    #[serde(default)]
    recipient_id: Option<String>,
    #[serde(default)]
    errors: Vec<WaError>,
}

#[derive(Deserialize)]
struct WaError {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    #[serde(default)]
    details: Option<String>,
}

#[derive(Deserialize)]
struct UserPreference {
    wa_id: String,
    category: String,
    value: String,
    timestamp: IdText,
    #[serde(default)]
    detail: Option<String>,
}

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let hook: Webhook = decode_json(payload)?;
    if hook.object != "whatsapp_business_account" {
        return Err(field(
            "object",
            format!(
                "{:?} is not a WhatsApp webhook (expected \"whatsapp_business_account\")",
                hook.object
            ),
        ));
    }
    for (e, entry) in hook.entry.iter().enumerate() {
        for (c, change) in entry.changes.iter().enumerate() {
            let path = format!("entry[{e}].changes[{c}]");
            match change.field.as_str() {
                "messages" | "user_preferences" => {
                    let path = format!("{path}.value");
                    let value: MessagesValue = decode_json_at(change.value.get(), &path)?;
                    read_value(&value, entry.id.as_deref(), &path, sink)?;
                }
                other => sink.ignored(None, other, path),
            }
        }
    }
    Ok(())
}

fn read_value(
    value: &MessagesValue,
    account: Option<&str>,
    path: &str,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let name_of = |wa_id: &str| {
        value
            .contacts
            .iter()
            .find(|c| c.wa_id == wa_id)
            .and_then(|c| c.profile.as_ref()?.name.clone())
    };
    for (i, m) in value.messages.iter().enumerate() {
        let path = format!("{path}.messages[{i}]");
        let timestamp = unix_seconds_text(&m.timestamp.0, &format!("{path}.timestamp"))?;
        let customer = Party {
            identifiers: sink.handle(IdentifierKind::Whatsapp, &m.from, &format!("{path}.from")),
            display_name: name_of(&m.from),
        };
        if m.kind == "system" {
            let system = m.system.as_ref();
            let new_id = system.and_then(|s| s.new_wa_id.as_deref().or(s.wa_id.as_deref()));
            let new = match new_id {
                Some(id) => sink.handle(
                    IdentifierKind::Whatsapp,
                    id,
                    &format!("{path}.system.new_wa_id"),
                ),
                None => Vec::new(),
            };
            sink.event(Event::ContactChange(ContactChange {
                event_id: m.id.clone(),
                channel: Channel::Whatsapp,
                old: customer.identifiers,
                new,
                timestamp,
                kind: system
                    .and_then(|s| s.kind.clone())
                    .unwrap_or_else(|| "system".into()),
                description: system.and_then(|s| s.body.clone()).unwrap_or_default(),
            }));
            continue;
        }
        let mut msg = Message::new(&m.id, Channel::Whatsapp, Direction::Inbound, timestamp);
        msg.event_id = Some(m.id.clone());
        msg.from = customer;
        msg.metadata.insert("type".into(), json!(m.kind));
        if let Some(account) = account {
            msg.metadata.insert("account_id".into(), json!(account));
        }
        // The business line, as given: normalising it for every message would double the
        // cost of a webhook, and the id is what the send API takes.
        if let Some(n) = &value.metadata {
            if let Some(id) = &n.phone_number_id {
                msg.metadata.insert("phone_number_id".into(), json!(id));
            }
            if let Some(d) = &n.display_phone_number {
                msg.metadata.insert("display_phone_number".into(), json!(d));
            }
        }
        if let Some(ctx) = &m.context {
            msg.refs.reply_to_id = ctx.id.clone();
            if ctx.forwarded == Some(true) || ctx.frequently_forwarded == Some(true) {
                msg.metadata.insert("forwarded".into(), json!(true));
            }
        }
        fill_content(&mut msg, m, &path, sink);
        if !m.errors.is_empty() {
            msg.metadata.insert(
                "errors".into(),
                json!(m.errors.iter().map(error_text).collect::<Vec<_>>()),
            );
        }
        sink.message(msg);
    }
    for (i, s) in value.statuses.iter().enumerate() {
        let path = format!("{path}.statuses[{i}]");
        let status = match s.status.as_str() {
            "sent" => DeliveryStatus::Sent,
            "delivered" => DeliveryStatus::Delivered,
            "read" | "played" => DeliveryStatus::Read,
            "failed" => DeliveryStatus::Failed,
            other => {
                sink.ignored(
                    Some(format!("{}:{other}", s.id)),
                    &format!("status:{other}"),
                    path,
                );
                continue;
            }
        };
        let timestamp = unix_seconds_text(&s.timestamp.0, &format!("{path}.timestamp"))?;
        let identifiers = match &s.recipient_id {
            Some(r) => sink.handle(IdentifierKind::Whatsapp, r, &format!("{path}.recipient_id")),
            None => Vec::new(),
        };
        let display_name = s.recipient_id.as_deref().and_then(name_of);
        let error = (!s.errors.is_empty()).then(|| {
            s.errors
                .iter()
                .map(error_text)
                .collect::<Vec<_>>()
                .join("; ")
        });
        sink.event(Event::Status(StatusUpdate {
            event_id: format!("{}:{}", s.id, s.status),
            channel: Channel::Whatsapp,
            message_id: Some(s.id.clone()),
            up_to: None,
            status,
            provider_status: s.status.clone(),
            timestamp,
            customer: Party {
                identifiers,
                display_name,
            },
            error,
        }));
    }
    for (i, p) in value.user_preferences.iter().enumerate() {
        let path = format!("{path}.user_preferences[{i}]");
        let consent = match p.value.as_str() {
            "stop" => Consent::OptOut,
            "resume" => Consent::OptIn,
            other => {
                sink.ignored(None, &format!("user_preferences:{other}"), path);
                continue;
            }
        };
        let timestamp = unix_seconds_text(&p.timestamp.0, &format!("{path}.timestamp"))?;
        let customer = Party {
            identifiers: sink.handle(IdentifierKind::Whatsapp, &p.wa_id, &format!("{path}.wa_id")),
            display_name: name_of(&p.wa_id),
        };
        sink.event(Event::Consent(ConsentChange {
            event_id: format!("{}:{}:{}:{}", p.wa_id, p.category, p.value, p.timestamp.0),
            channel: Channel::Whatsapp,
            consent,
            customer,
            timestamp,
            reason: match &p.detail {
                Some(d) => format!("{}: {d}", p.category),
                None => format!("{}: {}", p.category, p.value),
            },
        }));
    }
    Ok(())
}

fn error_text(e: &WaError) -> String {
    let mut s = String::new();
    if let Some(code) = e.code {
        s.push_str(&code.to_string());
    }
    if let Some(title) = &e.title {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(title);
    }
    if let Some(details) = e.error_data.as_ref().and_then(|d| d.details.as_deref()) {
        s.push_str(": ");
        s.push_str(details);
    }
    s
}

fn attachment(media: &Media) -> Attachment {
    Attachment {
        name: media.filename.clone(),
        mime_type: media.mime_type.clone(),
        size: None,
        url: media.id.clone(),
    }
}

fn fill_content(msg: &mut Message, m: &WaMessage, path: &str, sink: &mut Sink<'_>) {
    if let Some(t) = &m.text {
        msg.text.clone_from(&t.body);
    }
    for media in [&m.image, &m.audio, &m.video, &m.document, &m.sticker]
        .into_iter()
        .flatten()
    {
        msg.attachments.push(attachment(media));
        if let Some(caption) = &media.caption {
            msg.text.clone_from(caption);
        }
        if media.voice == Some(true) {
            msg.metadata.insert("voice".into(), json!(true));
        }
    }
    if let Some(loc) = &m.location {
        let mut text = String::new();
        for part in [&loc.name, &loc.address].into_iter().flatten() {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str(part);
        }
        msg.text = text;
        msg.metadata.insert(
            "location".into(),
            json!({"latitude": loc.latitude, "longitude": loc.longitude}),
        );
    }
    if !m.contacts.is_empty() {
        let mut shared = Vec::new();
        let mut names = Vec::new();
        for (k, c) in m.contacts.iter().enumerate() {
            let mut ids: Vec<Identifier> = Vec::new();
            for (p, phone) in c.phones.iter().enumerate() {
                let at = format!("{path}.contacts[{k}].phones[{p}]");
                match (&phone.wa_id, &phone.phone) {
                    (Some(wa), _) => ids.extend(sink.handle(IdentifierKind::Whatsapp, wa, &at)),
                    (None, Some(text)) => ids.extend(sink.phone(text, &at)),
                    _ => {}
                }
            }
            for (n, email) in c.emails.iter().enumerate() {
                if let Some(e) = &email.email {
                    ids.extend(sink.email(e, &format!("{path}.contacts[{k}].emails[{n}]")));
                }
            }
            let name = c.name.as_ref().and_then(|n| n.formatted_name.clone());
            if let Some(n) = &name {
                names.push(n.clone());
            }
            shared.push(json!({"name": name, "identifiers": ids}));
        }
        msg.text = names.join(", ");
        msg.metadata
            .insert("shared_contacts".into(), Value::Array(shared));
    }
    if let Some(i) = &m.interactive {
        msg.metadata
            .insert("interactive_type".into(), json!(i.kind));
        if let Some(choice) = i.button_reply.as_ref().or(i.list_reply.as_ref()) {
            msg.text.clone_from(&choice.title);
            msg.metadata.insert("reply_id".into(), json!(choice.id));
            if let Some(d) = &choice.description {
                msg.metadata.insert("reply_description".into(), json!(d));
            }
        }
        if let Some(flow) = &i.nfm_reply {
            msg.metadata.insert("flow_reply".into(), flow.clone());
        }
    }
    if let Some(b) = &m.button {
        if let Some(t) = &b.text {
            msg.text.clone_from(t);
        }
        if let Some(p) = &b.payload {
            msg.metadata.insert("reply_id".into(), json!(p));
        }
    }
    if let Some(r) = &m.reaction {
        msg.text = r.emoji.clone().unwrap_or_default();
        msg.refs.reply_to_id = Some(r.message_id.clone());
    }
    if let Some(referral) = &m.referral {
        msg.metadata.insert("referral".into(), referral.clone());
    }
    if let Some(order) = &m.order {
        msg.metadata.insert("order".into(), order.clone());
    }
}
