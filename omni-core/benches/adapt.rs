//! Channel adapter throughput: bytes of provider payload read per second, per provider.
//!
//! `cargo bench -p omni-core --bench adapt`. The corpus is every fixture in
//! `tests/fixtures/providers/<provider>/` that parses; JSON payloads are minified first (as
//! providers send them), so whitespace does not inflate the figure. Targets: 100 MB/s for each
//! JSON adapter, 50 MB/s for email.
//!
//! On a machine shared with other work, criterion's wall-clock figures understate what one core
//! does. For CPU time, run a fixed number of passes over one provider's corpus under `perf stat`
//! (or `time`) and subtract a zero-pass run (start-up and corpus loading):
//!
//! ```text
//! ADAPT_BENCH_PASSES=20000 ADAPT_BENCH_WHAT=whatsapp perf stat -e task-clock target/release/deps/adapt-<hash>
//! ADAPT_BENCH_PASSES=0     ADAPT_BENCH_WHAT=whatsapp perf stat -e task-clock target/release/deps/adapt-<hash>
//! ```
//!
//! The program prints the corpus size, so MB/s is `passes * bytes / (net CPU seconds)`.

use criterion::{criterion_group, Criterion, Throughput};
use omni_core::adapt::{parse_payload_with, AdaptOptions, Provider};
use omni_core::{normalize_handle, IdentifierKind, PhoneNormalizer};
use std::hint::black_box;
use std::path::PathBuf;

fn corpus(provider: Provider, options: &AdaptOptions) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/providers")
        .join(provider.name());
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name == "cases.toml" || name == "README.md" {
            continue;
        }
        let mut bytes = std::fs::read(&path).expect("fixture");
        if name.ends_with(".json") {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                bytes = serde_json::to_vec(&v).expect("minified");
            }
        }
        if parse_payload_with(provider, &bytes, options).is_ok() {
            out.push(bytes);
        }
    }
    out
}

fn options() -> AdaptOptions {
    AdaptOptions::from_json(r#"{"received_at": "2024-05-01T07:00:00Z", "local_offset": "+03:00"}"#)
        .expect("options")
}

fn bench(c: &mut Criterion) {
    let options = options();
    let mut g = c.benchmark_group("adapt");
    for provider in Provider::ALL {
        let payloads = corpus(*provider, &options);
        let bytes: usize = payloads.iter().map(Vec::len).sum();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(provider.name(), |b| {
            b.iter(|| {
                for p in &payloads {
                    black_box(parse_payload_with(*provider, black_box(p), &options).ok());
                }
            })
        });
    }
    g.finish();

    // What the adapters spend on the identifier normalisers they call (per call), to read the
    // figures above against.
    let mut g = c.benchmark_group("adapt_identifiers");
    g.bench_function("whatsapp_wa_id", |b| {
        b.iter(|| normalize_handle(IdentifierKind::Whatsapp, black_box("79123456789")))
    });
    g.bench_function("telegram_username", |b| {
        b.iter(|| normalize_handle(IdentifierKind::TelegramUsername, black_box("Anna_Smirnova")))
    });
    let phones = PhoneNormalizer::default();
    g.bench_function("phone_national", |b| {
        b.iter(|| phones.normalize(black_box("8 916 555-12-34")))
    });
    g.finish();
}

criterion_group!(benches, bench);

/// `ADAPT_BENCH_PASSES` passes over the corpus of provider `ADAPT_BENCH_WHAT`, for CPU-time
/// measurement from outside; criterion otherwise.
fn main() {
    let passes: Option<usize> = std::env::var("ADAPT_BENCH_PASSES")
        .ok()
        .and_then(|s| s.parse().ok());
    let Some(passes) = passes else {
        benches();
        Criterion::default().configure_from_args().final_summary();
        return;
    };
    let what = std::env::var("ADAPT_BENCH_WHAT").unwrap_or_else(|_| "whatsapp".into());
    let provider = Provider::from_name(&what).expect("ADAPT_BENCH_WHAT is a provider name");
    let options = options();
    let payloads = corpus(provider, &options);
    let bytes: usize = payloads.iter().map(Vec::len).sum();
    let started = std::time::Instant::now();
    let mut ok = 0usize;
    for _ in 0..passes {
        for p in &payloads {
            ok += black_box(parse_payload_with(provider, black_box(p), &options)).is_ok() as usize;
        }
    }
    println!(
        "{what}: {} payloads of {bytes} bytes, {passes} passes ({ok} parsed) in {:?} wall",
        payloads.len(),
        started.elapsed()
    );
}
