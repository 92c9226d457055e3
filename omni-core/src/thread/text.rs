//! What a message's text and metadata say for threading: order and ticket numbers it mentions,
//! and whether it closes the matter (the customer's thanks, a payment or order confirmation, an
//! explicit event), in Russian and English.

use crate::message::{Channel, Direction, Message};
use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, MatchKind, StartKind};
use regex::Regex;
use regex_syntax::hir::{Hir, HirKind};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// Order and ticket numbers: `заказ №12345`, `номер заказа 12345`, `order #A-1234`,
/// `тикет 5521`, `заявка № 77-123`, `ticket #5521`. Group 1 is the word, group 2 the number;
/// that neither runs into a neighbouring letter or digit is checked after the match (word
/// boundaries in the pattern would keep the regex engine off its fast path).
const REFERENCE_PATTERN: &str = r"(?i)(заказ[а-я]{0,2}|order|тикет[а-я]{0,2}|ticket|заявк[а-я]{0,2}|обращени[а-я]{0,2}|case|request)(?:\s+(?:number|no\.?|num\.?|номер|id))?\s*[:.]?\s*(?:№|#|n[o°]\.?)?\s*((?:[a-zа-я]{1,4}-?)?\d[\d-]{1,18}\d)";
static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(REFERENCE_PATTERN).expect("valid reference pattern"));

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

static CONFIRMED_PAYMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(CONFIRMED_PAYMENT_PATTERN).expect("valid confirmed-payment pattern")
});
static CONFIRMED_ORDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(CONFIRMED_ORDER_PATTERN).expect("valid confirmed-order pattern"));

/// Which of the patterns may match a text, as bits.
mod gate {
    pub const PAYMENT: u8 = 1;
    pub const ORDER: u8 = 2;
    pub const RESOLVED: u8 = 4;
    pub const CLAIMED: u8 = 8;
    pub const REFERENCE: u8 = 16;
    pub const ALL: u8 = 31;
}

/// The patterns behind the gates, with their bits.
const GATED: [(&str, u8); 5] = [
    (CONFIRMED_PAYMENT_PATTERN, gate::PAYMENT),
    (CONFIRMED_ORDER_PATTERN, gate::ORDER),
    (RESOLVED_PATTERN, gate::RESOLVED),
    (CLAIMED_PAYMENT_PATTERN, gate::CLAIMED),
    (REFERENCE_PATTERN, gate::REFERENCE),
];

/// A cheap necessary condition for each pattern: pieces of literal text (lower case) one of
/// which every match of the pattern contains, looked for in one pass over the text as
/// [`encode`] reads it. Most texts contain none and skip the patterns. The pieces are read off
/// the patterns themselves (see [`required`]), so they follow any change to the patterns.
struct Gates {
    /// All pieces of all patterns (matches reported overlapping, so no piece hides another).
    dfa: Option<aho_corasick::dfa::DFA>,
    /// Per piece: the bits of the patterns it belongs to.
    bits: Vec<u8>,
    /// The bits of patterns without pieces: always open.
    open: u8,
}

static GATES: LazyLock<Gates> = LazyLock::new(|| {
    let mut open = 0;
    let mut all: Vec<(Vec<u8>, u8)> = Vec::new();
    for (pattern, bit) in GATED {
        match pieces(pattern) {
            Some(pieces) => all.extend(pieces.into_iter().map(|p| (p, bit))),
            None => open |= bit,
        }
    }
    all.sort_unstable();
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    let mut bits: Vec<u8> = Vec::new();
    for (piece, bit) in all {
        if pieces.last() == Some(&piece) {
            *bits.last_mut().expect("pieces and bits go together") |= bit;
        } else {
            pieces.push(piece);
            bits.push(bit);
        }
    }
    match aho_corasick::dfa::DFA::builder()
        .match_kind(MatchKind::Standard)
        .start_kind(StartKind::Unanchored)
        .build(&pieces)
    {
        Ok(dfa) => Gates {
            dfa: Some(dfa),
            bits,
            open,
        },
        Err(_) => Gates {
            dfa: None,
            bits: Vec::new(),
            open: gate::ALL,
        },
    }
});

impl Gates {
    /// The bits of the patterns that may match `text`.
    fn of(&self, text: &str) -> u8 {
        let Some(dfa) = &self.dfa else {
            return gate::ALL;
        };
        let Ok(mut state) = dfa.start_state(Anchored::No) else {
            return gate::ALL;
        };
        let mut found = self.open;
        let encoded = encode(text, |code| {
            state = dfa.next_state(Anchored::No, state, code);
            if dfa.is_special(state) && dfa.is_match(state) {
                for i in 0..dfa.match_len(state) {
                    let piece = dfa.match_pattern(state, i).as_usize();
                    found |= self.bits.get(piece).copied().unwrap_or(gate::ALL);
                }
            }
        });
        if encoded {
            found
        } else {
            gate::ALL
        }
    }
}

/// The length of the UTF-8 sequence that starts with `lead` (not a continuation byte).
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        _ => 2,
    }
}

/// Whether the character of `len` bytes at `at` in `text` (outside ASCII and the Cyrillic
/// block) passes for a letter: see [`passes_for_letter`]. Also true where `at` is not a
/// character.
fn other_passes_for_letter(text: &str, at: usize, len: usize) -> bool {
    text.get(at..at + len)
        .and_then(|c| c.chars().next())
        .map_or(true, passes_for_letter)
}

/// The pieces of literal text one of which every match of `pattern` contains, as [`encode`]
/// gives them; `None` when there are none.
fn pieces(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let mut all: Vec<Vec<u8>> = Vec::new();
    for piece in literal_pieces(pattern)? {
        let mut codes = Vec::with_capacity(piece.len());
        if !encode(&piece, |code| codes.push(code)) {
            return None;
        }
        all.push(codes);
    }
    all.sort_unstable();
    all.dedup();
    (!all.is_empty() && all.iter().all(|p| !p.is_empty())).then_some(all)
}

/// The pieces of literal text one of which every match of `pattern` (case-insensitive as a
/// whole: `(?i)` in front) contains, in lower case as the pattern has them.
fn literal_pieces(pattern: &str) -> Option<Vec<String>> {
    let plain = pattern.strip_prefix("(?i)").unwrap_or(pattern);
    let hir = regex_syntax::Parser::new().parse(plain).ok()?;
    required(&hir)?
        .into_iter()
        .map(|p| String::from_utf8(p).ok())
        .collect()
}

/// Pieces of literal text one of which every match of `hir` contains; `None` when a match may
/// contain no literal text at all. Case-sensitive: see [`encode`] for why the pieces of a
/// pattern read without `(?i)` serve the case-insensitive pattern.
fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(vec![lit.0.to_vec()]),
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for alt in alts {
                all.extend(required(alt)?);
            }
            Some(all)
        }
        // Any part's pieces will do: the part whose shortest piece is longest, then the one of
        // fewest pieces, then the first.
        HirKind::Concat(parts) => {
            let score = |pieces: &Vec<Vec<u8>>| {
                let shortest = pieces.iter().map(Vec::len).min().unwrap_or(0);
                (shortest, std::cmp::Reverse(pieces.len()))
            };
            let mut best: Option<Vec<Vec<u8>>> = None;
            for pieces in parts.iter().filter_map(required) {
                if best.as_ref().map_or(true, |b| score(&pieces) > score(b)) {
                    best = Some(pieces);
                }
            }
            best
        }
        _ => None,
    }
}

/// The code of each character of `text` for the gates, one byte a character, handed to `emit`:
/// ASCII lower-cased (0x00 to 0x7F); U+0400 to U+047F with the capitals (U+0400 to U+042F)
/// lower-cased, as 0x80 plus the offset from U+0400 (0xB0 to 0xFF); any other character
/// [`OTHER`]. Returns false, having stopped, when `text` holds a character that a
/// case-insensitive pattern takes for an ASCII or Cyrillic letter although it is neither (`ſ`
/// for `s`, the Kelvin sign for `k`, the old Cyrillic letter forms of U+1C80 to U+1C88): then
/// the gates cannot say.
///
/// Why this is exact: on a text without such characters, a character matches a lower-case
/// ASCII or Cyrillic letter case-insensitively exactly when its code is that letter's code.
/// So where a case-insensitive pattern matches the text, the same pattern read
/// case-sensitively (its letters are lower case) matches the text with each character
/// replaced by the lower-case letter of its code, and that match contains one of the pieces
/// [`required`] found: its codes are in the codes of the text. (The test
/// `codes_agree_with_case_insensitive_matching` checks this against the regex engine.)
#[inline(always)]
fn encode(text: &str, mut emit: impl FnMut(u8)) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        let (code, len) = if x < 0x80 {
            (x.to_ascii_lowercase(), 1)
        } else if x == 0xD0 || x == 0xD1 {
            let y = b.get(i + 1).copied().unwrap_or(0);
            (CYRILLIC[usize::from(x & 1) << 6 | usize::from(y & 0x3F)], 2)
        } else {
            // The rest of the Cyrillic block has no letter that passes for another.
            let len = char_len(x);
            if !(0xD2..=0xD3).contains(&x) && other_passes_for_letter(text, i, len) {
                return false;
            }
            (OTHER, len)
        };
        emit(code);
        i += len;
    }
    true
}

/// The code of characters outside ASCII and U+0400 to U+047F (see [`encode`]).
const OTHER: u8 = 0x80;

/// The codes of U+0400 to U+047F (see [`encode`]).
const CYRILLIC: [u8; 128] = {
    let mut codes = [0u8; 128];
    let mut k = 0;
    while k < 128 {
        let folded = match k {
            0x00..=0x0F => k + 0x50,
            0x10..=0x2F => k + 0x20,
            _ => k,
        };
        codes[k] = 0x80 + folded as u8;
        k += 1;
    }
    codes
};

/// Whether `c`, outside ASCII and the Cyrillic block, matches an ASCII or Cyrillic letter
/// case-insensitively.
fn passes_for_letter(c: char) -> bool {
    matches!(c, '\u{017F}' | '\u{212A}' | '\u{1C80}'..='\u{1C88}')
}

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

/// The signals of `message` ([`signals`]) and the order and ticket keys of its text and
/// subject ([`reference_keys`], merged).
pub(crate) fn read(message: &Message) -> (Signals, Vec<String>) {
    let text = message.text.as_str();
    let gates = GATES.of(text);
    let signals = signals_of(message, gates);
    let mut keys = keys_of(text, gates);
    if let Some(subject) = &message.subject {
        keys.extend(keys_of(subject, GATES.of(subject)));
        keys.sort_unstable();
        keys.dedup();
    }
    (signals, keys)
}

/// Reads the signals of a message: explicit `metadata.event`, the customer's resolution words,
/// confirmations, and whether a call or visit took place.
#[cfg(test)]
pub(crate) fn signals(message: &Message) -> Signals {
    signals_of(message, GATES.of(&message.text))
}

/// [`signals`] given the [`gate`]s open for the message's text.
fn signals_of(message: &Message, gates: u8) -> Signals {
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
        if gates & gate::PAYMENT != 0 && CONFIRMED_PAYMENT.is_match(text) {
            flags |= Signals::PAYMENT;
        }
        if gates & gate::ORDER != 0 && CONFIRMED_ORDER.is_match(text) {
            flags |= Signals::ORDER;
        }
    }
    if inbound && !text.is_empty() {
        // Closure words in a question do not close anything.
        if gates & gate::RESOLVED != 0 && !text.contains('?') && resolves(text) {
            flags |= Signals::RESOLVES;
        }
        if gates & gate::CLAIMED != 0
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
    keys_of(text, GATES.of(text))
}

/// [`reference_keys`] given the [`gate`]s open for `text`.
fn keys_of(text: &str, gates: u8) -> Vec<String> {
    if gates & gate::REFERENCE == 0 || !text.bytes().any(|b| b.is_ascii_digit()) {
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
    let line = text
        .lines()
        .map(super::record::trim)
        .find(|l| !l.is_empty())?;
    // No more chars than bytes.
    if line.len() <= limit {
        return Some((line, false));
    }
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

    fn pieces_of(pattern: &str) -> Vec<String> {
        literal_pieces(pattern).expect("every gated pattern needs literal text")
    }

    /// The code of one character, if it has one.
    fn code(c: char) -> Option<u8> {
        let mut codes = Vec::new();
        encode(&c.to_string(), |code| codes.push(code)).then(|| codes[0])
    }

    /// The gated patterns, compiled.
    static GATED_REGEXES: LazyLock<Vec<(Regex, u8)>> = LazyLock::new(|| {
        GATED
            .iter()
            .map(|&(p, bit)| (Regex::new(p).unwrap(), bit))
            .collect()
    });

    #[test]
    fn prefilter_pieces() {
        for (pattern, _) in GATED {
            let pieces = pieces_of(pattern);
            assert!(pieces.iter().all(|p| p.chars().count() >= 3), "{pieces:?}");
        }
    }

    #[test]
    fn codes_agree_with_case_insensitive_matching() {
        // Every character of the pieces, each a class of its own under case folding.
        let mut alphabet: Vec<char> = GATED
            .iter()
            .flat_map(|(p, _)| pieces_of(p))
            .flat_map(|p| p.chars().collect::<Vec<_>>())
            .collect();
        alphabet.sort_unstable();
        alphabet.dedup();
        let same = |a: char, b: char| {
            Regex::new(&format!("(?i)^{}$", regex::escape(&a.to_string())))
                .unwrap()
                .is_match(&b.to_string())
        };
        for &a in &alphabet {
            for &b in &alphabet {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
        }
        let codes: Vec<(char, u8)> = alphabet
            .iter()
            .map(|&p| (p, code(p).expect("pieces have codes")))
            .collect();
        let class: String = alphabet
            .iter()
            .map(|c| regex::escape(&c.to_string()))
            .collect();
        let any = Regex::new(&format!("(?i)^[{class}]$")).unwrap();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let Some(k) = code(c) else {
                assert!(passes_for_letter(c), "{c:?}");
                continue;
            };
            // The letters of the pieces with the same code as `c`: exactly the one `c` matches.
            let hits: Vec<char> = codes.iter().filter(|x| x.1 == k).map(|x| x.0).collect();
            if any.is_match(&c.to_string()) {
                assert!(hits.len() == 1 && same(hits[0], c), "{c:?}: {hits:?}");
            } else {
                assert!(hits.is_empty(), "{c:?}: {hits:?}");
            }
        }
    }

    /// Texts made of the patterns' words and pieces of words in any case, letters that pass
    /// for others under case folding, numbers, punctuation and questions.
    fn wordy_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let mut words: Vec<String> = GATED.iter().flat_map(|(p, _)| pieces_of(p)).collect();
        words.extend(
            [
                "спасибо за",
                "вопрос решён",
                "всё работает",
                "не актуально",
                "можно закрывать",
                "that solved it",
                "problem has been solved",
                "got it, thanks",
                "i've just paid",
                "перевела деньги",
                "оплата получена",
                "получили вашу оплату",
                "платежи прошёл",
                "заказ №12345 оформлен",
                "order #A-1234 has been shipped",
                "thank you for your order",
                "номер заказа: 12345",
                "ticket no. 5521",
                "заявка № 77-123",
                "не",
                "not",
                "ещё не",
                "ſolved",
                "\u{212A}",
                "\u{1C83}пасибо",
                "№",
                "#",
                "?",
                ",",
                ".",
                "!",
                "\n",
                "12345",
                "A-1234",
                "😀",
                "ё",
                "Ё",
            ]
            .map(String::from),
        );
        let word = proptest::sample::select(words).prop_flat_map(|w| {
            let n = w.chars().count();
            (
                Just(w),
                proptest::collection::vec(any::<bool>(), n),
                0..=n,
                0..=n,
            )
                .prop_map(move |(w, upper, a, b)| {
                    let (a, b) = (a.min(b), a.max(b));
                    // Random case, sometimes only part of the word.
                    let chars: Vec<char> = w
                        .chars()
                        .zip(upper)
                        .flat_map(|(c, up)| {
                            if up {
                                c.to_uppercase().collect::<Vec<_>>()
                            } else {
                                vec![c]
                            }
                        })
                        .collect();
                    if a == 0 || b == n {
                        chars.into_iter().collect::<String>()
                    } else {
                        chars[a.min(chars.len())..b.min(chars.len())]
                            .iter()
                            .collect()
                    }
                })
        });
        let sep = proptest::sample::select(vec![" ", "", ", ", "  ", "\n", "-", "x"]);
        proptest::collection::vec((word, sep), 0..8)
            .prop_map(|parts| parts.into_iter().map(|(w, s)| w + s).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn prefilters_change_no_result(text in wordy_text()) {
            let gates = GATES.of(&text);
            for direction in [Direction::Inbound, Direction::Outbound] {
                let m = msg(direction, Channel::Whatsapp, &text);
                proptest::prop_assert_eq!(signals_of(&m, gates), signals_of(&m, gate::ALL));
            }
            proptest::prop_assert_eq!(keys_of(&text, gates), keys_of(&text, gate::ALL));
        }

        #[test]
        fn the_pieces_are_in_every_match(text in wordy_text()) {
            let gates = GATES.of(&text);
            for (regex, bit) in GATED_REGEXES.iter() {
                if regex.is_match(&text) {
                    proptest::prop_assert!(gates & bit != 0, "{:?}", regex.as_str());
                }
            }
        }
    }

    #[test]
    fn topic_lines_are_short() {
        assert_eq!(topic_line("\n  Привет  \nещё", 80), Some(("Привет", false)));
        assert_eq!(topic_line("abcdef", 3), Some(("abc", true)));
        assert_eq!(topic_line("  \n ", 3), None);
    }
}
