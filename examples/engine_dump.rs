//! Dumps everything an engine says about an inbox, for comparing two builds byte for byte:
//! counts, every customer card and timeline, every conversation view, the leads and the
//! analytics, after a batch ingest, after a snapshot and restore of it, and after ingesting
//! the first `N` messages one at a time (then forgetting every tenth customer).
//!
//! ```text
//! cargo run --release -p omni-examples --example engine_dump -- /tmp/inbox_40k.jsonl OUT [N]
//! ```

use omni_core::engine::{Engine, EngineConfig};
use omni_core::message::parse_messages_lenient;
use std::io::Write;

fn dump(engine: &Engine, out: &mut impl Write) -> Result<(), Box<dyn std::error::Error>> {
    writeln!(out, "counts {:?}", engine.counts()?)?;
    for c in engine.customer_ids()? {
        writeln!(
            out,
            "customer {}",
            serde_json::to_string(&engine.customer(&c)?)?
        )?;
        writeln!(
            out,
            "timeline {}",
            serde_json::to_string(&engine.timeline(&c)?)?
        )?;
    }
    for c in engine.conversations()? {
        writeln!(
            out,
            "conversation {}",
            serde_json::to_string(&engine.conversation(&c.id)?)?
        )?;
    }
    writeln!(out, "leads {}", serde_json::to_string(&engine.leads()?)?)?;
    writeln!(
        out,
        "analytics {}",
        serde_json::to_string(&engine.analytics()?)?
    )?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: engine_dump INBOX OUT [N]")?;
    let out_path = args.get(1).ok_or("usage: engine_dump INBOX OUT [N]")?;
    let one_at_a_time: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let text = std::fs::read_to_string(path)?;
    let messages = parse_messages_lenient(&text)?.messages;
    let mut out = std::io::BufWriter::new(std::fs::File::create(out_path)?);

    let engine = Engine::new(EngineConfig::default())?;
    let r = engine.ingest_many(messages.clone())?;
    writeln!(out, "batch {}", serde_json::to_string(&r)?)?;
    dump(&engine, &mut out)?;
    let restored = Engine::restore(&engine.snapshot()?)?;
    writeln!(out, "-- restored")?;
    dump(&restored, &mut out)?;

    let engine = Engine::new(EngineConfig::default())?;
    for m in messages.iter().take(one_at_a_time) {
        let r = engine.ingest(m.clone())?;
        writeln!(out, "ingest {}", serde_json::to_string(&r)?)?;
    }
    // A second batch goes in one at a time into a non-empty engine.
    let second: Vec<_> = messages
        .iter()
        .skip(one_at_a_time)
        .take(2_000)
        .cloned()
        .collect();
    let r = engine.ingest_many(second)?;
    writeln!(out, "batch2 {}", serde_json::to_string(&r)?)?;
    let ids = engine.customer_ids()?;
    for c in ids.iter().step_by(10) {
        if let Ok(f) = engine.forget(c) {
            writeln!(out, "forget {}", serde_json::to_string(&f)?)?;
        }
    }
    writeln!(out, "-- one at a time")?;
    dump(&engine, &mut out)?;
    let restored = Engine::restore(&engine.snapshot()?)?;
    writeln!(out, "-- restored")?;
    dump(&restored, &mut out)?;
    Ok(())
}
