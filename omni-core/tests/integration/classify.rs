//! Lead triage: the domain rules (tests/fixtures/classify/rules.toml), the targets on the
//! evaluation set, training and model round trips, and bad input.

use omni_core::classify::{
    classify, evaluate, train, Assessment, Classifier, ClassifyInput, Intent, Kind,
    LabelledExample, Model, TrainOptions, MAX_CLASSIFY_TEXT,
};
use omni_core::{Channel, ErrorKind, Message};
use proptest::prelude::*;
use serde::Deserialize;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/classify/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[derive(Deserialize)]
struct Examples {
    case: Vec<LabelledExample>,
}

fn examples(name: &str) -> Vec<LabelledExample> {
    toml::from_str::<Examples>(&fixture(name)).unwrap().case
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleCase {
    name: String,
    input: ClassifyInput,
    kind: Kind,
    opt_out_channel: Option<String>,
    sales_opportunity: Option<bool>,
    #[serde(default)]
    intents: Vec<Intent>,
}

#[derive(Deserialize)]
struct Rules {
    case: Vec<RuleCase>,
}

#[test]
fn the_domain_rules_hold() {
    let rules: Rules = toml::from_str(&fixture("rules.toml")).unwrap();
    assert!(rules.case.len() >= 25);
    let mut failures = Vec::new();
    for c in &rules.case {
        let a = classify(&c.input);
        let channel = a.opt_out_channel.as_ref().map(|c| c.name().to_string());
        let ok = a.kind == c.kind
            && (c.opt_out_channel.is_none() || channel == c.opt_out_channel)
            && c.sales_opportunity.is_none_or(|s| s == a.sales_opportunity)
            && c.intents.iter().all(|i| a.intents.contains(i));
        if !ok {
            failures.push(format!(
                "{}: got {} {:?} opt_out={:?} sale={}",
                c.name, a.kind, a.intents, channel, a.sales_opportunity
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_builtin_model_meets_the_targets_on_the_evaluation_set() {
    let eval = examples("eval.toml");
    assert!(eval.len() >= 600);
    let report = evaluate(&Classifier::new(), &eval);
    assert!(report.macro_f1 >= 0.90, "{report}");
    assert!(report.lead_accuracy >= 0.95, "{report}");
    assert_eq!(report.opt_out_recall, Some(1.0), "{report}");
}

#[test]
fn training_and_evaluation_data_do_not_overlap() {
    let train: std::collections::HashSet<String> = examples("train.toml")
        .into_iter()
        .map(|e| e.input.text.to_lowercase())
        .filter(|t| t.chars().count() > 20)
        .collect();
    for e in examples("eval.toml") {
        assert!(
            !train.contains(&e.input.text.to_lowercase()),
            "in both sets: {:?}",
            e.input.text
        );
    }
}

#[test]
fn every_score_is_the_sum_of_its_signals_clamped() {
    for e in examples("eval.toml") {
        let a = classify(&e.input);
        let sum: i32 = a.signals.iter().map(|s| s.contribution).sum();
        assert_eq!(a.score as i32, sum.clamp(0, 100), "{:?}", e.input.text);
        assert!(!a.intents.is_empty());
        assert_eq!(a.opt_out_channel.is_some(), a.kind == Kind::OptOut);
    }
}

#[test]
fn contacts_left_in_text_and_form_fields_are_reported_with_their_source() {
    let mut input = ClassifyInput::new(
        "Перезвоните мне, пожалуйста: +7 916 123-45-67",
        Channel::Whatsapp,
    );
    let a = classify(&input);
    assert_eq!(a.contacts[0].contact.value, "+79161234567");
    assert_eq!(a.contacts[0].source, "text");
    assert_eq!(
        &input.text[a.contacts[0].contact.start..a.contacts[0].contact.end],
        "+7 916 123-45-67"
    );
    input.text.clear();
    input.channel = Channel::WebForm;
    input
        .form_fields
        .insert("email".into(), "irina.k@example.com".into());
    let a = classify(&input);
    assert_eq!(a.contacts[0].source, "form_fields.email");
    assert_eq!(a.kind, Kind::NewLead);
}

#[test]
fn a_message_is_classified_like_its_input() {
    let json = r#"{"id":"m1","channel":"voice","direction":"inbound","timestamp":"2024-05-01T10:00:00Z","metadata":{"call_status":"missed","duration_s":0}}"#;
    let m = Message::from_json(json).unwrap();
    let c = Classifier::new();
    let a = c.classify_message(&m, false, false);
    assert_eq!(a.kind, Kind::NewLead);
    assert_eq!(
        a,
        c.classify(&ClassifyInput::from_message(&m, false, false))
    );
    assert_eq!(
        c.classify_message(&m, true, false).kind,
        Kind::ExistingCustomer
    );
}

#[test]
fn a_trained_model_round_trips_and_classifies_alike() {
    let data = examples("dev.toml");
    let options = TrainOptions {
        hash_bits: 14,
        ..TrainOptions::default()
    };
    let model = train(&data, &options).unwrap();
    let again = Model::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(again, model);
    let (a, b) = (Classifier::with_model(model), Classifier::with_model(again));
    for e in data.iter().take(40) {
        assert_eq!(a.classify(&e.input), b.classify(&e.input));
    }
    // It learned its own data.
    assert!(evaluate(&a, &data).accuracy > 0.9);
}

#[test]
fn inputs_and_examples_read_from_json_name_bad_fields() {
    let i = ClassifyInput::from_json(r#"{"text": "STOP", "channel": "sms"}"#).unwrap();
    assert_eq!(classify(&i).kind, Kind::OptOut);
    let e = ClassifyInput::from_json(r#"{"text": "hi", "chanel": "sms"}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidField);
    let e = omni_core::classify::parse_examples(r#"[{"text": "hi", "kind": "lead"}]"#).unwrap_err();
    assert!(e.message().starts_with("examples[0]"), "{e}");
}

fn assess_odd(text: String) -> Assessment {
    classify(&ClassifyInput::new(text, Channel::Email))
}

#[test]
fn bad_input_gives_an_assessment() {
    for text in [
        "",
        "   ",
        "😍😍😍",
        "\u{0}\u{1}\u{feff}",
        "?!?!",
        "8",
        "@",
        "http://",
    ] {
        let a = assess_odd(text.into());
        assert!(!a.truncated);
        assert!(!a.intents.is_empty());
    }
    let huge = "хочу купить диван ".repeat(600_000);
    assert!(huge.len() > 10 << 20);
    let a = assess_odd(huge);
    assert!(a.truncated);
    assert!(a
        .signals
        .iter()
        .all(|s| s.evidence.len() < MAX_CLASSIFY_TEXT));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_text_gives_a_bounded_assessment(
        text in ".{0,300}",
        subject in proptest::option::of(".{0,40}"),
        field in ".{0,40}",
        channel in prop::sample::select(vec!["sms", "web_form", "voice", "email", "instagram", "pigeon"]),
        known in any::<bool>(),
        missed in any::<bool>(),
    ) {
        let mut input = ClassifyInput::new(text, Channel::from_name(channel));
        input.subject = subject;
        input.known_customer = known;
        input.form_fields.insert("comment".into(), field);
        if missed {
            input.call_status = Some("missed".into());
        }
        let a = classify(&input);
        prop_assert!(a.score <= 100);
        prop_assert!((0.0..=1.0).contains(&a.confidence));
        prop_assert!(!a.intents.is_empty());
        if known {
            prop_assert_ne!(a.kind, Kind::NewLead);
        }
    }

    #[test]
    fn arbitrary_bytes_as_a_model_are_an_error_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut framed = b"OMNICLSM\x01\0\0\0".to_vec();
        framed.extend_from_slice(&crc32fast_like(&bytes));
        framed.extend_from_slice(&bytes);
        for input in [&bytes[..], &framed[..]] {
            if let Err(e) = Model::from_bytes(input) {
                prop_assert!(matches!(e.kind(), ErrorKind::InvalidModel | ErrorKind::UnsupportedVersion));
            }
        }
    }
}

/// A checksum field that is usually wrong; the framing still exercises the magic and version
/// checks before the checksum one.
fn crc32fast_like(bytes: &[u8]) -> [u8; 4] {
    (bytes.len() as u32).to_le_bytes()
}

/// The engine classifies a message once for both answers to "is the sender known?"; each
/// verdict must be exactly what classifying with that answer gives, on every evaluation case
/// as a message (channels, directions, call statuses, subjects, form fields).
#[test]
fn classifying_both_ways_at_once_equals_each_way() {
    let c = Classifier::new();
    let mut compared = 0;
    for (i, e) in examples("eval.toml").into_iter().enumerate() {
        let input = e.input;
        let mut metadata = serde_json::Map::new();
        if let Some(s) = &input.call_status {
            metadata.insert("call_status".into(), s.clone().into());
        }
        if let Some(d) = input.duration_s {
            metadata.insert("duration_s".into(), d.into());
        }
        let mut json = serde_json::json!({
            "id": format!("eval-{i}"),
            "channel": input.channel.name(),
            "direction": if input.direction == omni_core::Direction::Outbound { "outbound" } else { "inbound" },
            "timestamp": "2024-05-01T10:00:00Z",
            "text": input.text,
            "form_fields": input.form_fields,
            "metadata": metadata,
        });
        if let Some(s) = &input.subject {
            json["subject"] = s.clone().into();
        }
        let m = Message::from_json(&json.to_string()).unwrap();
        let (stranger, known) = c.classify_message_both(&m);
        assert_eq!(stranger, c.classify_message(&m, false, false), "{json}");
        assert_eq!(known, c.classify_message(&m, true, false), "{json}");
        compared += 1;
    }
    assert!(compared > 100, "{compared} cases");
}
