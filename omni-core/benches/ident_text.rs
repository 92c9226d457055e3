//! Email canonicalisation and handle normalisation throughput.
//!
//! `cargo bench -p omni-core --bench ident_text`; the figures are per input (elements/s).
//!
//! On a machine shared with other work, criterion's wall-clock figures understate what one core
//! does. For CPU time, run a fixed number of passes under `perf stat` (or `time`) and subtract a
//! zero-pass run (start-up):
//!
//! ```text
//! EMAIL_BENCH_PASSES=500000 EMAIL_BENCH_WHAT=mixed perf stat -e task-clock target/release/deps/ident_text-<hash>
//! EMAIL_BENCH_PASSES=0      EMAIL_BENCH_WHAT=mixed perf stat -e task-clock target/release/deps/ident_text-<hash>
//! ```
//!
//! `EMAIL_BENCH_WHAT` is `mixed`, `plain` (`normalize`), `into_mixed`, `into_plain`
//! (`normalize_into` with one reused `Email`) or `is_valid_mixed`, `is_valid_plain`
//! (`email_address::EmailAddress::is_valid` alone); `each_mixed` prints the time per input.

use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use omni_core::{normalize_handle, parse_profile_link, EmailRules, IdentifierKind};
use std::hint::black_box;

/// A mixed corpus shaped like CRM data: mostly free-mail providers, some corporate domains,
/// case and tag variants, a few display-name forms, IDN and invalid entries.
const EMAILS: &[&str] = &[
    "ivan.petrov@gmail.com",
    "Ivan.Petrov+shop@GMAIL.com",
    "anna_smirnova@mail.ru",
    "a.kuznetsova@yandex.ru",
    "olga-ivanova@ya.ru",
    "petr.sidorov@bk.ru",
    "sergey1985@inbox.ru",
    "john.smith@outlook.com",
    "maria.lee+news@icloud.com",
    "jsmith77-shop@yahoo.com",
    "info@example.com",
    "sales@romashka-shop.example",
    "d.volkov@company.example.ru",
    "Elena.Popova@Yandex.com",
    "nikolay@list.ru",
    "Иван <ivan.k@gmail.com>",
    "ivan@mail",
    "buh@почта.рф",
    "support@example.org",
    "k.morozov@googlemail.com",
];

/// The common case alone: plain ASCII addresses as CRM columns hold them.
const PLAIN_EMAILS: &[&str] = &[
    "ivan.petrov@gmail.com",
    "Ivan.Petrov+shop@GMAIL.com",
    "anna_smirnova@mail.ru",
    "a.kuznetsova@yandex.ru",
    "olga-ivanova@ya.ru",
    "petr.sidorov@bk.ru",
    "john.smith@outlook.com",
    "info@example.com",
    "sales@romashka-shop.example",
    "d.volkov@company.example.ru",
];

const HANDLES: &[(IdentifierKind, &str)] = &[
    (IdentifierKind::TelegramUsername, "@Ivan_Petrov"),
    (
        IdentifierKind::TelegramUsername,
        "https://t.me/anna_smirnova",
    ),
    (IdentifierKind::Whatsapp, "+7 912 345-67-89"),
    (IdentifierKind::VkId, "vk.com/id12345678"),
    (IdentifierKind::VkScreenName, "https://vk.com/ivan.petrov"),
    (IdentifierKind::Instagram, "instagram.com/anna.smirnova/"),
    (
        IdentifierKind::Facebook,
        "https://www.facebook.com/profile.php?id=100001234567890",
    ),
    (IdentifierKind::Skype, "live:ivan_petrov_1"),
];

const LINKS: &[&str] = &[
    "https://t.me/anna_smirnova",
    "@Ivan_Petrov",
    "https://vk.com/id12345678",
    "vk.com/ivan.petrov",
    "https://www.instagram.com/anna.smirnova/?hl=ru",
    "https://wa.me/79123456789",
    "skype:ivan.petrov?call",
    "https://m.facebook.com/ivan.petrov.77",
];

fn bench(c: &mut Criterion) {
    let rules = EmailRules::default();
    let mut g = c.benchmark_group("email");
    g.throughput(Throughput::Elements(EMAILS.len() as u64));
    g.bench_function("normalize_mixed", |b| {
        b.iter(|| {
            for e in EMAILS {
                let _ = black_box(rules.normalize(black_box(e)));
            }
        })
    });
    g.bench_function("normalize_into_mixed", |b| {
        let mut out = omni_core::Email::default();
        b.iter(|| {
            for e in EMAILS {
                let _ = black_box(rules.normalize_into(black_box(e), &mut out));
            }
        })
    });
    g.bench_function("email_address_is_valid_only_mixed", |b| {
        b.iter(|| {
            for e in EMAILS {
                black_box(email_address::EmailAddress::is_valid(black_box(e)));
            }
        })
    });
    g.throughput(Throughput::Elements(PLAIN_EMAILS.len() as u64));
    g.bench_function("normalize_plain", |b| {
        b.iter(|| {
            for e in PLAIN_EMAILS {
                let _ = black_box(rules.normalize(black_box(e)));
            }
        })
    });
    g.bench_function("normalize_into_plain", |b| {
        let mut out = omni_core::Email::default();
        b.iter(|| {
            for e in PLAIN_EMAILS {
                let _ = black_box(rules.normalize_into(black_box(e), &mut out));
            }
        })
    });
    g.bench_function("email_address_is_valid_only_plain", |b| {
        b.iter(|| {
            for e in PLAIN_EMAILS {
                black_box(email_address::EmailAddress::is_valid(black_box(e)));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("handle");
    g.throughput(Throughput::Elements(HANDLES.len() as u64));
    g.bench_function("normalize_handle_mixed", |b| {
        b.iter(|| {
            for (k, h) in HANDLES {
                let _ = black_box(normalize_handle(*k, black_box(h)));
            }
        })
    });
    g.throughput(Throughput::Elements(LINKS.len() as u64));
    g.bench_function("parse_profile_link_mixed", |b| {
        b.iter_batched(
            || (),
            |_| {
                for l in LINKS {
                    let _ = black_box(parse_profile_link(black_box(l)));
                }
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);

/// `EMAIL_BENCH_PASSES` passes of `EMAIL_BENCH_WHAT` over the email corpora, for CPU-time
/// measurement from outside; criterion otherwise.
fn main() {
    let passes: Option<usize> = std::env::var("EMAIL_BENCH_PASSES")
        .ok()
        .and_then(|s| s.parse().ok());
    let Some(passes) = passes else {
        benches();
        Criterion::default().configure_from_args().final_summary();
        return;
    };
    let what = std::env::var("EMAIL_BENCH_WHAT").unwrap_or_else(|_| "mixed".into());
    let inputs = if what.ends_with("plain") {
        PLAIN_EMAILS
    } else {
        EMAILS
    };
    let rules = EmailRules::default();
    let mut out = omni_core::Email::default();
    if what.starts_with("each") {
        // Per-input CPU time (Linux: the thread's run time from schedstat, so waiting for a
        // shared core is not counted), to see which shapes are slow.
        let cpu_ns = || -> f64 {
            std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse().ok())
                .unwrap_or(f64::NAN)
        };
        for text in inputs {
            let started = cpu_ns();
            for _ in 0..passes {
                let _ = black_box(rules.normalize(black_box(text)));
            }
            let ns = (cpu_ns() - started) / passes.max(1) as f64;
            println!("{ns:8.1} ns CPU  {text}");
        }
        return;
    }
    let started = std::time::Instant::now();
    let mut ok = 0usize;
    for _ in 0..passes {
        for text in inputs {
            ok += match what.as_str() {
                "mixed" | "plain" => rules.normalize(black_box(text)).is_ok(),
                "into_mixed" | "into_plain" => {
                    rules.normalize_into(black_box(text), &mut out).is_ok()
                }
                _ => email_address::EmailAddress::is_valid(black_box(text)),
            } as usize;
        }
    }
    let n = passes * inputs.len();
    println!(
        "{what}: {n} inputs ({ok} valid) in {:?} wall",
        started.elapsed()
    );
}
