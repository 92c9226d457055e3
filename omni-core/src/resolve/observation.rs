//! Contact observations: what one record (a CRM row, the sender of a message, a form) says about
//! a person, before any normalisation. The resolver turns these into customers.

use crate::message::{Channel, Direction, Identifier, Message};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One record about a person, as it came: raw phones, emails and handles in any format.
///
/// Everything but `record_id` is optional. Values are normalised by the resolver; malformed ones
/// are kept and reported on the customer card rather than dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The record's id, unique among the records given to one resolver.
    pub record_id: String,
    /// The channel the record came from (`web_form`, `whatsapp`, a CRM import as `Other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// When the record was made or last seen.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::message::optional_timestamp"
    )]
    pub seen_at: Option<DateTime<Utc>>,
    /// The person's name as written (`Иванов Иван`, `Sasha P.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Phone numbers in any format (`8 (912) 345-67-89`, `+7 912 3456789 доб. 12`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// Email addresses in any case or provider variant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Messenger or social handles and profile links (`@ivan_p`, `t.me/ivan_p`, `vk.com/id1`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handles: Vec<String>,
    /// Already typed identifiers (from a message's sender); phones and emails among them are
    /// normalised again, which is harmless for canonical values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// Company or employer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// City of residence or of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Date of birth in any common format (`1985-03-14`, `14.03.1985`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    /// Postal or street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Further columns: declared fields (see [`FieldKind`]) take part in matching; the rest are
    /// kept on the record and shown on the card.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

impl Observation {
    /// An observation with only its record id set.
    pub fn new(record_id: impl Into<String>) -> Self {
        Observation {
            record_id: record_id.into(),
            ..Observation::default()
        }
    }

    /// What a message says about its customer: the sender of an inbound message (the recipient
    /// of an outbound one), its display name, and the name, phone and email fields of a web form
    /// or chatbot. The record id is the message id.
    pub fn from_message(message: &Message) -> Observation {
        let party = message.customer();
        let mut obs = Observation {
            record_id: message.id.clone(),
            channel: Some(message.channel.clone()),
            seen_at: Some(message.timestamp),
            name: party.display_name.clone(),
            identifiers: party.identifiers.clone(),
            ..Observation::default()
        };
        if message.direction == Direction::Inbound {
            for (field, value) in &message.form_fields {
                match FormField::classify(field) {
                    Some(FormField::Name) if !value.trim().is_empty() => {
                        obs.name = Some(value.clone())
                    }
                    Some(FormField::Phone) => obs.phones.push(value.clone()),
                    Some(FormField::Email) => obs.emails.push(value.clone()),
                    Some(FormField::City) => obs.city = Some(value.clone()),
                    Some(FormField::Company) => obs.company = Some(value.clone()),
                    _ => {}
                }
            }
        }
        obs
    }
}

/// What a web-form field holds, judged by its name in Russian or English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FormField {
    Name,
    Phone,
    Email,
    City,
    Company,
}

impl FormField {
    /// Classifies a form field by its name (`Имя`, `Телефон`, `E-mail`, `your-phone`, ...).
    pub(crate) fn classify(field: &str) -> Option<FormField> {
        let name = field.trim().to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
        if has(&["mail", "почт"]) {
            Some(FormField::Email)
        } else if has(&["phone", "тел", "tel", "моб", "mobile", "whatsapp", "номер"]) {
            Some(FormField::Phone)
        } else if has(&["имя", "фио", "name", "контактное лицо"]) && !has(&["company", "компан"])
        {
            Some(FormField::Name)
        } else if has(&["город", "city"]) {
            Some(FormField::City)
        } else if has(&["компан", "организац", "company"]) {
            Some(FormField::Company)
        } else {
            None
        }
    }
}

/// How a declared extra field is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// An exact identifier (customer number, tax id): shared values link records like a phone
    /// does, under the same guard rails.
    Identifier,
    /// A person name, compared like the main name.
    PersonName,
    /// A date in any common format, compared exactly (with day and month swapped as a partial
    /// agreement).
    Date,
    /// A street address, compared by its normalised words.
    Address,
    /// A postcode, compared exactly without spaces.
    Postcode,
    /// A city, compared by its canonical name (`Москва` = `Moscow` = `мск`).
    City,
    /// Free text, compared by shared words.
    Text,
}

impl FieldKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [FieldKind] = &[
        FieldKind::Identifier,
        FieldKind::PersonName,
        FieldKind::Date,
        FieldKind::Address,
        FieldKind::Postcode,
        FieldKind::City,
        FieldKind::Text,
    ];

    /// The snake_case name (`identifier`, `date`, ...), as used by C and Python.
    pub const fn name(self) -> &'static str {
        match self {
            FieldKind::Identifier => "identifier",
            FieldKind::PersonName => "person_name",
            FieldKind::Date => "date",
            FieldKind::Address => "address",
            FieldKind::Postcode => "postcode",
            FieldKind::City => "city",
            FieldKind::Text => "text",
        }
    }

    /// The kind with this name; also accepts `name` for `person_name`, `zip` for `postcode`.
    pub fn from_name(name: &str) -> Option<FieldKind> {
        match name.trim().to_ascii_lowercase().as_str() {
            "identifier" | "id" => Some(FieldKind::Identifier),
            "person_name" | "name" => Some(FieldKind::PersonName),
            "date" => Some(FieldKind::Date),
            "address" | "street" => Some(FieldKind::Address),
            "postcode" | "zip" | "postal_code" => Some(FieldKind::Postcode),
            "city" => Some(FieldKind::City),
            "text" | "free_text" => Some(FieldKind::Text),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::IdentifierKind;

    #[test]
    fn a_web_form_message_yields_its_fields() {
        let m = Message::from_json(
            r#"{"id":"f1","channel":"web_form","direction":"inbound","timestamp":1714546800,
            "form_fields":{"Имя":"Иван Петров","Телефон":"8 912 345-67-89","E-mail":"ivan@example.com","Город":"Казань","Комментарий":"перезвоните"}}"#,
        )
        .unwrap();
        let obs = Observation::from_message(&m);
        assert_eq!(obs.record_id, "f1");
        assert_eq!(obs.name.as_deref(), Some("Иван Петров"));
        assert_eq!(obs.phones, ["8 912 345-67-89"]);
        assert_eq!(obs.emails, ["ivan@example.com"]);
        assert_eq!(obs.city.as_deref(), Some("Казань"));
        assert_eq!(obs.channel, Some(Channel::WebForm));
    }

    #[test]
    fn an_outbound_message_describes_its_recipient() {
        let m = Message::from_json(
            r#"{"id":"o1","channel":"sms","direction":"outbound","timestamp":1714546800,
            "from":{"display_name":"Shop"},
            "to":{"identifiers":[{"kind":"phone","value":"+79123456789"}],"display_name":"Иван"}}"#,
        )
        .unwrap();
        let obs = Observation::from_message(&m);
        assert_eq!(obs.name.as_deref(), Some("Иван"));
        assert_eq!(
            obs.identifiers,
            [Identifier::new(IdentifierKind::Phone, "+79123456789")]
        );
    }

    #[test]
    fn form_field_names_in_both_languages() {
        for (name, want) in [
            ("Ваше имя", Some(FormField::Name)),
            ("your-name", Some(FormField::Name)),
            ("ФИО", Some(FormField::Name)),
            ("Телефон", Some(FormField::Phone)),
            ("phone_number", Some(FormField::Phone)),
            ("E-mail", Some(FormField::Email)),
            ("Электронная почта", Some(FormField::Email)),
            ("Название компании", Some(FormField::Company)),
            ("Комментарий", None),
        ] {
            assert_eq!(FormField::classify(name), want, "{name}");
        }
    }
}
