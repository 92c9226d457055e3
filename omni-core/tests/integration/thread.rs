//! Conversation threading: the shared JSON-lines fixtures (cross-channel cases, published JWZ
//! expectations, a real mailing list made anonymous), order independence, incremental equals
//! batch, identity merges and splits, erasure, snapshots, and bad input.

use chrono::{DateTime, Duration, TimeZone, Utc};
use omni_core::message::{Message, ReplyRefs};
use omni_core::thread::{
    thread_messages, AddStatus, ConversationState, JoinKind, Reassign, ThreadConfig, Threader,
};
use omni_core::{Channel, Direction, ErrorKind};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// One case of a fixture file: configuration, messages with their customers, expectations.
struct Case {
    name: String,
    config: ThreadConfig,
    messages: Vec<Message>,
    customers: Vec<String>,
    expect: Value,
}

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/thread")
        .join(name)
}

/// Reads a fixture: a `{"case": ...}` line starts a case (`customer` is the default customer,
/// `config` the threading configuration); message lines are bare messages or
/// `{"customer": ..., "message": {...}}`; an `{"expect": {...}}` line ends the case.
fn read_cases(name: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(fixture_path(name)).expect("fixture file");
    let mut cases = Vec::new();
    let mut current: Option<(Case, String)> = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}:{}: {e}", n + 1));
        if let Some(case) = v.get("case") {
            let config = match v.get("config") {
                Some(c) => serde_json::from_value(c.clone()).expect("config"),
                None => ThreadConfig::default(),
            };
            let customer = v
                .get("customer")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            current = Some((
                Case {
                    name: case.as_str().unwrap().to_string(),
                    config,
                    messages: Vec::new(),
                    customers: Vec::new(),
                    expect: Value::Null,
                },
                customer,
            ));
        } else if let Some(expect) = v.get("expect") {
            let (mut case, _) = current.take().expect("expect after a case");
            case.expect = expect.clone();
            cases.push(case);
        } else {
            let (case, default) = current.as_mut().expect("messages after a case line");
            let (customer, message) = match v.get("message") {
                Some(m) => (v["customer"].as_str().unwrap().to_string(), m.clone()),
                None => (default.clone(), v),
            };
            case.messages.push(
                Message::from_json(&message.to_string())
                    .unwrap_or_else(|e| panic!("{name}:{}: {e}", n + 1)),
            );
            case.customers.push(customer);
        }
    }
    assert!(current.is_none(), "{name}: a case without expectations");
    cases
}

/// Every conversation, in full, in a stable order.
fn everything(t: &Threader) -> Vec<omni_core::thread::Conversation> {
    t.customer_ids()
        .into_iter()
        .flat_map(|c| t.conversations_of(c))
        .collect()
}

fn one_at_a_time(case: &Case, order: &[usize]) -> Threader {
    let mut t = Threader::new(case.config.clone()).unwrap();
    for &i in order {
        t.add(&case.messages[i], &case.customers[i]).unwrap();
    }
    t
}

/// Checks a case's expectations and that every way of threading it agrees.
fn check_case(case: &Case) {
    let name = &case.name;
    let n = case.messages.len();
    let forward: Vec<usize> = (0..n).collect();
    let reverse: Vec<usize> = (0..n).rev().collect();
    // A fixed shuffle: stride through the messages.
    let stride: Vec<usize> = {
        let step = (1..=n).find(|s| gcd(*s, n) == 1 && *s > n / 2).unwrap_or(1);
        (0..n).map(|i| (i * step + 3) % n.max(1)).collect()
    };
    let t = one_at_a_time(case, &forward);
    let want = everything(&t);
    for (label, order) in [("reverse", &reverse), ("shuffled", &stride)] {
        assert_eq!(
            everything(&one_at_a_time(case, order)),
            want,
            "{name}: {label} order differs"
        );
    }
    let mut batch = Threader::new(case.config.clone()).unwrap();
    let outcome = batch.add_many(&case.messages, &case.customers).unwrap();
    assert_eq!(
        everything(&batch),
        want,
        "{name}: batch differs from one at a time"
    );
    let batch_fn = thread_messages(
        &case.messages,
        Some(case.customers.clone()),
        case.config.clone(),
        Default::default(),
    )
    .unwrap();
    assert_eq!(
        everything(&batch_fn.threader),
        want,
        "{name}: thread_messages differs"
    );
    let snapshot = t.snapshot();
    let restored = Threader::restore(&snapshot).unwrap();
    assert_eq!(everything(&restored), want, "{name}: snapshot differs");
    assert!(
        restored.snapshot() == snapshot,
        "{name}: a restored threader's snapshot differs"
    );
    for (i, m) in case.messages.iter().enumerate() {
        assert_eq!(
            batch_fn.conversation_ids[i].as_deref(),
            t.conversation_of(&m.id),
            "{name}: {}",
            m.id
        );
    }

    // Every message in exactly one conversation.
    let ids: BTreeSet<&str> = case.messages.iter().map(|m| m.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    for c in &want {
        for id in &c.message_ids {
            assert!(seen.insert(id.clone()), "{name}: {id} in two conversations");
        }
    }
    assert_eq!(
        seen.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        ids,
        "{name}: lost messages"
    );

    let e = &case.expect;
    let by_id: BTreeMap<&str, &omni_core::thread::Conversation> =
        want.iter().map(|c| (c.id.as_str(), c)).collect();
    let message = |id: &str| {
        want.iter()
            .flat_map(|c| c.messages.iter())
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("{name}: no message {id}"))
    };
    if let Some(convs) = e.get("conversations") {
        let mut got: Vec<Vec<String>> = want.iter().map(|c| c.message_ids.clone()).collect();
        let mut expected: Vec<Vec<String>> = serde_json::from_value(convs.clone()).unwrap();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{name}: conversations");
    }
    let map = |key: &str| -> BTreeMap<String, Value> {
        e.get(key)
            .map(|v| serde_json::from_value(v.clone()).unwrap())
            .unwrap_or_default()
    };
    for (id, state) in map("states") {
        assert_eq!(
            by_id[id.as_str()].state.name(),
            state.as_str().unwrap(),
            "{name}: state of {id}"
        );
    }
    for (id, by) in map("resolved_by") {
        assert_eq!(
            by_id[id.as_str()].resolved_by.as_deref(),
            by.as_str(),
            "{name}: resolved_by of {id}"
        );
    }
    for (id, channels) in map("channels") {
        let got: Vec<&str> = by_id[id.as_str()]
            .channels
            .iter()
            .map(Channel::name)
            .collect();
        let want: Vec<&str> = channels
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{name}: channels of {id}");
    }
    for (id, topic) in map("topics") {
        assert_eq!(
            by_id[id.as_str()].topic.as_deref(),
            topic.as_str(),
            "{name}: topic of {id}"
        );
    }
    for (id, refs) in map("references") {
        let want: Vec<String> = serde_json::from_value(refs).unwrap();
        assert_eq!(
            by_id[id.as_str()].references,
            want,
            "{name}: references of {id}"
        );
    }
    for (id, secs) in map("first_response_secs") {
        assert_eq!(
            by_id[id.as_str()].first_response_secs,
            secs.as_i64(),
            "{name}: first response of {id}"
        );
    }
    for (id, via) in map("joined_by") {
        let got = serde_json::to_value(message(&id).joined_by.via).unwrap();
        assert_eq!(got, via, "{name}: joined_by of {id}");
    }
    for (id, parent) in map("parents") {
        let j = &message(&id).joined_by;
        assert_eq!(
            (j.via, j.with.as_deref()),
            (JoinKind::EmailReply, parent.as_str()),
            "{name}: parent of {id}"
        );
    }
    if let Some(roots) = e.get("no_parent").and_then(Value::as_array) {
        for id in roots {
            let id = id.as_str().unwrap();
            assert_ne!(
                message(id).joined_by.via,
                JoinKind::EmailReply,
                "{name}: {id} has no parent"
            );
        }
    }
    for (id, kinds) in map("problems") {
        let got: BTreeSet<String> = message(&id)
            .problems
            .iter()
            .map(|p| {
                serde_json::to_value(p.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let want: BTreeSet<String> = serde_json::from_value(kinds).unwrap();
        assert_eq!(got, want, "{name}: problems of {id}");
    }
    for (id, customer) in map("customers") {
        assert_eq!(
            t.customer_of(&id),
            customer.as_str(),
            "{name}: customer of {id}"
        );
    }
    if let Some(d) = e.get("duplicates") {
        assert_eq!(
            outcome.duplicates as u64,
            d.as_u64().unwrap(),
            "{name}: duplicates"
        );
    }
    for check in e
        .get("follow_up")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let since = check
            .get("since")
            .and_then(Value::as_str)
            .map(|s| omni_core::message::parse_timestamp(s).unwrap());
        let got = t
            .check_follow_up(check["conversation"].as_str().unwrap(), since)
            .unwrap();
        assert_eq!(
            got.moved_on,
            check["moved_on"].as_bool().unwrap(),
            "{name}: moved_on {got:?}"
        );
        let kinds: Vec<Value> = got
            .reasons
            .iter()
            .map(|r| serde_json::to_value(r.kind).unwrap())
            .collect();
        assert_eq!(
            &Value::Array(kinds),
            &check["reasons"],
            "{name}: follow-up reasons"
        );
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[test]
fn cross_channel_fixtures() {
    let cases = read_cases("cross_channel.jsonl");
    assert!(cases.len() >= 10);
    for case in &cases {
        check_case(case);
    }
}

#[test]
fn published_jwz_expectations() {
    for case in &read_cases("jwz.jsonl") {
        check_case(case);
    }
}

#[test]
fn a_real_mailing_list_made_anonymous() {
    let cases = read_cases("mailing_list.jsonl");
    assert!(!cases.is_empty());
    for case in &cases {
        check_case(case);
    }
}

// ----- merges, splits, erasure -----

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn msg(id: &str, channel: Channel, direction: Direction, minutes: i64, text: &str) -> Message {
    let mut m = Message::new(id, channel, direction, at(minutes));
    m.text = text.into();
    m
}

#[test]
fn merged_customers_rethread_together_and_splits_come_apart() {
    let form = msg(
        "form-1",
        Channel::WebForm,
        Direction::Inbound,
        0,
        "Хочу записаться на ТО",
    );
    let call = msg("call-1", Channel::Voice, Direction::Inbound, 30, "");
    let wa = msg(
        "wa-1",
        Channel::Whatsapp,
        Direction::Outbound,
        45,
        "Записали на пятницу",
    );
    let mut t = Threader::new(ThreadConfig::default()).unwrap();
    t.add(&form, "visitor-9").unwrap();
    t.add(&call, "phone-7").unwrap();
    t.add(&wa, "phone-7").unwrap();
    assert_eq!(t.conversation_count(), 2);

    // Identity resolution merges the visitor into the phone customer: one conversation.
    let merged = t
        .reassign(Reassign::Customer {
            customer: "visitor-9".into(),
            to: "phone-7".into(),
        })
        .unwrap();
    assert_eq!(merged.messages, 1);
    assert_eq!(merged.retired, ["call-1"]);
    assert_eq!(merged.changed.len(), 1);
    assert_eq!(merged.changed[0].conversation_id, "form-1");
    assert_eq!(merged.changed[0].previous, ["call-1", "form-1"]);
    assert_eq!(t.customer_ids(), ["phone-7"]);
    let scratch = {
        let mut s = Threader::new(ThreadConfig::default()).unwrap();
        s.add_many(&[form.clone(), call.clone(), wa.clone()], &["phone-7"; 3])
            .unwrap();
        s
    };
    assert_eq!(everything(&t), everything(&scratch));

    // ... and later splits the form off again.
    let split = t
        .reassign(Reassign::Messages {
            messages: vec!["form-1".into()],
            to: "visitor-9".into(),
        })
        .unwrap();
    assert_eq!(split.retired, Vec::<String>::new());
    assert_eq!(t.conversation_of("call-1"), Some("call-1"));
    assert_eq!(t.conversation_of("form-1"), Some("form-1"));
    assert_eq!(t.customer_of("form-1"), Some("visitor-9"));

    assert_eq!(
        t.reassign(Reassign::Customer {
            customer: "nobody".into(),
            to: "x".into()
        })
        .unwrap_err()
        .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn erasure_removes_every_trace() {
    let mut t = Threader::new(ThreadConfig::default()).unwrap();
    t.add(
        &msg("a", Channel::Sms, Direction::Inbound, 0, "Заказ №123456"),
        "c1",
    )
    .unwrap();
    t.add(
        &msg("b", Channel::Sms, Direction::Inbound, 0, "Привет"),
        "c2",
    )
    .unwrap();
    let out = t.remove_customer("c1").unwrap();
    assert_eq!(out.retired, ["a"]);
    assert_eq!(t.conversation_of("a"), None);
    assert_eq!(t.message_count(), 1);
    let snapshot = t.snapshot();
    assert!(
        !snapshot.windows(6).any(|w| w == b"123456"),
        "erased text left in the snapshot"
    );
    let restored = Threader::restore(&snapshot).unwrap();
    assert_eq!(restored.customer_ids(), ["c2"]);
    assert_eq!(
        t.remove_customer("c1").unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn a_late_message_that_joins_two_conversations_says_so() {
    let mut t = Threader::new(ThreadConfig::default()).unwrap();
    t.add(
        &msg(
            "w1",
            Channel::Whatsapp,
            Direction::Inbound,
            0,
            "Здравствуйте",
        ),
        "c",
    )
    .unwrap();
    t.add(
        &msg(
            "w3",
            Channel::Whatsapp,
            Direction::Inbound,
            60 * 40,
            "Алло?",
        ),
        "c",
    )
    .unwrap();
    assert_eq!(t.conversation_count(), 2);
    // A call in between bridges the 40-hour gap.
    let out = t
        .add(
            &msg("v2", Channel::Voice, Direction::Outbound, 60 * 20, ""),
            "c",
        )
        .unwrap();
    assert_eq!(out.conversation_id, "w1");
    assert_eq!(out.retired, ["w3"]);
    assert_eq!(out.changed.len(), 1);
    assert_eq!(out.changed[0].previous, ["w1", "w3"]);
    assert_eq!(
        t.conversation("w3").unwrap().id,
        "w1",
        "a retired id still finds its messages"
    );
    assert_eq!(out.status, AddStatus::Added);
    let again = t
        .add(
            &msg("v2", Channel::Voice, Direction::Outbound, 60 * 20, ""),
            "c",
        )
        .unwrap();
    assert_eq!(again.status, AddStatus::Duplicate);
    assert!(again.changed.is_empty() && again.retired.is_empty());
    let edited = t
        .add(
            &msg("v2", Channel::Voice, Direction::Outbound, 60 * 30, ""),
            "c",
        )
        .unwrap();
    assert_eq!(edited.status, AddStatus::Updated);
}

#[test]
fn bad_arguments_are_errors_not_panics() {
    let mut t = Threader::new(ThreadConfig::default()).unwrap();
    let mut m = msg("", Channel::Sms, Direction::Inbound, 0, "");
    assert_eq!(t.add(&m, "c").unwrap_err().kind(), ErrorKind::FieldMissing);
    m.id = "x".repeat(5000);
    assert_eq!(t.add(&m, "c").unwrap_err().kind(), ErrorKind::InputTooLarge);
    m.id = "ok".into();
    m.refs.references = vec!["r".into(); 2000];
    assert_eq!(t.add(&m, "c").unwrap_err().kind(), ErrorKind::InputTooLarge);
    let batch = t
        .add_many(
            &[
                m.clone(),
                msg("fine", Channel::Sms, Direction::Inbound, 0, ""),
            ],
            &["c", "c"],
        )
        .unwrap();
    assert_eq!(batch.rejections.len(), 1);
    assert_eq!(batch.rejections[0].index, 0);
    assert_eq!(t.conversation_of("fine"), Some("fine"));
    assert_eq!(batch.added, 1);
    assert_eq!(
        t.add_many(&[m], &["a", "b"]).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let bad = ThreadConfig {
        inactivity_gap_secs: u64::MAX,
        ..ThreadConfig::default()
    };
    assert_eq!(
        Threader::new(bad).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        Threader::restore(b"OMNIRSV1....").unwrap_err().kind(),
        ErrorKind::InvalidSnapshot
    );
    assert_eq!(
        t.check_follow_up("nope", None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn customers_are_resolved_from_senders_when_not_given() {
    let text = r#"
{"id":"form-1","channel":"web_form","direction":"inbound","timestamp":"2024-05-01T10:00:00Z","form_fields":{"Имя":"Анна","Телефон":"8 (903) 111-22-33"}}
{"id":"wa-1","channel":"whatsapp","direction":"outbound","timestamp":"2024-05-01T10:30:00Z","to":{"identifiers":[{"kind":"phone","value":"+79031112233"}]}}
{"id":"mail-1","channel":"email","direction":"inbound","timestamp":"2024-05-01T10:31:00Z","from":{"identifiers":[{"kind":"email","value":"other@example.com"}]},"refs":{"message_id":"q1@example.com"}}
{"id":"mail-2","channel":"email","direction":"outbound","timestamp":"2024-05-01T11:00:00Z","refs":{"message_id":"a1@shop.example.com","in_reply_to":["q1@example.com"]}}
{"id":"anon","channel":"voice","direction":"inbound","timestamp":"2024-05-01T11:05:00Z"}
"#;
    let messages = omni_core::message::parse_messages(text).unwrap();
    let t = thread_messages(&messages, None, ThreadConfig::default(), Default::default()).unwrap();
    assert_eq!(
        t.customer_ids,
        ["form-1", "form-1", "mail-1", "mail-1", "anon"]
    );
    let ids: Vec<Option<&str>> = t.conversation_ids.iter().map(Option::as_deref).collect();
    assert_eq!(
        ids,
        [
            Some("form-1"),
            Some("form-1"),
            Some("mail-1"),
            Some("mail-1"),
            Some("anon")
        ]
    );
    assert_eq!(t.notes.len(), 2);
    assert!(
        t.notes[0]
            .1
            .contains("taken from linked message \"mail-1\""),
        "{:?}",
        t.notes
    );
    let anon = t.threader.conversation("anon").unwrap();
    assert_eq!(
        anon.messages[0].problems[0].kind,
        omni_core::thread::ProblemKind::NoCustomer
    );
}

// ----- properties -----

/// A random small message set: up to three customers, every channel kind, times over a few
/// days, email threads, sessions, replies, orders and resolution words.
fn arbitrary_messages() -> impl Strategy<Value = Vec<(Message, String)>> {
    let one = (
        0u8..3,
        0usize..6,
        any::<bool>(),
        0i64..(60 * 24 * 5),
        prop::option::of(0u8..6),
        prop::option::of(0u8..6),
        prop::option::of(0u8..3),
        0usize..5,
        prop::option::of(0u8..4),
    );
    prop::collection::vec(one, 1..14).prop_map(|items| {
        let channels = [
            Channel::Email,
            Channel::Whatsapp,
            Channel::Voice,
            Channel::WebForm,
            Channel::Sms,
            Channel::LiveChat,
        ];
        let texts = [
            "Здравствуйте",
            "заказ №12345",
            "Спасибо, получил!",
            "Оплата получена",
            "order #A-777",
        ];
        let subjects = ["Счёт", "Re: Счёт", "Доставка", "RE[2]: доставка"];
        items
            .into_iter()
            .enumerate()
            .map(
                |(i, (cust, ch, inbound, minute, mid, parent, session, text, subject))| {
                    let channel = channels[ch].clone();
                    let direction = if inbound {
                        Direction::Inbound
                    } else {
                        Direction::Outbound
                    };
                    let mut m =
                        Message::new(format!("m{i}"), channel.clone(), direction, at(minute));
                    m.text = texts[text].into();
                    let mut refs = ReplyRefs::default();
                    if channel == Channel::Email {
                        refs.message_id = mid.map(|k| format!("id{k}@example.com"));
                        refs.in_reply_to = parent
                            .map(|k| format!("id{k}@example.com"))
                            .into_iter()
                            .collect();
                        m.subject = subject.map(|k| subjects[k as usize].to_string());
                    } else {
                        refs.session_id = session.map(|s| format!("s{s}"));
                        refs.reply_to_id = parent.map(|k| format!("m{k}"));
                    }
                    m.refs = refs;
                    (m, format!("c{cust}"))
                },
            )
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn order_and_batching_never_change_the_conversations(
        items in arbitrary_messages(),
        seed in any::<u64>(),
    ) {
        let config = ThreadConfig { inactivity_gap_secs: 6 * 3600, ..ThreadConfig::default() };
        let (messages, customers): (Vec<Message>, Vec<String>) = items.iter().cloned().unzip();
        let mut batch = Threader::new(config.clone()).unwrap();
        batch.add_many(&messages, &customers).unwrap();
        let want = everything(&batch);

        let mut order: Vec<usize> = (0..messages.len()).collect();
        let mut s = seed;
        for i in (1..order.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut one = Threader::new(config.clone()).unwrap();
        for &i in &order {
            one.add(&messages[i], &customers[i]).unwrap();
        }
        prop_assert_eq!(&everything(&one), &want);

        // Half in a batch, the rest one at a time, some twice.
        let mut mixed = Threader::new(config).unwrap();
        let half = order.len() / 2;
        let first: Vec<Message> = order[..half].iter().map(|&i| messages[i].clone()).collect();
        let first_c: Vec<String> = order[..half].iter().map(|&i| customers[i].clone()).collect();
        mixed.add_many(&first, &first_c).unwrap();
        for &i in order[half..].iter().chain(&order[..1]) {
            mixed.add(&messages[i], &customers[i]).unwrap();
        }
        prop_assert_eq!(&everything(&mixed), &want);

        // Every message in exactly one conversation, ids = earliest message.
        let mut all: Vec<String> = want.iter().flat_map(|c| c.message_ids.clone()).collect();
        all.sort();
        let mut ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
        ids.sort();
        prop_assert_eq!(all, ids);
        for c in &want {
            prop_assert_eq!(&c.id, &c.message_ids[0]);
            prop_assert!(c.state != ConversationState::Open || !c.message_ids.is_empty());
        }
        prop_assert_eq!(everything(&Threader::restore(&batch.snapshot()).unwrap()), want);
    }

    #[test]
    fn any_text_in_any_field_is_threaded_without_panic(
        text in ".{0,200}",
        subject in ".{0,80}",
        refs in prop::collection::vec(".{0,40}", 0..6),
        reply in prop::option::of(".{0,20}"),
        minutes in -10_000_000i64..10_000_000,
    ) {
        let mut t = Threader::new(ThreadConfig { not_after: Some(at(0)), ..ThreadConfig::default() }).unwrap();
        let mut m = msg("x", Channel::Email, Direction::Inbound, minutes, &text);
        m.subject = Some(subject.clone());
        m.refs.references = refs.clone();
        m.refs.in_reply_to = refs.iter().rev().cloned().collect();
        m.refs.message_id = refs.first().cloned();
        m.refs.reply_to_id = reply;
        let _ = t.add(&m, &subject);
        let mut other = msg("y", Channel::Telegram, Direction::Outbound, minutes / 2, &subject);
        other.refs.session_id = Some(text.clone());
        let _ = t.add(&other, "");
        for c in t.customer_ids() {
            for conv in t.conversations_of(c) {
                let _ = t.check_follow_up(&conv.id, None);
            }
        }
        let _ = omni_core::thread::normalize_subject(&text);
        let _ = omni_core::thread::subject_key(&text);
        let _ = omni_core::thread::reference_keys(&text);
    }
}

#[test]
fn a_repeated_id_in_a_batch_ends_as_its_last_version() {
    let first = msg("m", Channel::Sms, Direction::Inbound, 0, "Здравствуйте");
    let second = msg("m", Channel::Sms, Direction::Inbound, 5, "Здравствуйте!");
    let other = msg("n", Channel::Sms, Direction::Inbound, 1, "");
    let messages = [first.clone(), other, second.clone(), second];
    // The later version's customer is seen first, so customer order differs from input order.
    let customers = ["zeta", "alpha", "alpha", "alpha"];
    let mut batch = Threader::new(ThreadConfig::default()).unwrap();
    let out = batch.add_many(&messages, &customers).unwrap();
    let mut one = Threader::new(ThreadConfig::default()).unwrap();
    for (m, c) in messages.iter().zip(customers) {
        one.add(m, c).unwrap();
    }
    assert_eq!(everything(&batch), everything(&one));
    assert_eq!(batch.customer_ids(), ["alpha"]);
    assert_eq!((out.added, out.updated, out.duplicates), (2, 1, 1));
    assert_eq!(batch.conversation("m").unwrap().started, at(1));
}
