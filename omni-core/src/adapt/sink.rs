//! What every adapter shares: reading JSON with path errors, times, identifier normalisation
//! that records a problem instead of failing, and the result being built.

use super::{AdaptOptions, Event, Ignored, ParsedPayload, Problem, Provider};
use crate::error::{Error, ErrorKind, Result};
use crate::ident::email::default_rules;
use crate::ident::normalize_handle_with;
use crate::message::{Identifier, IdentifierKind, Message};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The result being built for one payload, with the options it is read under.
pub(crate) struct Sink<'o> {
    pub provider: Provider,
    pub options: &'o AdaptOptions,
    out: ParsedPayload,
}

impl<'o> Sink<'o> {
    pub fn new(provider: Provider, options: &'o AdaptOptions) -> Self {
        Sink {
            provider,
            options,
            out: ParsedPayload::new(provider),
        }
    }

    pub fn finish(self) -> ParsedPayload {
        self.out
    }

    pub fn message(&mut self, m: Message) {
        // Most payloads hold one message: room for one, not the four a first push makes room
        // for (four messages are a large allocation, which costs the allocator much more).
        if self.out.messages.capacity() == 0 {
            self.out.messages.reserve_exact(1);
        }
        self.out.messages.push(m);
    }

    pub fn event(&mut self, e: Event) {
        self.out.events.push(e);
    }

    pub fn ignored(&mut self, event_id: Option<String>, kind: &str, path: impl Into<String>) {
        self.out.events.push(Event::Ignored(Ignored {
            event_id,
            kind: kind.to_string(),
            path: path.into(),
        }));
    }

    pub fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.out.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// The identifiers of a handle of `kind`, or none (and a problem) when it does not
    /// normalise.
    pub fn handle(&mut self, kind: IdentifierKind, text: &str, path: &str) -> Vec<Identifier> {
        match normalize_handle_with(kind, text, &self.options.phones) {
            Ok(ids) => ids,
            Err(e) => {
                self.problem(path, e.message());
                Vec::new()
            }
        }
    }

    /// A phone identifier, or none (and a problem) when the text is not a valid number.
    pub fn phone(&mut self, text: &str, path: &str) -> Option<Identifier> {
        match self.options.phones.normalize(text) {
            Ok(p) if p.valid => Some(Identifier::new(IdentifierKind::Phone, p.e164)),
            Ok(p) => {
                self.problem(
                    path,
                    format!(
                        "{text:?} is not a valid phone number ({} is not assigned)",
                        p.e164
                    ),
                );
                None
            }
            Err(e) => {
                self.problem(path, e.message());
                None
            }
        }
    }

    /// An email identifier, or none (and a problem) when the address is not valid.
    pub fn email(&mut self, text: &str, path: &str) -> Option<Identifier> {
        let rules = self.options.email_rules.as_ref().unwrap_or(default_rules());
        match rules.normalize(text) {
            Ok(e) => Some(Identifier::new(IdentifierKind::Email, e.canonical)),
            Err(e) => {
                self.problem(path, e.message());
                None
            }
        }
    }

    /// The time the payload was received, for payloads without one.
    pub fn received_at(&self, what: &str) -> Result<DateTime<Utc>> {
        self.options.received_at.ok_or_else(|| {
            Error::new(
                ErrorKind::FieldMissing,
                format!(
                    "the payload carries no time ({what}); pass the time it was received \
                     (received_at)"
                ),
            )
        })
    }

    /// A local date-time without an offset (`2024-05-01 10:00:00`), read with the configured
    /// offset.
    pub fn local_time(&self, text: &str, path: &str) -> Result<DateTime<Utc>> {
        let t = text.trim();
        let naive = match padded_local_time(t) {
            Some(naive) => Ok(naive),
            // An RFC 3339 time or Unix seconds: none of the local formats can match it.
            None if has_zone_or_is_unix(t) => Err(None),
            None => local_time_formats(t).map_err(Some),
        };
        match naive {
            Ok(naive) => {
                let offset = self.options.local_offset.ok_or_else(|| {
                    field(
                        path,
                        format!(
                            "{text:?} has no UTC offset; pass the offset of local times \
                             (local_offset)"
                        ),
                    )
                })?;
                offset
                    .from_local_datetime(&naive)
                    .single()
                    .map(|t| t.with_timezone(&Utc))
                    .ok_or_else(|| field(path, format!("{text:?} is out of range")))
            }
            Err(_) => crate::message::parse_timestamp(t).map_err(|e| e.at(path)),
        }
    }
}

/// Whether `t` ends in a zone (`Z`, or a padded local time followed by an offset or fraction)
/// or is all digits: text the local formats cannot read, because chrono's formats must consume
/// the whole input and none of them has a zone, a fraction or only digits.
fn has_zone_or_is_unix(t: &str) -> bool {
    t.ends_with(['Z', 'z'])
        || (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        || (t.len() > 19 && t.get(..19).and_then(padded_local_time).is_some())
}

/// The local date-time shapes forms and PBXs send, read by chrono's format parser.
fn local_time_formats(t: &str) -> chrono::ParseResult<NaiveDateTime> {
    NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%d.%m.%Y %H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%d.%m.%Y %H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
}

/// The same shapes when every field is zero-padded (`2024-05-01 13:45:10`, `01.05.2024 13:45`),
/// read in one pass without interpreting format strings; `None` for anything else, which then
/// goes to [`local_time_formats`] (property-tested to agree).
fn padded_local_time(t: &str) -> Option<NaiveDateTime> {
    let b = t.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 16 && b.len() != 19 {
        return None;
    }
    let (year, month, day) = if b[4] == b'-' && b[7] == b'-' && matches!(b[10], b' ' | b'T') {
        // `T` only with seconds, as the formats say.
        if b[10] == b'T' && b.len() != 19 {
            return None;
        }
        (num(0..4)?, num(5..7)?, num(8..10)?)
    } else if b[2] == b'.' && b[5] == b'.' && b[10] == b' ' {
        (num(6..10)?, num(3..5)?, num(0..2)?)
    } else {
        return None;
    };
    if b[13] != b':' {
        return None;
    }
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let second = if b.len() == 19 {
        if b[16] != b':' {
            return None;
        }
        num(17..19)?
    } else {
        0
    };
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    date.and_hms_opt(hour, minute, second)
}

/// An [`ErrorKind::InvalidField`] error at `path`.
pub(crate) fn field(path: &str, message: impl Into<String>) -> Error {
    let e = Error::new(ErrorKind::InvalidField, message);
    if path.is_empty() {
        e
    } else {
        e.at(path)
    }
}

/// An [`ErrorKind::FieldMissing`] error for the field at `path`.
pub(crate) fn missing(path: &str) -> Error {
    let name = path.rsplit('.').next().unwrap_or(path);
    Error::new(ErrorKind::FieldMissing, format!("missing field `{name}`")).at(path)
}

/// Unix seconds to a UTC time.
pub(crate) fn unix_seconds(secs: i64, path: &str) -> Result<DateTime<Utc>> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| field(path, format!("{secs} is not a Unix time")))
}

/// Unix milliseconds to a UTC time.
pub(crate) fn unix_millis(ms: i64, path: &str) -> Result<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| field(path, format!("{ms} is not a Unix time in milliseconds")))
}

/// Unix seconds written as a string of digits (WhatsApp).
pub(crate) fn unix_seconds_text(text: &str, path: &str) -> Result<DateTime<Utc>> {
    match text.trim().parse::<i64>() {
        Ok(secs) => unix_seconds(secs, path),
        Err(_) => Err(field(path, format!("{text:?} is not a Unix time"))),
    }
}

/// Reads a JSON payload into `T`. Errors name the path (`entry[0].changes[0].value`): the
/// payload is read once without path tracking and, only when that fails, again with it.
pub(crate) fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    decode_json_at_path(bytes, "")
}

/// Reads a JSON fragment found at `prefix` of a payload into `T`, errors naming the full path.
pub(crate) fn decode_json_at<T: DeserializeOwned>(text: &str, prefix: &str) -> Result<T> {
    decode_json_at_path(text.as_bytes(), prefix)
}

fn decode_json_at_path<T: DeserializeOwned>(bytes: &[u8], prefix: &str) -> Result<T> {
    if let Ok(v) = serde_json::from_slice::<T>(bytes) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: std::result::Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let (kind, path, message) = match result {
        Ok(_) => {
            // Only trailing content can fail the first read and not this one.
            let e = de.end().err().map_or_else(
                || "the payload could not be read".to_string(),
                |e| e.to_string(),
            );
            (ErrorKind::InvalidJson, String::new(), e)
        }
        Err(e) => path_error(e),
    };
    let full = match (prefix.is_empty(), path.is_empty()) {
        (_, true) => prefix.to_string(),
        (true, false) => path,
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    };
    let e = Error::new(kind, message);
    Err(if full.is_empty() { e } else { e.at(full) })
}

/// The kind, path and reason of a serde error.
fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> (ErrorKind, String, String) {
    let path = e.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let inner = e.into_inner();
    let text = inner.to_string();
    let short = match text.rfind(" at line ") {
        Some(i) if inner.line() > 0 => text[..i].to_string(),
        _ => text.clone(),
    };
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            (ErrorKind::InvalidJson, String::new(), text)
        }
        _ if short.starts_with("missing field") => {
            let name = short
                .trim_start_matches("missing field ")
                .trim_matches('`')
                .to_string();
            let full = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            (
                ErrorKind::FieldMissing,
                full,
                format!("missing field `{name}`"),
            )
        }
        _ => (ErrorKind::InvalidField, path, short),
    }
}

/// A JSON value that providers send as a number or as a string of digits (ids, Viber tokens);
/// kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdText(pub String);

impl<'de> Deserialize<'de> for IdText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = IdText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an id (a number or a string)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(
                self,
                v: String,
            ) -> std::result::Result<IdText, E> {
                Ok(IdText(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A stable 64-bit FNV-1a hash of bytes, as 16 hex digits: the event id of payloads that carry
/// none (an email without `Message-ID`, a form without a submission id), so the same bytes
/// delivered twice are recognised.
pub(crate) fn content_id(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // As `format!("{h:016x}")`, without the formatting machinery.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..16)
        .rev()
        .map(|nibble| char::from(HEX[((h >> (nibble * 4)) & 0xf) as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outer {
        entry: Vec<Inner>,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        id: String,
        time: i64,
    }

    #[test]
    fn errors_name_the_path_and_the_reason() {
        let e = decode_json::<Outer>(
            br#"{"entry": [{"id": "1", "time": 1}, {"id": "2", "time": "x"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidField);
        assert!(
            e.message().starts_with("entry[1].time: invalid type"),
            "{e}"
        );
        let e = decode_json::<Outer>(br#"{"entry": [{"time": 1}]}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FieldMissing);
        assert_eq!(e.message(), "entry[0].id: missing field `id`");
        let e = decode_json::<Outer>(br#"{"entry": [{"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson);
        let e = decode_json::<Outer>(br#"{"entry": []} x"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson);
    }

    #[test]
    fn content_ids_are_stable_and_differ() {
        assert_eq!(content_id(b"abc"), content_id(b"abc"));
        assert_ne!(content_id(b"abc"), content_id(b"abd"));
        assert_eq!(content_id(b"").len(), 16);
        assert_eq!(
            content_id(b""),
            format!("{:016x}", 0xcbf2_9ce4_8422_2325_u64)
        );
        for bytes in [&b"a"[..], b"abc", b"\x00\xff", b"form"] {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in bytes {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            assert_eq!(content_id(bytes), format!("{h:016x}"));
        }
    }
}

#[cfg(test)]
mod local_time_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn padded_shapes_read_as_the_formats_do() {
        for t in [
            "2024-05-01 13:45:10",
            "2024-05-01T13:45:10",
            "01.05.2024 13:45:10",
            "01.05.2024 13:45",
            "2024-05-01 13:45",
        ] {
            assert_eq!(padded_local_time(t), local_time_formats(t).ok(), "{t}");
            assert!(padded_local_time(t).is_some(), "{t}");
        }
        for t in [
            "2024-05-01T13:45",
            "2024-02-30 10:00",
            "2024-05-01 24:00",
            "1.5.2024 13:45",
        ] {
            assert_eq!(padded_local_time(t), None, "{t}");
        }
        for t in [
            "2024-05-01T07:45:10Z",
            "2024-05-01T10:45:10+03:00",
            "2024-05-01 10:45:10.250",
            "1714546800",
        ] {
            assert!(has_zone_or_is_unix(t), "{t}");
            assert!(local_time_formats(t).is_err(), "{t}");
        }
    }

    proptest! {
        #[test]
        fn the_fast_reader_never_disagrees_with_the_formats(
            t in "[0-9]{1,4}[-.][0-9]{1,2}[-.][0-9]{1,4}[ T][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?"
        ) {
            if let Some(fast) = padded_local_time(&t) {
                prop_assert_eq!(Some(fast), local_time_formats(&t).ok());
            }
        }

        #[test]
        fn text_skipped_as_zoned_never_reads_as_local(
            t in "[0-9]{1,4}[-.][0-9]{1,2}[-.][0-9]{1,4}[ T][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?([Zz]|[+-][0-9]{2}:?[0-9]{2}|[.][0-9]{1,6})?|[0-9]{1,14}"
        ) {
            if has_zone_or_is_unix(&t) {
                prop_assert!(local_time_formats(&t).is_err(), "{}", t);
            }
        }
    }
}
