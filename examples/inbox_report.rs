//! Reads a multichannel inbox (JSON lines in omni's message format) and prints what omni finds:
//! every record accounted for, identifiers normalised, contacts found in free text and form
//! fields, and the customers who already show up on more than one channel.
//!
//! ```text
//! cargo run --release -p omni-examples --example inbox_report -- examples/data/inbox.jsonl
//! ```
//!
//! It grows into the full unification (customers, conversations, leads) as omni does.

use omni_core::message::{parse_messages_lenient, Message};
use omni_core::{
    normalize_email, ContactExtractor, Direction, Identifier, IdentifierKind, PhoneNormalizer,
};
use std::collections::{BTreeMap, BTreeSet};

/// Form field names that carry a phone or an email, in Russian and English.
const PHONE_FIELDS: &[&str] = &["phone", "телефон", "tel", "mobile", "моб"];
const EMAIL_FIELDS: &[&str] = &["email", "e-mail", "почта", "mail"];

fn field_matches(name: &str, candidates: &[&str]) -> bool {
    let lower = name.to_lowercase();
    candidates.iter().any(|c| lower.contains(c))
}

/// Where an identifier was seen: on which channel and how (as a sender, in text, in a form).
#[derive(Default)]
struct Sightings {
    channels: BTreeMap<String, usize>,
    how: BTreeSet<&'static str>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data/inbox.jsonl".into());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let batch = parse_messages_lenient(&text)?;
    let phones = PhoneNormalizer::new("RU")?;
    let extractor = ContactExtractor::new("RU")?;

    println!("omni inbox report: {path}");
    println!("\n== Messages");
    println!(
        "{} records: {} read, {} rejected",
        batch.messages.len() + batch.rejections.len(),
        batch.messages.len(),
        batch.rejections.len()
    );
    for r in &batch.rejections {
        println!(
            "  rejected record {} (id {:?}): [{}] {}",
            r.index,
            r.id.as_deref().unwrap_or("?"),
            r.error.kind(),
            r.error
        );
    }
    let mut by_channel: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for m in &batch.messages {
        let entry = by_channel.entry(m.channel.name().to_string()).or_default();
        match m.direction {
            Direction::Inbound => entry.0 += 1,
            Direction::Outbound => entry.1 += 1,
        }
    }
    println!("{:<12} {:>8} {:>9}", "channel", "inbound", "outbound");
    for (channel, (inbound, outbound)) in &by_channel {
        println!("{channel:<12} {inbound:>8} {outbound:>9}");
    }

    let mut seen: BTreeMap<Identifier, Sightings> = BTreeMap::new();
    let mut note = |id: Identifier, m: &Message, how: &'static str| {
        let s = seen.entry(id).or_default();
        *s.channels.entry(m.channel.name().to_string()).or_default() += 1;
        s.how.insert(how);
    };
    let mut found_in_text = 0usize;
    let mut examples_in_text = Vec::new();
    let mut form_values = (0usize, 0usize);
    for m in &batch.messages {
        for id in &m.customer().identifiers {
            note(id.clone(), m, "sender");
        }
        if m.direction == Direction::Inbound {
            for c in extractor.extract(&m.text) {
                found_in_text += 1;
                if examples_in_text.len() < 6 {
                    examples_in_text.push(format!(
                        "{:<10} {:<28} -> {}",
                        m.channel.name(),
                        c.raw,
                        c.value
                    ));
                }
                note(Identifier::new(c.kind, c.value), m, "text");
            }
        }
        for (name, value) in &m.form_fields {
            if field_matches(name, PHONE_FIELDS) {
                form_values.0 += 1;
                match phones.normalize(value) {
                    Ok(p) => note(Identifier::new(IdentifierKind::Phone, p.e164), m, "form"),
                    Err(e) => println!("  form field {name:?} of {}: {e}", m.id),
                }
            } else if field_matches(name, EMAIL_FIELDS) {
                form_values.1 += 1;
                match normalize_email(value) {
                    Ok(e) => note(
                        Identifier::new(IdentifierKind::Email, e.canonical),
                        m,
                        "form",
                    ),
                    Err(e) => println!("  form field {name:?} of {}: {e}", m.id),
                }
            }
        }
    }

    println!("\n== Identifiers (normalised)");
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for id in seen.keys() {
        *by_kind.entry(id.kind.name()).or_default() += 1;
    }
    for (kind, n) in &by_kind {
        println!("{kind:<18} {n:>5} distinct");
    }
    println!(
        "form fields read: {} phones, {} emails",
        form_values.0, form_values.1
    );
    println!("contacts found in message text: {found_in_text}");
    for line in &examples_in_text {
        println!("  {line}");
    }

    let cross: Vec<_> = seen.iter().filter(|(_, s)| s.channels.len() > 1).collect();
    println!("\n== The same customer on several channels");
    println!(
        "{} of {} identifiers appear on two or more channels (before identity resolution):",
        cross.len(),
        seen.len()
    );
    for (id, s) in cross.iter().take(8) {
        let channels: Vec<String> = s.channels.iter().map(|(c, n)| format!("{c}×{n}")).collect();
        let how: Vec<&str> = s.how.iter().copied().collect();
        println!("  {id:<34} {} (as {})", channels.join(", "), how.join(", "));
    }
    Ok(())
}
