use omni_core::{normalize_phone, Message};

#[test]
fn phone_and_message_work_together() {
    let phone = normalize_phone("+7 (912) 345-67-89", "RU").unwrap();
    assert_eq!(phone.e164, "+79123456789");
    let m = Message::from_json(
        r#"{"id":"1","channel":"sms","direction":"inbound","timestamp":1714546800}"#,
    )
    .unwrap();
    assert_eq!(m.timestamp.to_rfc3339(), "2024-05-01T07:00:00+00:00");
}
