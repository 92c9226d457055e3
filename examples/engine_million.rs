//! Times the customer 360 engine on a large generated inbox: full ingest (normalise, resolve,
//! thread, classify, consent) in one batch on one core, ingesting one message at a time from
//! one thread versus two, and snapshot and restore; prints the peak memory (VmHWM).
//!
//! ```text
//! cargo run --release -p omni-synth -- inbox --seed 7 --customers 200000 --out /tmp/inbox_1m.jsonl
//! cargo run --release -p omni-examples --example engine_million -- /tmp/inbox_1m.jsonl
//! ```
//!
//! Options after the path: `batch-only` (skip the thread comparison), `threads-only`,
//! `no-snapshot` (stop after the batch ingest), `limit=N` (use the first N messages), `repeat=N` (time snapshot and restore N times),
//! `save=FILE` (write the snapshot to FILE), `from-snapshot=FILE` (restore FILE instead of
//! reading and ingesting messages; then only snapshot and restore are timed).

use omni_core::engine::{Engine, EngineConfig};
use omni_core::message::{parse_messages_lenient, Message};
use omni_examples::{peak_rss_mib as peak_mb, process_cpu_seconds as cpu_seconds};
use std::sync::Arc;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.contains('=') && !a.ends_with("-only") && *a != "no-snapshot")
        .cloned()
        .unwrap_or_else(|| "/tmp/inbox_1m.jsonl".into());
    let limit: Option<usize> = args
        .iter()
        .find_map(|a| a.strip_prefix("limit=").and_then(|n| n.parse().ok()));
    let repeat: usize = args
        .iter()
        .find_map(|a| a.strip_prefix("repeat=").and_then(|n| n.parse().ok()))
        .unwrap_or(1);
    let save = args.iter().find_map(|a| a.strip_prefix("save="));
    if let Some(file) = args.iter().find_map(|a| a.strip_prefix("from-snapshot=")) {
        let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        let engine = Engine::restore(&bytes)?;
        drop(bytes);
        println!(
            "restored {file}: {} messages; peak {:.0} MiB",
            engine.counts()?.1,
            peak_mb()
        );
        time_snapshots(engine, repeat, save)?;
        println!("peak {:.0} MiB", peak_mb());
        return Ok(());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let t = Instant::now();
    let mut batch = parse_messages_lenient(&text)?;
    drop(text);
    if let Some(n) = limit {
        batch.messages.truncate(n);
    }
    let messages = batch.messages;
    println!(
        "read {} messages ({} rejected) in {:.2} s; peak {:.0} MiB",
        messages.len(),
        batch.rejections.len(),
        t.elapsed().as_secs_f64(),
        peak_mb()
    );

    // One message at a time compares threads on the first 200 thousand messages.
    let sample: Vec<Message> = if args.iter().any(|a| a == "batch-only") {
        Vec::new()
    } else {
        messages[..messages.len().min(200_000)].to_vec()
    };
    if !args.iter().any(|a| a == "threads-only") {
        let engine = Engine::new(EngineConfig::default())?;
        let input = messages;
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let result = engine.ingest_many(input)?;
        let (wall, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        let (customers, stored, conversations) = engine.counts()?;
        println!(
            "batch ingest: {stored} messages, {customers} customers, {conversations} conversations, {} rejected in {wall:.2} s wall, {cpu:.2} s CPU; peak {:.0} MiB",
            result.rejections.len(),
            peak_mb()
        );
        drop(result);
        if !args.iter().any(|a| a == "no-snapshot") {
            time_snapshots(engine, repeat, save)?;
        }
    }

    if !args.iter().any(|a| a == "batch-only") {
        let n = sample.len();
        for threads in [1usize, 2] {
            let engine = Arc::new(Engine::new(EngineConfig::default())?);
            let parts: Vec<Vec<Message>> = (0..threads)
                .map(|k| sample.iter().skip(k).step_by(threads).cloned().collect())
                .collect();
            let t = Instant::now();
            std::thread::scope(|s| {
                for part in parts {
                    let e = Arc::clone(&engine);
                    s.spawn(move || {
                        for m in part {
                            e.ingest(m).expect("generated messages are valid");
                        }
                    });
                }
            });
            let wall = t.elapsed().as_secs_f64();
            println!(
                "one at a time, {threads} thread(s): {n} messages in {wall:.2} s ({:.0} messages/s)",
                n as f64 / wall
            );
        }
    }
    println!("peak {:.0} MiB", peak_mb());
    Ok(())
}

/// Times `repeat` rounds of snapshot then restore (each round snapshots the engine the last
/// one restored), wall clock and process CPU (all threads); writes the first snapshot to
/// `save` if given.
fn time_snapshots(
    mut engine: Engine,
    repeat: usize,
    save: Option<&str>,
) -> Result<(), Box<dyn std::error::Error>> {
    for round in 0..repeat.max(1) {
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let bytes = engine.snapshot()?;
        let (snap, snap_cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        if round == 0 {
            if let Some(file) = save {
                std::fs::write(file, &bytes).map_err(|e| format!("{file}: {e}"))?;
            }
        }
        drop(engine);
        let (t, cpu) = (Instant::now(), cpu_seconds());
        engine = Engine::restore(&bytes)?;
        let (rest, rest_cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        println!(
            "snapshot: {:.0} MB in {snap:.2} s wall, {snap_cpu:.2} s CPU; restore in {rest:.2} s wall, {rest_cpu:.2} s CPU ({} messages); peak {:.0} MiB",
            bytes.len() as f64 / 1e6,
            engine.counts()?.1,
            peak_mb()
        );
    }
    Ok(())
}
