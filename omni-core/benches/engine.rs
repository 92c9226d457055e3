//! Engine speed on the sample inbox replicated into distinct customers: a full batch ingest
//! (normalise, resolve, thread, classify, consent), one message at a time, and snapshot and
//! restore. The million-message figures come from `examples/engine_million.rs`.
//!
//! `cargo bench -p omni-core --bench engine`

use criterion::{criterion_group, criterion_main, Criterion};
use omni_core::engine::{Engine, EngineConfig};
use omni_core::message::{parse_messages_lenient, Message};
use omni_core::Identifier;
use std::hint::black_box;

/// The sample inbox `copies` times, each copy with its own message ids and its own people
/// (identifier values changed per copy, phones kept valid).
fn traffic(copies: usize) -> Vec<Message> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/inbox.jsonl"
    ))
    .expect("examples/data/inbox.jsonl");
    let base = parse_messages_lenient(&text)
        .expect("sample inbox")
        .messages;
    let mut out = Vec::with_capacity(base.len() * copies);
    for k in 0..copies {
        for m in &base {
            let mut m = m.clone();
            m.id = format!("{}-{k}", m.id);
            let change = |ids: &mut Vec<Identifier>| {
                for i in ids.iter_mut() {
                    i.value = match i.kind {
                        omni_core::IdentifierKind::Phone if i.value.len() > 6 => {
                            let (head, tail) = i.value.split_at(i.value.len() - 4);
                            let n: usize = tail.parse().unwrap_or(0);
                            format!("{head}{:04}", (n + k * 7919) % 10_000)
                        }
                        omni_core::IdentifierKind::Email => format!("c{k}.{}", i.value),
                        _ => format!("{}{k}", i.value),
                    };
                }
            };
            change(&mut m.from.identifiers);
            change(&mut m.to.identifiers);
            if let Some(s) = m.refs.session_id.as_mut() {
                s.push_str(&format!("-{k}"));
            }
            out.push(m);
        }
    }
    out
}

fn engine(c: &mut Criterion) {
    let messages = traffic(20);
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.bench_function("batch_12k_messages", |b| {
        b.iter_with_large_drop(|| {
            let e = Engine::new(EngineConfig::default()).unwrap();
            black_box(e.ingest_many(messages.clone()).unwrap().customers);
            e
        })
    });
    group.bench_function("one_at_a_time_12k_messages", |b| {
        b.iter_with_large_drop(|| {
            let e = Engine::new(EngineConfig::default()).unwrap();
            for m in &messages {
                black_box(e.ingest(m.clone()).unwrap());
            }
            e
        })
    });
    let full = Engine::new(EngineConfig::default()).unwrap();
    full.ingest_many(messages.clone()).unwrap();
    let bytes = full.snapshot().unwrap();
    group.bench_function("snapshot_12k_messages", |b| {
        b.iter(|| black_box(full.snapshot().unwrap().len()))
    });
    group.bench_function("restore_12k_messages", |b| {
        b.iter_with_large_drop(|| Engine::restore(&bytes).unwrap())
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
