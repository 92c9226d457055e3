//! The customer 360 engine end to end: ingest across channels, queries, consent, routing,
//! manual operations, erasure and snapshots, on realistic Russian and English messages.

use chrono::{DateTime, TimeZone, Utc};
use omni_core::engine::{
    ConsentAction, ConsentStatus, Engine, EngineConfig, IngestStatus, Purpose,
};
use omni_core::{ErrorKind, Message};
use proptest::prelude::*;
use std::sync::Arc;

fn msg(json: &str) -> Message {
    Message::from_json(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Анна: a web form, a WhatsApp chat with answers, a call, an email; Джон: English email and
/// SMS with STOP; a chat visitor who leaves an email that Анна... no: that Иван uses.
fn inbox() -> Vec<Message> {
    [
        r#"{"id":"form-1","channel":"web_form","direction":"inbound","timestamp":"2024-05-01T07:00:00Z","subject":"Заявка с сайта","text":"Хочу заказать угловой диван, перезвоните пожалуйста","form_fields":{"Имя":"Анна Смирнова","Телефон":"8 (912) 345-67-89","E-mail":"Anna.Smirnova@gmail.com"}}"#,
        r#"{"id":"call-1","channel":"voice","direction":"outbound","timestamp":"2024-05-01T07:20:00Z","to":{"identifiers":[{"kind":"phone","value":"+79123456789"}]},"metadata":{"duration_s":180}}"#,
        r#"{"id":"wa-1","channel":"whatsapp","direction":"outbound","timestamp":"2024-05-01T07:30:00Z","to":{"identifiers":[{"kind":"whatsapp","value":"79123456789"},{"kind":"phone","value":"+79123456789"}]},"text":"Анна, отправили подборку диванов, посмотрите","status":"read"}"#,
        r#"{"id":"wa-2","channel":"whatsapp","direction":"inbound","timestamp":"2024-05-01T07:35:00Z","from":{"identifiers":[{"kind":"whatsapp","value":"79123456789"},{"kind":"phone","value":"+79123456789"}],"display_name":"Анна"},"text":"Спасибо! Второй вариант нравится, сколько стоит доставка в Пермь?"}"#,
        r#"{"id":"wa-3","channel":"whatsapp","direction":"outbound","timestamp":"2024-05-01T07:50:00Z","to":{"identifiers":[{"kind":"whatsapp","value":"79123456789"},{"kind":"phone","value":"+79123456789"}]},"text":"Доставка 1500 ₽, оформляем?","status":"read"}"#,
        r#"{"id":"wa-4","channel":"whatsapp","direction":"inbound","timestamp":"2024-05-01T07:55:00Z","from":{"identifiers":[{"kind":"whatsapp","value":"79123456789"},{"kind":"phone","value":"+79123456789"}],"display_name":"Анна"},"text":"Да, оформляйте"}"#,
        r#"{"id":"mail-1","channel":"email","direction":"inbound","timestamp":"2024-06-10T09:00:00Z","from":{"identifiers":[{"kind":"email","value":"annasmirnova@gmail.com"}],"display_name":"Anna Smirnova"},"subject":"Счёт на оплату","text":"Пришлите, пожалуйста, счёт для юрлица","refs":{"message_id":"a1@gmail.com"}}"#,
        r#"{"id":"en-1","channel":"email","direction":"inbound","timestamp":"2024-05-02T14:00:00Z","from":{"identifiers":[{"kind":"email","value":"john.smith@globex-supply.co.uk"}],"display_name":"John Smith"},"subject":"Price for 20 office chairs","text":"Hi, could you send me a quote for 20 office chairs? You can also call me at +44 7911 123456","refs":{"message_id":"j1@globex-supply.co.uk"}}"#,
        r#"{"id":"en-2","channel":"sms","direction":"outbound","timestamp":"2024-05-02T15:00:00Z","to":{"identifiers":[{"kind":"phone","value":"+447911123456"}]},"text":"Hi John, quote sent to your email","status":"delivered"}"#,
        r#"{"id":"en-3","channel":"sms","direction":"inbound","timestamp":"2024-05-02T15:05:00Z","from":{"identifiers":[{"kind":"phone","value":"+447911123456"}]},"text":"STOP"}"#,
        r#"{"id":"chat-1","channel":"live_chat","direction":"inbound","timestamp":"2024-05-03T10:00:00Z","from":{"identifiers":[{"kind":"visitor_id","value":"v-77"}]},"text":"Здравствуйте, есть ли кресло-качалка в наличии?","refs":{"session_id":"s-1"}}"#,
        r#"{"id":"chat-2","channel":"live_chat","direction":"inbound","timestamp":"2024-05-03T10:02:00Z","from":{"identifiers":[{"kind":"visitor_id","value":"v-77"}]},"text":"Пишите на ivan.petrov@yandex.ru","refs":{"session_id":"s-1"}}"#,
        r#"{"id":"tg-1","channel":"telegram","direction":"inbound","timestamp":"2024-05-05T10:00:00Z","from":{"identifiers":[{"kind":"telegram_username","value":"ivan_p"}],"display_name":"Иван Петров"},"text":"Добрый день, это Иван, почта ivan.petrov@ya.ru, по креслу есть новости?"}"#
    ]
    .iter()
    .map(|j| msg(j))
    .collect()
}

fn engine_with_inbox() -> Engine {
    let engine = Engine::new(EngineConfig::default()).unwrap();
    for m in inbox() {
        engine.ingest(m).unwrap();
    }
    engine
}

#[test]
fn one_customer_across_form_call_whatsapp_and_email() {
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let results: Vec<_> = inbox()
        .into_iter()
        .map(|m| engine.ingest(m).unwrap())
        .collect();
    let anna = &results[0].customer_id;
    assert_eq!(anna, "form-1");
    for r in &results[..7] {
        assert_eq!(
            engine.customer_of(&r.message_id).unwrap().as_deref(),
            Some("form-1")
        );
    }
    assert_eq!(results[0].lead.kind.name(), "new_lead");
    assert!(!results[0].known_customer);
    assert!(results[3].known_customer);
    assert_ne!(results[3].lead.kind.name(), "new_lead");
    // form, call and WhatsApp are one conversation; the email a month later is another.
    assert_eq!(results[1].conversation_id, "form-1");
    assert_eq!(results[3].conversation_id, "form-1");
    assert_ne!(results[6].conversation_id, "form-1");

    let card = engine.customer("wa-2").unwrap();
    assert_eq!(card.customer_id, "form-1");
    assert!(matches!(
        card.name.as_deref(),
        Some("Анна Смирнова" | "Anna Smirnova")
    ));
    assert_eq!(card.messages, 7);
    assert_eq!(card.conversations.len(), 2);
    assert_eq!(card.first_contact, Some(at("2024-05-01T07:00:00Z")));
    assert_eq!(card.last_contact, Some(at("2024-06-10T09:00:00Z")));
    let kinds: Vec<&str> = card
        .identity
        .identities
        .iter()
        .map(|i| i.kind.as_str())
        .collect();
    assert!(kinds.contains(&"phone") && kinds.contains(&"email") && kinds.contains(&"whatsapp"));
    let phone = card
        .identity
        .identities
        .iter()
        .find(|i| i.kind == "phone")
        .unwrap();
    assert_eq!(phone.value, "+79123456789");
    assert!(phone.seen.iter().any(|p| p.record_id == "form-1"));
    assert_eq!(card.preferred_channel, Some(omni_core::Channel::Whatsapp));
    assert_eq!(card.time_zone.source, "phone_region:RU");
}

#[test]
fn visitor_who_leaves_an_email_in_chat_joins_the_telegram_customer() {
    let engine = engine_with_inbox();
    let c = engine.customer_of("tg-1").unwrap().unwrap();
    assert_eq!(engine.customer_of("chat-1").unwrap().unwrap(), c);
    assert_eq!(engine.customer_of("chat-2").unwrap().unwrap(), c);
    let timeline = engine.timeline(&c).unwrap();
    let channels: Vec<&str> = timeline.iter().map(|e| e.message.channel.name()).collect();
    assert_eq!(channels, ["live_chat", "live_chat", "telegram"]);
}

#[test]
fn a_bounce_joins_the_customer_it_names_and_an_auto_reply_keeps_its_sender() {
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let customers = [("olga", "olga.k@rogakopyta.ru"), ("ivan", "ivan.p@mail.ru")];
    for (id, address) in customers {
        engine.ingest(msg(&format!(r#"{{"id":"{id}","channel":"email","direction":"inbound","timestamp":"2024-01-01T10:00:00Z","from":{{"identifiers":[{{"kind":"email","value":"{address}"}}],"display_name":"{id}"}},"text":"Здравствуйте"}}"#))).unwrap();
        // A plain-text bounce from the mail system names the address that failed.
        engine.ingest(msg(&format!(r#"{{"id":"bounce-{id}","channel":"email","direction":"inbound","timestamp":"2024-01-02T10:00:00Z","from":{{"identifiers":[{{"kind":"email","value":"MAILER-DAEMON@mx.shop.example"}}],"display_name":"Mail Delivery System"}},"text":"Delivery to the following recipient failed permanently: {address}"}}"#))).unwrap();
    }
    // An out-of-office reply marked by the email adapter names a colleague's phone.
    engine.ingest(msg(r#"{"id":"ooo","channel":"email","direction":"inbound","timestamp":"2024-01-03T10:00:00Z","from":{"identifiers":[{"kind":"email","value":"petr@firma.ru"}]},"text":"Я в отпуске, по срочным вопросам звоните +7 912 345-67-89","metadata":{"auto_reply":"Auto-Submitted: auto-replied"}}"#)).unwrap();
    engine.ingest(msg(r#"{"id":"call","channel":"voice","direction":"inbound","timestamp":"2024-01-04T10:00:00Z","from":{"identifiers":[{"kind":"phone","value":"+79123456789"}]}}"#)).unwrap();
    let of = |id: &str| engine.customer_of(id).unwrap().unwrap();
    assert_ne!(of("olga"), of("ivan"));
    // Each bounce belongs to the customer whose address failed.
    for id in ["olga", "ivan"] {
        assert_eq!(of(id), of(&format!("bounce-{id}")), "{id}");
    }
    assert_ne!(of("ooo"), of("call"));
    // Without the markers, an address written in a message still identifies its sender.
    engine.ingest(msg(r#"{"id":"chat","channel":"live_chat","direction":"inbound","timestamp":"2024-01-05T10:00:00Z","text":"Пишите на olga.k@rogakopyta.ru"}"#)).unwrap();
    assert_eq!(of("chat"), of("olga"));
}

#[test]
fn find_accepts_any_format() {
    let engine = engine_with_inbox();
    for text in [
        "8 912 345-67-89",
        "+7 (912) 345 67 89",
        "89123456789",
        "anna.smirnova+shop@GMAIL.com",
        "ANNASMIRNOVA@gmail.com",
    ] {
        let found = engine.find(text).unwrap();
        assert!(!found.is_empty(), "{text}");
        assert!(
            found.iter().all(|f| f.customer_id == "form-1"),
            "{text}: {found:?}"
        );
    }
    assert_eq!(
        engine.find("@ivan_p").unwrap()[0].customer_id,
        engine.customer_of("tg-1").unwrap().unwrap()
    );
    assert!(engine.find("8 999 000-00-01").unwrap().is_empty());
    assert!(engine.find("").unwrap().is_empty());
}

#[test]
fn stop_by_sms_opts_out_of_sms_marketing_and_routing_respects_it() {
    let engine = engine_with_inbox();
    let john = engine.customer_of("en-1").unwrap().unwrap();
    assert_eq!(
        engine.customer_of("en-3").unwrap().unwrap(),
        john,
        "phone left in the email text links the SMS"
    );
    let card = engine.customer(&john).unwrap();
    let sms = card
        .consent
        .iter()
        .find(|c| c.channel == omni_core::Channel::Sms && c.purpose == Purpose::Marketing)
        .unwrap();
    assert_eq!(sms.status, ConsentStatus::OptedOut);
    assert_eq!(sms.decided_by.as_ref().unwrap().source, "en-3");
    let route = engine
        .route(&john, Purpose::Marketing, at("2024-05-03T12:00:00Z"))
        .unwrap();
    assert_ne!(
        route.best.as_ref().map(|b| b.channel.clone()),
        Some(omni_core::Channel::Sms)
    );
    assert!(route
        .excluded
        .iter()
        .any(|e| e.channel == omni_core::Channel::Sms));
    assert_eq!(
        route.best.as_ref().unwrap().channel,
        omni_core::Channel::Email
    );
    assert_eq!(route.time_zone.offset, "+00:00", "{:?}", route.time_zone);
    // Transactional SMS is still allowed (STOP revokes marketing).
    let t = engine
        .route(&john, Purpose::Transactional, at("2024-05-03T12:00:00Z"))
        .unwrap();
    assert!(t.best.is_some());
    assert!(!t
        .excluded
        .iter()
        .any(|e| e.channel == omni_core::Channel::Sms && e.reason.starts_with("consent")));
}

#[test]
fn marketing_on_messengers_needs_an_opt_in_and_quiet_hours_hold_in_local_time() {
    let engine = engine_with_inbox();
    // 19:00 UTC is 22:00 in Moscow: quiet for WhatsApp, not for email.
    let r = engine
        .route("form-1", Purpose::Transactional, at("2024-06-11T19:00:00Z"))
        .unwrap();
    let best = r.best.unwrap();
    assert_eq!(best.channel, omni_core::Channel::Email, "{}", r.reason);
    let wa = r
        .fallbacks
        .iter()
        .find(|o| o.channel == omni_core::Channel::Whatsapp)
        .unwrap();
    assert_eq!(wa.send_at, at("2024-06-12T06:00:00Z"), "09:00 Moscow");
    // Daytime, after she writes on WhatsApp again: WhatsApp comes first for service messages.
    engine.ingest(msg(r#"{"id":"wa-5","channel":"whatsapp","direction":"inbound","timestamp":"2024-06-11T05:00:00Z","from":{"identifiers":[{"kind":"whatsapp","value":"79123456789"},{"kind":"phone","value":"+79123456789"}]},"text":"Когда привезут диван?"}"#)).unwrap();
    let r = engine
        .route("form-1", Purpose::Transactional, at("2024-06-11T09:00:00Z"))
        .unwrap();
    assert_eq!(
        r.best.unwrap().channel,
        omni_core::Channel::Whatsapp,
        "{}",
        r.reason
    );
    // Marketing on WhatsApp needs an explicit opt-in by default...
    let m = engine
        .route("form-1", Purpose::Marketing, at("2024-06-11T09:00:00Z"))
        .unwrap();
    assert!(m
        .excluded
        .iter()
        .any(|e| e.channel == omni_core::Channel::Whatsapp));
    // ...which a manual entry gives.
    engine
        .record_consent(
            "form-1",
            omni_core::Channel::Whatsapp,
            Purpose::Marketing,
            ConsentAction::OptIn,
            at("2024-06-01T00:00:00Z"),
            "signed form in store",
        )
        .unwrap();
    let m = engine
        .route("form-1", Purpose::Marketing, at("2024-06-11T09:00:00Z"))
        .unwrap();
    assert_eq!(m.best.unwrap().channel, omni_core::Channel::Whatsapp);
    // An explicit time zone wins over the phone region.
    engine.set_time_zone("form-1", "+05:00").unwrap();
    let r = engine
        .route("form-1", Purpose::Transactional, at("2024-06-11T17:00:00Z"))
        .unwrap();
    assert_eq!(r.time_zone.source, "explicit");
    assert_eq!(
        r.best.unwrap().channel,
        omni_core::Channel::Email,
        "22:00 at +05:00"
    );
}

#[test]
fn failed_delivery_makes_an_address_unreachable() {
    let engine = engine_with_inbox();
    engine
        .ingest(msg(r#"{"id":"sms-x","channel":"sms","direction":"outbound","timestamp":"2024-06-11T10:00:00Z","to":{"identifiers":[{"kind":"phone","value":"+79123456789"}]},"text":"Ваш заказ отправлен","status":"failed"}"#))
        .unwrap();
    let card = engine.customer("form-1").unwrap();
    let sms = card
        .reachability
        .iter()
        .find(|r| r.channel == omni_core::Channel::Sms)
        .unwrap();
    assert_eq!(sms.status, "failed");
    let r = engine
        .route("form-1", Purpose::Transactional, at("2024-06-11T12:00:00Z"))
        .unwrap();
    assert!(r
        .excluded
        .iter()
        .any(|e| e.channel == omni_core::Channel::Sms && e.reason.starts_with("failed")));
}

#[test]
fn opt_out_wins_when_customers_merge_and_provenance_stays() {
    let engine = Engine::new(EngineConfig::default()).unwrap();
    engine.ingest(msg(r#"{"id":"a","channel":"email","direction":"inbound","timestamp":"2024-01-01T10:00:00Z","from":{"identifiers":[{"kind":"email","value":"olga.k@rogakopyta.ru"}]},"text":"Отпишите меня от рассылки"}"#)).unwrap();
    engine.ingest(msg(r#"{"id":"b","channel":"web_form","direction":"inbound","timestamp":"2024-02-01T10:00:00Z","text":"Подписаться на новости","form_fields":{"Телефон":"+7 903 111-22-33","Email":"olga.kuznetsova@mail.ru","Согласие на рассылку":"да"}}"#)).unwrap();
    let a = engine.customer("a").unwrap();
    let b = engine.customer("b").unwrap();
    assert_ne!(a.customer_id, b.customer_id);
    let email_b = b
        .consent
        .iter()
        .find(|c| c.channel == omni_core::Channel::Email && c.purpose == Purpose::Marketing)
        .unwrap();
    assert_eq!(email_b.status, ConsentStatus::OptedIn);
    let event = engine.merge("a", "b").unwrap().unwrap();
    assert_eq!(event.customer_id, "a");
    let merged = engine.customer("b").unwrap();
    assert_eq!(merged.customer_id, "a");
    let email = merged
        .consent
        .iter()
        .find(|c| c.channel == omni_core::Channel::Email && c.purpose == Purpose::Marketing)
        .unwrap();
    assert_eq!(email.status, ConsentStatus::OptedOut);
    assert_eq!(email.entries.len(), 2, "both entries kept");
    // Split them again: each side has its own consent back.
    engine.split("a", &["b"]).unwrap();
    let b = engine.customer("b").unwrap();
    assert_eq!(b.customer_id, "b");
    assert_eq!(
        b.consent
            .iter()
            .find(|c| c.channel == omni_core::Channel::Email && c.purpose == Purpose::Marketing)
            .unwrap()
            .status,
        ConsentStatus::OptedIn
    );
    assert!(engine.merge("a", "nobody").unwrap_err().kind() == ErrorKind::NotFound);
}

#[test]
fn never_merge_keeps_customers_apart() {
    let engine = Engine::new(EngineConfig::default()).unwrap();
    engine.ingest(msg(r#"{"id":"x1","channel":"sms","direction":"inbound","timestamp":"2024-01-01T10:00:00Z","from":{"identifiers":[{"kind":"phone","value":"+79031112233"}]},"text":"Здравствуйте"}"#)).unwrap();
    engine.ingest(msg(r#"{"id":"x2","channel":"email","direction":"inbound","timestamp":"2024-01-02T10:00:00Z","from":{"identifiers":[{"kind":"email","value":"p.ivanova@rogakopyta.ru"}]},"text":"Hello"}"#)).unwrap();
    engine.never_merge("x1", "x2").unwrap();
    let r = engine.ingest(msg(r#"{"id":"x3","channel":"web_form","direction":"inbound","timestamp":"2024-01-03T10:00:00Z","form_fields":{"phone":"+79031112233","email":"p.ivanova@rogakopyta.ru"}}"#)).unwrap();
    assert_ne!(
        engine.customer_of("x1").unwrap(),
        engine.customer_of("x2").unwrap()
    );
    assert!(r.customer_id == "x1" || r.customer_id == "x2");
}

#[test]
fn merge_event_moves_conversations() {
    let engine = Engine::new(EngineConfig::default()).unwrap();
    engine.ingest(msg(r#"{"id":"m1","channel":"telegram","direction":"inbound","timestamp":"2024-03-01T10:00:00Z","from":{"identifiers":[{"kind":"telegram_username","value":"petr_k"}]},"text":"Сколько стоит ремонт?"}"#)).unwrap();
    engine.ingest(msg(r#"{"id":"m2","channel":"sms","direction":"inbound","timestamp":"2024-03-01T10:30:00Z","from":{"identifiers":[{"kind":"phone","value":"+79035556677"}]},"text":"Перезвоните мне"}"#)).unwrap();
    assert_eq!(engine.counts().unwrap().0, 2);
    let r = engine.ingest(msg(r#"{"id":"m3","channel":"web_form","direction":"inbound","timestamp":"2024-03-01T11:00:00Z","form_fields":{"Телефон":"8 903 555-66-77","Telegram":"@petr_k"},"text":"Заявка на ремонт"}"#)).unwrap();
    assert_eq!(r.customer_id, "m1");
    assert!(!r.merges.is_empty());
    let timeline = engine.timeline("m2").unwrap();
    assert_eq!(timeline.len(), 3);
    assert!(
        timeline.iter().all(|e| e.conversation_id == "m1"),
        "{timeline:?}"
    );
}

#[test]
fn forget_erases_everything_even_from_snapshots() {
    let engine = engine_with_inbox();
    let before = engine.snapshot().unwrap();
    let needles: [&[u8]; 6] = [
        b"+79123456789",
        b"79123456789",
        "Смирнова".as_bytes(),
        b"annasmirnova@gmail.com",
        b"Anna.Smirnova@gmail.com",
        "Пермь".as_bytes(),
    ];
    assert!(needles.iter().all(|n| contains(&before, n)));
    let report = engine.forget("wa-4").unwrap();
    assert_eq!(report.customer_id, "form-1");
    assert_eq!(report.messages, 7);
    assert_eq!(report.conversations, 2);
    let after = engine.snapshot().unwrap();
    for n in needles {
        assert!(
            !contains(&after, n),
            "{:?} is still in the snapshot",
            String::from_utf8_lossy(n)
        );
    }
    assert!(engine.customer("form-1").unwrap_err().kind() == ErrorKind::NotFound);
    assert!(engine.find("8 912 345-67-89").unwrap().is_empty());
    assert!(engine.timeline("wa-2").is_err());
    // Others are untouched, and the restored engine agrees.
    let restored = Engine::restore(&after).unwrap();
    assert_eq!(restored.counts().unwrap(), engine.counts().unwrap());
    assert!(!restored
        .find("john.smith@globex-supply.co.uk")
        .unwrap()
        .is_empty());
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn snapshot_round_trip_and_bad_snapshots() {
    let engine = engine_with_inbox();
    let bytes = engine.snapshot().unwrap();
    assert_eq!(&bytes[..8], b"OMNIENG4");
    let restored = Engine::restore(&bytes).unwrap();
    assert_eq!(restored.snapshot().unwrap(), bytes);
    assert_eq!(
        serde_json::to_value(restored.customer("form-1").unwrap()).unwrap(),
        serde_json::to_value(engine.customer("form-1").unwrap()).unwrap()
    );
    let mut corrupt = bytes.clone();
    let n = corrupt.len();
    corrupt[n / 2] ^= 0x40;
    assert_eq!(
        Engine::restore(&corrupt).unwrap_err().kind(),
        ErrorKind::InvalidSnapshot
    );
    assert_eq!(
        Engine::restore(b"OMNIRSV1garbage!").unwrap_err().kind(),
        ErrorKind::InvalidSnapshot
    );
    assert_eq!(
        Engine::restore(&[]).unwrap_err().kind(),
        ErrorKind::InvalidSnapshot
    );
    assert_eq!(
        Engine::restore(&bytes[..bytes.len() - 3])
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidSnapshot
    );
}

#[test]
fn bad_messages_are_rejected_and_change_nothing() {
    let engine = engine_with_inbox();
    let before = engine.snapshot().unwrap();
    let mut no_id = inbox()[0].clone();
    no_id.id = "  ".into();
    assert_eq!(
        engine.ingest(no_id).unwrap_err().kind(),
        ErrorKind::FieldMissing
    );
    let mut long = inbox()[0].clone();
    long.id = "x".repeat(5000);
    assert_eq!(
        engine.ingest(long).unwrap_err().kind(),
        ErrorKind::InputTooLarge
    );
    let mut reserved = inbox()[0].clone();
    reserved.id = "consent:1".into();
    assert_eq!(
        engine.ingest(reserved).unwrap_err().kind(),
        ErrorKind::InvalidField
    );
    assert_eq!(engine.snapshot().unwrap(), before);
    // A batch: good ones in, bad ones rejected with their position.
    let json = "{\"id\":\"ok-1\",\"channel\":\"sms\",\"direction\":\"inbound\",\"timestamp\":\"2024-07-01T10:00:00Z\",\"text\":\"привет\"}\n{\"id\":\"\",\"channel\":\"sms\",\"direction\":\"inbound\",\"timestamp\":\"2024-07-01T10:00:00Z\"}\nnot json\n{\"id\":\"ok-2\",\"channel\":\"vk\",\"direction\":\"inbound\",\"timestamp\":\"2024-07-01T11:00:00Z\",\"text\":\"сколько стоит?\"}";
    let r = engine.ingest_json_many(json).unwrap();
    assert_eq!(r.ingested.len(), 2);
    let idx: Vec<usize> = r.rejections.iter().map(|r| r.index).collect();
    assert_eq!(idx, [1, 2]);
    // Re-ingesting is a duplicate and changes nothing.
    let snap = engine.snapshot().unwrap();
    let again = engine.ingest(inbox()[3].clone()).unwrap();
    assert_eq!(again.status, IngestStatus::Duplicate);
    assert_eq!(engine.snapshot().unwrap(), snap);
}

#[test]
fn provider_consent_event_reaches_the_customer() {
    use omni_core::adapt::{Consent, ConsentChange, Event};
    use omni_core::message::Party;
    let engine = engine_with_inbox();
    let event = Event::Consent(ConsentChange {
        event_id: "wa-ev-1".into(),
        channel: omni_core::Channel::Whatsapp,
        consent: Consent::OptOut,
        customer: Party {
            identifiers: vec![omni_core::Identifier::new(
                omni_core::IdentifierKind::Whatsapp,
                "79123456789",
            )],
            display_name: None,
        },
        timestamp: at("2024-06-12T10:00:00Z"),
        reason: "blocked".into(),
    });
    assert_eq!(
        engine.apply_event(&event).unwrap().as_deref(),
        Some("form-1")
    );
    let card = engine.customer("form-1").unwrap();
    let wa = card
        .consent
        .iter()
        .find(|c| c.channel == omni_core::Channel::Whatsapp && c.purpose == Purpose::Transactional)
        .unwrap();
    assert_eq!(wa.status, ConsentStatus::OptedOut);
    let r = engine
        .route("form-1", Purpose::Transactional, at("2024-06-12T10:00:00Z"))
        .unwrap();
    assert_ne!(r.best.unwrap().channel, omni_core::Channel::Whatsapp);
}

#[test]
fn batch_equals_one_by_one() {
    let a = Engine::new(EngineConfig::default()).unwrap();
    let r = a.ingest_many(inbox()).unwrap();
    assert!(r.rejections.is_empty());
    let b = engine_with_inbox();
    assert_eq!(same_view(&a), same_view(&b));
    let analytics = a.analytics().unwrap();
    assert_eq!(analytics.dedup.messages, 13);
    assert!(analytics.dedup.contacts_before > analytics.dedup.customers_after);
    assert_eq!(analytics.dedup.customers_after, 3);
    assert!(analytics
        .switches
        .iter()
        .any(|s| s.from == "web_form" && s.to == "whatsapp"));
    let email = analytics
        .channels
        .iter()
        .find(|c| c.channel == "email")
        .unwrap();
    assert_eq!(email.customers, 2);
}

/// Customers, conversations and leads as plain data, for comparing engines.
fn same_view(e: &Engine) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = e
        .leads()
        .unwrap()
        .into_iter()
        .map(|r| {
            let kind = r.lead.kind.name().to_string();
            (r.lead.message_id, r.customer_id, r.conversation_id, kind)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn engine_is_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    let engine = Arc::new(Engine::new(EngineConfig::default()).unwrap());
    let msgs = inbox();
    let (left, right) = msgs.split_at(6);
    std::thread::scope(|s| {
        for part in [left.to_vec(), right.to_vec()] {
            let e = Arc::clone(&engine);
            s.spawn(move || {
                for m in part {
                    e.ingest(m).unwrap();
                }
            });
        }
    });
    assert_eq!(engine.counts().unwrap().1, 13);
    let customers: std::collections::BTreeSet<_> =
        same_view(&engine).into_iter().map(|v| v.1).collect();
    assert_eq!(customers.len(), 3);
}

#[test]
fn config_from_json_and_bad_config() {
    let c = EngineConfig::from_json(
        r#"{"default_region":"KZ","quiet_hours":{"start_hour":22,"end_hour":8}}"#,
    )
    .unwrap();
    assert_eq!(c.default_region, "KZ");
    assert!(Engine::new(c).is_ok());
    assert_eq!(
        EngineConfig::from_json(r#"{"nope":1}"#).unwrap_err().kind(),
        ErrorKind::InvalidJson
    );
    let bad = EngineConfig {
        default_region: "XX".into(),
        ..EngineConfig::default()
    };
    assert_eq!(
        Engine::new(bad).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let mut bad = EngineConfig::default();
    bad.quiet_hours.start_hour = 25;
    assert_eq!(
        Engine::new(bad).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let _ = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Customers and conversations do not depend on the order of a batch, nor on batch versus
    /// one at a time; snapshots round-trip.
    #[test]
    fn order_independent_and_snapshot_round_trip(seed in any::<u64>()) {
        let mut msgs = inbox();
        let mut s = seed;
        for i in (1..msgs.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            msgs.swap(i, (s >> 33) as usize % (i + 1));
        }
        let batch = Engine::new(EngineConfig::default()).unwrap();
        batch.ingest_many(msgs.clone()).unwrap();
        let one = Engine::new(EngineConfig::default()).unwrap();
        for m in msgs { one.ingest(m).unwrap(); }
        let reference = engine_with_inbox();
        prop_assert_eq!(same_view(&batch), same_view(&reference));
        prop_assert_eq!(same_view(&one), same_view(&reference));
        let bytes = batch.snapshot().unwrap();
        let restored = Engine::restore(&bytes).unwrap();
        prop_assert_eq!(restored.snapshot().unwrap(), bytes);
    }
}

/// Texts a company sends and customers write, for [`outbound_leads_do_not_depend_on_the_path`]:
/// what a lead, an opt-out, spam or a complaint would say, so an outbound message carries
/// every cue the classifier knows.
const OUTBOUND_TEXTS: &[&str] = &[
    "Ваш заказ №48213 отправлен, трек-номер придёт в SMS",
    "STOP",
    "Отпишите меня от рассылки",
    "Хочу такую же сумку, сколько стоит?",
    "Перезвоните мне по номеру 8 (912) 345-67-89",
    "Скидка 50% только сегодня! https://shop.example/sale",
    "Hi John, your order has shipped. Reply STOP to unsubscribe",
    "Спасибо за покупку! Оцените нас от 1 до 5",
    "Заработок без вложений, пишите в телеграм",
    "Это ужасный сервис, верните деньги",
    "Добрый день! Записали вас на замер в четверг в 10:00",
    "Please send me a quote for 20 office chairs, ivan.petrov@yandex.ru",
    "",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A batch skips classifying outbound messages; what it stores for them is what
    /// classifying one at a time gives, whatever the text, channel and call status, to known
    /// recipients and to strangers, arriving in any order.
    #[test]
    fn outbound_leads_do_not_depend_on_the_path(
        picks in proptest::collection::vec(
            (0..OUTBOUND_TEXTS.len(), 0..OUTBOUND_TEXTS.len(), 0usize..6, 0u8..4, any::<bool>(), 0u8..60),
            1..12,
        )
    ) {
        let channels = ["sms", "whatsapp", "email", "telegram", "voice", "vk"];
        let messages: Vec<Message> = picks
            .iter()
            .enumerate()
            .map(|(i, &(a, b, ch, person, inbound, minute))| {
                let channel = channels[ch];
                let phone = format!("+7912345670{person}");
                let party = format!(
                    r#""{}":{{"identifiers":[{{"kind":"phone","value":"{phone}"}}]}}"#,
                    if inbound { "from" } else { "to" }
                );
                let status = if channel == "voice" { r#","metadata":{"call_status":"missed","duration_s":0}"# } else { "" };
                msg(&format!(
                    r#"{{"id":"m-{i}","channel":"{channel}","direction":"{}","timestamp":"2024-05-01T10:{minute:02}:{i:02}Z",{party},"text":"{} {}"{status}}}"#,
                    if inbound { "inbound" } else { "outbound" },
                    OUTBOUND_TEXTS[a],
                    OUTBOUND_TEXTS[b],
                ))
            })
            .collect();
        let batch = Engine::new(EngineConfig::default()).unwrap();
        batch.ingest_many(messages.clone()).unwrap();
        let one = Engine::new(EngineConfig::default()).unwrap();
        for m in &messages {
            one.ingest(m.clone()).unwrap();
        }
        for m in &messages {
            let from_batch = batch.lead(&m.id).unwrap().unwrap();
            let from_one = one.lead(&m.id).unwrap().unwrap();
            prop_assert_eq!(&from_batch, &from_one, "message {}", m.id);
        }
    }
}

/// Flips one byte of `bytes` (within `from..`) at a position and with a mask from `seed`.
fn flip(bytes: &[u8], from: usize, seed: u64) -> Vec<u8> {
    let mut bad = bytes.to_vec();
    let at = from + (seed as usize) % (bad.len() - from);
    bad[at] ^= ((seed >> 32) as u8).max(1);
    bad
}

/// The same snapshot with its checksum made to match its (damaged) payload again, so the
/// decoder itself meets the damage.
fn recrc(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&bytes[12..]);
    bytes[8..12].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// Where the messages part of an engine snapshot lies (the third of four length-prefixed
/// parts after the magic and checksum).
fn messages_part(bytes: &[u8]) -> (usize, usize) {
    let mut at = 12;
    let len = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    for _ in 0..2 {
        at += 8 + len(at);
    }
    (at + 8, at + 8 + len(at))
}

/// Runs every query of an engine over everything it holds (nothing may panic).
fn query_everything(e: &Engine) {
    for c in e.customer_ids().unwrap() {
        let _ = e.customer(&c);
        let _ = e.timeline(&c);
    }
    for c in e.conversations().unwrap() {
        let _ = e.conversation(&c.id);
    }
    let _ = e.leads().unwrap();
    let _ = e.analytics().unwrap();
    let _ = e.snapshot().unwrap();
}

/// Runs the resolver's queries over every customer, then removes one customer and adds a record
/// (nothing may panic).
fn query_resolver(r: &mut omni_core::resolve::Resolver) {
    let ids: Vec<String> = r.customer_ids().into_iter().map(String::from).collect();
    for c in &ids {
        let _ = r.customer(c);
        let _ = r.records(c);
        let _ = r.history(c);
        let _ = r.links(c);
        let _ = r.customer_of(c);
    }
    let _ = r.snapshot();
    if let Some(c) = ids.first() {
        let _ = r.remove_customer(c, None);
    }
    let mut obs = omni_core::resolve::Observation::new("after-restore");
    obs.phones = vec!["+79123456789".into()];
    let _ = r.add(obs);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Damaged snapshots of an engine, a resolver and a threader are refused with a typed
    /// error, never a panic: cut short, a byte flipped (the checksum catches it), or a byte
    /// flipped behind a matching checksum (the decoder and the consistency checks catch it,
    /// or it is a value that still holds).
    #[test]
    fn damaged_snapshots_are_refused_never_a_panic(seeds in prop::collection::vec(any::<u64>(), 8)) {
        let engine = engine_with_inbox();
        let bytes = engine.snapshot().unwrap();
        let rbytes = resolver_snapshot();
        let tbytes = threader_snapshot();
        for &seed in &seeds {
            let cut = (seed as usize) % bytes.len();
            prop_assert_eq!(Engine::restore(&bytes[..cut]).unwrap_err().kind(), ErrorKind::InvalidSnapshot);
            prop_assert_eq!(Engine::restore(&flip(&bytes, 0, seed)).unwrap_err().kind(), ErrorKind::InvalidSnapshot);
            // Behind a matching checksum (anywhere, the resolver's twins and customers
            // included): refused, or every query over what was restored still answers.
            match Engine::restore(&recrc(flip(&bytes, 12, seed))) {
                Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidSnapshot),
                Ok(r) => query_everything(&r),
            }
            // A byte flipped inside the stored messages (behind a matching checksum): refused,
            // or every query over what was restored still answers.
            let (start, end) = messages_part(&bytes);
            let mut bad = bytes.clone();
            bad[start + (seed as usize) % (end - start)] ^= ((seed >> 32) as u8).max(1);
            match Engine::restore(&recrc(bad)) {
                Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidSnapshot),
                Ok(r) => query_everything(&r),
            }
            let cut = (seed as usize) % rbytes.len();
            prop_assert_eq!(omni_core::resolve::Resolver::restore(&rbytes[..cut]).unwrap_err().kind(), ErrorKind::InvalidSnapshot);
            prop_assert!(omni_core::resolve::Resolver::restore(&flip(&rbytes, 0, seed)).is_err());
            match omni_core::resolve::Resolver::restore(&recrc(flip(&rbytes, 12, seed))) {
                Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidSnapshot),
                Ok(mut r) => query_resolver(&mut r),
            }
            let cut = (seed as usize) % tbytes.len();
            prop_assert_eq!(omni_core::thread::Threader::restore(&tbytes[..cut]).unwrap_err().kind(), ErrorKind::InvalidSnapshot);
            prop_assert!(omni_core::thread::Threader::restore(&flip(&tbytes, 0, seed)).is_err());
            if let Err(e) = omni_core::thread::Threader::restore(&recrc(flip(&tbytes, 12, seed))) {
                prop_assert_eq!(e.kind(), ErrorKind::InvalidSnapshot);
            }
        }
    }
}

#[test]
fn a_late_earlier_message_relabels_the_customers_first_one() {
    let engine = Engine::new(EngineConfig::default()).unwrap();
    // The WhatsApp message arrives first, so it is a new lead...
    let wa = engine
        .ingest(msg(r#"{"id":"wa-9","channel":"whatsapp","direction":"inbound","timestamp":"2024-05-01T11:00:00Z","from":{"identifiers":[{"kind":"phone","value":"+79123456789"}]},"text":"Сколько стоит доставка дивана в Пермь?"}"#))
        .unwrap();
    assert!(!wa.known_customer);
    assert_eq!(
        engine.lead("wa-9").unwrap().unwrap().kind.name(),
        "new_lead"
    );
    // ... until the web form the customer sent an hour earlier reaches the engine.
    let form = engine
        .ingest(msg(r#"{"id":"form-9","channel":"web_form","direction":"inbound","timestamp":"2024-05-01T10:00:00Z","text":"Хочу заказать диван","form_fields":{"Телефон":"8 (912) 345-67-89"}}"#))
        .unwrap();
    assert!(!form.known_customer);
    assert_eq!(form.relabeled, vec!["wa-9".to_string()]);
    let wa = engine.lead("wa-9").unwrap().unwrap();
    assert!(wa.known_customer);
    assert_eq!(wa.kind.name(), "existing_customer");
    assert_eq!(
        engine.lead("form-9").unwrap().unwrap().kind.name(),
        "new_lead"
    );
}

#[test]
fn a_replaced_message_that_leaves_its_customer_makes_the_next_one_first() {
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let sms = |id: &str, minute: u32, phone: &str, text: &str| {
        msg(&format!(
            r#"{{"id":"{id}","channel":"sms","direction":"inbound","timestamp":"2024-05-01T10:{minute:02}:00Z","from":{{"identifiers":[{{"kind":"phone","value":"{phone}"}}]}},"text":"{text}"}}"#
        ))
    };
    engine
        .ingest(sms("s-1", 0, "+79123456789", "Хочу заказать диван"))
        .unwrap();
    engine
        .ingest(sms("s-2", 5, "+79123456789", "Хочу заказать кресло"))
        .unwrap();
    assert!(engine.lead("s-2").unwrap().unwrap().known_customer);
    // The provider corrects s-1: it came from another number.
    let r = engine
        .ingest(sms("s-1", 0, "+79035556677", "Хочу заказать диван"))
        .unwrap();
    assert_eq!(r.status, IngestStatus::Updated);
    assert_ne!(
        engine.customer_of("s-1").unwrap(),
        engine.customer_of("s-2").unwrap()
    );
    assert!(!engine.lead("s-2").unwrap().unwrap().known_customer);
    assert!(!engine.lead("s-1").unwrap().unwrap().known_customer);
}

/// A resolver snapshot with the inbox's customers.
fn resolver_snapshot() -> Vec<u8> {
    let mut r = omni_core::resolve::Resolver::new(Default::default()).unwrap();
    for m in inbox() {
        r.add(omni_core::resolve::Observation::from_message(&m))
            .unwrap();
    }
    r.snapshot()
}

/// A threader snapshot of the inbox, one customer per sender.
fn threader_snapshot() -> Vec<u8> {
    let mut t = omni_core::thread::Threader::new(Default::default()).unwrap();
    for m in inbox() {
        let customer = m
            .customer()
            .identifiers
            .first()
            .map_or(m.id.clone(), |i| i.value.clone());
        t.add(&m, &customer).unwrap();
    }
    t.snapshot()
}

#[test]
fn old_format_snapshots_are_refused_as_unsupported() {
    for (magic, restore) in [
        (
            &b"OMNIENG1"[..],
            (|b: &[u8]| Engine::restore(b).map(|_| ())) as fn(&[u8]) -> omni_core::Result<()>,
        ),
        (b"OMNIENG2", |b| Engine::restore(b).map(|_| ())),
        (b"OMNIENG3", |b| Engine::restore(b).map(|_| ())),
        (b"OMNIRSV1", |b| {
            omni_core::resolve::Resolver::restore(b).map(|_| ())
        }),
        (b"OMNIRSV2", |b| {
            omni_core::resolve::Resolver::restore(b).map(|_| ())
        }),
        (b"OMNITHR1", |b| {
            omni_core::thread::Threader::restore(b).map(|_| ())
        }),
    ] {
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(&[0; 40]);
        let e = restore(&bytes).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedVersion, "{e}");
        assert!(e.message().contains("earlier format"), "{e}");
    }
}
