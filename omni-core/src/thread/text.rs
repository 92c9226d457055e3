//! What a message's text and metadata say for threading: order and ticket numbers it mentions,
//! and whether it closes the matter (the customer's thanks, a payment or order confirmation, an
//! explicit event), in Russian and English.

use crate::message::{Channel, Direction, Message};
use regex::{Regex, RegexSet};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// Order and ticket numbers: `заказ №12345`, `номер заказа 12345`, `order #A-1234`,
/// `тикет 5521`, `заявка № 77-123`, `ticket #5521`. Group 1 is the word, group 2 the number;
/// that neither runs into a neighbouring letter or digit is checked after the match (word
/// boundaries in the pattern would keep the regex engine off its fast path).
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(заказ[а-я]{0,2}|order|тикет[а-я]{0,2}|ticket|заявк[а-я]{0,2}|обращени[а-я]{0,2}|case|request)(?:\s+(?:number|no\.?|num\.?|номер|id))?\s*[:.]?\s*(?:№|#|n[o°]\.?)?\s*((?:[a-zа-я]{1,4}-?)?\d[\d-]{1,18}\d)",
    )
    .expect("valid reference pattern")
});

/// The words that can start an order or ticket reference: a cheap test before [`REFERENCE`].
static REFERENCE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)заказ|order|тикет|ticket|заявк|обращени|case|request")
        .expect("valid reference word pattern")
});

/// The customer saying the matter is closed: `спасибо, получил`, `вопрос решён`,
/// `thanks, that solved it`, `it works now`.
const RESOLVED_PATTERN: &str = r"(?i)(?:^|[^а-яa-z])(спасибо,?\s+(?:вс[её]\s+)?получил[аи]?|получил[аи]?,?\s+спасибо|(?:вопрос|проблема)\s+(?:решен[аы]?|решён|снят|закрыт)|вопрос\s+снят|вс[её]\s+(?:работает|получилось|заработало|пришло)|заработало|разобрал(?:ся|ась|ись)|(?:больше\s+)?не\s*актуальн[оа]|можно\s+закрывать|(?:that|this|it|you)\s+(?:solved|fixed|resolved)\s+(?:it|the\s+(?:issue|problem))|(?:problem|issue)\s+(?:is\s+|has\s+been\s+)?(?:solved|resolved|fixed)|(?:it\s+)?works\s+now|got\s+it,?\s+thanks?|received,?\s+thanks?|thanks?,?\s+(?:i\s+|we\s+)?(?:got|received)\s+it|no\s+longer\s+needed|all\s+sorted|you\s+can\s+close\s+(?:the|this|my)\s+(?:ticket|request|case))";
static RESOLVED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(RESOLVED_PATTERN).expect("valid resolution pattern"));

/// A payment or order confirmed by the business or a payment system.
const CONFIRMED_PAYMENT_PATTERN: &str = r"(?i)оплат[а-я]*\s+(?:получен[аы]?|поступил[аи]?|прошл[аи]?|подтвержден[аы]?|зачислен[аы]?)|(?:получили|поступила)\s+(?:ваш[а-я]*\s+)?оплат|платеж[а-я]*\s+(?:получен|прош[её]л|принят|зачислен)|спасибо\s+за\s+оплату|payment\s+(?:received|confirmed|successful|completed|accepted)|received\s+your\s+payment|thank\s+you\s+for\s+your\s+payment";

/// An order placed or confirmed by the business.
const CONFIRMED_ORDER_PATTERN: &str = r"(?i)заказ[а-я]*(?:\s+№?\s*\S+)?\s+(?:оформлен|подтвержд[её]н|оплачен|принят|собран|отправлен|доставлен)|спасибо\s+за\s+(?:заказ|покупку)|order(?:\s+#?\S+)?\s+(?:is\s+|has\s+been\s+)?(?:confirmed|placed|paid|shipped)|thank\s+you\s+for\s+your\s+(?:order|purchase)";

/// The customer saying they paid (`я оплатил`, `I've paid`): the situation moved on, but we
/// still owe a confirmation.
const CLAIMED_PAYMENT_PATTERN: &str = r"(?i)(?:^|[^а-яa-z])(оплатил[аи]?|перев[её]л[аи]?\s+(?:деньги|оплату)|i(?:'ve|\s+have)?\s+(?:just\s+)?paid|payment\s+(?:sent|made))";
static CLAIMED_PAYMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(CLAIMED_PAYMENT_PATTERN).expect("valid claimed-payment pattern"));

/// A pattern without its leading boundary: it then starts with literal words, which lets the
/// regex engine skip most texts with a literal search; the exact patterns run on the rare hits.
fn loose(pattern: &str) -> String {
    pattern.replacen("(?:^|[^а-яa-z])", "", 1)
}

/// What only the customer's own messages can say (closure, a claimed payment): one pass over
/// an inbound text tells which of them can match at all.
static CUSTOMER_WORDS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([loose(RESOLVED_PATTERN), loose(CLAIMED_PAYMENT_PATTERN)])
        .expect("valid customer signal patterns")
});

/// A claimed payment, loosely (for inbound questions, where closure words do not count).
static CLAIMED_PAYMENT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&loose(CLAIMED_PAYMENT_PATTERN)).expect("valid claimed-payment pattern")
});

/// Confirmations, which count from us or a payment system: one pass tells which match.
static DEAL_WORDS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([CONFIRMED_PAYMENT_PATTERN, CONFIRMED_ORDER_PATTERN])
        .expect("valid confirmation patterns")
});

/// What a message says about the matter, as flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct Signals(pub u8);

impl Signals {
    /// The customer (or an explicit event) says the matter is closed.
    pub const RESOLVES: u8 = 1;
    /// An explicit event reopens the matter.
    pub const REOPENS: u8 = 2;
    /// A payment confirmed by the business, a payment system or an event.
    pub const PAYMENT: u8 = 4;
    /// An order placed or confirmed.
    pub const ORDER: u8 = 8;
    /// The customer says they paid.
    pub const CLAIMED_PAYMENT: u8 = 16;
    /// A synchronous contact (call, visit) that took place: both sides talked.
    pub const TALKED: u8 = 32;

    pub fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    /// A payment or order confirmation: the matter closed by a deal.
    pub fn confirms_deal(self) -> bool {
        self.has(Self::PAYMENT) || self.has(Self::ORDER)
    }
}

/// Reads the signals of a message: explicit `metadata.event`, the customer's resolution words,
/// confirmations, and whether a call or visit took place.
pub(crate) fn signals(message: &Message) -> Signals {
    let mut flags = 0u8;
    if let Some(event) = metadata_text(message, &["event", "conversation_event"]) {
        flags |= event_flags(&event);
    }
    let text = message.text.as_str();
    let inbound = message.direction == Direction::Inbound;
    // The customer quoting "payment received?" is not a confirmation; ours or a system's is.
    let confirms = message.direction == Direction::Outbound
        || matches!(&message.channel, Channel::Other(n) if n == "payment");
    if confirms && !text.is_empty() {
        let m = DEAL_WORDS.matches(text);
        if m.matched(0) {
            flags |= Signals::PAYMENT;
        }
        if m.matched(1) {
            flags |= Signals::ORDER;
        }
    }
    if inbound && !text.is_empty() {
        // Closure words in a question do not close anything.
        let (closure, claimed) = if text.contains('?') {
            (false, CLAIMED_PAYMENT_WORDS.is_match(text))
        } else {
            let m = CUSTOMER_WORDS.matches(text);
            (m.matched(0), m.matched(1))
        };
        if closure && resolves(text) {
            flags |= Signals::RESOLVES;
        }
        if claimed
            && flags & (Signals::PAYMENT | Signals::ORDER) == 0
            && CLAIMED_PAYMENT
                .find_iter(text)
                .any(|m| !negated(text, m.start()))
        {
            flags |= Signals::CLAIMED_PAYMENT;
        }
    }
    if matches!(message.channel, Channel::Voice | Channel::Visit) && !missed(message) {
        flags |= Signals::TALKED;
    }
    Signals(flags)
}

fn resolves(text: &str) -> bool {
    RESOLVED.find_iter(text).any(|m| !negated(text, m.start()))
}

/// Whether the words just before `at` negate what follows (`не получил`, `not`, `n't`).
fn negated(text: &str, at: usize) -> bool {
    // Only the last words count: lower-case the last few chars, not the whole text before.
    let before = text[..at].trim_end();
    let tail = before.char_indices().rev().nth(9).map_or(0, |(i, _)| i);
    let before = before[tail..].to_lowercase();
    before.ends_with(" не")
        || before == "не"
        || before.ends_with(" not")
        || before == "not"
        || before.ends_with("n't")
        || before.ends_with(" ещё не")
        || before.ends_with(" еще не")
}

/// Flags for an explicit event name in metadata.
fn event_flags(event: &str) -> u8 {
    match event
        .trim()
        .to_lowercase()
        .replace(['-', ' '], "_")
        .as_str()
    {
        "resolved" | "closed" | "ticket_closed" | "ticket_resolved" | "done" | "solved" => {
            Signals::RESOLVES
        }
        "reopened" | "ticket_reopened" | "reopen" => Signals::REOPENS,
        "payment" | "payment_received" | "paid" | "order_paid" | "payment_confirmed" => {
            Signals::PAYMENT
        }
        "order" | "order_created" | "order_placed" | "order_confirmed" => Signals::ORDER,
        _ => 0,
    }
}

/// Whether a call or visit did not take place (missed, busy, no answer).
fn missed(message: &Message) -> bool {
    metadata_text(message, &["call_status", "status", "disposition"]).is_some_and(|s| {
        let s = s.to_lowercase();
        [
            "miss",
            "no_answer",
            "noanswer",
            "no answer",
            "busy",
            "fail",
            "unanswered",
            "пропущ",
            "не дозв",
            "недозв",
            "cancel",
        ]
        .iter()
        .any(|w| s.contains(w))
    })
}

fn metadata_text(message: &Message, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match message.metadata.get(*k) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        _ => None,
    })
}

/// The order and ticket numbers a text mentions, as keys (`order:12345`, `ticket:A1234`), sorted
/// and without repeats. A number needs at least three characters; hyphens are dropped and
/// letters upper-cased so `A-1234` and `a1234` are the same order.
///
/// # Example
/// ```
/// use omni_core::thread::reference_keys;
///
/// assert_eq!(reference_keys("Где мой заказ №12345?"), ["order:12345"]);
/// assert_eq!(reference_keys("re order #A-1234 and тикет 5521"), ["order:A1234", "ticket:5521"]);
/// ```
pub fn reference_keys(text: &str) -> Vec<String> {
    if !text.bytes().any(|b| b.is_ascii_digit()) || !REFERENCE_WORD.is_match(text) {
        return Vec::new();
    }
    let mut keys: Vec<String> = REFERENCE
        .captures_iter(text)
        .filter_map(|c| {
            let (word, number) = (c.get(1)?, c.get(2)?);
            let glued_before = text[..word.start()]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            let glued_after = text[number.end()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
            if glued_before || glued_after {
                return None;
            }
            let word = word.as_str().to_lowercase();
            let kind = if word.starts_with("заказ") || word == "order" {
                "order"
            } else {
                "ticket"
            };
            let number: String = c
                .get(2)?
                .as_str()
                .chars()
                .filter(|&ch| ch != '-')
                .flat_map(char::to_uppercase)
                .collect();
            (number.chars().count() >= 3).then(|| format!("{kind}:{number}"))
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The start of a text as a topic line: its first non-empty line, at most `limit` characters,
/// and whether it was cut there (an ellipsis is due).
pub(crate) fn topic_line(text: &str, limit: usize) -> Option<(&str, bool)> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    match line.char_indices().nth(limit) {
        None => Some((line, false)),
        Some((end, _)) => Some((&line[..end], true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn msg(direction: Direction, channel: Channel, text: &str) -> Message {
        let mut m = Message::new(
            "m",
            channel,
            direction,
            chrono::Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap(),
        );
        m.text = text.into();
        m
    }

    #[test]
    fn order_and_ticket_numbers_in_both_languages() {
        for (text, want) in [
            ("Здравствуйте, заказ №12345 не пришёл", vec!["order:12345"]),
            ("по заказу 12345", vec!["order:12345"]),
            ("номер заказа: 12345", vec!["order:12345"]),
            ("номер заказа 12345", vec!["order:12345"]),
            ("order #A-1234 is late", vec!["order:A1234"]),
            ("Order no. 99812", vec!["order:99812"]),
            ("тикет 5521", vec!["ticket:5521"]),
            ("Ticket #5521 and ticket 5521", vec!["ticket:5521"]),
            ("заявка № 77-123", vec!["ticket:77123"]),
            ("заказ 12", vec![]),
            ("позвоните 8 912 345-67-89", vec![]),
            ("Your order will ship", vec![]),
            ("border 12345, reorder 777", vec![]),
            (
                "order 123 and order 456x, order 789",
                vec!["order:123", "order:789"],
            ),
        ] {
            assert_eq!(reference_keys(text), want, "{text}");
        }
    }

    #[test]
    fn the_customer_closing_the_matter() {
        let yes = [
            "Спасибо, получил!",
            "спасибо, всё получила",
            "Вопрос решён, спасибо",
            "Всё работает",
            "Thanks, that solved it.",
            "Problem solved",
            "it works now, thank you",
        ];
        for text in yes {
            let s = signals(&msg(Direction::Inbound, Channel::Whatsapp, text));
            assert!(s.has(Signals::RESOLVES), "{text}");
        }
        let no = [
            "Спасибо, но я не получил",
            "Спасибо, получил. А когда второй?",
            "спасибо",
            "Thanks! When will it arrive?",
            "that has not solved it",
            "it still doesn't work",
        ];
        for text in no {
            let s = signals(&msg(Direction::Inbound, Channel::Whatsapp, text));
            assert!(!s.has(Signals::RESOLVES), "{text}");
        }
        // Our own thanks never resolve on the customer's behalf.
        let ours = signals(&msg(
            Direction::Outbound,
            Channel::Whatsapp,
            "Спасибо, получил",
        ));
        assert!(!ours.has(Signals::RESOLVES));
    }

    #[test]
    fn confirmations_events_and_calls() {
        let s = signals(&msg(
            Direction::Outbound,
            Channel::Sms,
            "Оплата получена. Спасибо!",
        ));
        assert!(s.has(Signals::PAYMENT));
        let s = signals(&msg(
            Direction::Outbound,
            Channel::Email,
            "Your order #A-1234 has been confirmed",
        ));
        assert!(s.has(Signals::ORDER));
        let s = signals(&msg(
            Direction::Inbound,
            Channel::Whatsapp,
            "Я оплатил, проверьте",
        ));
        assert!(s.has(Signals::CLAIMED_PAYMENT) && !s.has(Signals::PAYMENT));
        let s = signals(&msg(
            Direction::Inbound,
            Channel::Whatsapp,
            "ещё не оплатил",
        ));
        assert!(!s.has(Signals::CLAIMED_PAYMENT));
        let mut e = msg(Direction::Outbound, Channel::Other("crm".into()), "");
        e.metadata.insert("event".into(), "ticket_closed".into());
        assert!(signals(&e).has(Signals::RESOLVES));
        let mut call = msg(Direction::Inbound, Channel::Voice, "");
        assert!(signals(&call).has(Signals::TALKED));
        call.metadata.insert("call_status".into(), "missed".into());
        assert!(!signals(&call).has(Signals::TALKED));
    }

    #[test]
    fn topic_lines_are_short() {
        assert_eq!(topic_line("\n  Привет  \nещё", 80), Some(("Привет", false)));
        assert_eq!(topic_line("abcdef", 3), Some(("abc", true)));
        assert_eq!(topic_line("  \n ", 3), None);
    }
}
