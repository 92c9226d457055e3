//! Key/value payloads: `application/x-www-form-urlencoded` bodies (Twilio, form posts, PBX
//! callbacks) and flat JSON objects, read into one list of pairs in payload order.
//!
//! Keys and values borrow from the payload when they need no decoding (no `%`, `+` or JSON
//! escape), so a typical submission is read without copying most of its text.

use super::sink::field;
use crate::error::{Error, ErrorKind, Result};
use std::borrow::Cow;

/// The pairs of a key/value payload, in order, values as text.
pub(crate) struct Pairs<'a>(pub Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Pairs<'a> {
    /// Reads a form-encoded body, or a JSON object when the body starts with `{` (nested
    /// values are kept as their JSON text; `null` is dropped).
    pub fn read(bytes: &'a [u8]) -> Result<Pairs<'a>> {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let body = &bytes[start..];
        let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
        if body.first() == Some(&b'{') {
            return Self::read_json(body);
        }
        let Ok(text) = std::str::from_utf8(body) else {
            return Err(Error::new(
                ErrorKind::InvalidField,
                "the body is neither a JSON object nor form-encoded text (it is not UTF-8)",
            ));
        };
        Ok(Pairs(parse_form(text.trim_ascii_end())))
    }

    fn read_json(body: &'a [u8]) -> Result<Pairs<'a>> {
        let object: OrderedObject<'a> = serde_json::from_slice(body).map_err(|e| {
            let kind = match e.classify() {
                serde_json::error::Category::Data => ErrorKind::InvalidField,
                _ => ErrorKind::InvalidJson,
            };
            Error::new(kind, e.to_string())
        })?;
        Ok(Pairs(object.0))
    }

    /// The first value of `key` (exact name).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// The first non-empty value of any of `keys` (exact names), with the key.
    pub fn first_of<'k>(&self, keys: &[&'k str]) -> Option<(&'k str, &str)> {
        keys.iter().find_map(|key| {
            self.get(key)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (*key, v))
        })
    }

    /// The value of `key`, or a missing-field error.
    pub fn require(&self, key: &str) -> Result<&str> {
        self.get(key).filter(|v| !v.is_empty()).ok_or_else(|| {
            Error::new(ErrorKind::FieldMissing, format!("missing field `{key}`")).at(key)
        })
    }

    /// The value of `key` as a whole number, when present.
    pub fn number(&self, key: &str) -> Result<Option<u64>> {
        match self.get(key).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0 && *n < 1e15)
                .map(|n| Some(n.round() as u64))
                .ok_or_else(|| field(key, format!("{v:?} is not a number"))),
        }
    }
}

/// The pairs of a form-encoded body (`a=1&b=%D0%90+b`), as `form_urlencoded::parse` reads them
/// (empty sequences skipped, a missing `=` giving an empty value, `+` a space, `%` with two hex
/// digits a byte and any other `%` itself, invalid UTF-8 after decoding replaced by U+FFFD),
/// less the pairs with an empty name. Text that needs no decoding is borrowed.
fn parse_form(text: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::with_capacity(bytes.iter().filter(|&&b| b == b'&').count() + 1);
    // One pass over the bytes: where each sequence's first `=` is, and whether its name or
    // value has anything to decode. Every boundary is an ASCII byte, so slices are `str`s.
    let (mut start, mut eq) = (0, None);
    let (mut name_escaped, mut value_escaped) = (false, false);
    for (i, &b) in bytes.iter().chain(std::iter::once(&b'&')).enumerate() {
        match b {
            b'&' => {
                let (name, value) = match eq {
                    Some(eq) => (&text[start..eq], &text[eq + 1..i]),
                    None => (&text[start..i], ""),
                };
                // A name decodes to nothing only when it is empty (so does an empty sequence).
                if !name.is_empty() {
                    pairs.push((
                        decode_component(name, name_escaped),
                        decode_component(value, value_escaped),
                    ));
                }
                (start, eq) = (i + 1, None);
                (name_escaped, value_escaped) = (false, false);
            }
            b'=' if eq.is_none() => eq = Some(i),
            b'+' | b'%' if eq.is_none() => name_escaped = true,
            b'+' | b'%' => value_escaped = true,
            _ => {}
        }
    }
    pairs
}

/// One form-encoded name or value, decoded; borrowed when it has no `+` or `%` (`escaped`
/// says whether it has).
fn decode_component(text: &str, escaped: bool) -> Cow<'_, str> {
    if !escaped {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        let byte = match b {
            b'+' => b' ',
            b'%' => {
                let high = bytes.get(i).map_or(NOT_HEX, |&h| HEX[usize::from(h)]);
                let low = bytes.get(i + 1).map_or(NOT_HEX, |&l| HEX[usize::from(l)]);
                if (high | low) < 16 {
                    i += 2;
                    (high << 4) | low
                } else {
                    b'%'
                }
            }
            b => b,
        };
        out.push(byte);
    }
    Cow::Owned(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

const NOT_HEX: u8 = 0xff;

/// The value of each hex digit, [`NOT_HEX`] for other bytes.
static HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// A JSON object's members in document order (`serde_json::Map` sorts them), as text: strings
/// as they are (borrowed when they hold no escape), `null` dropped, anything else as the JSON
/// text `serde_json::Value` prints for it.
struct OrderedObject<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de> serde::Deserialize<'de> for OrderedObject<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OrderedObject<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<OrderedObject<'de>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(Text(k)) = map.next_key::<Text<'de>>()? {
                    match map.next_value::<Member<'de>>()? {
                        Member::Null => {}
                        Member::Text(v) => out.push((k, v)),
                        Member::Other(v) => out.push((k, Cow::Owned(v.to_string()))),
                    }
                }
                Ok(OrderedObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A JSON string, borrowed from the payload when it holds no escape.
struct Text<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A member's value: `null`, a string, or anything else as a `serde_json::Value`.
enum Member<'a> {
    Null,
    Text(Cow<'a, str>),
    Other(serde_json::Value),
}

impl<'de> serde::Deserialize<'de> for Member<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        use serde::Deserialize as _;
        use serde_json::Value;
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Member<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any valid JSON value")
            }
            fn visit_unit<E>(self) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Null)
            }
            fn visit_none<E>(self) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Null)
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Other(Value::from(v)))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Other(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Other(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Member<'de>, E> {
                Ok(Member::Other(Value::from(v)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<Member<'de>, A::Error> {
                Value::deserialize(SeqAccessDeserializer::new(seq)).map(Member::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Member<'de>, A::Error> {
                Value::deserialize(MapAccessDeserializer::new(map)).map(Member::Other)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_form_encoding_with_plus_and_percent_escapes() {
        let p = Pairs::read(b"Body=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82+%21&From=%2B79123456789")
            .unwrap();
        assert_eq!(p.get("Body"), Some("Привет !"));
        assert_eq!(p.get("From"), Some("+79123456789"));
    }

    #[test]
    fn reads_a_flat_json_object_keeping_nested_values_as_json() {
        let p = Pairs::read(br#" {"name": "Anna", "age": 31, "tags": ["a"], "x": null}"#).unwrap();
        assert_eq!(p.get("name"), Some("Anna"));
        assert_eq!(p.get("age"), Some("31"));
        assert_eq!(p.get("tags"), Some(r#"["a"]"#));
        assert_eq!(p.get("x"), None);
        assert!(Pairs::read(br#"{"a": "#).is_err());
        assert!(Pairs::read(b"\xff\xfe=1").is_err());
    }

    #[test]
    fn text_without_escapes_is_borrowed() {
        let p = Pairs::read(b"name=Anna&phone=%2B7+912&x").unwrap();
        assert!(matches!(
            p.0[0],
            (Cow::Borrowed("name"), Cow::Borrowed("Anna"))
        ));
        assert!(matches!(p.0[1].1, Cow::Owned(ref v) if v == "+7 912"));
        assert!(matches!(p.0[2], (Cow::Borrowed("x"), Cow::Borrowed(""))));
        let p = Pairs::read(br#"{"name": "Anna", "q": "a\"b"}"#).unwrap();
        assert!(matches!(
            p.0[0],
            (Cow::Borrowed("name"), Cow::Borrowed("Anna"))
        ));
        assert!(matches!(p.0[1].1, Cow::Owned(ref v) if v == "a\"b"));
    }

    /// The reading this module did before it borrowed: `form_urlencoded::parse` with every pair
    /// owned, and JSON members through `serde_json::Value`.
    fn previous(bytes: &[u8]) -> std::result::Result<Vec<(String, String)>, (ErrorKind, String)> {
        struct Ordered(Vec<(String, serde_json::Value)>);
        impl<'de> serde::Deserialize<'de> for Ordered {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = Ordered;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> std::result::Result<Ordered, A::Error> {
                        let mut out = Vec::new();
                        while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                            out.push((k, v));
                        }
                        Ok(Ordered(out))
                    }
                }
                d.deserialize_map(V)
            }
        }
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let body = &bytes[start..];
        let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
        if body.first() == Some(&b'{') {
            let object: Ordered = serde_json::from_slice(body).map_err(|e| {
                let kind = match e.classify() {
                    serde_json::error::Category::Data => ErrorKind::InvalidField,
                    _ => ErrorKind::InvalidJson,
                };
                (kind, e.to_string())
            })?;
            let mut pairs = Vec::new();
            for (k, v) in object.0 {
                match v {
                    serde_json::Value::Null => {}
                    serde_json::Value::String(s) => pairs.push((k, s)),
                    other => pairs.push((k, other.to_string())),
                }
            }
            return Ok(pairs);
        }
        if std::str::from_utf8(body).is_err() {
            return Err((ErrorKind::InvalidField, "not UTF-8".into()));
        }
        Ok(form_urlencoded::parse(body.trim_ascii_end())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| !k.is_empty())
            .collect())
    }

    fn now(bytes: &[u8]) -> std::result::Result<Vec<(String, String)>, (ErrorKind, String)> {
        match Pairs::read(bytes) {
            Ok(p) => Ok(p
                .0
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()),
            Err(e) if e.kind() == ErrorKind::InvalidField && e.message().contains("UTF-8") => {
                Err((ErrorKind::InvalidField, "not UTF-8".into()))
            }
            Err(e) => Err((e.kind(), e.message().to_string())),
        }
    }

    /// Form-encoded text built from the pieces that matter to the decoder.
    fn form_text() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"&".to_vec()),
            Just(b"=".to_vec()),
            Just(b"+".to_vec()),
            Just(b"%".to_vec()),
            "%[0-9a-fA-FgG+%]{0,2}".prop_map(String::into_bytes),
            "%[0-9a-fA-F]{2}".prop_map(String::into_bytes),
            "[a-zA-Z0-9 _.\\-]{1,4}".prop_map(String::into_bytes),
            "\\PC{1,3}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 1..3),
            Just(b" \r\n\t".to_vec()),
            Just(b"\xef\xbb\xbf".to_vec()),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    /// JSON objects with string, escaped, number, nested and null members, and broken ones.
    fn json_text() -> impl Strategy<Value = Vec<u8>> {
        let key = prop_oneof![
            "[a-zA-Zа-я_ -]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just(r#""a\"b\u0416""#.to_string()),
        ];
        let value = prop_oneof![
            "\\PC{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just(r#""x\ny\u00e9\ud83d\ude00""#.to_string()),
            Just("null".to_string()),
            Just("true".to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|n| serde_json::to_string(&n).unwrap()),
            Just("1e400".to_string()),
            Just("-0.0".to_string()),
            Just("1.5E3".to_string()),
            Just(r#"[1, "a", {"z": 1, "a": [null, 2.50]}]"#.to_string()),
            Just(r#"{"b": {"c": "d"}, "a": 1}"#.to_string()),
            Just(r#""\ud800""#.to_string()),
            Just("[".to_string()),
        ];
        proptest::collection::vec((key, value), 0..6).prop_map(|members| {
            let body: Vec<String> = members.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!(" {{{}}}", body.join(", ")).into_bytes()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn form_decoding_agrees_with_form_urlencoded(text in form_text()) {
            prop_assert_eq!(now(&text), previous(&text));
        }

        #[test]
        fn json_members_agree_with_serde_json_values(text in json_text()) {
            prop_assert_eq!(now(&text), previous(&text));
        }

        #[test]
        fn arbitrary_bytes_agree(text in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(now(&text), previous(&text));
        }
    }
}
