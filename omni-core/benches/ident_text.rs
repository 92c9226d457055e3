//! Email canonicalisation and handle normalisation throughput.
//!
//! `cargo bench -p omni-core --bench ident_text`; the figures are per input (elements/s).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
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
criterion_main!(benches);
