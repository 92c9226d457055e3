//! Reading the timestamp shapes providers really send; writing RFC 3339 in UTC.
//!
//! Accepted: RFC 3339 with any offset (`2024-05-01T10:00:00+03:00`, `...Z`, a space instead of
//! `T`), Unix seconds (`1714546800`, `1714546800.25`) and Unix milliseconds (`1714546800000`),
//! as JSON numbers or strings of digits. A number of magnitude 100 000 000 000 or more is read as
//! milliseconds (seconds that large would be after the year 5000). A time without an offset is
//! rejected: omni never guesses a time zone.

use chrono::{DateTime, TimeZone, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const MILLIS_THRESHOLD: f64 = 1e11;

/// Parses a timestamp from text in any accepted shape.
pub(crate) fn parse_text(text: &str) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && t.bytes().any(|b| b.is_ascii_digit())
        && !t[1..].contains('-')
    {
        return match t.parse::<f64>() {
            Ok(n) => from_number(n),
            Err(_) => Err(format!(
                "{text:?} is not an RFC 3339 time or a Unix timestamp"
            )),
        };
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    // RFC 3339 allows a space for `T` only in some parsers: accept it too.
    if t.len() > 10 && t.as_bytes()[10] == b' ' {
        let mut fixed = t.to_string();
        fixed.replace_range(10..11, "T");
        if let Ok(dt) = DateTime::parse_from_rfc3339(&fixed) {
            return Ok(dt.with_timezone(&Utc));
        }
    }
    Err(format!(
        "{text:?} is not an RFC 3339 time or a Unix timestamp"
    ))
}

/// Converts Unix seconds or milliseconds to a UTC time.
pub(crate) fn from_number(n: f64) -> Result<DateTime<Utc>, String> {
    if !n.is_finite() {
        return Err(format!("{n} is not a Unix timestamp"));
    }
    let millis = if n.abs() >= MILLIS_THRESHOLD {
        n
    } else {
        n * 1000.0
    };
    let whole = millis.round();
    if whole.abs() > 8.2e15 {
        return Err(format!("{n} is out of the supported time range"));
    }
    Utc.timestamp_millis_opt(whole as i64)
        .single()
        .ok_or_else(|| format!("{n} is out of the supported time range"))
}

/// Writes RFC 3339 in UTC; in a binary format (snapshots), Unix seconds and nanoseconds.
pub(crate) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    } else {
        (t.timestamp(), t.timestamp_subsec_nanos()).serialize(s)
    }
}

/// Reads any accepted shape; in a binary format, what [`serialize`] wrote there.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    if d.is_human_readable() {
        d.deserialize_any(TimestampVisitor)
    } else {
        let (secs, nanos) = <(i64, u32)>::deserialize(d)?;
        DateTime::from_timestamp(secs, nanos)
            .ok_or_else(|| de::Error::custom(format!("{secs}.{nanos:09} is out of range")))
    }
}

/// Serde helpers for an optional timestamp in the same shapes (`null` or absent is `None`).
pub(crate) mod optional {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        t: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super")] DateTime<Utc>);
        Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(t)| t))
    }
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 time or a Unix timestamp in seconds or milliseconds")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_text(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        from_number(v as f64).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        from_number(v as f64).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        from_number(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_provider_shape_as_the_same_instant() {
        let want = Utc.with_ymd_and_hms(2024, 5, 1, 7, 0, 0).unwrap();
        for text in [
            "2024-05-01T10:00:00+03:00",
            "2024-05-01T07:00:00Z",
            "2024-05-01 07:00:00Z",
            "2024-05-01T07:00:00.000+00:00",
            "1714546800",
            "1714546800000",
        ] {
            assert_eq!(parse_text(text).unwrap(), want, "{text}");
        }
        assert_eq!(from_number(1714546800.0).unwrap(), want);
        assert_eq!(from_number(1714546800000.0).unwrap(), want);
    }

    #[test]
    fn rejects_times_without_offset_and_garbage() {
        for text in ["2024-05-01T07:00:00", "yesterday", "", "1e400", "12-34"] {
            assert!(parse_text(text).is_err(), "{text}");
        }
    }
}
