//! Dumps everything identity resolution decides, to compare two builds byte for byte: every
//! assignment, link with its total, history event, customer card and link evidence for the
//! generator's records, `explain` of neighbouring records, one-at-a-time outcomes, the
//! snapshot's digest, and the engine's customers for an inbox.
//!
//! ```text
//! cargo run --release -p omni-examples --example resolve_dump -- --people 100000 > a.txt
//! cargo run --release -p omni-examples --example resolve_dump -- --inbox /tmp/inbox_40k.jsonl > b.txt
//! ```

use omni_core::engine::{Engine, EngineConfig};
use omni_core::message::parse_messages_lenient;
use omni_core::resolve::{FieldKind, Observation, Resolver, ResolverConfig};
use omni_examples::{generated_records, numeric_arg, observation};
use std::hash::{Hash, Hasher};
use std::io::Write;

fn config() -> ResolverConfig {
    let mut config = ResolverConfig::default();
    config
        .fields
        .insert("customer_no".into(), FieldKind::Identifier);
    config.fields.insert("tax_id".into(), FieldKind::Identifier);
    config
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--inbox") {
        let path = args.get(i + 1).ok_or("--inbox PATH")?;
        let text = std::fs::read_to_string(path)?;
        let batch = parse_messages_lenient(&text)?;
        let engine = Engine::new(EngineConfig::default())?;
        let result = engine.ingest_many(batch.messages)?;
        writeln!(
            out,
            "ingested {} merges {}",
            result.ingested.len(),
            result.merges
        )?;
        for s in &result.ingested {
            writeln!(out, "{}", serde_json::to_string(s)?)?;
        }
        let mut ids = engine.customer_ids()?;
        ids.sort();
        for id in ids {
            writeln!(out, "{}", serde_json::to_string(&engine.customer(&id)?)?)?;
        }
        return Ok(());
    }
    let people = numeric_arg("--people", 100_000);
    let seed = numeric_arg("--seed", 7);
    let records = generated_records(people, seed);
    let observations: Vec<Observation> = records.iter().map(observation).collect();
    let ids: Vec<String> = observations.iter().map(|o| o.record_id.clone()).collect();

    // One at a time, on a prefix.
    let prefix = numeric_arg("--one-at-a-time", 20_000) as usize;
    let mut single = Resolver::new(config())?;
    for obs in observations.iter().take(prefix) {
        let o = single.add(obs.clone())?;
        writeln!(
            out,
            "add {} {} {:?} {:?} {:?} {:?}",
            obs.record_id, o.customer_id, o.status, o.events, o.conflicts, o.problems
        )?;
    }

    let mut resolver = Resolver::new(config())?;
    let outcome = resolver.add_many(observations)?;
    for (r, c) in &outcome.assignments {
        writeln!(out, "assign {r} {c}")?;
    }
    let mut links: Vec<_> = resolver.all_links();
    links.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (a, b, d, t) in links {
        writeln!(out, "link {a} {b} {d:?} {t:?}")?;
    }
    for e in resolver.all_history() {
        writeln!(out, "event {}", serde_json::to_string(e)?)?;
    }
    let mut customers: Vec<String> = resolver
        .customer_ids()
        .into_iter()
        .map(String::from)
        .collect();
    customers.sort();
    for c in &customers {
        writeln!(
            out,
            "card {}",
            serde_json::to_string(&resolver.customer(c))?
        )?;
        writeln!(out, "links {}", serde_json::to_string(&resolver.links(c))?)?;
    }
    for w in ids.windows(2).take(prefix) {
        writeln!(
            out,
            "explain {}",
            serde_json::to_string(&resolver.explain(&w[0], &w[1])?)?
        )?;
    }
    let snapshot = resolver.snapshot();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    snapshot.hash(&mut h);
    writeln!(out, "snapshot {} {:016x}", snapshot.len(), h.finish())?;
    let restored = Resolver::restore(&snapshot)?;
    let mut same = 0usize;
    for c in &customers {
        same += usize::from(restored.customer(c) == resolver.customer(c));
    }
    writeln!(out, "restored cards equal {same} of {}", customers.len())?;
    Ok(())
}
