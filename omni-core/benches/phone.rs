//! Phone normalisation throughput on a mixed corpus (mostly Russian formats, some international),
//! omni against the bare `phonenumber` crate (parse + E.164 + is_valid) in the same run.
//!
//! `cargo bench -p omni-core --bench phone`
//!
//! On a machine shared with other work, criterion's wall-clock figures understate what one core
//! does. For CPU time, run a fixed number of passes over the same corpus under `perf stat` (or
//! `time`) and subtract a zero-pass run (start-up and corpus):
//!
//! ```text
//! PHONE_BENCH_PASSES=400 PHONE_BENCH_WHAT=omni perf stat -e task-clock target/release/deps/phone-<hash>
//! PHONE_BENCH_PASSES=0   PHONE_BENCH_WHAT=omni perf stat -e task-clock target/release/deps/phone-<hash>
//! ```

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use omni_core::{normalize_phone, PhoneNormalizer};
use std::hint::black_box;

/// A small deterministic generator (64-bit LCG), so the corpus is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// 80% Russian shapes (mobile, landline, 8-800; +7, 8, 7 or no prefix; the usual separators;
/// a few with `доб.`), 20% international (E.164 and spaced, `810`/`00` prefixes, extensions).
fn corpus(n: usize) -> Vec<String> {
    let mut rng = Lcg(0x005E_ED0F_0A11);
    let area = [
        "912", "915", "926", "903", "495", "499", "812", "343", "800", "383",
    ];
    let intl = [
        ("+44", "20", 8),
        ("+1", "650", 7),
        ("+49", "30", 8),
        ("+380", "44", 7),
        ("+375", "29", 7),
        ("+7", "701", 7),
        ("+998", "90", 7),
        ("+55", "11", 9),
        ("+86", "10", 8),
        ("+33", "1", 8),
    ];
    (0..n)
        .map(|_| {
            if rng.below(10) < 8 {
                let a = area[rng.below(area.len() as u64)];
                let rest = rng.digits(7);
                let (b, c, d) = (&rest[..3], &rest[3..5], &rest[5..]);
                match rng.below(12) {
                    0 => format!("+7 ({a}) {b}-{c}-{d}"),
                    1 => format!("8 {a} {b} {c} {d}"),
                    2 => format!("8{a}{rest}"),
                    3 => format!("{a}{rest}"),
                    4 => format!("8-{a}-{b}-{c}-{d}"),
                    5 => format!("+7{a}{rest}"),
                    6 => format!("8 ({a}) {b}-{c}-{d}"),
                    7 => format!("7{a}{rest}"),
                    8 => format!("+7 {a} {b}-{c}-{d}"),
                    9 => format!("+7 {a} {b} {c} {d}"),
                    10 => format!("+7 ({a}) {b}-{c}-{d} доб. {}", rng.digits(3)),
                    _ => format!("Тел.: 8 ({a}) {b}-{c}-{d}"),
                }
            } else {
                let (cc, ndc, len) = intl[rng.below(intl.len() as u64)];
                let sub = rng.digits(len);
                match rng.below(5) {
                    0 => format!("{cc}{ndc}{sub}"),
                    1 => format!("{cc} {ndc} {sub}"),
                    2 => format!("810 {} {ndc} {sub}", &cc[1..]),
                    3 => format!("{cc} ({ndc}) {sub} ext. {}", rng.digits(2)),
                    _ => format!("{cc}-{ndc}-{sub}"),
                }
            }
        })
        .collect()
}

/// Only the plain Russian shapes of [`corpus`] (digits and `+ ( ) -` and spaces), where the
/// `phonenumber` crate's regex cache does not thrash: the comparison most favourable to it.
fn plain_russian(n: usize) -> Vec<String> {
    corpus(n * 2)
        .into_iter()
        .filter(|t| {
            t.bytes()
                .all(|b| b.is_ascii_digit() || b" +()-".contains(&b))
                && (t.starts_with("+7")
                    || t.starts_with('8')
                    || t.starts_with('7')
                    || t.starts_with('9'))
        })
        .take(n)
        .collect()
}

fn bench(c: &mut Criterion) {
    let inputs = corpus(5_000);
    let normalizer = PhoneNormalizer::default();
    // Compile the numbering plans outside the measurement.
    let _ = normalizer.normalize("+7 912 345 67 89");
    let _ = phonenumber::parse(None, "+7 912 345 67 89");

    let mut group = c.benchmark_group("phone_mixed_corpus");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function(BenchmarkId::new("omni", "normalizer"), |b| {
        b.iter(|| {
            for text in &inputs {
                let _ = black_box(normalizer.normalize(black_box(text)));
            }
        })
    });
    group.bench_function(BenchmarkId::new("omni", "normalize_phone"), |b| {
        b.iter(|| {
            for text in &inputs {
                let _ = black_box(normalize_phone(black_box(text), "RU"));
            }
        })
    });
    // The crate is three orders of magnitude slower on this corpus (its regex cache of 100
    // entries thrashes across regions), so it gets the fewest samples criterion allows.
    group.sample_size(10);
    group.bench_function(
        BenchmarkId::new("phonenumber_crate", "parse_e164_is_valid"),
        |b| {
            b.iter(|| {
                for text in &inputs {
                    if let Ok(n) =
                        phonenumber::parse(Some(phonenumber::country::Id::RU), black_box(text))
                    {
                        let e164 = n.format().mode(phonenumber::Mode::E164).to_string();
                        black_box((e164, phonenumber::is_valid(&n)));
                    }
                }
            })
        },
    );
    group.finish();

    let plain = plain_russian(5_000);
    let mut group = c.benchmark_group("phone_plain_russian");
    group.throughput(Throughput::Elements(plain.len() as u64));
    group.bench_function(BenchmarkId::new("omni", "normalizer"), |b| {
        b.iter(|| {
            for text in &plain {
                let _ = black_box(normalizer.normalize(black_box(text)));
            }
        })
    });
    group.sample_size(10);
    group.bench_function(
        BenchmarkId::new("phonenumber_crate", "parse_e164_is_valid"),
        |b| {
            b.iter(|| {
                for text in &plain {
                    if let Ok(n) =
                        phonenumber::parse(Some(phonenumber::country::Id::RU), black_box(text))
                    {
                        let e164 = n.format().mode(phonenumber::Mode::E164).to_string();
                        black_box((e164, phonenumber::is_valid(&n)));
                    }
                }
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);

/// `PHONE_BENCH_PASSES` passes of `PHONE_BENCH_WHAT` (`omni`, `omni_free`, `crate` over the mixed
/// corpus; `omni_plain`, `crate_plain` over the plain Russian one), for CPU-time measurement from
/// outside; criterion otherwise.
fn main() {
    let passes: Option<usize> = std::env::var("PHONE_BENCH_PASSES")
        .ok()
        .and_then(|s| s.parse().ok());
    let Some(passes) = passes else {
        benches();
        Criterion::default().configure_from_args().final_summary();
        return;
    };
    let what = std::env::var("PHONE_BENCH_WHAT").unwrap_or_else(|_| "omni".into());
    let inputs = if what.ends_with("_plain") {
        plain_russian(5_000)
    } else {
        corpus(5_000)
    };
    let normalizer = PhoneNormalizer::default();
    let _ = normalizer.normalize("+7 912 345 67 89");
    let _ = phonenumber::parse(None, "+7 912 345 67 89");
    let started = std::time::Instant::now();
    let mut ok = 0usize;
    for _ in 0..passes {
        for text in &inputs {
            ok += match what.as_str() {
                "omni" | "omni_plain" => normalizer.normalize(black_box(text)).is_ok(),
                "omni_free" => normalize_phone(black_box(text), "RU").is_ok(),
                _ => phonenumber::parse(Some(phonenumber::country::Id::RU), black_box(text))
                    .map(|n| {
                        let e164 = n.format().mode(phonenumber::Mode::E164).to_string();
                        black_box((e164, phonenumber::is_valid(&n)))
                    })
                    .is_ok(),
            } as usize;
        }
    }
    let n = passes * inputs.len();
    println!(
        "{what}: {n} inputs ({ok} parsed) in {:?} wall",
        started.elapsed()
    );
}
