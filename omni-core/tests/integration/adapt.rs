//! Integration tests: channel adapters against real-shaped provider payloads in
//! `tests/fixtures/providers/<provider>/`, each folder's `cases.toml` saying what a payload must
//! give. `expect` is JSON matched as a subset of the result (`ParsedPayload::to_json`): every
//! key given must be there with that value; arrays must have the same length.

use omni_core::adapt::{
    parse_payload, parse_payload_with, AdaptOptions, Event, ParsedPayload, Provider, SeenEvents,
};
use omni_core::ErrorKind;
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    file: String,
    #[serde(default)]
    options: Option<String>,
    #[serde(default)]
    expect: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
}

fn folder(provider: Provider) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/providers")
        .join(provider.name())
}

fn cases(provider: Provider) -> Vec<Case> {
    let path = folder(provider).join("cases.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    toml::from_str::<Cases>(&text)
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
        .case
}

/// Where `actual` differs from the subset `expected`, or `None` when it matches.
fn mismatch(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().find_map(|(k, v)| match a.get(k) {
            Some(av) => mismatch(v, av, &format!("{path}.{k}")),
            // Empty values are left out when written.
            None if v.is_null() || v == "" || v == &Value::Array(vec![]) => None,
            None => Some(format!("{path}.{k}: missing")),
        }),
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Some(format!(
                    "{path}: {} items, want {}: {}",
                    a.len(),
                    e.len(),
                    actual
                ));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (ev, av))| mismatch(ev, av, &format!("{path}[{i}]")))
        }
        _ if expected == actual => None,
        _ => Some(format!("{path}: {actual}, want {expected}")),
    }
}

fn run_cases(provider: Provider) {
    let mut failures = Vec::new();
    let all = cases(provider);
    assert!(!all.is_empty());
    for case in &all {
        let payload = std::fs::read(folder(provider).join(&case.file))
            .unwrap_or_else(|e| panic!("{}: {e}", case.file));
        let options = AdaptOptions::from_json(case.options.as_deref().unwrap_or("")).unwrap();
        let result = parse_payload_with(provider, &payload, &options);
        match (&case.error, result) {
            (Some(kind), Err(e)) => {
                if e.kind().name() != kind {
                    failures.push(format!(
                        "{}: error {:?} ({e}), want {kind}",
                        case.name,
                        e.kind()
                    ));
                }
                if let Some(m) = &case.error_message {
                    if !e.message().contains(m.as_str()) {
                        failures.push(format!("{}: error {e:?} does not say {m:?}", case.name));
                    }
                }
            }
            (Some(kind), Ok(p)) => failures.push(format!(
                "{}: parsed, want error {kind}: {}",
                case.name,
                p.to_json()
            )),
            (None, Err(e)) => failures.push(format!("{}: {e}", case.name)),
            (None, Ok(parsed)) => {
                let actual: Value = serde_json::from_str(&parsed.to_json()).unwrap();
                let expected: Value = serde_json::from_str(case.expect.as_deref().unwrap_or("{}"))
                    .unwrap_or_else(|e| panic!("{}: expect is not JSON: {e}", case.name));
                if let Some(m) = mismatch(&expected, &actual, "") {
                    failures.push(format!("{} ({}): {m}", case.name, case.file));
                }
                // Every message in a result reads back through the documented message format.
                for m in &parsed.messages {
                    let back = omni_core::Message::from_json(&m.to_json()).unwrap();
                    assert_eq!(&back, m, "{}: message round trip", case.name);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}:\n{}",
        provider,
        failures.join("\n")
    );
}

#[test]
fn whatsapp_payloads() {
    run_cases(Provider::Whatsapp);
}

#[test]
fn telegram_payloads() {
    run_cases(Provider::Telegram);
}

#[test]
fn viber_payloads() {
    run_cases(Provider::Viber);
}

#[test]
fn vk_payloads() {
    run_cases(Provider::Vk);
}

#[test]
fn instagram_payloads() {
    run_cases(Provider::Instagram);
}

#[test]
fn facebook_payloads() {
    run_cases(Provider::Facebook);
}

#[test]
fn twilio_payloads() {
    run_cases(Provider::Twilio);
}

#[test]
fn email_messages() {
    run_cases(Provider::Email);
}

#[test]
fn web_form_submissions() {
    run_cases(Provider::WebForm);
}

#[test]
fn call_records() {
    run_cases(Provider::Call);
}

#[test]
fn every_fixture_file_is_used_by_a_case() {
    for provider in Provider::ALL {
        let used: Vec<String> = cases(*provider).into_iter().map(|c| c.file).collect();
        for entry in std::fs::read_dir(folder(*provider)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name != "cases.toml" && name != "README.md" {
                assert!(
                    used.contains(&name),
                    "{provider}/{name} is not used by any case"
                );
            }
        }
        assert!(
            folder(*provider).join("README.md").exists(),
            "{provider} fixtures cite no source"
        );
    }
}

fn parsed(provider: Provider, file: &str) -> ParsedPayload {
    let payload = std::fs::read(folder(provider).join(file)).unwrap();
    let options = AdaptOptions::from_json(
        r#"{"received_at": "2024-05-01T07:00:00Z", "local_offset": "+03:00"}"#,
    )
    .unwrap();
    parse_payload_with(provider, &payload, &options).unwrap()
}

#[test]
fn a_provider_retry_is_recognised_as_a_duplicate() {
    let mut seen = SeenEvents::new(1000);
    for (provider, file) in [
        (Provider::Whatsapp, "text.json"),
        (Provider::Whatsapp, "status_read.json"),
        (Provider::Telegram, "message_text.json"),
        (Provider::Viber, "message_text.json"),
        (Provider::Vk, "message_new.json"),
        (Provider::Twilio, "inbound_stop.form"),
        (Provider::Email, "plain_utf8.eml"),
    ] {
        let mut first = parsed(provider, file);
        let total = first.messages.len() + first.events.len();
        assert!(total > 0);
        assert!(
            seen.remove_duplicates(&mut first).is_empty(),
            "{provider} {file}"
        );
        assert_eq!(first.messages.len() + first.events.len(), total);
        let mut retry = parsed(provider, file);
        assert!(
            !seen.remove_duplicates(&mut retry).is_empty(),
            "{provider} {file}"
        );
        assert!(
            retry.messages.is_empty() && retry.events.is_empty(),
            "{provider} {file}"
        );
    }
    // A read receipt is a new event for a message already seen.
    let mut read = parsed(Provider::Viber, "seen.json");
    assert!(seen.remove_duplicates(&mut read).is_empty());
    // The seen set survives a save and restore.
    let saved = serde_json::to_string(&seen).unwrap();
    let mut restored: SeenEvents = serde_json::from_str(&saved).unwrap();
    let mut retry = parsed(Provider::Telegram, "message_text.json");
    assert_eq!(restored.remove_duplicates(&mut retry).len(), 1);
}

#[test]
fn a_vk_confirmation_is_never_dropped_as_a_duplicate() {
    let mut seen = SeenEvents::new(10);
    for _ in 0..2 {
        let mut p = parsed(Provider::Vk, "confirmation.json");
        seen.remove_duplicates(&mut p);
        assert!(matches!(p.events.as_slice(), [Event::Confirmation(_)]));
    }
}

#[test]
fn payloads_without_a_time_need_received_at() {
    let body = std::fs::read(folder(Provider::Twilio).join("inbound_sms.form")).unwrap();
    let e = parse_payload(Provider::Twilio, &body).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::FieldMissing);
    assert!(e.message().starts_with("twilio: "), "{e}");
    assert!(e.message().contains("received_at"), "{e}");
}

#[test]
fn the_wrong_provider_for_a_payload_is_an_error_naming_it() {
    let body = std::fs::read(folder(Provider::Telegram).join("message_text.json")).unwrap();
    let e = parse_payload(Provider::Whatsapp, &body).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::FieldMissing);
    assert_eq!(e.message(), "whatsapp: object: missing field `object`");
    let body = std::fs::read(folder(Provider::Facebook).join("message_text.json")).unwrap();
    let e = parse_payload(Provider::Instagram, &body).unwrap_err();
    assert!(
        e.message().starts_with("instagram: object: \"page\""),
        "{e}"
    );
}

#[test]
fn an_oversized_payload_is_rejected() {
    let big = vec![b' '; omni_core::adapt::MAX_PAYLOAD_BYTES + 1];
    let e = parse_payload(Provider::Email, &big).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InputTooLarge);
}

fn options() -> AdaptOptions {
    AdaptOptions::from_json(r#"{"received_at": 1714546800, "local_offset": "+03:00"}"#).unwrap()
}

fn arbitrary_payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        "\\PC{0,200}".prop_map(String::into_bytes),
        // JSON-ish text made of the provider field names, to get past the first checks.
        proptest::collection::vec(
            prop_oneof![
                Just("{".to_string()),
                Just("}".to_string()),
                Just("[".to_string()),
                Just("]".to_string()),
                Just(",".to_string()),
                Just(":".to_string()),
                Just("\"object\"".to_string()),
                Just("\"whatsapp_business_account\"".to_string()),
                Just("\"page\"".to_string()),
                Just("\"entry\"".to_string()),
                Just("\"changes\"".to_string()),
                Just("\"messaging\"".to_string()),
                Just("\"field\"".to_string()),
                Just("\"messages\"".to_string()),
                Just("\"value\"".to_string()),
                Just("\"update_id\"".to_string()),
                Just("\"message\"".to_string()),
                Just("\"type\"".to_string()),
                Just("\"event\"".to_string()),
                Just("\"timestamp\"".to_string()),
                Just("1714546800".to_string()),
                Just("-1".to_string()),
                Just("\"x\"".to_string()),
                Just("null".to_string()),
            ],
            0..60
        )
        .prop_map(|parts| parts.concat().into_bytes()),
        // Header-ish and form-ish text.
        "([A-Za-z-]{1,12}: [ -~]{0,30}\r?\n){0,8}(\r?\n[ -~]{0,60}){0,4}"
            .prop_map(String::into_bytes),
        "([A-Za-z_]{1,10}=[%A-Za-z0-9+]{0,12}&){0,10}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_payload_makes_an_adapter_panic(payload in arbitrary_payload()) {
        let options = options();
        for provider in Provider::ALL {
            match parse_payload_with(*provider, &payload, &options) {
                Ok(p) => {
                    for m in &p.messages {
                        prop_assert_eq!(&omni_core::Message::from_json(&m.to_json()).unwrap(), m);
                    }
                }
                Err(e) => prop_assert!(
                    e.message().starts_with(&format!("{provider}: ")),
                    "{} error does not name the provider: {}", provider, e
                ),
            }
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(index in 0usize..1000, cut in 0usize..4000, byte in any::<u8>()) {
        let options = options();
        let provider = Provider::ALL[index % Provider::ALL.len()];
        let files: Vec<_> = std::fs::read_dir(folder(provider)).unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n != "cases.toml" && n != "README.md"))
            .collect();
        let mut payload = std::fs::read(&files[index % files.len()]).unwrap();
        if !payload.is_empty() {
            let at = cut % payload.len();
            payload[at] = byte;
            let _ = parse_payload_with(provider, &payload, &options);
            payload.truncate(at);
            let _ = parse_payload_with(provider, &payload, &options);
        }
    }
}
