//! Writing generated data to files: records and their truth side by side, in CSV or JSON lines.
//!
//! The truth always goes to its own file, so whoever reads the records cannot peek at it.
//!
//! CSV: RFC 4180 quoting (a field with a comma, quote or line break is quoted, quotes doubled),
//! a header row, multi-valued cells joined with `", "`, handles written as `kind:raw`
//! (`telegram_username:@ivan_petrov, vk_id:vk.com/id12345`), empty cells for absent values.

use crate::contacts::{ContactRecord, EXTRA_COLUMNS};
use crate::inbox::MessageTruth;
use omni_core::Message;
use serde::Serialize;
use std::io::{self, Write};

/// A file format for records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// The format for a name: `csv`, `jsonl` (or `json`, `ndjson`).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "json" | "ndjson" | "jsonlines" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// The columns of the contact CSV, in order.
pub const CONTACT_COLUMNS: &[&str] = &[
    "record_id",
    "channel",
    "seen_at",
    "name",
    "phones",
    "emails",
    "handles",
    "company",
    "city",
    "birthday",
    "address",
    "customer_no",
    "tax_id",
];

/// The columns of the contact truth CSV, in order.
pub const CONTACT_TRUTH_COLUMNS: &[&str] = &["record_id", "person_id", "corruptions"];

/// `2024-03-01T10:00:00Z`, without going through a format string.
fn rfc3339(t: &chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Appends `field` to `line` as one CSV cell (quoted when it must be).
fn push_cell(line: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

fn push_row<'a>(line: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_cell(line, cell);
    }
    line.push('\n');
}

#[derive(Serialize)]
struct ContactTruthLine {
    record_id: u64,
    person_id: u64,
    corruptions: Vec<&'static str>,
}

/// Writes contact records to `out` and, when given, their truth (record id, person id,
/// corruptions) to `truth`. Returns how many records were written.
///
/// # Errors
/// Any error of the writers.
///
/// # Example
/// ```
/// use omni_synth::{write_contacts, ContactConfig, ContactGenerator, Format};
/// let generator = ContactGenerator::new(ContactConfig { seed: 1, people: 10, ..Default::default() });
/// let (mut out, mut truth) = (Vec::new(), Vec::new());
/// let n = write_contacts(generator.records(), Format::Csv, &mut out, Some(&mut truth)).unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("record_id,channel,seen_at,name,phones"));
/// assert_eq!(text.lines().count(), n as usize + 1);
/// ```
pub fn write_contacts(
    records: impl IntoIterator<Item = ContactRecord>,
    format: Format,
    out: &mut dyn Write,
    mut truth: Option<&mut dyn Write>,
) -> io::Result<u64> {
    let mut line = String::with_capacity(512);
    let mut tline = String::with_capacity(128);
    if format == Format::Csv {
        push_row(&mut line, CONTACT_COLUMNS.iter().copied());
        out.write_all(line.as_bytes())?;
        if let Some(t) = truth.as_mut() {
            tline.clear();
            push_row(&mut tline, CONTACT_TRUTH_COLUMNS.iter().copied());
            t.write_all(tline.as_bytes())?;
        }
    }
    let mut count = 0;
    for r in records {
        line.clear();
        tline.clear();
        match format {
            Format::Csv => {
                let handles: Vec<String> = r
                    .handles
                    .iter()
                    .map(|h| format!("{}:{}", h.kind.name(), h.raw))
                    .collect();
                let (id, seen) = (r.record_id.to_string(), rfc3339(&r.seen_at));
                let (phones, emails, handles) =
                    (r.phones.join(", "), r.emails.join(", "), handles.join(", "));
                let opt = |v: &Option<String>| v.clone().unwrap_or_default();
                let (name, company, city, birthday, address) = (
                    opt(&r.name),
                    opt(&r.company),
                    opt(&r.city),
                    opt(&r.birthday),
                    opt(&r.address),
                );
                let extras: Vec<&str> = EXTRA_COLUMNS
                    .iter()
                    .map(|c| r.extra.get(*c).map(String::as_str).unwrap_or(""))
                    .collect();
                let cells = [
                    id.as_str(),
                    r.channel.name(),
                    &seen,
                    &name,
                    &phones,
                    &emails,
                    &handles,
                    &company,
                    &city,
                    &birthday,
                    &address,
                ];
                push_row(&mut line, cells.into_iter().chain(extras));
                let corruptions: Vec<&str> = r.corruptions.iter().map(|c| c.name()).collect();
                let (rid, pid, cs) = (
                    r.record_id.to_string(),
                    r.person_id.to_string(),
                    corruptions.join(", "),
                );
                push_row(&mut tline, [rid.as_str(), &pid, &cs]);
            }
            Format::JsonLines => {
                line.push_str(&serde_json::to_string(&r).map_err(io::Error::other)?);
                line.push('\n');
                let t = ContactTruthLine {
                    record_id: r.record_id,
                    person_id: r.person_id,
                    corruptions: r.corruptions.iter().map(|c| c.name()).collect(),
                };
                tline.push_str(&serde_json::to_string(&t).map_err(io::Error::other)?);
                tline.push('\n');
            }
        }
        out.write_all(line.as_bytes())?;
        if let Some(t) = truth.as_mut() {
            t.write_all(tline.as_bytes())?;
        }
        count += 1;
    }
    Ok(count)
}

/// Writes messages as JSON lines in omni's message format ([`Message::to_json`]) to `out`, and
/// their truth ([`MessageTruth`], one JSON object per line) to `truth` when given.
///
/// # Errors
/// Any error of the writers.
pub fn write_inbox<'a>(
    items: impl IntoIterator<Item = (&'a Message, &'a MessageTruth)>,
    out: &mut dyn Write,
    mut truth: Option<&mut dyn Write>,
) -> io::Result<u64> {
    let mut count = 0;
    for (m, t) in items {
        let mut line = m.to_json();
        line.push('\n');
        out.write_all(line.as_bytes())?;
        if let Some(w) = truth.as_mut() {
            let mut tl = serde_json::to_string(t).map_err(io::Error::other)?;
            tl.push('\n');
            w.write_all(tl.as_bytes())?;
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        let mut line = String::new();
        push_row(&mut line, ["a", "b, c", "ООО \"Вектор\"", ""]);
        assert_eq!(line, "a,\"b, c\",\"ООО \"\"Вектор\"\"\",\n");
    }

    #[test]
    fn formats_have_names() {
        assert_eq!(Format::from_name("CSV"), Some(Format::Csv));
        assert_eq!(Format::from_name("jsonl"), Some(Format::JsonLines));
        assert_eq!(Format::from_name("xml"), None);
    }
}
