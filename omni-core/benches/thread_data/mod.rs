//! Deterministic synthetic traffic for the threading benchmark: `customers` customers with five
//! messages each on average, over a year, on every channel kind: email threads with Message-IDs
//! and References, WhatsApp and live-chat sessions, calls, forms, SMS, order numbers and thanks.

use chrono::{Duration, TimeZone, Utc};
use omni_core::message::{Message, ReplyRefs};
use omni_core::{Channel, Direction};

/// A small fast generator (SplitMix64), so the data is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const TEXTS: &[&str] = &[
    "Здравствуйте, подскажите по наличию",
    "Спасибо, получил!",
    "Когда будет доставка?",
    "Оплата получена, спасибо!",
    "Hello, is the blue one in stock?",
    "Thanks, that solved it.",
    "Перезвоните, пожалуйста, после 18:00",
    "Отправили счёт на почту",
];

/// `messages` messages of `customers` customers, with each message's customer id.
pub fn traffic(messages: usize, customers: usize, seed: u64) -> (Vec<Message>, Vec<String>) {
    let mut rng = Rng(seed);
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut out = Vec::with_capacity(messages);
    let mut owners = Vec::with_capacity(messages);
    // Per customer: time cursor (minutes), last email message id number, session counter.
    let mut cursor = vec![0i64; customers];
    for i in 0..messages {
        let c = rng.below(customers as u64) as usize;
        // Mostly minutes apart, sometimes days: conversations of a few messages.
        cursor[c] += if rng.below(4) == 0 {
            60 * 24 * (1 + rng.below(30) as i64)
        } else {
            rng.below(180) as i64
        };
        let kind = rng.below(10);
        let (channel, direction) = match kind {
            0..=1 => (
                Channel::Email,
                if rng.below(2) == 0 {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                },
            ),
            2..=4 => (
                Channel::Whatsapp,
                if rng.below(2) == 0 {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                },
            ),
            5 => (Channel::Voice, Direction::Inbound),
            6 => (Channel::WebForm, Direction::Inbound),
            7 => (Channel::LiveChat, Direction::Inbound),
            8 => (Channel::Sms, Direction::Outbound),
            _ => (Channel::Telegram, Direction::Inbound),
        };
        let mut m = Message::new(
            format!("msg-{i:07}"),
            channel.clone(),
            direction,
            start + Duration::minutes(cursor[c]),
        );
        m.text = TEXTS[rng.below(TEXTS.len() as u64) as usize].to_string();
        if rng.below(20) == 0 {
            m.text
                .push_str(&format!(" заказ №{}", 10_000 + rng.below(90_000)));
        }
        let mut refs = ReplyRefs::default();
        match channel {
            Channel::Email => {
                refs.message_id = Some(format!("{i}.{c}@mail.example.com"));
                m.subject = Some(if rng.below(3) == 0 {
                    "Re: Счёт на оплату".into()
                } else {
                    format!("Вопрос {}", rng.below(50))
                });
                if i > 0 && rng.below(2) == 0 {
                    // A reply to a recent message id (of anyone: most do not resolve for this
                    // customer, as with real mailboxes where the parent is missing).
                    let parent = i - 1 - rng.below(i.min(50) as u64) as usize;
                    refs.in_reply_to = vec![format!("{parent}.{c}@mail.example.com")];
                    refs.references = refs.in_reply_to.clone();
                }
            }
            Channel::Whatsapp | Channel::LiveChat => {
                refs.session_id = Some(format!("s-{c}-{}", cursor[c] / (60 * 24 * 7)));
            }
            _ => {}
        }
        m.refs = refs;
        out.push(m);
        owners.push(format!("cust-{c:06}"));
    }
    (out, owners)
}
