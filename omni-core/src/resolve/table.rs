//! Reading contact records from tables (CRM exports, DataFrames) and from JSON: which column is
//! what, several phones or emails in one cell, and every row accounted for.

use super::estimate::{estimate_model, Estimation};
use super::fields;
use super::observation::{FieldKind, Observation};
use super::resolver::{Resolver, ResolverConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::message::json::{parse_lenient, parse_record, Collection};
use crate::message::{Channel, Identifier, IdentifierKind, Rejection};
use chrono::{TimeZone, Utc};
use std::collections::BTreeMap;

/// Batches of [`Observation`]s in JSON: an array, `{"v": 1, "records": [...]}`, or JSON lines.
const RECORDS: Collection = Collection {
    name: "records",
    one: "record",
    id_field: "record_id",
};

/// Reads observations from JSON (an array, an envelope `{"v": 1, "records": [...]}`, or JSON
/// lines), keeping every good one and reporting every bad one with its path
/// (`records[3].seen_at: ...`).
///
/// # Errors
/// Only when the text as a whole cannot be split into records.
pub fn parse_observations(text: &str) -> Result<(Vec<Observation>, Vec<Rejection>)> {
    parse_lenient(text, RECORDS)
}

/// Reads one observation from JSON, with the field path in errors (`seen_at: ...`).
///
/// # Errors
/// [`ErrorKind::InvalidJson`], [`ErrorKind::FieldMissing`], [`ErrorKind::InvalidField`].
pub fn parse_observation(text: &str) -> Result<Observation> {
    parse_record(text, "", RECORDS)
}

/// One cell of a table: text, or a list of texts (several phones in a list column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// A single text value; phones, emails and handles in it may be separated by commas or
    /// semicolons.
    Text(String),
    /// Several values.
    List(Vec<String>),
}

/// What a table column holds, judged by its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnRole {
    /// The record id.
    RecordId,
    /// The full name.
    Name,
    /// A part of the name (first, middle or last name), joined into the name.
    NamePart,
    /// Phone numbers.
    Phones,
    /// Email addresses.
    Emails,
    /// Handles or profile links of any network.
    Handles,
    /// Identifiers of one kind (a `whatsapp` or `telegram` column).
    Identifiers(IdentifierKind),
    /// The source channel.
    Channel,
    /// When the record was made.
    SeenAt,
    /// Company.
    Company,
    /// City.
    City,
    /// Date of birth.
    Birthday,
    /// Address.
    Address,
    /// A further field, kept by this name (compared when declared).
    Field(String),
}

/// The role of a column named `name` (case-insensitive; English and Russian names). A declared
/// field keeps its own name, whatever it is.
pub fn column_role(name: &str, declared: &BTreeMap<String, FieldKind>) -> ColumnRole {
    if declared.contains_key(name) {
        return ColumnRole::Field(name.to_string());
    }
    let key = name.trim().to_lowercase().replace([' ', '-'], "_");
    match key.as_str() {
        "record_id" | "id" | "row_id" | "contact_id" | "recordid" => ColumnRole::RecordId,
        "name" | "full_name" | "fullname" | "fio" | "фио" | "client_name" | "contact_name"
        | "customer_name" | "display_name" | "клиент" => ColumnRole::Name,
        "first_name" | "firstname" | "given_name" | "last_name" | "lastname" | "surname"
        | "family_name" | "middle_name" | "patronymic" | "имя" | "фамилия" | "отчество" => {
            ColumnRole::NamePart
        }
        "phone" | "phones" | "telephone" | "tel" | "mobile" | "mobile_phone" | "phone_number"
        | "phone_numbers" | "телефон" | "телефоны" | "мобильный" => {
            ColumnRole::Phones
        }
        "email" | "emails" | "e_mail" | "mail" | "email_address" | "почта" | "эл_почта" => {
            ColumnRole::Emails
        }
        "handle" | "handles" | "social" | "socials" | "profile" | "profiles" | "messenger"
        | "contacts" => ColumnRole::Handles,
        "whatsapp" | "wa" | "wa_id" => ColumnRole::Identifiers(IdentifierKind::Whatsapp),
        "telegram" | "tg" | "telegram_username" => {
            ColumnRole::Identifiers(IdentifierKind::TelegramUsername)
        }
        "telegram_id" | "tg_id" => ColumnRole::Identifiers(IdentifierKind::TelegramId),
        "vk" | "vk_id" | "vkontakte" => ColumnRole::Handles,
        "instagram" | "ig" => ColumnRole::Identifiers(IdentifierKind::Instagram),
        "viber" | "viber_id" => ColumnRole::Identifiers(IdentifierKind::ViberId),
        "skype" => ColumnRole::Identifiers(IdentifierKind::Skype),
        "facebook" | "fb" => ColumnRole::Identifiers(IdentifierKind::Facebook),
        "channel" | "source" | "канал" | "источник" => ColumnRole::Channel,
        "seen_at" | "created_at" | "timestamp" | "time" | "created" | "updated_at" | "date"
        | "дата" => ColumnRole::SeenAt,
        "company" | "organization" | "organisation" | "employer" | "компания" | "организация" => {
            ColumnRole::Company
        }
        "city" | "town" | "город" => ColumnRole::City,
        "birthday"
        | "birth_date"
        | "birthdate"
        | "dob"
        | "date_of_birth"
        | "дата_рождения"
        | "др" => ColumnRole::Birthday,
        "address" | "street_address" | "адрес" => ColumnRole::Address,
        _ => ColumnRole::Field(name.to_string()),
    }
}

/// Splits a cell of phone numbers (`8 912 345-67-89; +7 903 111-22-33`). A piece without enough
/// digits to be a number (`доб. 204` after a comma) stays with the number before it.
pub fn split_phones(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in text.split([',', ';', '/', '\n', '|']) {
        let digits = piece.chars().filter(char::is_ascii_digit).count();
        match out.last_mut() {
            Some(last) if digits < 5 => {
                last.push(',');
                last.push_str(piece);
            }
            _ if piece.trim().is_empty() => {}
            _ => out.push(piece.trim().to_string()),
        }
    }
    out.iter().map(|p| p.trim().to_string()).collect()
}

/// Splits a cell of emails or handles on commas, semicolons and whitespace.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn values(cell: &Cell, split: fn(&str) -> Vec<String>) -> Vec<String> {
    match cell {
        Cell::Text(t) => split(t),
        Cell::List(items) => items
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    }
}

fn text_of(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.trim().to_string(),
        Cell::List(items) => items.join(", "),
    }
}

/// Builds one observation per row from named columns of equal length. Rows without a record id
/// column are numbered from 0 (`"0"`, `"1"`, ...). A row that cannot be read (an empty record id,
/// an unreadable time) is rejected with its reason and row number; every other row becomes an
/// observation, in row order.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] when the columns have different lengths or two columns have
/// one name.
pub fn observations_from_columns(
    columns: &[(String, Vec<Option<Cell>>)],
    declared: &BTreeMap<String, FieldKind>,
) -> Result<(Vec<Observation>, Vec<Rejection>)> {
    let rows = columns.first().map_or(0, |(_, v)| v.len());
    for (name, values) in columns {
        if values.len() != rows {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "columns.{name}: {} rows, but the first column has {rows}",
                    values.len()
                ),
            ));
        }
        if columns.iter().filter(|(n, _)| n == name).count() > 1 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("columns.{name}: two columns have this name"),
            ));
        }
    }
    let roles: Vec<ColumnRole> = columns
        .iter()
        .map(|(n, _)| column_role(n, declared))
        .collect();
    let has_ids = roles.contains(&ColumnRole::RecordId);
    let mut out = Vec::with_capacity(rows);
    let mut rejections = Vec::new();
    for row in 0..rows {
        let mut obs = Observation::default();
        let mut name_parts: Vec<String> = Vec::new();
        let mut problem: Option<Error> = None;
        if !has_ids {
            obs.record_id = row.to_string();
        }
        for ((column, cells), role) in columns.iter().zip(&roles) {
            let Some(cell) = cells[row].as_ref() else {
                continue;
            };
            let text = text_of(cell);
            if text.is_empty() {
                continue;
            }
            match role {
                ColumnRole::RecordId => obs.record_id = text,
                ColumnRole::Name => obs.name = Some(text),
                ColumnRole::NamePart => name_parts.push(text),
                ColumnRole::Phones => obs.phones.extend(values(cell, split_phones)),
                ColumnRole::Emails => obs.emails.extend(values(cell, split_list)),
                ColumnRole::Handles => obs.handles.extend(values(cell, split_list)),
                ColumnRole::Identifiers(kind) => obs.identifiers.extend(
                    values(cell, split_list)
                        .into_iter()
                        .map(|v| Identifier::new(*kind, v)),
                ),
                ColumnRole::Channel => obs.channel = Some(Channel::from_name(&text)),
                ColumnRole::SeenAt => {
                    match crate::message::parse_timestamp(&text).ok().or_else(|| {
                        fields::parse_date(&text).and_then(|d| {
                            Utc.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single()
                        })
                    }) {
                        Some(t) => obs.seen_at = Some(t),
                        None => {
                            problem = Some(
                                Error::new(
                                    ErrorKind::InvalidField,
                                    format!("{text:?} is not a time or a date"),
                                )
                                .at(format!("rows[{row}].{column}")),
                            )
                        }
                    }
                }
                ColumnRole::Company => obs.company = Some(text),
                ColumnRole::City => obs.city = Some(text),
                ColumnRole::Birthday => obs.birthday = Some(text),
                ColumnRole::Address => obs.address = Some(text),
                ColumnRole::Field(name) => {
                    obs.fields.insert(name.clone(), text);
                }
            }
        }
        if obs.name.is_none() && !name_parts.is_empty() {
            obs.name = Some(name_parts.join(" "));
        }
        if obs.record_id.trim().is_empty() && problem.is_none() {
            problem = Some(Error::new(
                ErrorKind::FieldMissing,
                format!("rows[{row}].record_id: the row has no record id"),
            ));
        }
        match problem {
            Some(error) => rejections.push(Rejection {
                index: row,
                id: (!obs.record_id.is_empty()).then_some(obs.record_id),
                error,
            }),
            None => out.push(obs),
        }
    }
    Ok((out, rejections))
}

/// A table resolved into customers: the resolver, every row's customer (`None` for a rejected
/// row) and the rejections.
#[derive(Debug)]
pub struct TableResolution {
    /// The resolver holding the table's records, for cards, evidence and history.
    pub resolver: Resolver,
    /// Each row's customer id, in row order; `None` where the row was rejected.
    pub customer_ids: Vec<Option<String>>,
    /// Rows that could not be read, with their row number and reason.
    pub rejections: Vec<Rejection>,
    /// The estimation, when the model was estimated from the table first.
    pub estimation: Option<Estimation>,
}

/// Deduplicates a table: reads its columns ([`observations_from_columns`]), optionally
/// estimates the match model from the table itself, and resolves every row into a customer.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a bad configuration or columns of different lengths.
pub fn dedupe_table(
    columns: &[(String, Vec<Option<Cell>>)],
    config: ResolverConfig,
    estimate: bool,
) -> Result<TableResolution> {
    let mut config = config;
    let (observations, mut rejections) = observations_from_columns(columns, &config.fields)?;
    let rows = columns.first().map_or(0, |(_, v)| v.len());
    let estimation = if estimate && observations.len() >= 2 {
        let e = estimate_model(&observations, &config)?;
        config.model = Some(e.model.clone());
        Some(e)
    } else {
        None
    };
    let mut resolver = Resolver::new(config)?;
    let ids: Vec<String> = observations.iter().map(|o| o.record_id.clone()).collect();
    // Map observation positions back to rows: rejected rows are skipped in `observations`.
    let mut rows_of_observations = Vec::with_capacity(ids.len());
    let mut rejected_rows = rejections.iter().map(|r| r.index).peekable();
    for row in 0..rows {
        if rejected_rows.peek() == Some(&row) {
            rejected_rows.next();
        } else {
            rows_of_observations.push(row);
        }
    }
    let outcome = resolver.add_many(observations)?;
    let mut customer_ids: Vec<Option<String>> = vec![None; rows];
    let mut late_rejections = outcome.rejections.iter().map(|r| r.index).peekable();
    for (position, id) in ids.iter().enumerate() {
        if late_rejections.peek() == Some(&position) {
            late_rejections.next();
            continue;
        }
        customer_ids[rows_of_observations[position]] = resolver.customer_of(id).map(str::to_string);
    }
    for r in outcome.rejections {
        let row = rows_of_observations[r.index];
        let message = r.error.message().replacen(
            &format!("records[{}]", r.index),
            &format!("rows[{row}]"),
            1,
        );
        rejections.push(Rejection {
            index: row,
            id: r.id,
            error: Error::new(r.error.kind(), message),
        });
    }
    rejections.sort_by_key(|r| r.index);
    Ok(TableResolution {
        resolver,
        customer_ids,
        rejections,
        estimation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Option<Cell> {
        Some(Cell::Text(s.to_string()))
    }

    #[test]
    fn cells_with_several_phones_keep_extensions_with_their_number() {
        assert_eq!(
            split_phones("8 912 345-67-89; +7 903 111-22-33"),
            ["8 912 345-67-89", "+7 903 111-22-33"]
        );
        assert_eq!(
            split_phones("+7 (495) 123-45-67, доб. 204"),
            ["+7 (495) 123-45-67, доб. 204"]
        );
        assert_eq!(
            split_list("a@x.ru, b@y.ru;c@z.ru"),
            ["a@x.ru", "b@y.ru", "c@z.ru"]
        );
    }

    #[test]
    fn columns_by_name_in_english_and_russian() {
        let none = BTreeMap::new();
        assert_eq!(column_role("Телефон", &none), ColumnRole::Phones);
        assert_eq!(column_role("E-mail", &none), ColumnRole::Emails);
        assert_eq!(column_role("ФИО", &none), ColumnRole::Name);
        assert_eq!(column_role("Дата рождения", &none), ColumnRole::Birthday);
        assert_eq!(
            column_role("tax_id", &none),
            ColumnRole::Field("tax_id".into())
        );
        let mut declared = BTreeMap::new();
        declared.insert("city".to_string(), FieldKind::Text);
        assert_eq!(
            column_role("city", &declared),
            ColumnRole::Field("city".into())
        );
    }

    #[test]
    fn every_row_is_an_observation_or_a_rejection() {
        let columns = vec![
            (
                "record_id".to_string(),
                vec![text("a"), text(""), text("c")],
            ),
            (
                "phone".to_string(),
                vec![text("8 912 345-67-89, 8 903 111 22 33"), None, None],
            ),
            (
                "email".to_string(),
                vec![
                    Some(Cell::List(vec!["x@y.ru".into(), " ".into()])),
                    None,
                    None,
                ],
            ),
            ("first_name".to_string(), vec![text("Иван"), None, None]),
            ("last_name".to_string(), vec![text("Петров"), None, None]),
            (
                "created_at".to_string(),
                vec![text("2024-05-01"), None, text("вчера")],
            ),
        ];
        let (obs, rejected) = observations_from_columns(&columns, &BTreeMap::new()).unwrap();
        assert_eq!(obs.len(), 1);
        assert_eq!(obs[0].phones.len(), 2);
        assert_eq!(obs[0].emails, ["x@y.ru"]);
        assert_eq!(obs[0].name.as_deref(), Some("Иван Петров"));
        assert!(obs[0].seen_at.is_some());
        assert_eq!(rejected.len(), 2);
        assert_eq!(rejected[0].index, 1);
        assert_eq!(rejected[0].error.kind(), ErrorKind::FieldMissing);
        assert!(rejected[1]
            .error
            .message()
            .starts_with("rows[2].created_at: "));
    }

    #[test]
    fn a_table_dedupes_row_by_row() {
        let columns = vec![
            (
                "name".to_string(),
                vec![text("Иван Петров"), text("Ivan"), text("Мария"), text("x")],
            ),
            (
                "phone".to_string(),
                vec![
                    text("8 912 345-67-89"),
                    text("+79123456789"),
                    text("+79031112233"),
                    None,
                ],
            ),
            (
                "record_id".to_string(),
                vec![text("1"), text("2"), text("3"), text("")],
            ),
        ];
        let t = dedupe_table(&columns, ResolverConfig::default(), false).unwrap();
        assert_eq!(
            t.customer_ids,
            [
                Some("1".to_string()),
                Some("1".to_string()),
                Some("3".to_string()),
                None
            ]
        );
        assert_eq!(t.rejections.len(), 1);
        assert_eq!(t.rejections[0].index, 3);
    }

    #[test]
    fn json_records_with_paths() {
        let text = r#"{"record_id": "a", "phones": ["8 912 345-67-89"]}
{"record_id": "b", "seen_at": "вчера"}
{"name": "no id"}"#;
        let (obs, rejected) = parse_observations(text).unwrap();
        assert_eq!(obs.len(), 1);
        assert_eq!(rejected.len(), 2);
        assert!(
            rejected[0]
                .error
                .message()
                .starts_with("records[1].seen_at: "),
            "{}",
            rejected[0].error
        );
        assert_eq!(rejected[1].error.kind(), ErrorKind::FieldMissing);
    }
}
