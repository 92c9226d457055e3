//! Email messages (RFC 5322 / MIME, the bytes of an `.eml` file), read with the `mail-parser`
//! crate: encoded headers, multipart bodies, quoted-printable and base64, and the Cyrillic
//! charsets (UTF-8, KOI8-R, Windows-1251) are decoded by it.
//!
//! The text is the first plain-text body, or the HTML body converted to text when there is no
//! plain part. `Message-ID`, `In-Reply-To` and `References` go to `refs` (without angle
//! brackets); the message id is the `Message-ID` (a hash of the bytes when there is none).
//! Automatic replies are still messages, marked in `metadata.auto_reply` with the header that
//! gave them away (`Auto-Submitted` other than `no`, `X-Autoreply`, `X-Autorespond`,
//! `Precedence: auto_reply`). A delivery-status report (`multipart/report;
//! report-type=delivery-status`, a bounce) is not a message: it is a status update of the
//! original message (`failed` or `delivered`) for the recipient it names. Emails are read as
//! inbound: omni cannot tell which addresses are the business's own.

use super::event::{Event, StatusUpdate};
use super::sink::{content_id, field, missing, unix_seconds, Sink};
use crate::error::{Error, ErrorKind, Result};
use crate::message::{Attachment, Channel, DeliveryStatus, Direction, Identifier, Message, Party};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};
use serde_json::json;

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let parsed = MessageParser::default()
        .parse(payload)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidField,
                "the bytes are not an email message (no header found)",
            )
        })?;
    let timestamp = match parsed.date() {
        Some(d) if d.is_valid() => unix_seconds(d.to_timestamp(), "Date")?,
        Some(_) => return Err(field("Date", "the Date header is not a valid date")),
        None => sink.received_at("the email has no Date header")?,
    };
    let message_id = parsed.message_id().map(clean_id);
    let event_id = message_id
        .clone()
        .unwrap_or_else(|| format!("email:{}", content_id(payload)));

    if is_delivery_report(&parsed) {
        return delivery_report(&parsed, event_id, timestamp, sink);
    }

    let from = parsed.from().ok_or_else(|| missing("From"))?;
    let mut msg = Message::new(&event_id, Channel::Email, Direction::Inbound, timestamp);
    msg.event_id = Some(event_id.clone());
    msg.from = party(from, "From", sink);
    if let Some(to) = parsed.to() {
        msg.to = party(to, "To", sink);
    }
    msg.subject = parsed.subject().map(str::to_string);
    msg.text = parsed
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n").trim_end().to_string())
        .unwrap_or_default();
    msg.refs.message_id = message_id;
    msg.refs.in_reply_to = id_list(parsed.in_reply_to());
    msg.refs.references = id_list(parsed.references());
    for part in parsed.attachments() {
        let mime_type = part.content_type().map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{sub}", ct.ctype()),
            None => ct.ctype().to_string(),
        });
        msg.attachments.push(Attachment {
            name: part.attachment_name().map(str::to_string),
            mime_type,
            size: Some(part.contents().len() as u64),
            url: None,
        });
    }
    if let Some(marker) = auto_reply(&parsed) {
        msg.metadata.insert("auto_reply".into(), json!(marker));
    }
    if let Some(reply_to) = parsed.reply_to().and_then(|a| a.first()?.address()) {
        if let Some(id) = sink.email(reply_to, "Reply-To") {
            if !msg.from.identifiers.contains(&id) {
                msg.metadata.insert("reply_to".into(), json!(id.value));
            }
        }
    }
    if let Some(list) = parsed.list_id().as_text() {
        msg.metadata.insert("list_id".into(), json!(list));
    }
    sink.message(msg);
    Ok(())
}

fn clean_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => t
            .split_whitespace()
            .map(clean_id)
            .filter(|s| !s.is_empty())
            .collect(),
        HeaderValue::TextList(list) => list
            .iter()
            .map(|t| clean_id(t))
            .filter(|s| !s.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

fn party(address: &Address<'_>, path: &str, sink: &mut Sink<'_>) -> Party {
    let mut party = Party::default();
    for addr in address.iter() {
        if let Some(a) = addr.address() {
            party.identifiers.extend(sink.email(a, path));
        }
        if party.display_name.is_none() {
            party.display_name = addr
                .name()
                .map(|n| n.trim().trim_matches('"').trim().to_string())
                .filter(|n| !n.is_empty());
        }
    }
    party
}

/// The header that marks an automatic reply, as `name: value`.
fn auto_reply(m: &mail_parser::Message<'_>) -> Option<String> {
    let text = |name: &str| {
        m.header_raw(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if let Some(v) = text("Auto-Submitted") {
        if !v.eq_ignore_ascii_case("no") {
            return Some(format!("Auto-Submitted: {v}"));
        }
    }
    for name in ["X-Autoreply", "X-Autorespond", "X-Autoresponder"] {
        if let Some(v) = text(name) {
            if !v.eq_ignore_ascii_case("no") {
                return Some(format!("{name}: {v}"));
            }
        }
    }
    if let Some(v) = text("Precedence") {
        if v.eq_ignore_ascii_case("auto_reply") {
            return Some(format!("Precedence: {v}"));
        }
    }
    None
}

fn is_delivery_report(m: &mail_parser::Message<'_>) -> bool {
    m.root_part().content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    })
}

/// The per-recipient fields of a `message/delivery-status` body.
struct Recipient {
    address: Option<String>,
    action: String,
    status: Option<String>,
    diagnostic: Option<String>,
}

fn recipients(body: &str) -> Vec<Recipient> {
    let mut out = Vec::new();
    // Blocks are separated by blank lines; the first is per-message, the rest per recipient.
    let normalized = body.replace("\r\n", "\n");
    for block in normalized.split("\n\n") {
        let mut r = Recipient {
            address: None,
            action: String::new(),
            status: None,
            diagnostic: None,
        };
        let mut last: Option<&str> = None;
        for line in block.lines() {
            if line.starts_with([' ', '\t']) {
                if last == Some("diagnostic-code") {
                    if let Some(d) = &mut r.diagnostic {
                        d.push(' ');
                        d.push_str(line.trim());
                    }
                }
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            let name = name.trim().to_ascii_lowercase();
            match name.as_str() {
                "final-recipient" | "original-recipient" => {
                    let address = value.split_once(';').map_or(value, |(_, a)| a).trim();
                    if r.address.is_none() || name == "final-recipient" {
                        r.address = Some(address.to_string());
                    }
                    last = Some("recipient");
                }
                "action" => {
                    r.action = value.to_ascii_lowercase();
                    last = Some("action");
                }
                "status" => {
                    r.status = Some(value.to_string());
                    last = Some("status");
                }
                "diagnostic-code" => {
                    let d = value.split_once(';').map_or(value, |(_, d)| d).trim();
                    r.diagnostic = Some(d.to_string());
                    last = Some("diagnostic-code");
                }
                _ => last = None,
            }
        }
        if r.address.is_some() && !r.action.is_empty() {
            out.push(r);
        }
    }
    out
}

fn delivery_report(
    m: &mail_parser::Message<'_>,
    event_id: String,
    timestamp: chrono::DateTime<chrono::Utc>,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let mut report = None;
    let mut original = None;
    for part in m.parts.iter() {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        match (ct.ctype().to_ascii_lowercase().as_str(), sub.as_str()) {
            ("message", "delivery-status") | ("message", "global-delivery-status") => {
                report = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("message", "rfc822") | ("message", "global") => {
                if let PartType::Message(inner) = &part.body {
                    original = original.or(inner.message_id().map(clean_id));
                }
            }
            ("text", "rfc822-headers") => {
                let headers = MessageParser::default().parse_headers(part.contents());
                original = original.or(headers.and_then(|h| h.message_id().map(clean_id)));
            }
            _ => {}
        }
    }
    let report = report.ok_or_else(|| missing("message/delivery-status"))?;
    let list = recipients(&report);
    if list.is_empty() {
        return Err(field(
            "message/delivery-status",
            "the report names no recipient with an action",
        ));
    }
    if original.is_none() {
        sink.problem(
            "message/rfc822",
            "the report does not include the original Message-ID",
        );
    }
    for (i, r) in list.iter().enumerate() {
        let status = match r.action.as_str() {
            "failed" => DeliveryStatus::Failed,
            "delivered" | "relayed" | "expanded" => DeliveryStatus::Delivered,
            other => {
                sink.ignored(
                    Some(format!("{event_id}:{i}")),
                    &format!("delivery-status:{other}"),
                    "message/delivery-status",
                );
                continue;
            }
        };
        let identifiers: Vec<Identifier> = r
            .address
            .as_deref()
            .and_then(|a| sink.email(a, "Final-Recipient"))
            .into_iter()
            .collect();
        let error = match (&r.status, &r.diagnostic) {
            (Some(s), Some(d)) => Some(format!("{s} {d}")),
            (Some(s), None) => Some(s.clone()),
            (None, Some(d)) => Some(d.clone()),
            (None, None) => None,
        }
        .filter(|_| status == DeliveryStatus::Failed);
        sink.event(Event::Status(StatusUpdate {
            event_id: if list.len() == 1 {
                event_id.clone()
            } else {
                format!("{event_id}:{i}")
            },
            channel: Channel::Email,
            message_id: original.clone(),
            up_to: None,
            status,
            provider_status: r.action.clone(),
            timestamp,
            customer: Party {
                identifiers,
                display_name: None,
            },
            error,
        }));
    }
    Ok(())
}
