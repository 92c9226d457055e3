//! Twilio Messaging webhooks: inbound SMS (and WhatsApp through Twilio) and status callbacks,
//! form-encoded as Twilio posts them.
//!
//! An inbound message (`SmsStatus=received`) becomes a message; when it is an opt-out or
//! opt-in keyword (`OptOutType` when Advanced Opt-Out is on, otherwise Twilio's default
//! keywords: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT and START, YES,
//! UNSTOP, OPTIN) it is also a consent change with the same event id. A status callback
//! (`MessageStatus`) is a status update of `MessageSid`. Twilio sends no time with these
//! webhooks: [`AdaptOptions::received_at`](super::AdaptOptions::received_at) is required. A
//! voice callback (`CallSid` without `MessageSid`) is read as a call record.

use super::event::{Consent, ConsentChange, Event, StatusUpdate};
use super::form_encoding::Pairs;
use super::sink::Sink;
use crate::error::Result;
use crate::message::{
    Attachment, Channel, DeliveryStatus, Direction, Identifier, IdentifierKind, Message, Party,
};
use serde_json::json;

const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
const OPT_IN: &[&str] = &["START", "YES", "UNSTOP", "OPTIN"];

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let pairs = Pairs::read(payload)?;
    if pairs.get("MessageSid").is_none() && pairs.get("SmsSid").is_none() {
        if pairs.get("CallSid").is_some() {
            return super::call::read_pairs(&pairs, sink);
        }
        pairs.require("MessageSid")?;
    }
    let sid = pairs
        .first_of(&["MessageSid", "SmsSid"])
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let status = pairs
        .first_of(&["MessageStatus", "SmsStatus"])
        .map_or("received", |(_, v)| v);
    if status == "received" || (pairs.get("Body").is_some() && pairs.get("MessageStatus").is_none())
    {
        inbound(&pairs, &sid, sink)
    } else {
        status_callback(&pairs, &sid, status, sink)
    }
}

/// The channel and identifiers of a Twilio address (`+79123456789`, `whatsapp:+7912...`).
fn address(text: &str, path: &str, sink: &mut Sink<'_>) -> (Channel, Vec<Identifier>) {
    if let Some(rest) = text.strip_prefix("whatsapp:") {
        (
            Channel::Whatsapp,
            sink.handle(IdentifierKind::Whatsapp, rest, path),
        )
    } else if let Some(rest) = text.strip_prefix("messenger:") {
        (
            Channel::Facebook,
            sink.handle(IdentifierKind::Facebook, rest, path),
        )
    } else {
        (Channel::Sms, sink.phone(text, path).into_iter().collect())
    }
}

fn inbound(pairs: &Pairs, sid: &str, sink: &mut Sink<'_>) -> Result<()> {
    let from = pairs.require("From")?;
    let timestamp = sink.received_at("Twilio webhooks have no date")?;
    let (channel, from_ids) = address(from, "From", sink);
    let to_ids = match pairs.get("To") {
        Some(to) => address(to, "To", sink).1,
        None => Vec::new(),
    };
    let mut msg = Message::new(sid, channel.clone(), Direction::Inbound, timestamp);
    msg.event_id = Some(sid.to_string());
    msg.from = Party {
        identifiers: from_ids,
        display_name: pairs.get("ProfileName").map(str::to_string),
    };
    msg.to = Party {
        identifiers: to_ids,
        display_name: None,
    };
    msg.text = pairs.get("Body").unwrap_or_default().to_string();
    let media = pairs.number("NumMedia")?.unwrap_or(0);
    for i in 0..media.min(10) {
        if let Some(url) = pairs.get(&format!("MediaUrl{i}")) {
            msg.attachments.push(Attachment {
                name: None,
                mime_type: pairs
                    .get(&format!("MediaContentType{i}"))
                    .map(str::to_string),
                size: None,
                url: Some(url.to_string()),
            });
        }
    }
    for key in [
        "AccountSid",
        "MessagingServiceSid",
        "FromCity",
        "FromState",
        "FromCountry",
        "NumSegments",
        "OptOutType",
        "ButtonPayload",
    ] {
        if let Some(v) = pairs.get(key).filter(|v| !v.is_empty()) {
            msg.metadata.insert(key.to_string(), json!(v));
        }
    }
    if let Some(r) = pairs.get("OriginalRepliedMessageSid") {
        msg.refs.reply_to_id = Some(r.to_string());
    }
    let keyword = msg.text.trim().to_ascii_uppercase();
    let consent = match pairs
        .get("OptOutType")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("STOP") => Some((Consent::OptOut, "STOP".to_string())),
        Some("START") => Some((Consent::OptIn, "START".to_string())),
        Some(_) => None,
        None if OPT_OUT.contains(&keyword.as_str()) => Some((Consent::OptOut, keyword)),
        None if OPT_IN.contains(&keyword.as_str()) => Some((Consent::OptIn, keyword)),
        None => None,
    };
    if let Some((consent, reason)) = consent {
        sink.event(Event::Consent(ConsentChange {
            event_id: sid.to_string(),
            channel,
            consent,
            customer: msg.from.clone(),
            timestamp,
            reason,
        }));
    }
    sink.message(msg);
    Ok(())
}

fn status_callback(pairs: &Pairs, sid: &str, status: &str, sink: &mut Sink<'_>) -> Result<()> {
    let delivery = match status {
        "accepted" | "scheduled" | "queued" | "sending" => DeliveryStatus::Queued,
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "read" => DeliveryStatus::Read,
        "undelivered" | "failed" | "canceled" => DeliveryStatus::Failed,
        other => {
            sink.ignored(
                Some(format!("{sid}:{other}")),
                &format!("status:{other}"),
                "MessageStatus",
            );
            return Ok(());
        }
    };
    let timestamp = sink.received_at("Twilio webhooks have no date")?;
    let (channel, identifiers) = match pairs.get("To") {
        Some(to) => address(to, "To", sink),
        None => (Channel::Sms, Vec::new()),
    };
    let error = pairs
        .get("ErrorCode")
        .filter(|c| !c.is_empty())
        .map(|code| match pairs.get("ErrorMessage") {
            Some(m) if !m.is_empty() => format!("{code} {m}"),
            _ => code.to_string(),
        });
    sink.event(Event::Status(StatusUpdate {
        event_id: format!("{sid}:{status}"),
        channel,
        message_id: Some(sid.to_string()),
        up_to: None,
        status: delivery,
        provider_status: status.to_string(),
        timestamp,
        customer: Party {
            identifiers,
            display_name: None,
        },
        error,
    }));
    Ok(())
}
