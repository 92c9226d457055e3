//! Generation speed: contact records per second and inbox messages per second.
//!
//! `cargo bench -p omni-synth --bench generate`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use omni_synth::{ContactConfig, ContactGenerator, InboxConfig, InboxGenerator};
use std::hint::black_box;

fn contacts(c: &mut Criterion) {
    let mut group = c.benchmark_group("contacts");
    group.sample_size(10);
    let config = ContactConfig {
        seed: 7,
        people: 40_000,
        ..Default::default()
    };
    let records = ContactGenerator::new(config.clone()).len() as u64;
    group.throughput(Throughput::Elements(records));
    group.bench_function("40k_people", |b| {
        b.iter(|| {
            let generator = ContactGenerator::new(config.clone());
            black_box(generator.records().count())
        })
    });
    group.finish();
}

fn inbox(c: &mut Criterion) {
    let mut group = c.benchmark_group("inbox");
    group.sample_size(10);
    let config = InboxConfig {
        seed: 7,
        customers: 10_000,
        ..Default::default()
    };
    let messages = InboxGenerator::new(config.clone())
        .generate()
        .messages
        .len() as u64;
    group.throughput(Throughput::Elements(messages));
    group.bench_function("10k_customers", |b| {
        b.iter(|| {
            black_box(
                InboxGenerator::new(config.clone())
                    .generate()
                    .messages
                    .len(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, contacts, inbox);
criterion_main!(benches);
