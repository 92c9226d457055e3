//! Call records from telephony providers and PBXs, as each posts them (form-encoded or JSON).
//!
//! Recognised shapes, by their fields:
//! - Twilio Voice status callbacks (`CallSid`, `CallStatus`, `CallDuration`, `RecordingUrl`);
//!   calls still in progress (`ringing`, `in-progress`, ...) are ignored.
//! - Mango Office `events/summary` (`json` with `entry_id`, `call_direction`, `from.number`,
//!   `create_time`, `talk_time`, `end_time`, `entry_result`).
//! - Zadarma `NOTIFY_END` / `NOTIFY_OUT_END` (`pbx_call_id`, `call_start`, `caller_id`,
//!   `called_did` or `destination`, `duration`, `disposition`, `call_id_with_rec`); other
//!   `NOTIFY_*` events are ignored.
//! - Asterisk / FreePBX CDR rows (`uniqueid`, `src`, `dst`, `start`, `billsec`, `disposition`,
//!   `recordingfile`); the direction comes from the FreePBX context (`from-trunk` inbound,
//!   `from-internal` outbound) or, failing that, from whether the caller is an extension.
//! - omni's own shape: `call_id`, `direction` (`inbound`/`outbound`), `from`, `to`,
//!   `started_at`, `talk_seconds` (or `duration`), `outcome` (`answered`, `missed`, `busy`,
//!   `failed`) or `answered` (true/false), `recording`.
//!
//! Every call is a [`CallRecord`] event; a missed inbound call is also a message on the
//! `voice` channel (someone tried to reach the business), with the same event id. Numbers of 6
//! digits or fewer are PBX extensions, kept as the party's display name. Local times without
//! an offset (Zadarma, Asterisk) need [`AdaptOptions::local_offset`](super::AdaptOptions).

use super::event::{CallOutcome, CallRecord, Event};
use super::form_encoding::Pairs;
use super::sink::{decode_json_at, field, missing, unix_seconds, Sink};
use crate::error::Result;
use crate::message::{Channel, Direction, Message, Party};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let pairs = Pairs::read(payload)?;
    read_pairs(&pairs, sink)
}

pub(crate) fn read_pairs(pairs: &Pairs, sink: &mut Sink<'_>) -> Result<()> {
    if pairs.get("CallSid").is_some() {
        twilio(pairs, sink)
    } else if let Some(json) = pairs.get("json") {
        mango(json, sink)
    } else if pairs.get("event").is_some_and(|e| e.starts_with("NOTIFY_")) {
        zadarma(pairs, sink)
    } else if pairs.get("uniqueid").is_some() || pairs.get("billsec").is_some() {
        asterisk(pairs, sink)
    } else {
        generic(pairs, sink)
    }
}

/// The party of a number or PBX extension.
fn party(number: &str, path: &str, sink: &mut Sink<'_>) -> Party {
    let n = number.trim();
    let digits = n.bytes().filter(u8::is_ascii_digit).count();
    if n.is_empty() {
        Party::default()
    } else if digits <= 6 && !n.starts_with('+') {
        Party {
            identifiers: Vec::new(),
            display_name: Some(n.to_string()),
        }
    } else {
        Party {
            identifiers: sink.phone(n, path).into_iter().collect(),
            display_name: None,
        }
    }
}

struct Call {
    event_id: String,
    call_id: String,
    direction: Direction,
    from: Party,
    to: Party,
    started_at: DateTime<Utc>,
    outcome: CallOutcome,
    talk_seconds: u64,
    ring_seconds: Option<u64>,
    recording: Option<String>,
    provider_status: String,
    provider: &'static str,
}

fn emit(call: Call, sink: &mut Sink<'_>) {
    if call.direction == Direction::Inbound && call.outcome != CallOutcome::Answered {
        let mut msg = Message::new(
            &call.call_id,
            Channel::Voice,
            Direction::Inbound,
            call.started_at,
        );
        msg.event_id = Some(call.event_id.clone());
        msg.from = call.from.clone();
        msg.to = call.to.clone();
        msg.metadata.insert("type".into(), json!("missed_call"));
        msg.metadata.insert("call_status".into(), json!("missed"));
        msg.metadata
            .insert("call_outcome".into(), json!(call.outcome));
        msg.metadata.insert("provider".into(), json!(call.provider));
        if let Some(r) = call.ring_seconds {
            msg.metadata.insert("ring_seconds".into(), json!(r));
        }
        sink.message(msg);
    }
    sink.event(Event::Call(CallRecord {
        event_id: call.event_id,
        call_id: call.call_id,
        direction: call.direction,
        from: call.from,
        to: call.to,
        started_at: call.started_at,
        outcome: call.outcome,
        talk_seconds: call.talk_seconds,
        ring_seconds: call.ring_seconds,
        recording: call.recording,
        provider_status: call.provider_status,
    }));
}

fn twilio(pairs: &Pairs, sink: &mut Sink<'_>) -> Result<()> {
    let sid = pairs.require("CallSid")?.to_string();
    let status = pairs.require("CallStatus")?.to_string();
    let outcome = match status.as_str() {
        "completed" => CallOutcome::Answered,
        "no-answer" | "canceled" => CallOutcome::Missed,
        "busy" => CallOutcome::Busy,
        "failed" => CallOutcome::Failed,
        other => {
            sink.ignored(
                Some(format!("{sid}:{other}")),
                &format!("call:{other}"),
                "CallStatus",
            );
            return Ok(());
        }
    };
    let direction = match pairs.get("Direction").unwrap_or("inbound") {
        "inbound" => Direction::Inbound,
        _ => Direction::Outbound,
    };
    let talk = pairs.number("CallDuration")?.unwrap_or(0);
    let ended = match pairs.get("Timestamp") {
        Some(t) => DateTime::parse_from_rfc2822(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| field("Timestamp", format!("{t:?} is not an RFC 2822 date")))?,
        None => sink.received_at("no Timestamp")?,
    };
    let from = party(pairs.require("From")?, "From", sink);
    let to = party(pairs.get("To").unwrap_or_default(), "To", sink);
    emit(
        Call {
            event_id: format!("{sid}:{status}"),
            call_id: sid,
            direction,
            from,
            to,
            started_at: ended - Duration::seconds(talk.min(1 << 31) as i64),
            outcome,
            talk_seconds: if outcome == CallOutcome::Answered {
                talk
            } else {
                0
            },
            ring_seconds: None,
            recording: pairs.get("RecordingUrl").map(str::to_string),
            provider_status: status,
            provider: "twilio",
        },
        sink,
    );
    Ok(())
}

#[derive(Deserialize)]
struct MangoSummary {
    entry_id: String,
    call_direction: i64,
    from: MangoSide,
    to: MangoSide,
    create_time: i64,
    #[serde(default)]
    forward_time: Option<i64>,
    #[serde(default)]
    talk_time: Option<i64>,
    end_time: i64,
    #[serde(default)]
    entry_result: Option<i64>,
    #[serde(default)]
    disconnect_reason: Option<i64>,
}

#[derive(Deserialize)]
struct MangoSide {
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    extension: Option<String>,
}

fn mango_party(side: &MangoSide, path: &str, sink: &mut Sink<'_>) -> Party {
    match (&side.number, &side.extension) {
        (Some(n), _) if !n.is_empty() => {
            // Mango writes numbers without `+` (`79161234567`).
            let text = if n.len() > 10 && n.bytes().all(|b| b.is_ascii_digit()) {
                format!("+{n}")
            } else {
                n.clone()
            };
            party(&text, &format!("{path}.number"), sink)
        }
        (_, Some(e)) => Party {
            identifiers: Vec::new(),
            display_name: Some(e.clone()),
        },
        _ => Party::default(),
    }
}

fn mango(json: &str, sink: &mut Sink<'_>) -> Result<()> {
    let s: MangoSummary = decode_json_at(json, "json")?;
    let direction = match s.call_direction {
        1 => Direction::Inbound,
        2 => Direction::Outbound,
        _ => {
            sink.ignored(
                Some(s.entry_id.clone()),
                "internal_call",
                "json.call_direction",
            );
            return Ok(());
        }
    };
    let started_at = unix_seconds(s.create_time, "json.create_time")?;
    let talk_start = s.talk_time.filter(|t| *t > 0);
    let answered = s.entry_result == Some(1) || talk_start.is_some();
    let talk_seconds = talk_start.map_or(0, |t| (s.end_time - t).max(0) as u64);
    let ring_seconds = Some((talk_start.unwrap_or(s.end_time) - s.create_time).max(0) as u64);
    let from = mango_party(&s.from, "json.from", sink);
    let to = mango_party(&s.to, "json.to", sink);
    let _ = s.forward_time;
    emit(
        Call {
            event_id: s.entry_id.clone(),
            call_id: s.entry_id,
            direction,
            from,
            to,
            started_at,
            outcome: if answered {
                CallOutcome::Answered
            } else {
                CallOutcome::Missed
            },
            talk_seconds,
            ring_seconds,
            recording: None,
            provider_status: format!(
                "entry_result={} disconnect_reason={}",
                s.entry_result.unwrap_or(0),
                s.disconnect_reason.unwrap_or(0)
            ),
            provider: "mango",
        },
        sink,
    );
    Ok(())
}

fn disposition(text: &str) -> CallOutcome {
    match text.trim().to_ascii_lowercase().as_str() {
        "answered" | "answer" => CallOutcome::Answered,
        "busy" => CallOutcome::Busy,
        "no answer" | "noanswer" | "cancel" | "canceled" | "cancelled" | "missed" => {
            CallOutcome::Missed
        }
        _ => CallOutcome::Failed,
    }
}

fn zadarma(pairs: &Pairs, sink: &mut Sink<'_>) -> Result<()> {
    let event = pairs.require("event")?;
    let direction = match event {
        "NOTIFY_END" => Direction::Inbound,
        "NOTIFY_OUT_END" => Direction::Outbound,
        other => {
            sink.ignored(
                pairs.get("pbx_call_id").map(|id| format!("{id}:{other}")),
                other,
                "event",
            );
            return Ok(());
        }
    };
    let call_id = pairs.require("pbx_call_id")?.to_string();
    let started_at = sink.local_time(pairs.require("call_start")?, "call_start")?;
    let disp = pairs.require("disposition")?;
    let outcome = disposition(disp);
    let duration = pairs.number("duration")?.unwrap_or(0);
    let (from, to) = if direction == Direction::Inbound {
        (
            party(pairs.require("caller_id")?, "caller_id", sink),
            party(
                pairs
                    .first_of(&["called_did", "internal"])
                    .map_or("", |(_, v)| v),
                "called_did",
                sink,
            ),
        )
    } else {
        (
            party(pairs.get("internal").unwrap_or_default(), "internal", sink),
            party(pairs.require("destination")?, "destination", sink),
        )
    };
    let recorded = pairs.get("is_recorded") == Some("1");
    emit(
        Call {
            event_id: format!("{call_id}:{event}"),
            call_id,
            direction,
            from,
            to,
            started_at,
            outcome,
            talk_seconds: if outcome == CallOutcome::Answered {
                duration
            } else {
                0
            },
            ring_seconds: None,
            recording: recorded
                .then(|| pairs.get("call_id_with_rec").map(str::to_string))
                .flatten(),
            provider_status: disp.to_string(),
            provider: "zadarma",
        },
        sink,
    );
    Ok(())
}

fn asterisk(pairs: &Pairs, sink: &mut Sink<'_>) -> Result<()> {
    let call_id = pairs.require("uniqueid")?.to_string();
    let src = pairs.require("src")?;
    let dst = pairs.get("dst").unwrap_or_default();
    let context = pairs.get("dcontext").unwrap_or_default();
    let extension = |n: &str| {
        let d = n.bytes().filter(u8::is_ascii_digit).count();
        d > 0 && d <= 6
    };
    let direction = if context.starts_with("from-internal") {
        Direction::Outbound
    } else if context.starts_with("from-trunk")
        || context.starts_with("from-pstn")
        || context.starts_with("ext-did")
    {
        Direction::Inbound
    } else if extension(src) && !extension(dst) {
        Direction::Outbound
    } else {
        Direction::Inbound
    };
    let start = pairs
        .first_of(&["start", "calldate"])
        .ok_or_else(|| missing("start"))?;
    let started_at = sink.local_time(start.1, start.0)?;
    let disp = pairs.require("disposition")?;
    let outcome = disposition(disp);
    let duration = pairs.number("duration")?;
    let billsec = pairs.number("billsec")?.unwrap_or(0);
    let from = party(src, "src", sink);
    let to = party(dst, "dst", sink);
    emit(
        Call {
            event_id: call_id.clone(),
            call_id,
            direction,
            from,
            to,
            started_at,
            outcome,
            talk_seconds: billsec,
            ring_seconds: duration.map(|d| d.saturating_sub(billsec)),
            recording: pairs
                .get("recordingfile")
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            provider_status: disp.to_string(),
            provider: "asterisk",
        },
        sink,
    );
    Ok(())
}

fn generic(pairs: &Pairs, sink: &mut Sink<'_>) -> Result<()> {
    let call_id = pairs.require("call_id")?.to_string();
    let direction = match pairs.require("direction")?.to_ascii_lowercase().as_str() {
        "inbound" | "incoming" | "in" => Direction::Inbound,
        "outbound" | "outgoing" | "out" => Direction::Outbound,
        other => {
            return Err(field(
                "direction",
                format!("{other:?} is not \"inbound\" or \"outbound\""),
            ))
        }
    };
    let (from_key, from) = pairs
        .first_of(&["from", "caller"])
        .ok_or_else(|| missing("from"))?;
    let to = pairs.first_of(&["to", "callee"]);
    let start = pairs
        .first_of(&["started_at", "start"])
        .ok_or_else(|| missing("started_at"))?;
    let started_at = sink.local_time(start.1, start.0)?;
    let talk = match pairs.number("talk_seconds")? {
        Some(t) => t,
        None => pairs.number("duration")?.unwrap_or(0),
    };
    let outcome = match (pairs.get("outcome"), pairs.get("answered")) {
        (Some(o), _) => match o.to_ascii_lowercase().as_str() {
            "answered" => CallOutcome::Answered,
            "missed" | "no_answer" | "no-answer" => CallOutcome::Missed,
            "busy" => CallOutcome::Busy,
            "failed" => CallOutcome::Failed,
            other => {
                return Err(field(
                    "outcome",
                    format!("{other:?} is not one of answered, missed, busy, failed"),
                ))
            }
        },
        (None, Some(a)) => match a.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => CallOutcome::Answered,
            "false" | "0" | "no" => CallOutcome::Missed,
            other => return Err(field("answered", format!("{other:?} is not true or false"))),
        },
        (None, None) if talk > 0 => CallOutcome::Answered,
        (None, None) => CallOutcome::Missed,
    };
    let from = party(from, from_key, sink);
    let to = match to {
        Some((key, v)) => party(v, key, sink),
        None => Party::default(),
    };
    emit(
        Call {
            event_id: pairs.get("event_id").unwrap_or(&call_id).to_string(),
            call_id,
            direction,
            from,
            to,
            started_at,
            outcome,
            talk_seconds: if outcome == CallOutcome::Answered {
                talk
            } else {
                0
            },
            ring_seconds: pairs.number("ring_seconds")?,
            recording: pairs
                .first_of(&["recording", "recording_url"])
                .map(|(_, v)| v.to_string()),
            provider_status: pairs
                .get("outcome")
                .or(pairs.get("answered"))
                .unwrap_or_default()
                .to_string(),
            provider: "omni",
        },
        sink,
    );
    Ok(())
}
