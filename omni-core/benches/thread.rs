//! Threading speed: a million messages from 200 thousand customers in one batch, and one message
//! at a time into a threader that already holds them.
//!
//! `cargo bench -p omni-core --bench thread`

mod thread_data;

use criterion::{criterion_group, criterion_main, Criterion};
use omni_core::thread::{ThreadConfig, Threader};
use std::hint::black_box;

fn batch(c: &mut Criterion) {
    let (messages, customers) = thread_data::traffic(1_000_000, 200_000, 7);
    let mut group = c.benchmark_group("thread");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(20));
    group.bench_function("batch_1m_messages_200k_customers", |b| {
        // The threader is returned, so freeing it is not timed.
        b.iter_with_large_drop(|| {
            let mut t = Threader::new(ThreadConfig::default()).unwrap();
            black_box(t.add_many(&messages, &customers).unwrap().added);
            t
        })
    });
    let mut full = Threader::new(ThreadConfig::default()).unwrap();
    full.add_many(&messages, &customers).unwrap();
    drop((messages, customers));
    // Each round adds 1000 new messages (fresh ids, customers drawn afresh from the same 200
    // thousand) one at a time to the growing threader.
    let mut round = 0u64;
    group.bench_function("add_1000_one_at_a_time_into_1m", |b| {
        b.iter_custom(|iterations| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iterations {
                round += 1;
                let (mut batch, batch_customers) =
                    thread_data::traffic(1_000, 200_000, 1_000 + round);
                for (i, m) in batch.iter_mut().enumerate() {
                    m.id = format!("late-{round}-{i}");
                }
                let started = std::time::Instant::now();
                for (m, c) in batch.iter().zip(&batch_customers) {
                    black_box(full.add(m, c).unwrap());
                }
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, batch);
criterion_main!(benches);
