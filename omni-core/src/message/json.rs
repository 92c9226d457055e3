//! Reading and writing batches of messages in the JSON format, with field-path errors.

use super::Message;
use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// The message format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The largest JSON document (one message or a batch) accepted, in bytes.
pub const MAX_JSON_BYTES: usize = 1 << 30;

/// The largest single message accepted, in bytes of JSON.
pub const MAX_MESSAGE_BYTES: usize = 32 << 20;

pub(crate) fn default_version() -> u32 {
    FORMAT_VERSION
}

pub(crate) fn deserialize_version<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = u32::deserialize(d)?;
    if v != FORMAT_VERSION {
        return Err(serde::de::Error::custom(format!(
            "{UNSUPPORTED_VERSION_PREFIX} {v}; this build reads version {FORMAT_VERSION}"
        )));
    }
    Ok(v)
}

const UNSUPPORTED_VERSION_PREFIX: &str = "unsupported format version";

/// A message that could not be read, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Position of the record in the input (0-based).
    pub index: usize,
    /// The record's `id`, when it could be read.
    pub id: Option<String>,
    /// Why it was rejected; the message starts with `messages[index]`.
    pub error: Error,
}

/// The outcome of a lenient batch parse: every input record is in exactly one of the two lists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageBatch {
    /// The messages that were read.
    pub messages: Vec<Message>,
    /// The records that were not, in input order.
    pub rejections: Vec<Rejection>,
}

/// Parses one message, prefixing error paths with `prefix`.
pub(crate) fn parse_one(text: &str, prefix: &str) -> Result<Message> {
    if text.len() > MAX_MESSAGE_BYTES {
        let what = if prefix.is_empty() { "message" } else { prefix };
        return Err(Error::too_large(what, text.len(), MAX_MESSAGE_BYTES));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let result: std::result::Result<Message, _> = serde_path_to_error::deserialize(&mut de);
    let message = result.map_err(|e| path_error(e, prefix))?;
    de.end()
        .map_err(|e| Error::new(ErrorKind::InvalidJson, strip_position(&e)).at_opt(prefix))?;
    Ok(message)
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>, prefix: &str) -> Error {
    let path = e.path().to_string();
    let inner = e.inner();
    let text = strip_position(inner);
    let kind = match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            ErrorKind::InvalidJson
        }
        _ if text.starts_with("missing field") => ErrorKind::FieldMissing,
        _ if text.starts_with(UNSUPPORTED_VERSION_PREFIX) => ErrorKind::UnsupportedVersion,
        _ => ErrorKind::InvalidField,
    };
    let (location, text) = match kind {
        ErrorKind::InvalidJson => (prefix.to_string(), inner.to_string()),
        ErrorKind::FieldMissing => {
            // serde reports a missing field at its parent: name the field itself.
            let field = text
                .trim_start_matches("missing field ")
                .trim_matches('`')
                .to_string();
            (
                join_path(
                    prefix,
                    &join_path(if path == "." { "" } else { &path }, &field),
                ),
                format!("missing field `{field}`"),
            )
        }
        _ => (
            join_path(prefix, if path == "." { "" } else { &path }),
            text,
        ),
    };
    Error::new(kind, text).at_opt(&location)
}

fn join_path(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ if b.starts_with('[') => format!("{a}{b}"),
        _ => format!("{a}.{b}"),
    }
}

fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => text[..i].to_string(),
        _ => text,
    }
}

impl Error {
    fn at_opt(self, location: &str) -> Error {
        if location.is_empty() {
            self
        } else {
            self.at(location)
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    #[serde(default = "default_version", deserialize_with = "deserialize_version")]
    #[allow(dead_code)]
    v: u32,
    #[serde(borrow)]
    messages: Vec<&'a RawValue>,
}

/// Splits a batch into raw records: a JSON array, an envelope `{"v": 1, "messages": [...]}`,
/// one message object (compact or pretty-printed), or JSON lines (one message per line; blank
/// lines skipped).
fn split_records(text: &str) -> Result<Vec<&str>> {
    if text.len() > MAX_JSON_BYTES {
        return Err(Error::too_large("batch", text.len(), MAX_JSON_BYTES));
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('[') {
        let records: Vec<&RawValue> = serde_json::from_str(trimmed)
            .map_err(|e| Error::new(ErrorKind::InvalidJson, e.to_string()).at("messages"))?;
        return Ok(records.into_iter().map(RawValue::get).collect());
    }
    // A document that is exactly one JSON object is an envelope when it has a top-level
    // `messages` key (a message never does), otherwise a single message. Anything else is
    // JSON lines, so one bad line costs only that line.
    if let Ok(one) = serde_json::from_str::<EnvelopeProbe>(trimmed) {
        if one.messages.is_none() {
            return Ok(vec![trimmed]);
        }
        let mut de = serde_json::Deserializer::from_str(trimmed);
        let envelope: Envelope =
            serde_path_to_error::deserialize(&mut de).map_err(|e| path_error(e, ""))?;
        return Ok(envelope.messages.into_iter().map(RawValue::get).collect());
    }
    Ok(trimmed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect())
}

/// Just enough of an object to tell an envelope from a message.
#[derive(Deserialize)]
struct EnvelopeProbe<'a> {
    #[serde(borrow)]
    messages: Option<&'a RawValue>,
}

/// Parses a batch of messages; the first bad record fails the whole batch.
///
/// Accepts a JSON array, an envelope `{"v": 1, "messages": [...]}`, or JSON lines.
///
/// # Errors
/// The first record's error, its path starting with `messages[i]`.
pub fn parse_messages(text: &str) -> Result<Vec<Message>> {
    split_records(text)?
        .into_iter()
        .enumerate()
        .map(|(i, raw)| parse_one(raw, &format!("messages[{i}]")))
        .collect()
}

/// Parses a batch of messages, keeping every good one and reporting every bad one.
///
/// # Errors
/// Only when the batch as a whole cannot be split into records (malformed array or envelope,
/// or larger than [`MAX_JSON_BYTES`]).
pub fn parse_messages_lenient(text: &str) -> Result<MessageBatch> {
    let mut batch = MessageBatch::default();
    for (index, raw) in split_records(text)?.into_iter().enumerate() {
        match parse_one(raw, &format!("messages[{index}]")) {
            Ok(m) => batch.messages.push(m),
            Err(error) => batch.rejections.push(Rejection {
                index,
                id: record_id(raw),
                error,
            }),
        }
    }
    Ok(batch)
}

fn record_id(raw: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: serde_json::Value,
    }
    let v: IdOnly = serde_json::from_str(raw).ok()?;
    match v.id {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Writes messages as JSON lines (one compact message per line, each ending in `\n`).
pub fn messages_to_json(messages: &[Message]) -> String {
    let mut out = String::new();
    for m in messages {
        out.push_str(&m.to_json());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"id":"m1","channel":"whatsapp","direction":"inbound","timestamp":"2024-05-01T10:00:00+03:00","from":{"identifiers":[{"kind":"phone","value":"+79123456789"}],"display_name":"Иван"},"text":"Здравствуйте"}"#;

    #[test]
    fn a_message_round_trips() {
        let m = Message::from_json(GOOD).unwrap();
        assert_eq!(m.from.display_name.as_deref(), Some("Иван"));
        assert_eq!(Message::from_json(&m.to_json()).unwrap(), m);
    }

    #[test]
    fn errors_name_the_field_path() {
        let bad = GOOD.replace("2024-05-01T10:00:00+03:00", "yesterday");
        let text = format!("[{GOOD},{GOOD},{GOOD},{bad}]");
        let e = parse_messages(&text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidField);
        assert!(e.message().starts_with("messages[3].timestamp: "), "{e}");

        let missing = GOOD.replace(r#""direction":"inbound","#, "");
        let e = Message::from_json(&missing).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FieldMissing);
        assert_eq!(e.message(), "direction: missing field `direction`");

        let kind = GOOD.replace(r#""kind":"phone""#, r#""kind":"fax""#);
        let e = Message::from_json(&kind).unwrap_err();
        assert!(e.message().starts_with("from.identifiers[0].kind: "), "{e}");

        let e = Message::from_json(&GOOD.replace(r#"{"id""#, r#"{"v":2,"id""#)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedVersion, "{e}");

        let e = Message::from_json("{\"id\": ").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson);
    }

    #[test]
    fn batches_come_as_arrays_envelopes_or_json_lines() {
        let array = format!("[{GOOD},{GOOD}]");
        let envelope = format!("{{\"v\":1,\"messages\":[{GOOD},{GOOD}]}}");
        let lines = format!("{GOOD}\n\n{GOOD}\n");
        for text in [array, envelope, lines] {
            assert_eq!(parse_messages(&text).unwrap().len(), 2, "{text}");
        }
    }

    #[test]
    fn a_pretty_printed_message_is_one_record_and_an_envelope_reports_paths() {
        let pretty = serde_json::to_string_pretty(&Message::from_json(GOOD).unwrap()).unwrap();
        assert_eq!(parse_messages(&pretty).unwrap().len(), 1);
        let bad = GOOD.replace("\"inbound\"", "\"up\"");
        let envelope = format!("{{\"v\":1,\"messages\":[{GOOD},{bad}]}}");
        let e = parse_messages(&envelope).unwrap_err();
        assert!(e.message().starts_with("messages[1].direction: "), "{e}");
        let e = parse_messages("{\"v\":1,\"messages\":{}}").unwrap_err();
        assert!(e.message().starts_with("messages: "), "{e}");
    }

    #[test]
    fn lenient_parse_accounts_for_every_record() {
        let bad = GOOD.replace(
            "whatsapp\",\"direction\":\"inbound",
            "whatsapp\",\"direction\":\"sideways",
        );
        let text = format!("{GOOD}\n{bad}\n{GOOD}\nnot json\n");
        let batch = parse_messages_lenient(&text).unwrap();
        assert_eq!(batch.messages.len(), 2);
        assert_eq!(batch.rejections.len(), 2);
        assert_eq!(batch.rejections[0].index, 1);
        assert_eq!(batch.rejections[0].id.as_deref(), Some("m1"));
        assert!(batch.rejections[0]
            .error
            .message()
            .starts_with("messages[1].direction"));
        assert_eq!(batch.rejections[1].index, 3);
    }
}
