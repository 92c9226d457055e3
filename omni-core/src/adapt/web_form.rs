//! Web-site form submissions: key/value pairs (form-encoded or a flat JSON object) whose field
//! names are whatever the site chose, in Russian or English (`Имя`, `Телефон`, `E-mail`,
//! `your-phone`, `comment`, `Ваш вопрос`).
//!
//! Field names are compared after lower-casing and dropping everything but letters and digits
//! (and a leading `your`/`ваш`): `E-mail`, `email` and `your-email` are one name. Recognised:
//!
//! | meaning | names |
//! |---|---|
//! | name | name, fullname, fio, фио, имя, clientname, contactname (first/last name parts joined) |
//! | phone | phone, phonenumber, tel, mobile, телефон, тел, номертелефона |
//! | email | email, mail, emailaddress, почта, электроннаяпочта, емейл |
//! | text | comment, message, question, text, description, комментарий, сообщение, вопрос, текст |
//! | subject | subject, formname, тема |
//! | handles | telegram, tg, телеграм; whatsapp, ватсап; vk, вконтакте; instagram, инстаграм |
//! | visitor | visitorid, clientid, ymuid, roistatvisit |
//! | submission id | tranid (Tilda), submissionid, leadid, id |
//! | time | submittedat, createdat, timestamp, date |
//!
//! Every field except the submission id, time, `utm_*` and technical fields (`formid`,
//! `COOKIES`, `referer`, `page`) is kept in `form_fields` under its own name; those go to
//! `metadata`. A Tilda connection test (`test=test`) is ignored. Without a time field the
//! submission needs [`AdaptOptions::received_at`](super::AdaptOptions).

use super::form_encoding::Pairs;
use super::sink::{content_id, Sink};
use crate::error::Result;
use crate::message::{Channel, Direction, Identifier, IdentifierKind, Message};
use serde_json::Value;
use std::borrow::Cow;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Name,
    FirstName,
    LastName,
    Phone,
    Email,
    Text,
    Subject,
    Handle(IdentifierKind),
    Visitor,
    SubmissionId,
    Time,
    Technical,
    Other,
}

impl Meaning {
    /// Whether a field of this meaning is kept in the metadata rather than the form fields.
    fn is_metadata(self) -> bool {
        matches!(
            self,
            Meaning::SubmissionId | Meaning::Time | Meaning::Technical
        )
    }
}

/// Room for a comparable field name: longer ones (64 bytes and more before a `your`/`ваш`
/// prefix is dropped) are no recognised name, whose longest is 42 bytes.
const KEY_ROOM: usize = 64;

/// The comparable form of a field name, written into `room` without allocating; `None` when it
/// does not fit (and so is no recognised name).
fn field_key<'r>(name: &str, room: &'r mut [u8; KEY_ROOM]) -> Option<&'r str> {
    let mut len = 0;
    let mut put = |c: char| -> Option<()> {
        let end = len + c.len_utf8();
        c.encode_utf8(room.get_mut(len..end)?);
        len = end;
        Some(())
    };
    for c in name.chars() {
        // ASCII and the basic Russian alphabet without the Unicode tables (the common field
        // names); the same as `is_alphanumeric` + `to_lowercase` for these characters.
        match c {
            'a'..='z' | '0'..='9' | 'а'..='я' | 'ё' => put(c)?,
            'A'..='Z' => put(c.to_ascii_lowercase())?,
            'А'..='Я' => put(char::from_u32(u32::from(c) + 0x20).unwrap_or(c))?,
            'Ё' => put('ё')?,
            c if c.is_ascii() => {}
            c if c.is_alphanumeric() => {
                for l in c.to_lowercase() {
                    put(l)?;
                }
            }
            _ => {}
        }
    }
    // Whole characters were written, so this is UTF-8.
    let key = std::str::from_utf8(&room[..len]).ok()?;
    for prefix in ["your", "ваше", "ваша", "ваш"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            if !rest.is_empty() {
                return Some(rest);
            }
        }
    }
    Some(key)
}

fn meaning(name: &str) -> Meaning {
    use Meaning as M;
    if name
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("utm_"))
    {
        return M::Technical;
    }
    let mut room = [0u8; KEY_ROOM];
    let Some(key) = field_key(name, &mut room) else {
        return M::Other;
    };
    match key {
        "name"
        | "fullname"
        | "fio"
        | "фио"
        | "имя"
        | "имяфамилия"
        | "фамилияимя"
        | "clientname"
        | "contactname"
        | "контактноелицо" => M::Name,
        "firstname" => M::FirstName,
        "lastname" | "surname" | "фамилия" => M::LastName,
        "phone"
        | "phonenumber"
        | "tel"
        | "telephone"
        | "mobile"
        | "mobilephone"
        | "телефон"
        | "тел"
        | "номертелефона"
        | "мобильныйтелефон"
        | "контактныйтелефон" => M::Phone,
        "email"
        | "mail"
        | "emailaddress"
        | "почта"
        | "электроннаяпочта"
        | "емейл"
        | "емэйл"
        | "эпочта"
        | "адресэлектроннойпочты" => M::Email,
        "comment"
        | "comments"
        | "message"
        | "question"
        | "text"
        | "description"
        | "wishes"
        | "комментарий"
        | "сообщение"
        | "вопрос"
        | "текст"
        | "описание"
        | "пожелания" => M::Text,
        "subject" | "formname" | "тема" => M::Subject,
        "telegram" | "tg" | "телеграм" | "телеграмм" => {
            M::Handle(IdentifierKind::TelegramUsername)
        }
        "whatsapp" | "ватсап" | "вотсап" => M::Handle(IdentifierKind::Whatsapp),
        "vk" | "вконтакте" | "вк" => M::Handle(IdentifierKind::VkScreenName),
        "instagram" | "инстаграм" | "инстаграмм" => {
            M::Handle(IdentifierKind::Instagram)
        }
        "visitorid" | "clientid" | "ymuid" | "roistatvisit" => M::Visitor,
        "tranid" | "submissionid" | "leadid" | "id" => M::SubmissionId,
        "submittedat" | "createdat" | "timestamp" | "date" | "datetime" => M::Time,
        "formid" | "cookies" | "referer" | "referrer" | "page" | "pageurl" | "test" => M::Technical,
        _ => M::Other,
    }
}

pub(crate) fn read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
    let pairs = Pairs::read(payload)?;
    if pairs.0.len() == 1 && pairs.get("test") == Some("test") {
        sink.ignored(None, "test", "test");
        return Ok(());
    }
    // First pass, borrowing from the pairs: what the fields mean. The second moves the pairs
    // into the message's maps, so text decoded while reading is not copied again.
    let mut id = None;
    let mut time = None;
    let (mut name, mut first, mut last) = (None, None, None);
    let mut from_ids = Vec::new();
    let mut text = String::new();
    let mut subject = None;
    // Which of the first 128 fields go to the metadata (later ones are looked at again).
    let mut to_metadata = 0u128;
    for (i, (key, value)) in pairs.0.iter().enumerate() {
        let key: &str = key;
        let v = value.trim();
        let m = meaning(key);
        if i < 128 && m.is_metadata() {
            to_metadata |= 1 << i;
        }
        match m {
            Meaning::SubmissionId => {
                id.get_or_insert(v);
                continue;
            }
            Meaning::Time => {
                time.get_or_insert((key, v));
                continue;
            }
            Meaning::Technical => continue,
            _ => {}
        }
        if v.is_empty() {
            continue;
        }
        match m {
            Meaning::Name => {
                name.get_or_insert(v);
            }
            Meaning::FirstName => {
                first.get_or_insert(v);
            }
            Meaning::LastName => {
                last.get_or_insert(v);
            }
            Meaning::Phone => add_unique(&mut from_ids, sink.phone(v, key)),
            Meaning::Email => add_unique(&mut from_ids, sink.email(v, key)),
            Meaning::Handle(kind) => add_unique(&mut from_ids, sink.handle(kind, v, key)),
            Meaning::Visitor => add_unique(
                &mut from_ids,
                sink.handle(IdentifierKind::VisitorId, v, key),
            ),
            Meaning::Text => {
                // The texts joined by new lines (each is non-empty).
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(v);
            }
            Meaning::Subject => {
                subject.get_or_insert(v);
            }
            _ => {}
        }
    }
    let timestamp = match time {
        Some((key, t)) => sink.local_time(t, key)?,
        None => sink.received_at("the form has no date field")?,
    };
    let event_id = id.map_or_else(|| content_id(payload), str::to_string);
    let mut msg = Message::new(
        format!("form:{event_id}"),
        Channel::WebForm,
        Direction::Inbound,
        timestamp,
    );
    msg.event_id = Some(event_id);
    msg.from.identifiers = from_ids;
    // A name field with a separate surname field: the name is the given name.
    let first = first.or(name.filter(|n| !n.contains(' ')));
    let name = match (first, last) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        _ => name.map(str::to_string),
    };
    msg.from.display_name = name.or_else(|| first.or(last).map(str::to_string));
    msg.subject = subject.map(str::to_string);
    msg.text = text;
    // Every field except the technical ones is kept under its own name, untrimmed; those go
    // to the metadata, trimmed.
    for (i, (key, value)) in pairs.0.into_iter().enumerate() {
        let is_metadata = if i < 128 {
            to_metadata & (1 << i) != 0
        } else {
            meaning(&key).is_metadata()
        };
        if is_metadata {
            let v = match value {
                Cow::Owned(v) if v.trim().len() == v.len() => v,
                v => v.trim().to_string(),
            };
            msg.metadata.insert(key.into_owned(), Value::String(v));
        } else {
            msg.form_fields.insert(key.into_owned(), value.into_owned());
        }
    }
    sink.message(msg);
    Ok(())
}

/// Adds the identifiers not already in `ids`, in order.
fn add_unique(ids: &mut Vec<Identifier>, new: impl IntoIterator<Item = Identifier>) {
    for id in new {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn field_key_fast_cases_agree_with_the_unicode_tables(name in "[a-zA-Z0-9а-яА-ЯёЁ _.\\-ß\u{130}İΣ]{0,48}|\\PC{0,24}") {
            let slow: String = name
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            let mut room = [0u8; KEY_ROOM];
            let fast = field_key(&name, &mut room).map(str::to_string);
            let fits = slow.len() <= KEY_ROOM;
            let slow_key = ["your", "ваше", "ваша", "ваш"]
                .iter()
                .find_map(|p| slow.strip_prefix(p).filter(|r| !r.is_empty()).map(str::to_string))
                .unwrap_or(slow);
            proptest::prop_assert_eq!(fast, fits.then_some(slow_key));
        }
    }

    use super::*;
    use crate::adapt::{AdaptOptions, ParsedPayload, Provider};
    use proptest::prelude::*;
    use serde_json::json;

    /// The adapter as it was before it borrowed from the payload (one pass, every field cloned
    /// into the maps, identifiers deduplicated through a set, texts joined at the end), over
    /// the same pairs: what [`read`] must still produce.
    fn previous_read(payload: &[u8], sink: &mut Sink<'_>) -> Result<()> {
        let pairs = Pairs::read(payload)?;
        let pairs: Vec<(String, String)> = pairs
            .0
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.len() == 1 && pairs[0].0 == "test" && pairs[0].1 == "test" {
            sink.ignored(None, "test", "test");
            return Ok(());
        }
        let mut id = None;
        let mut time = None;
        let (mut name, mut first, mut last) = (None, None, None);
        let mut from_ids = Vec::new();
        let mut texts: Vec<&str> = Vec::new();
        let mut subject = None;
        let mut form_fields = std::collections::BTreeMap::new();
        let mut metadata = std::collections::BTreeMap::new();
        for (key, value) in &pairs {
            let v = value.trim();
            let m = meaning(key);
            match m {
                Meaning::SubmissionId => {
                    id.get_or_insert(v);
                    metadata.insert(key.clone(), json!(v));
                    continue;
                }
                Meaning::Time => {
                    time.get_or_insert((key.as_str(), v));
                    metadata.insert(key.clone(), json!(v));
                    continue;
                }
                Meaning::Technical => {
                    metadata.insert(key.clone(), json!(v));
                    continue;
                }
                _ => {}
            }
            form_fields.insert(key.clone(), value.clone());
            if v.is_empty() {
                continue;
            }
            match m {
                Meaning::Name => {
                    name.get_or_insert(v);
                }
                Meaning::FirstName => {
                    first.get_or_insert(v);
                }
                Meaning::LastName => {
                    last.get_or_insert(v);
                }
                Meaning::Phone => from_ids.extend(sink.phone(v, key)),
                Meaning::Email => from_ids.extend(sink.email(v, key)),
                Meaning::Handle(kind) => from_ids.extend(sink.handle(kind, v, key)),
                Meaning::Visitor => {
                    from_ids.extend(sink.handle(IdentifierKind::VisitorId, v, key));
                }
                Meaning::Text => texts.push(v),
                Meaning::Subject => {
                    subject.get_or_insert(v);
                }
                _ => {}
            }
        }
        let timestamp = match time {
            Some((key, t)) => sink.local_time(t, key)?,
            None => sink.received_at("the form has no date field")?,
        };
        let event_id = id.map_or_else(|| content_id(payload), str::to_string);
        let mut msg = Message::new(
            format!("form:{event_id}"),
            Channel::WebForm,
            Direction::Inbound,
            timestamp,
        );
        msg.event_id = Some(event_id);
        let mut seen = std::collections::HashSet::new();
        from_ids.retain(|i| seen.insert(i.clone()));
        msg.from.identifiers = from_ids;
        let first = first.or(name.filter(|n| !n.contains(' ')));
        let name = match (first, last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            _ => name.map(str::to_string),
        };
        msg.from.display_name = name.or_else(|| first.or(last).map(str::to_string));
        msg.subject = subject.map(str::to_string);
        msg.text = texts.join("\n");
        msg.form_fields = form_fields;
        msg.metadata = metadata;
        sink.message(msg);
        Ok(())
    }

    fn run(
        reader: fn(&[u8], &mut Sink<'_>) -> Result<()>,
        payload: &[u8],
        options: &AdaptOptions,
    ) -> std::result::Result<ParsedPayload, String> {
        let mut sink = Sink::new(Provider::WebForm, options);
        reader(payload, &mut sink).map_err(|e| e.to_string())?;
        Ok(sink.finish())
    }

    /// Field names of every meaning, in both languages and several spellings, and others.
    const NAMES: &[&str] = &[
        "Имя",
        "name",
        "your-name",
        "Ваше имя",
        "first_name",
        "last_name",
        "Фамилия",
        "Телефон",
        "phone",
        "your-phone",
        "tel",
        "E-mail",
        "email",
        "Электронная почта",
        "comment",
        "Комментарий",
        "message",
        "Ваш вопрос",
        "subject",
        "formname",
        "telegram",
        "whatsapp",
        "vk",
        "instagram",
        "visitor_id",
        "roistat_visit",
        "tranid",
        "id",
        "date",
        "submitted_at",
        "formid",
        "COOKIES",
        "utm_source",
        "UTM_medium",
        "referer",
        "Город",
        "city",
        "test",
        "Согласие",
        "",
        " ",
    ];

    /// Values: names with and without spaces, phones, emails, handles, times, padded, empty.
    const VALUES: &[&str] = &[
        "Анна",
        "Анна Смирнова",
        " Иван ",
        "",
        "  ",
        "+7 (912) 345-67-89",
        "8 916 555-12-34",
        "12",
        "anna@example.com",
        "Anna.Smirnova+tour@gmail.com",
        "not an email",
        "@Maria_Travel",
        "https://vk.com/id123456",
        "+7 926 123-45-67",
        "2024-05-01 10:45:10",
        "2024-05-01T07:45:10Z",
        "01.05.2024 13:45",
        "soon",
        "1714546800",
        "test",
        "4512331:1",
        "Нужна виза?\nДа",
        "a&b=c+d%",
    ];

    fn form() -> impl Strategy<Value = Vec<(String, String)>> {
        // A few identifiers often, so that two fields give the same one.
        let value = prop_oneof![
            proptest::sample::select(VALUES),
            proptest::sample::select(&["+7 912 345-67-89", "89123456789", "ANNA@example.com"][..]),
        ];
        let pair = (
            proptest::sample::select(NAMES).prop_map(str::to_string),
            value.prop_map(str::to_string),
        );
        proptest::collection::vec(pair, 0..12)
    }

    fn form_encoded(pairs: &[(String, String)]) -> Vec<u8> {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            out.append_pair(k, v);
        }
        out.finish().into_bytes()
    }

    fn json_object(pairs: &[(String, String)]) -> Vec<u8> {
        let members: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}: {}", json!(k), json!(v)))
            .collect();
        format!("{{{}}}", members.join(", ")).into_bytes()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn reads_as_the_previous_adapter_did(pairs in form(), json in any::<bool>(), received in proptest::bool::weighted(0.8)) {
            let payload = if json { json_object(&pairs) } else { form_encoded(&pairs) };
            let options = AdaptOptions::from_json(if received {
                r#"{"received_at": "2024-05-01T07:00:00Z", "local_offset": "+03:00"}"#
            } else {
                ""
            })
            .unwrap();
            prop_assert_eq!(run(read, &payload, &options), run(previous_read, &payload, &options));
        }
    }

    #[test]
    fn fields_past_the_128th_are_sorted_too() {
        let mut pairs: Vec<(String, String)> = (0..200)
            .map(|i| (format!("field{i}"), format!("v{i}")))
            .collect();
        pairs[150] = ("utm_source".into(), " yandex ".into());
        pairs[160] = ("Город".into(), " Казань ".into());
        pairs[170] = ("tranid".into(), "42".into());
        let options =
            AdaptOptions::from_json(r#"{"received_at": "2024-05-01T07:00:00Z"}"#).unwrap();
        for payload in [form_encoded(&pairs), json_object(&pairs)] {
            let now = run(read, &payload, &options).unwrap();
            assert_eq!(now, run(previous_read, &payload, &options).unwrap());
            let m = &now.messages[0];
            assert_eq!(m.metadata["utm_source"], json!("yandex"));
            assert_eq!(m.metadata["tranid"], json!("42"));
            assert_eq!(m.form_fields["Город"], " Казань ");
            assert_eq!(m.form_fields.len(), 198);
        }
    }

    #[test]
    fn field_names_in_russian_and_english_mean_the_same() {
        for (name, want) in [
            ("Имя", Meaning::Name),
            ("Ваше имя", Meaning::Name),
            ("your-name", Meaning::Name),
            ("Телефон", Meaning::Phone),
            ("phone_number", Meaning::Phone),
            ("E-mail", Meaning::Email),
            ("Электронная почта", Meaning::Email),
            ("Ваш вопрос", Meaning::Text),
            ("comment", Meaning::Text),
            ("utm_source", Meaning::Technical),
            ("tranid", Meaning::SubmissionId),
            ("Город", Meaning::Other),
        ] {
            assert!(meaning(name) == want, "{name}");
        }
    }
}
