//! Threads a million generated messages from 200 thousand customers once and prints the time
//! and counts; run under `/usr/bin/time -v` to see the peak memory.
//!
//! `cargo run --release -p omni-core --example thread_million` (add `generate-only` to measure
//! the memory of the input messages alone)

#[path = "../benches/thread_data/mod.rs"]
mod thread_data;

use omni_core::thread::{ThreadConfig, Threader};

/// CPU seconds this process has used so far (user + system), from `/proc/self/stat`; 0 where
/// that file does not exist.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    // `scale=N` divides the size (for profiling under callgrind).
    let scale: usize = std::env::args()
        .find_map(|a| a.strip_prefix("scale=").and_then(|n| n.parse().ok()))
        .unwrap_or(1);
    let (messages, customers) = thread_data::traffic(1_000_000 / scale, 200_000 / scale, 7);
    if std::env::args().any(|a| a == "generate-only") {
        println!("{} messages generated", messages.len());
        return;
    }
    let started = std::time::Instant::now();
    let cpu = cpu_seconds();
    let mut t = Threader::new(ThreadConfig::default()).expect("default config");
    let outcome = t.add_many(&messages, &customers).expect("same lengths");
    let took = started.elapsed();
    let cpu = cpu_seconds() - cpu;
    println!(
        "{} messages, {} customers, {} conversations in {:.3} s wall, {cpu:.2} s CPU ({} rejected)",
        t.message_count(),
        t.customer_count(),
        t.conversation_count(),
        took.as_secs_f64(),
        outcome.rejections.len()
    );
}
