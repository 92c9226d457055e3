//! Triage throughput on messages of typical length, one core.
//!
//! `cargo bench -p omni-core --bench classify`; criterion reports messages/s (elements/s).
//! `typical_messages` runs the whole pipeline (normalisation, lexicon, contact extraction,
//! model, rules); `no_contacts` is the same corpus without the messages that carry contact
//! details, to show what extraction costs.
//!
//! On a machine shared with other work, criterion's wall-clock figures understate one core. For
//! CPU time, run a fixed number of passes over the typical messages under `perf stat` and
//! subtract a zero-pass run (start-up and model loading):
//!
//! ```text
//! CLASSIFY_BENCH_PASSES=20000 perf stat -e task-clock target/release/deps/classify-<hash>
//! CLASSIFY_BENCH_PASSES=0     perf stat -e task-clock target/release/deps/classify-<hash>
//! ```

use criterion::{criterion_group, Criterion, Throughput};
use omni_core::classify::{Classifier, ClassifyInput};
use omni_core::{Channel, Direction};
use std::hint::black_box;

fn inputs() -> Vec<ClassifyInput> {
    let mut v = Vec::new();
    let mut add = |text: &str, channel: Channel| {
        v.push(ClassifyInput::new(text, channel));
    };
    add(
        "Здравствуйте! Сколько стоит доставка в Казань?",
        Channel::Whatsapp,
    );
    add("хочу такую же 😍", Channel::Instagram);
    add("price pls", Channel::Instagram);
    add(
        "Добрый день, хочу заказать букет из 25 роз на завтра к 10 утра",
        Channel::Telegram,
    );
    add(
        "Перезвоните мне пожалуйста +7 (916) 123-45-67, Анна",
        Channel::Whatsapp,
    );
    add("STOP", Channel::Sms);
    add("Не пишите мне больше", Channel::Whatsapp);
    add(
        "Где мой заказ 45871? Обещали вчера, уже неделю жду!",
        Channel::Whatsapp,
    );
    add("hochu kupit divan kak na foto", Channel::Whatsapp);
    add("красиво 😍", Channel::Instagram);
    add(
        "Добрый день! Ваш сайт не в топе Яндекса. Выведем в ТОП-10 за 30 дней, гарантия. Бесплатный аудит!",
        Channel::Email,
    );
    add(
        "Thank you for your email. I am currently out of the office until Monday with limited access to email.",
        Channel::Email,
    );
    add(
        "Спасибо большое, всё очень понравилось! 🙏",
        Channel::Whatsapp,
    );
    add(
        "Hi, I'd like to order 20 ergonomic chairs for our new office. Please send a quote. Regards, Peter",
        Channel::Email,
    );
    add("ок", Channel::Whatsapp);
    add(
        "Хочу вернуть пылесос, он не подошёл. Как оформить возврат?",
        Channel::Telegram,
    );
    let mut known = ClassifyInput::new(
        "Хочу повторить прошлый заказ, те же розы",
        Channel::Whatsapp,
    );
    known.known_customer = true;
    v.push(known);
    let mut call = ClassifyInput::new("", Channel::Voice);
    call.call_status = Some("missed".into());
    v.push(call);
    let mut form = ClassifyInput::new("Хочу записаться на чистку зубов", Channel::WebForm);
    form.form_fields.insert("name".into(), "Светлана".into());
    form.form_fields
        .insert("phone".into(), "+7 926 310-44-21".into());
    v.push(form);
    let mut out = ClassifyInput::new("Ваш заказ готов, можно забирать", Channel::Whatsapp);
    out.direction = Direction::Outbound;
    v.push(out);
    v
}

fn bench(c: &mut Criterion) {
    let classifier = Classifier::new();
    let all = inputs();
    let no_contacts: Vec<ClassifyInput> = all
        .iter()
        .filter(|i| classifier.classify(i).contacts.is_empty())
        .cloned()
        .collect();
    let mut g = c.benchmark_group("classify");
    g.throughput(Throughput::Elements(all.len() as u64));
    g.bench_function("typical_messages", |b| {
        b.iter(|| {
            for i in &all {
                black_box(classifier.classify(black_box(i)));
            }
        })
    });
    g.throughput(Throughput::Elements(no_contacts.len() as u64));
    g.bench_function("no_contacts", |b| {
        b.iter(|| {
            for i in &no_contacts {
                black_box(classifier.classify(black_box(i)));
            }
        })
    });
    let mut huge = ClassifyInput::new("хочу купить диван ".repeat(600_000), Channel::Email);
    huge.subject = Some("Заказ".into());
    g.throughput(Throughput::Elements(1));
    g.bench_function("ten_megabyte_body", |b| {
        b.iter(|| black_box(classifier.classify(black_box(&huge))))
    });
    g.finish();
}

criterion_group!(benches, bench);

/// `CLASSIFY_BENCH_PASSES` passes over the typical messages, for CPU-time measurement from
/// outside; criterion otherwise.
fn main() {
    let passes: Option<usize> = std::env::var("CLASSIFY_BENCH_PASSES")
        .ok()
        .and_then(|s| s.parse().ok());
    let Some(passes) = passes else {
        benches();
        Criterion::default().configure_from_args().final_summary();
        return;
    };
    let classifier = Classifier::new();
    let all = inputs();
    black_box(classifier.classify(&all[0]));
    for _ in 0..passes {
        for i in &all {
            black_box(classifier.classify(black_box(i)));
        }
    }
    eprintln!("{} messages classified", passes * all.len());
}
