//! Reads a multichannel inbox (JSON lines in omni's message format), runs every message
//! through the customer 360 engine and prints what a CRM would want to know: contacts before
//! and after deduplication, conversations, leads by channel and temperature, opt-outs, how
//! customers move between channels, and a few customers whose timelines cross channels.
//!
//! ```text
//! cargo run --release -p omni-examples --example inbox_report -- examples/data/inbox.jsonl
//! ```
//!
//! When the generator's truth file sits next to the inbox (`inbox_truth.jsonl`), the report
//! also scores the customers found against it.

use omni_core::engine::{Engine, EngineConfig, Purpose};
use omni_core::message::parse_messages_lenient;
use omni_core::Direction;
use std::collections::{BTreeMap, HashMap};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data/inbox.jsonl".into());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let batch = parse_messages_lenient(&text)?;
    let engine = Engine::new(EngineConfig::default())?;
    let read = batch.messages.len();
    let started = std::time::Instant::now();
    let result = engine.ingest_many(batch.messages)?;
    let took = started.elapsed();

    println!("omni inbox report: {path}");
    println!("\n== Messages");
    println!(
        "{} records: {} ingested, {} rejected when read, {} rejected by the engine ({:.1} ms)",
        read + batch.rejections.len(),
        result.ingested.len(),
        batch.rejections.len(),
        result.rejections.len(),
        took.as_secs_f64() * 1000.0
    );
    for r in batch.rejections.iter().chain(&result.rejections) {
        println!(
            "  rejected record {} (id {:?}): [{}] {}",
            r.index,
            r.id.as_deref().unwrap_or("?"),
            r.error.kind(),
            r.error
        );
    }

    let a = engine.analytics()?;
    println!("\n== Customers");
    println!(
        "{} contacts as each channel keeps them -> {} customers after deduplication ({} merged from several contacts, {} use two or more channels)",
        a.dedup.contacts_before,
        a.dedup.customers_after,
        a.dedup.merged_customers,
        a.dedup.cross_channel_customers
    );
    if let Some(score) = score_against_truth(&path, &engine)? {
        println!("{score}");
    }

    println!("\n== Channels");
    println!(
        "{:<11} {:>5} {:>5} {:>5} {:>6} {:>6} {:>5} {:>4} {:>4} {:>4} {:>5} {:>10}",
        "channel",
        "in",
        "out",
        "cust",
        "convs",
        "leads",
        "sales",
        "hot",
        "warm",
        "cold",
        "stop",
        "1st reply"
    );
    for c in &a.channels {
        println!(
            "{:<11} {:>5} {:>5} {:>5} {:>6} {:>6} {:>5} {:>4} {:>4} {:>4} {:>5} {:>10}",
            c.channel,
            c.inbound,
            c.outbound,
            c.customers,
            c.conversations,
            c.new_leads,
            c.sales_opportunities,
            c.hot,
            c.warm,
            c.cold,
            c.opt_outs,
            c.median_first_response_secs.map_or("-".to_string(), human)
        );
    }
    let (customers, messages, conversations) = engine.counts()?;
    println!(
        "{messages} messages, {customers} customers, {conversations} conversations; leads: columns `leads` (new leads) and `sales` (every sales opportunity, by temperature)"
    );

    println!("\n== Opt-outs");
    let leads = engine.leads()?;
    let opt_outs: Vec<_> = leads
        .iter()
        .filter(|l| l.lead.kind.name() == "opt_out")
        .collect();
    println!("{} opt-outs", opt_outs.len());
    for l in opt_outs.iter().take(8) {
        let m = engine.conversation(&l.conversation_id)?;
        let text = m
            .messages
            .iter()
            .find(|e| e.message.id == l.lead.message_id)
            .map(|e| e.message.text.clone())
            .unwrap_or_default();
        println!(
            "  {} {:<10} customer {:<22} revokes {:<9} {:?}",
            l.timestamp.format("%Y-%m-%d"),
            l.channel.name(),
            l.customer_id,
            l.lead.opt_out_channel.as_ref().map_or("-", |c| c.name()),
            cut(&text, 50)
        );
    }

    println!("\n== Channel switches (customer's next message on another channel)");
    for s in a.switches.iter().take(10) {
        println!(
            "  {:<10} -> {:<10} {:>3} times by {:>3} customers",
            s.from, s.to, s.count, s.customers
        );
    }

    println!("\n== Customers across channels");
    let mut ids = engine.customer_ids()?;
    let mut cards = Vec::new();
    for id in ids.drain(..) {
        let card = engine.customer(&id)?;
        if card.channels.len() >= 3 {
            cards.push(card);
        }
    }
    cards.sort_by(|a, b| {
        b.channels
            .len()
            .cmp(&a.channels.len())
            .then(b.messages.cmp(&a.messages))
            .then(a.customer_id.cmp(&b.customer_id))
    });
    // Route as of noon in Moscow on the day after the last message.
    let last = cards
        .iter()
        .filter_map(|c| c.last_contact)
        .max()
        .unwrap_or_default();
    let now = (last.date_naive() + chrono::Days::new(1))
        .and_hms_opt(9, 0, 0)
        .map_or(last, |t| t.and_utc());
    for card in cards.iter().take(3) {
        let channels: Vec<&str> = card.channels.iter().map(|c| c.channel.name()).collect();
        let identities: Vec<String> = card
            .identity
            .identities
            .iter()
            .filter(|i| !i.kind.starts_with("fields."))
            .map(|i| format!("{}:{}", i.kind, i.value))
            .collect();
        println!(
            "\n-- {} ({}): {} messages, {} conversations, channels {}",
            card.name.as_deref().unwrap_or("no name"),
            card.customer_id,
            card.messages,
            card.conversations.len(),
            channels.join(", ")
        );
        println!("   identities: {}", identities.join(", "));
        if let Some(p) = card.preferences.first() {
            println!("   prefers {}: {}", p.channel, p.reason);
        }
        let route = engine.route(&card.customer_id, Purpose::Transactional, now)?;
        println!(
            "   route a service message at {} local: {}",
            route.local_time, route.reason
        );
        for e in engine.timeline(&card.customer_id)?.iter().take(12) {
            let m = &e.message;
            let arrow = match m.direction {
                Direction::Inbound => "<-",
                Direction::Outbound => "->",
            };
            let what = if m.text.is_empty() {
                m.subject.clone().unwrap_or_default()
            } else {
                m.text.clone()
            };
            println!(
                "   {} {arrow} {:<10} [{}] {:<16} {}",
                m.timestamp.format("%Y-%m-%d %H:%M"),
                m.channel.name(),
                cut(&e.conversation_id, 12),
                e.lead.kind.name(),
                cut(&what, 60)
            );
        }
    }
    Ok(())
}

fn cut(s: &str, n: usize) -> String {
    let one_line = s.replace('\n', " ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        one_line.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn human(s: i64) -> String {
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else {
        format!("{:.1} h", s as f64 / 3600.0)
    }
}

/// Pairwise precision and recall of the customers against the generator's truth, when the
/// truth file is there.
fn score_against_truth(
    path: &str,
    engine: &Engine,
) -> Result<Option<String>, Box<dyn std::error::Error>> {
    let truth_path = path.replace(".jsonl", "_truth.jsonl");
    let Ok(text) = std::fs::read_to_string(&truth_path) else {
        return Ok(None);
    };
    let mut person_of: HashMap<String, i64> = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if let (Some(id), Some(p)) = (v["message_id"].as_str(), v["person_id"].as_i64()) {
            person_of.insert(id.to_string(), p);
        }
    }
    let mut pairs: BTreeMap<(i64, String), usize> = BTreeMap::new();
    let mut by_person: BTreeMap<i64, usize> = BTreeMap::new();
    let mut by_customer: BTreeMap<String, usize> = BTreeMap::new();
    for (id, p) in &person_of {
        let Some(c) = engine.customer_of(id)? else {
            continue;
        };
        *pairs.entry((*p, c.clone())).or_default() += 1;
        *by_person.entry(*p).or_default() += 1;
        *by_customer.entry(c).or_default() += 1;
    }
    let n2 = |n: usize| (n * n.saturating_sub(1) / 2) as f64;
    let tp: f64 = pairs.values().map(|&n| n2(n)).sum();
    let predicted: f64 = by_customer.values().map(|&n| n2(n)).sum();
    let actual: f64 = by_person.values().map(|&n| n2(n)).sum();
    Ok(Some(format!(
        "against {truth_path}: {} people; pairwise precision {:.3}, recall {:.3} ({} customers found)",
        by_person.len(),
        if predicted > 0.0 { tp / predicted } else { 1.0 },
        if actual > 0.0 { tp / actual } else { 1.0 },
        by_customer.len()
    )))
}
