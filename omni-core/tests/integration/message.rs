//! The channel message model and its JSON format: lossless round trips, the timestamp shapes
//! providers send, and errors that name the field path.

use chrono::{TimeZone, Utc};
use omni_core::message::{
    messages_to_json, parse_messages, parse_messages_lenient, Attachment, Party, ReplyRefs,
};
use omni_core::{
    Channel, DeliveryStatus, Direction, ErrorKind, Identifier, IdentifierKind, Message,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![
        proptest::sample::select(Channel::NAMED.to_vec()),
        // An unknown channel keeps its (lower-case) name; names that are aliases of known
        // channels are read as those channels, so they are not `Other`.
        "[a-z][a-z_]{0,15}".prop_filter_map("alias of a known channel", |name| {
            match Channel::from_name(&name) {
                other @ Channel::Other(_) => Some(other),
                _ => None,
            }
        }),
    ]
}

fn identifier() -> impl Strategy<Value = Identifier> {
    (
        proptest::sample::select(IdentifierKind::ALL.to_vec()),
        "\\PC{1,30}",
    )
        .prop_map(|(kind, value)| Identifier::new(kind, value))
}

fn party() -> impl Strategy<Value = Party> {
    (
        proptest::collection::vec(identifier(), 0..3),
        proptest::option::of("\\PC{0,20}"),
    )
        .prop_map(|(identifiers, display_name)| Party {
            identifiers,
            display_name,
        })
}

fn refs() -> impl Strategy<Value = ReplyRefs> {
    let id = "[a-zA-Z0-9.@_-]{1,24}";
    (
        proptest::option::of(id),
        proptest::collection::vec(id, 0..2),
        proptest::collection::vec(id, 0..4),
        proptest::option::of(id),
        proptest::option::of(id),
        proptest::option::of(id),
    )
        .prop_map(
            |(message_id, in_reply_to, references, reply_to_id, session_id, conversation_id)| {
                ReplyRefs {
                    message_id,
                    in_reply_to,
                    references,
                    reply_to_id,
                    session_id,
                    conversation_id,
                }
            },
        )
}

fn attachment() -> impl Strategy<Value = Attachment> {
    (
        proptest::option::of("\\PC{1,20}"),
        proptest::option::of("(image|audio|application)/[a-z]{2,8}"),
        proptest::option::of(any::<u64>()),
        proptest::option::of("https://example\\.test/[a-z0-9]{1,10}"),
    )
        .prop_map(|(name, mime_type, size, url)| Attachment {
            name,
            mime_type,
            size,
            url,
        })
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        (-1e15f64..1e15).prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

prop_compose! {
    fn message()(
        id in "\\PC{1,40}",
        channel in channel(),
        inbound in any::<bool>(),
        // Any instant from 1900 to 2200, to the nanosecond.
        secs in -2_208_988_800i64..7_258_118_400,
        nanos in 0u32..1_000_000_000,
        from in party(),
        to in party(),
        subject in proptest::option::of("\\PC{0,40}"),
        text in "\\PC{0,200}",
        form_fields in proptest::collection::btree_map("\\PC{1,12}", "\\PC{0,20}", 0..4),
        refs in refs(),
        attachments in proptest::collection::vec(attachment(), 0..3),
        metadata in proptest::collection::btree_map("[a-z_]{1,12}", json_value(), 0..4),
        event_id in proptest::option::of("\\PC{1,30}"),
        status in proptest::option::of(proptest::sample::select(vec![
            DeliveryStatus::Queued,
            DeliveryStatus::Sent,
            DeliveryStatus::Delivered,
            DeliveryStatus::Read,
            DeliveryStatus::Failed,
        ])),
    ) -> Message {
        let direction = if inbound { Direction::Inbound } else { Direction::Outbound };
        let timestamp = Utc.timestamp_opt(secs, nanos).single().expect("in range");
        let mut m = Message::new(id, channel, direction, timestamp);
        m.from = from;
        m.to = to;
        m.subject = subject;
        m.text = text;
        m.form_fields = form_fields;
        m.refs = refs;
        m.attachments = attachments;
        m.metadata = metadata;
        m.event_id = event_id;
        m.status = status;
        m
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_message_round_trips_through_json(m in message()) {
        let json = m.to_json();
        let back = Message::from_json(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(&back, &m);
        // The written form is canonical: writing it again gives the same bytes.
        prop_assert_eq!(back.to_json(), json);
    }

    #[test]
    fn a_batch_round_trips_as_json_lines(ms in proptest::collection::vec(message(), 0..6)) {
        let text = messages_to_json(&ms);
        prop_assert_eq!(parse_messages(&text).unwrap(), ms);
    }

    #[test]
    fn no_text_makes_the_parser_panic(text in "\\PC{0,300}") {
        let _ = Message::from_json(&text);
        let _ = parse_messages_lenient(&text);
    }

    #[test]
    fn lenient_parsing_accounts_for_every_line(
        lines in proptest::collection::vec(prop_oneof![message().prop_map(|m| m.to_json()), "[^\n\r]{1,40}"], 1..8)
    ) {
        let text = lines.join("\n");
        // A byte-order mark at the start of the document is not content (files saved by
        // Windows tools start with one); every other non-blank line must be accounted for.
        let body = text.trim_start_matches('\u{feff}');
        let nonblank = body.split('\n').filter(|l| !l.trim().is_empty()).count();
        if let Ok(batch) = parse_messages_lenient(&text) {
            prop_assert_eq!(batch.messages.len() + batch.rejections.len(), nonblank);
        }
    }
}

/// A message as a provider adapter or a CRM would write it by hand.
const WEB_FORM: &str = r#"{
  "id": "form-2024-0501-17",
  "channel": "form",
  "direction": "inbound",
  "timestamp": "2024-05-01T13:45:10+03:00",
  "from": {"identifiers": [{"kind": "phone", "value": "+79123456789"}, {"kind": "email", "value": "ivan.petrov@example.com"}], "display_name": "Иван Петров"},
  "subject": "Заявка с сайта: тур в Турцию",
  "text": "Перезвоните, пожалуйста, после 18:00",
  "form_fields": {"Имя": "Иван", "Телефон": "8 (912) 345-67-89", "E-mail": "ivan.petrov@example.com"},
  "metadata": {"utm_source": "yandex", "page": "/tours/turkey"}
}"#;

#[test]
fn a_web_form_submission_reads_with_aliases_resolved_and_time_in_utc() {
    let m = Message::from_json(WEB_FORM).unwrap();
    assert_eq!(m.channel, Channel::WebForm);
    assert_eq!(m.direction, Direction::Inbound);
    assert_eq!(
        m.timestamp,
        Utc.with_ymd_and_hms(2024, 5, 1, 10, 45, 10).unwrap()
    );
    assert_eq!(m.form_fields["Телефон"], "8 (912) 345-67-89");
    assert_eq!(m.customer().display_name.as_deref(), Some("Иван Петров"));
    let json = m.to_json();
    assert!(json.contains(r#""channel":"web_form""#), "{json}");
    assert!(
        json.contains(r#""timestamp":"2024-05-01T10:45:10Z""#),
        "{json}"
    );
    assert!(json.starts_with(r#"{"v":1,"#), "{json}");
}

#[test]
fn provider_timestamp_shapes_are_the_same_instant() {
    let want = Utc.with_ymd_and_hms(2024, 5, 1, 7, 0, 0).unwrap();
    // Telegram and VK send Unix seconds, WhatsApp Cloud API a string of seconds, Viber and
    // many CRMs milliseconds, email and most REST APIs RFC 3339 with an offset.
    for ts in [
        "1714546800",
        r#""1714546800""#,
        "1714546800000",
        r#""1714546800000""#,
        r#""2024-05-01T10:00:00+03:00""#,
        r#""2024-05-01T07:00:00Z""#,
        r#""2024-05-01T07:00:00.000Z""#,
        r#""2024-05-01 12:00:00+05:00""#,
    ] {
        let text =
            format!(r#"{{"id":"1","channel":"telegram","direction":"inbound","timestamp":{ts}}}"#);
        let m = Message::from_json(&text).unwrap_or_else(|e| panic!("{ts}: {e}"));
        assert_eq!(m.timestamp, want, "{ts}");
    }
}

#[test]
fn a_bad_record_in_a_batch_is_named_by_index_and_field() {
    let good = r#"{"id":"a","channel":"sms","direction":"inbound","timestamp":1714546800}"#;
    let bad = r#"{"id":"d","channel":"sms","direction":"inbound","timestamp":"вчера"}"#;
    let text = format!("[{good},{good},{good},{bad}]");
    let e = parse_messages(&text).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidField);
    assert_eq!(
        e.message(),
        r#"messages[3].timestamp: "вчера" is not an RFC 3339 time or a Unix timestamp"#
    );

    let lenient = parse_messages_lenient(&text).unwrap();
    assert_eq!(lenient.messages.len(), 3);
    assert_eq!(lenient.rejections[0].index, 3);
    assert_eq!(lenient.rejections[0].id.as_deref(), Some("d"));
}

#[test]
fn unknown_fields_are_rejected_not_silently_dropped() {
    let text =
        r#"{"id":"1","channel":"sms","direction":"inbound","timestamp":1714546800,"txt":"hi"}"#;
    let e = Message::from_json(text).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidField);
    assert!(e.message().contains("txt"), "{e}");
}

#[test]
fn metadata_keeps_provider_values_as_given() {
    let text = r#"{"id":"1","channel":"call","direction":"inbound","timestamp":1714546800,
        "metadata":{"call_status":"missed","duration_s":0,"recording":null,"tags":["vip",1,2.5]}}"#;
    let m = Message::from_json(text).unwrap();
    assert_eq!(m.channel, Channel::Voice);
    let mut want = BTreeMap::new();
    want.insert("call_status".to_string(), serde_json::json!("missed"));
    want.insert("duration_s".to_string(), serde_json::json!(0));
    want.insert("recording".to_string(), serde_json::Value::Null);
    want.insert("tags".to_string(), serde_json::json!(["vip", 1, 2.5]));
    assert_eq!(m.metadata, want);
    assert_eq!(Message::from_json(&m.to_json()).unwrap(), m);
}
