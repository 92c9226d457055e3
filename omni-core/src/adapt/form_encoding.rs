//! Key/value payloads: `application/x-www-form-urlencoded` bodies (Twilio, form posts, PBX
//! callbacks) and flat JSON objects, read into one list of pairs in payload order.

use super::sink::field;
use crate::error::{Error, ErrorKind, Result};

/// The pairs of a key/value payload, in order, values as text.
pub(crate) struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// Reads a form-encoded body, or a JSON object when the body starts with `{` (nested
    /// values are kept as their JSON text; `null` is dropped).
    pub fn read(bytes: &[u8]) -> Result<Pairs> {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let body = &bytes[start..];
        let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
        if body.first() == Some(&b'{') {
            return Self::read_json(body);
        }
        if std::str::from_utf8(body).is_err() {
            return Err(Error::new(
                ErrorKind::InvalidField,
                "the body is neither a JSON object nor form-encoded text (it is not UTF-8)",
            ));
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body.trim_ascii_end())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        Ok(Pairs(pairs))
    }

    fn read_json(body: &[u8]) -> Result<Pairs> {
        let object: OrderedObject = serde_json::from_slice(body).map_err(|e| {
            let kind = match e.classify() {
                serde_json::error::Category::Data => ErrorKind::InvalidField,
                _ => ErrorKind::InvalidJson,
            };
            Error::new(kind, e.to_string())
        })?;
        let mut pairs = Vec::with_capacity(object.0.len());
        for (k, v) in object.0 {
            match v {
                serde_json::Value::Null => {}
                serde_json::Value::String(s) => pairs.push((k, s)),
                other => pairs.push((k, other.to_string())),
            }
        }
        Ok(Pairs(pairs))
    }

    /// The first value of `key` (exact name).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
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

/// A JSON object's members in document order (`serde_json::Map` sorts them).
struct OrderedObject(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for OrderedObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<OrderedObject, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    out.push((k, v));
                }
                Ok(OrderedObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
