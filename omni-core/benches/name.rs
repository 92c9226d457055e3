//! Person names: normalisation per second, and similarity per second on precomputed names.
//!
//! `cargo bench -p omni-core --bench name`
//!
//! The corpus is a deterministic mix of the shapes CRMs hold: Russian full names
//! (`Фамилия Имя Отчество`), two-word names in either order, Latin transliterations, nicknames,
//! initials and English names.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use omni_core::{normalize_name, PersonName};
use std::hint::black_box;

const GIVEN: &[&str] = &[
    "Александр",
    "Саша",
    "Alexander",
    "Дмитрий",
    "Dmitry",
    "Сергей",
    "Serezha",
    "Екатерина",
    "Катя",
    "Ekaterina",
    "Kate",
    "Мария",
    "Maria",
    "Юлия",
    "Iuliia",
    "William",
    "Bill",
    "John",
    "Ольга",
    "Olga",
    "Иван",
    "Ivan",
    "Наталья",
    "Natalia",
    "Михаил",
    "Michael",
    "И.",
    "J.",
];
const FAMILY: &[&str] = &[
    "Иванов",
    "Ivanov",
    "Смирнова",
    "Smirnova",
    "Кузнецов",
    "Kuznetsov",
    "Попова",
    "Popova",
    "Соколов",
    "Sokolov",
    "Лебедева",
    "Lebedeva",
    "Smith",
    "Johnson",
    "Brown",
    "Щукин",
    "Shchukin",
    "Соловьёв",
    "Solovyov",
    "Хабибуллин",
    "Khabibullin",
    "Цветкова",
    "Tsvetkova",
];
const PATRONYMIC: &[&str] = &[
    "Иванович",
    "Петровна",
    "Сергеевич",
    "Ivanovich",
    "Alekseevna",
];

fn corpus(n: usize) -> Vec<String> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    (0..n)
        .map(|_| {
            let g = GIVEN[next() % GIVEN.len()];
            let f = FAMILY[next() % FAMILY.len()];
            let p = PATRONYMIC[next() % PATRONYMIC.len()];
            match next() % 4 {
                0 => format!("{f} {g} {p}"),
                1 => format!("{f} {g}"),
                _ => format!("{g} {f}"),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus(1000);
    let names: Vec<PersonName> = texts.iter().map(|t| normalize_name(t).unwrap()).collect();

    let mut group = c.benchmark_group("name");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("normalize_name/mixed", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(normalize_name(black_box(t)).ok());
            }
        })
    });
    // Every name against the next one: mostly unrelated pairs, as after blocking.
    group.bench_function("similarity/precomputed_mixed_pairs", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for (i, a) in names.iter().enumerate() {
                total += black_box(a).similarity(black_box(&names[(i + 1) % names.len()]));
            }
            total
        })
    });
    group.finish();

    // Same-person pairs, the expensive case (every token aligns).
    let same: Vec<(PersonName, PersonName)> = [
        ("Иванов Иван Иванович", "Ivan Ivanov"),
        ("Саша Смирнов", "Alexander Smirnov"),
        ("Catherine Morozova", "Екатерина Морозова"),
        ("Петров А.В.", "Александр Владимирович Петров"),
    ]
    .iter()
    .map(|(a, b)| (normalize_name(a).unwrap(), normalize_name(b).unwrap()))
    .collect();
    let mut group = c.benchmark_group("name");
    group.throughput(Throughput::Elements(same.len() as u64));
    group.bench_function("similarity/precomputed_same_person", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for (x, y) in &same {
                total += black_box(x).similarity(black_box(y));
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
