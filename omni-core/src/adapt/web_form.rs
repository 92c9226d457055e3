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
use crate::message::{Channel, Direction, IdentifierKind, Message};
use serde_json::json;

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

/// The comparable form of a field name.
fn field_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars() {
        // ASCII and the basic Russian alphabet without the Unicode tables (the common field
        // names); the same as `is_alphanumeric` + `to_lowercase` for these characters.
        match c {
            'a'..='z' | '0'..='9' | 'а'..='я' | 'ё' => key.push(c),
            'A'..='Z' => key.push(c.to_ascii_lowercase()),
            'А'..='Я' => key.push(char::from_u32(u32::from(c) + 0x20).unwrap_or(c)),
            'Ё' => key.push('ё'),
            c if c.is_ascii() => {}
            c if c.is_alphanumeric() => key.extend(c.to_lowercase()),
            _ => {}
        }
    }
    for prefix in ["your", "ваше", "ваша", "ваш"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            if !rest.is_empty() {
                return rest.to_string();
            }
        }
    }
    key
}

fn meaning(name: &str) -> Meaning {
    use Meaning as M;
    if name
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("utm_"))
    {
        return M::Technical;
    }
    match field_key(name).as_str() {
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
    let mut id = None;
    let mut time = None;
    let (mut name, mut first, mut last) = (None, None, None);
    let mut from_ids = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    let mut subject = None;
    let mut form_fields = std::collections::BTreeMap::new();
    let mut metadata = std::collections::BTreeMap::new();
    for (key, value) in &pairs.0 {
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
            Meaning::Visitor => from_ids.extend(sink.handle(IdentifierKind::VisitorId, v, key)),
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
    // A name field with a separate surname field: the name is the given name.
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

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn field_key_fast_cases_agree_with_the_unicode_tables(name in "[a-zA-Z0-9а-яА-ЯёЁ _.\\-ß\u{130}İΣ]{0,16}|\\PC{0,12}") {
            let slow: String = name
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            let fast = field_key(&name);
            let slow_key = ["your", "ваше", "ваша", "ваш"]
                .iter()
                .find_map(|p| slow.strip_prefix(p).filter(|r| !r.is_empty()).map(str::to_string))
                .unwrap_or(slow);
            proptest::prop_assert_eq!(fast, slow_key);
        }
    }

    use super::*;

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
