//! Contact extraction throughput on typical messages.
//!
//! `cargo bench -p omni-core --bench extract`; criterion reports both bytes/s (MB/s) and
//! messages/s (elements/s) for the same corpus.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use omni_core::ContactExtractor;
use std::hint::black_box;

/// Messages shaped like a CRM inbox: chats, web-form comments, signatures, social comments,
/// order notifications with numbers that are not phones, and plain text with no contacts.
const MESSAGES: &[&str] = &[
    "Здравствуйте! Перезвоните мне пожалуйста +7 (916) 123-45-67, Анна",
    "мой номер 8 912 345-67-89, пишите на ivan@mail.ru",
    "Добрый день. Хотел уточнить по заказу №5123, когда будет доставка? Спасибо",
    "С уважением,\nИван Петров\nменеджер по продажам\nтел.: +7 (495) 123-45-67 доб. 201\nмоб.: +7 916 123-45-67\ne-mail: i.petrov@example.ru\nИНН 7707083893 КПП 770701001",
    "Hi, I'd like a quote for 200 units. Reach me at mike.brown@outlook.com or +44 20 7946 0958",
    "Сколько стоит? Напишите в директ или на @flower_lover_77",
    "Ваш заказ №123456789 на сумму 12 990 руб. передан в доставку 12.05.2024, трек-номер 80082345678901",
    "Наш инстаграм: https://www.instagram.com/flower_shop.msk/ и телеграм t.me/flower_shop_msk",
    "Спасибо, всё получили, всё отлично! Будем заказывать ещё.",
    "Напишите нам в WhatsApp: https://wa.me/79123456789 или позвоните 8 (495) 123-45-67",
];

fn bench(c: &mut Criterion) {
    let extractor = ContactExtractor::default();
    let bytes: usize = MESSAGES.iter().map(|m| m.len()).sum();
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("typical_messages_bytes", |b| {
        b.iter(|| {
            for m in MESSAGES {
                black_box(extractor.extract(black_box(m)));
            }
        })
    });
    g.throughput(Throughput::Elements(MESSAGES.len() as u64));
    g.bench_function("typical_messages_count", |b| {
        b.iter(|| {
            for m in MESSAGES {
                black_box(extractor.extract(black_box(m)));
            }
        })
    });
    let long: String = MESSAGES.join("\n").repeat(100);
    g.throughput(Throughput::Bytes(long.len() as u64));
    g.bench_function("long_text_bytes", |b| {
        b.iter(|| black_box(extractor.extract(black_box(&long))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
