//! What triage reads from one message: the document (text, subject, form fields) cut to a
//! bounded prefix, its tokens, the lexicon cues, money, quantities and contacts; and the hashed
//! features the linear model scores.
//!
//! Features are hashed into `2^hash_bits` buckets: context (`ch=whatsapp`, `known`, `call=missed`,
//! form field names), cues (`cue=price`), shape (links, shouting, emoji only, length), skeleton
//! words, word pairs and character n-grams of words (which survive typos and endings). Text
//! features are scaled by `1/sqrt(n)` so long and short messages weigh alike.

use super::lexicon::{lexicon, Cue, Hit};
use super::text::{normalize, Normalized, TokenClass};
use super::{ClassifyView, Intent, MAX_CLASSIFY_FIELDS, MAX_CLASSIFY_SUBJECT, MAX_CLASSIFY_TEXT};
use crate::ident::ContactExtractor;
use crate::message::Direction;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// How text becomes features; stored in a model so that it is read the way it was trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FeatureConfig {
    pub hash_bits: u8,
    pub char_min: u8,
    pub char_max: u8,
    pub word_pairs: bool,
}

/// A contact with where it was found.
#[derive(Clone)]
pub(crate) struct SourcedContact {
    pub source: String,
    pub contact: crate::FoundContact,
}

/// Everything read from one message before any decision.
#[derive(Clone)]
pub(crate) struct Analysis {
    /// The classified document: text prefix, subject, form fields, joined by newlines.
    pub doc: String,
    pub norm: Normalized,
    pub hits: Vec<Hit>,
    pub contacts: Vec<SourcedContact>,
    /// Spans in `doc` of money amounts and of quantities.
    pub money: Vec<Range<usize>>,
    pub quantities: Vec<Range<usize>>,
    pub truncated: bool,
    /// The message is nothing but an opt-out keyword (`STOP`, `стоп`, `отписаться`).
    pub opt_out_keyword: Option<Range<usize>>,
    /// Every word is a test word (`test`, `asdf`, `тест`), or the only contact is a test one.
    pub test_only: bool,
    pub links: u32,
    pub words: u32,
}

fn cut(text: &str, limit: usize) -> (&str, bool) {
    if text.len() <= limit {
        return (text, false);
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// Drops quoted lines (`> ...`) and everything after a reply header (`On ... wrote:`,
/// `... пишет:`, `-----Original Message-----`), so a reply is judged by what the customer wrote.
fn strip_quoted(text: &str) -> Cow<'_, str> {
    let markers = [
        "\n>",
        "wrote:",
        "пишет:",
        "написал:",
        "написала:",
        "Original Message",
        "Исходное сообщение",
        "Пересылаемое сообщение",
    ];
    // Every marker has a `>`, a `:` or a run of dashes around it; most messages have none.
    if !text.bytes().any(|b| matches!(b, b'>' | b':' | b'-')) {
        return Cow::Borrowed(text);
    }
    if !text.starts_with('>') && !markers.iter().any(|m| text.contains(m)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim();
        let header = (t.ends_with("wrote:")
            || t.ends_with("пишет:")
            || t.ends_with("написал:")
            || t.ends_with("написала:"))
            && t.len() > 8;
        if header
            || t.contains("Original Message")
            || t.contains("Исходное сообщение")
            || t.contains("Пересылаемое сообщение")
        {
            break;
        }
        if t.starts_with('>') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if out.trim().is_empty() {
        // Nothing but a quote: keep it rather than classify nothing.
        return Cow::Borrowed(text);
    }
    Cow::Owned(out)
}

const OPT_OUT_KEYWORDS: &[&str] = &[
    "stop",
    "stop all",
    "stopall",
    "unsubscribe",
    "stop stop",
    "stop pls",
    "stop please",
    "please stop",
    "стоп",
    "стоп стоп",
    "отписаться",
    "отписка",
    "отпишите",
    "хватит",
    "opt out",
    "optout",
    "remove",
    "отмена рассылки",
    "стоп рассылка",
];

/// SMS keywords that opt out only on SMS (elsewhere `cancel` is about an order).
const SMS_OPT_OUT_KEYWORDS: &[&str] = &["cancel", "end", "quit", "отмена", "stop2"];

/// Reads one message.
pub(crate) fn analyze(view: &ClassifyView<'_>, extractor: &ContactExtractor) -> Analysis {
    let (text, text_cut) = cut(view.text, MAX_CLASSIFY_TEXT);
    let body = strip_quoted(text);
    let mut truncated = text_cut;
    let mut doc = String::with_capacity(body.len() + 64);
    doc.push_str(&body);
    if let Some(subject) = view.subject {
        let (s, c) = cut(subject, MAX_CLASSIFY_SUBJECT);
        truncated |= c;
        doc.push('\n');
        doc.push_str(s);
    }
    let mut field_budget = MAX_CLASSIFY_FIELDS;
    let mut fields: Vec<(&str, &str)> = Vec::new();
    for (name, value) in view.form_fields {
        let need = name.len() + value.len() + 3;
        if need > field_budget {
            truncated = true;
            break;
        }
        field_budget -= need;
        fields.push((name, value));
        doc.push('\n');
        doc.push_str(name);
        doc.push_str(": ");
        doc.push_str(value);
    }
    let norm = normalize(&doc);
    let hits = lexicon().find(&norm.skeleton);

    // Contacts: in the text (offsets into the text), the subject, and each form field.
    let mut contacts: Vec<SourcedContact> = extract_if_possible(extractor, text)
        .into_iter()
        .map(|c| SourcedContact {
            source: "text".into(),
            contact: c,
        })
        .collect();
    if let Some(subject) = view.subject {
        let (s, _) = cut(subject, MAX_CLASSIFY_SUBJECT);
        contacts.extend(
            extract_if_possible(extractor, s)
                .into_iter()
                .map(|c| SourcedContact {
                    source: "subject".into(),
                    contact: c,
                }),
        );
    }
    for (name, value) in &fields {
        // The field name is a label the extractor understands (`phone: 8912...`).
        let labelled = format!("{name}: {value}");
        let shift = name.len() + 2;
        for mut c in extractor.extract(&labelled) {
            if c.start < shift {
                continue;
            }
            c.start -= shift;
            c.end -= shift;
            contacts.push(SourcedContact {
                source: format!("form_fields.{name}"),
                contact: c,
            });
        }
    }

    let (money, quantities) = amounts(&norm, &hits, &doc);
    let words = norm
        .tokens
        .iter()
        .filter(|t| t.class == TokenClass::Word)
        .count() as u32;
    let links = norm
        .tokens
        .iter()
        .filter(|t| t.class == TokenClass::Url)
        .count() as u32;
    let opt_out_keyword = opt_out_keyword(view, text, &norm);
    let test_only = is_test_only(&norm, &hits, &contacts);
    Analysis {
        doc,
        norm,
        hits,
        contacts,
        money,
        quantities,
        truncated,
        opt_out_keyword,
        test_only,
        links,
        words,
    }
}

/// Contacts in `text`, skipping the extractor for texts that cannot hold one: every phone,
/// email, link and labelled handle it finds needs a digit, `@`, `/`, `:` or a dash, and most
/// chat messages have none of these.
fn extract_if_possible(extractor: &ContactExtractor, text: &str) -> Vec<crate::FoundContact> {
    let possible = text
        .bytes()
        .any(|b| b.is_ascii_digit() || matches!(b, b'@' | b'/' | b':' | b'-'))
        || text.contains(['–', '—', '＠', '：']);
    if possible {
        extractor.extract(text)
    } else {
        Vec::new()
    }
}

/// The span of the text when the whole message is an opt-out keyword.
fn opt_out_keyword(view: &ClassifyView<'_>, text: &str, norm: &Normalized) -> Option<Range<usize>> {
    let trimmed = text.trim_matches(|c: char| {
        c.is_whitespace() || c.is_ascii_punctuation() || matches!(c, '«' | '»' | '…' | '—')
    });
    if trimmed.is_empty() || trimmed.len() > 40 {
        return None;
    }
    static KEYWORDS: LazyLock<(Vec<String>, Vec<String>)> = LazyLock::new(|| {
        let skel = |list: &[&str]| list.iter().map(|k| super::text::skeleton_of(k)).collect();
        (skel(OPT_OUT_KEYWORDS), skel(SMS_OPT_OUT_KEYWORDS))
    });
    // The words of the text (the document starts with it), as one skeleton.
    let start = text.find(trimmed).unwrap_or(0);
    let end = start + trimmed.len();
    let mut skel = String::with_capacity(trimmed.len());
    for (i, t) in norm.tokens.iter().enumerate() {
        if t.orig.start >= end {
            break;
        }
        if t.class == TokenClass::Word {
            if !skel.is_empty() {
                skel.push(' ');
            }
            skel.push_str(norm.skel(i));
        }
    }
    let (any, sms_only) = &*KEYWORDS;
    let sms = *view.channel == crate::message::Channel::Sms;
    if any.contains(&skel) || (sms && sms_only.contains(&skel)) {
        Some(start..end)
    } else {
        None
    }
}

/// A submission made of test words only (`test`, `asdf`, `тест тест`), or whose only contact is
/// a test address (`test@test.com`).
fn is_test_only(norm: &Normalized, hits: &[Hit], contacts: &[SourcedContact]) -> bool {
    let test_email = contacts.iter().any(|c| {
        let v = c.contact.value.as_str();
        let (local, domain) = v.split_once('@').unwrap_or((v, ""));
        c.contact.kind == crate::IdentifierKind::Email
            && (matches!(
                local,
                "test" | "tests" | "asdf" | "qwerty" | "tst" | "testing"
            ) || domain.starts_with("test.")
                || domain.starts_with("asdf."))
    });
    let mut covered = vec![false; norm.tokens.len()];
    for h in hits.iter().filter(|h| h.cue == Cue::Test) {
        let a = norm.token_at(h.start);
        let b = norm.token_at(h.end.saturating_sub(1));
        for c in covered.iter_mut().take(b + 1).skip(a) {
            *c = true;
        }
    }
    let mut content = 0;
    let mut tests = 0;
    for (i, t) in norm.tokens.iter().enumerate() {
        if t.class != TokenClass::Word {
            continue;
        }
        let s = norm.skel(i);
        // Field names of a web form are not content.
        if matches!(
            s,
            "name"
                | "imya"
                | "phone"
                | "telefon"
                | "email"
                | "e"
                | "mail"
                | "comment"
                | "kommentarii"
                | "message"
                | "soobshenie"
                | "pochta"
                | "tel"
                | "fio"
        ) {
            continue;
        }
        content += 1;
        if covered[i] || is_keyboard_mash(s) {
            tests += 1;
        }
    }
    (content > 0 && tests == content) || (test_email && tests * 2 >= content)
}

/// Letters typed along a keyboard row (`asdfgh`, `sdfsdf`, `ывапр`), not a word.
fn is_keyboard_mash(skel: &str) -> bool {
    const ROWS: &[&str] = &[
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
        "icukengshshzh",
        "fyvaproldzhe",
        "yachsmitbyu",
    ];
    // For each lower-case ASCII letter, the letters typed right after it on a row.
    static NEXT: LazyLock<[u32; 26]> = LazyLock::new(|| {
        let mut next = [0u32; 26];
        for row in ROWS {
            for p in row.as_bytes().windows(2) {
                next[(p[0] - b'a') as usize] |= 1 << (p[1] - b'a');
            }
        }
        next
    });
    if skel.len() < 4 || !skel.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let b = skel.as_bytes();
    let mut run = 1;
    let mut best = 1;
    for w in b.windows(2) {
        let adjacent = NEXT[(w[0] - b'a') as usize] & (1 << (w[1] - b'a')) != 0;
        run = if adjacent { run + 1 } else { 1 };
        best = best.max(run);
    }
    // Or the same short chunk typed twice (`sdfsdf`, `asdasd`).
    let half = b.len() / 2;
    let doubled = b.len() >= 6 && b.len() % 2 == 0 && b[..half] == b[half..];
    best >= 4 || (doubled && !b.iter().any(|c| b"aeiou".contains(c)))
}

/// Money amounts (a number next to a currency word or sign, or after `бюджет`) and quantities
/// (a number before a unit, or a bulk word), as spans of `doc`.
fn amounts(norm: &Normalized, hits: &[Hit], doc: &str) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let _ = doc;
    let mut money = Vec::new();
    let mut quantities = Vec::new();
    let n = norm.tokens.len();
    let cue_at = |i: usize, cue: Cue| -> bool {
        let t = &norm.tokens[i];
        hits.iter()
            .any(|h| h.cue == cue && h.start == t.skel.start && h.end >= t.skel.end)
    };
    let mut i = 0;
    while i < n {
        let t = &norm.tokens[i];
        if t.class != TokenClass::Number {
            i += 1;
            continue;
        }
        // A number may be written in groups: `1 500 000`.
        let mut j = i;
        while j + 1 < n
            && norm.tokens[j + 1].class == TokenClass::Number
            && norm.skel(j + 1) == "999"
            && norm.tokens[j + 1].orig.end - norm.tokens[j + 1].orig.start == 3
            && doc[norm.tokens[j].orig.end..norm.tokens[j + 1].orig.start]
                .chars()
                .all(|c| c == ' ' || c == '\u{a0}' || c == '\u{202f}')
        {
            j += 1;
        }
        let span = norm.tokens[i].orig.start..norm.tokens[j].orig.end;
        let before_currency = i > 0
            && (cue_at(i - 1, Cue::Currency)
                || norm.tokens[i - 1].class == TokenClass::Mark
                    && matches!(norm.skel(i - 1), "$" | "€" | "£" | "₽" | "₸"));
        let after_currency = j + 1 < n && cue_at(j + 1, Cue::Currency);
        let after_unit = j + 1 < n && cue_at(j + 1, Cue::Unit);
        if before_currency || after_currency {
            let end = if after_currency {
                norm.tokens[j + 1].orig.end
            } else {
                span.end
            };
            let start = if before_currency && !after_currency {
                norm.tokens[i - 1].orig.start
            } else {
                span.start
            };
            money.push(start..end);
        } else if after_unit {
            let value = norm.tokens[i].value.unwrap_or(0.0);
            if value >= 2.0 || norm.tokens[i].value.is_none() {
                quantities.push(span.start..norm.tokens[j + 1].orig.end);
            }
        }
        i = j + 1;
    }
    for h in hits.iter().filter(|h| h.cue == Cue::Bulk) {
        let a = norm.token_at(h.start);
        let b = norm.token_at(h.end.saturating_sub(1));
        if b < n {
            quantities.push(norm.tokens[a].orig.start..norm.tokens[b].orig.end);
        }
    }
    (money, quantities)
}

/// A 64-bit hash of `bytes` in namespace `ns` (FNV-1a, then a final mix).
fn hash(ns: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ ns.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// [`hash`] of the concatenation of `a` and `b`.
fn hash2(ns: u64, a: &[u8], b: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ ns.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &x in a.iter().chain(b) {
        h ^= x as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// The length of a message in words, as a bucket name.
fn length_bucket(words: u32) -> &'static str {
    match words {
        0 => "len=0",
        1 => "len=1",
        2..=3 => "len=2-3",
        4..=8 => "len=4-8",
        9..=20 => "len=9-20",
        21..=60 => "len=21-60",
        _ => "len=61+",
    }
}

/// The name of a cue as a feature and in signals.
pub(crate) fn cue_name(cue: Cue) -> &'static str {
    match cue {
        Cue::Intent(i) => i.name(),
        Cue::OptOut => "opt_out",
        Cue::AutoReply => "auto_reply",
        Cue::Spam => "spam",
        Cue::Test => "test",
        Cue::Urgency => "urgency",
        Cue::Bulk => "bulk",
        Cue::Unit => "unit",
        Cue::Currency => "currency",
        Cue::Block => "block",
        Cue::Channel(_) => "channel",
    }
}

/// Whether a call status means nobody answered (missed, busy, no answer, voicemail).
pub(crate) fn is_missed_call(status: &str) -> bool {
    let s = status.trim().to_lowercase().replace(['-', ' '], "_");
    matches!(
        s.as_str(),
        "missed"
            | "no_answer"
            | "noanswer"
            | "not_answered"
            | "unanswered"
            | "busy"
            | "failed"
            | "abandoned"
            | "cancelled"
            | "canceled"
            | "declined"
            | "voicemail"
            | "пропущен"
            | "пропущенный"
            | "недозвон"
            | "не_отвечен"
    )
}

/// Hashed features of an analysed message.
pub(crate) struct Features {
    pub buckets: Vec<(u32, f32)>,
}

impl FeatureConfig {
    /// The features of `a`, as (bucket, value) pairs.
    pub(crate) fn features(&self, view: &ClassifyView<'_>, a: &Analysis) -> Features {
        self.features_at(view, a).0
    }

    /// The features of `a` from a stranger (`view` says neither known customer nor open
    /// conversation) and from a known customer, computed once: the two differ only in the one
    /// context feature at the same place, so the model sums them in the same order.
    pub(crate) fn features_both(
        &self,
        view: &ClassifyView<'_>,
        a: &Analysis,
    ) -> (Features, Features) {
        debug_assert!(!view.known_customer && !view.open_conversation);
        let (stranger, at) = self.features_at(view, a);
        let mut known = Features {
            buckets: stranger.buckets.clone(),
        };
        let mask = (1u64 << self.hash_bits) - 1;
        known.buckets[at] = ((hash(1, b"known") & mask) as u32, 1.0);
        (stranger, known)
    }

    /// The features and where the known/open/stranger context feature went.
    fn features_at(&self, view: &ClassifyView<'_>, a: &Analysis) -> (Features, usize) {
        let mask = (1u64 << self.hash_bits) - 1;
        let mut out: Vec<(u32, f32)> = Vec::with_capacity(a.norm.skeleton.len() * 2 + 32);
        let ctx = |name: &str, out: &mut Vec<(u32, f32)>| {
            out.push(((hash(1, name.as_bytes()) & mask) as u32, 1.0));
        };
        // `prefix` and `name` hashed as one string, without building it.
        let ctx2 = |prefix: &str, name: &str, out: &mut Vec<(u32, f32)>| {
            out.push((
                (hash2(1, prefix.as_bytes(), name.as_bytes()) & mask) as u32,
                1.0,
            ));
        };
        ctx("bias", &mut out);
        ctx2("ch=", view.channel.name(), &mut out);
        ctx(
            if view.direction == Direction::Outbound {
                "dir=out"
            } else {
                "dir=in"
            },
            &mut out,
        );
        let context_at = out.len();
        if view.known_customer {
            ctx("known", &mut out);
        }
        if view.open_conversation {
            ctx("open", &mut out);
        }
        if !view.known_customer && !view.open_conversation {
            ctx("stranger", &mut out);
        }
        if let Some(status) = view.call_status {
            ctx(
                if is_missed_call(status) {
                    "call=missed"
                } else {
                    "call=answered"
                },
                &mut out,
            );
        }
        if let Some(d) = view.duration_s {
            ctx(
                match d {
                    d if d < 5.0 => "dur<5",
                    d if d < 30.0 => "dur<30",
                    d if d < 120.0 => "dur<120",
                    _ => "dur>=120",
                },
                &mut out,
            );
        }
        if view.subject.is_some_and(|s| !s.trim().is_empty()) {
            ctx("subject", &mut out);
        }
        if !view.form_fields.is_empty() {
            ctx("form", &mut out);
            for name in view.form_fields.keys().take(32) {
                let lower = name.trim().to_lowercase();
                ctx2("field=", &lower, &mut out);
            }
        }
        ctx(length_bucket(a.words), &mut out);
        let mut seen_cues: Vec<Cue> = Vec::new();
        for h in &a.hits {
            let c = match h.cue {
                Cue::Channel(_) | Cue::Unit | Cue::Currency => continue,
                c => c,
            };
            if !seen_cues.contains(&c) {
                seen_cues.push(c);
                ctx2("cue=", cue_name(c), &mut out);
            }
        }
        if seen_cues.len() >= 2 {
            ctx("cues>=2", &mut out);
        }
        if seen_cues
            .iter()
            .all(|c| *c == Cue::Intent(Intent::Greeting))
            && !seen_cues.is_empty()
        {
            ctx("cues=greeting_only", &mut out);
        }
        for c in &a.contacts {
            ctx2("contact=", c.contact.kind.name(), &mut out);
        }
        if !a.contacts.is_empty() {
            ctx("contact", &mut out);
        }
        if !a.money.is_empty() {
            ctx("money", &mut out);
        }
        if !a.quantities.is_empty() {
            ctx("quantity", &mut out);
        }
        if a.links > 0 {
            ctx("link", &mut out);
        }
        if a.links > 1 {
            ctx("links>1", &mut out);
        }
        if a.test_only {
            ctx("test_only", &mut out);
        }
        if a.opt_out_keyword.is_some() {
            ctx("opt_out_keyword", &mut out);
        }
        if a.norm.mixed_script_words > 0 {
            ctx("mixed_script", &mut out);
        }
        if a.norm.letters >= 12 && a.norm.upper_letters * 10 >= a.norm.letters * 7 {
            ctx("shouting", &mut out);
        }
        let emoji = a
            .norm
            .tokens
            .iter()
            .filter(|t| t.class == TokenClass::Emoji)
            .count();
        if emoji > 0 && a.words == 0 {
            ctx("emoji_only", &mut out);
        }
        if a.norm.tokens.is_empty() {
            ctx("empty", &mut out);
        }

        // Text features: words, word pairs, character n-grams of words.
        let first_text = out.len();
        let tokens = &a.norm.tokens;
        let mut prev: Option<u64> = None;
        for (i, t) in tokens.iter().enumerate() {
            let s = a.norm.skel(i);
            let hw = hash(2, s.as_bytes());
            out.push(((hw & mask) as u32, 1.0));
            if self.word_pairs {
                if let Some(p) = prev {
                    let pair = hash(3, &(p ^ hw.rotate_left(17)).to_le_bytes());
                    out.push(((pair & mask) as u32, 1.0));
                }
                prev = Some(hw);
            }
            if t.class == TokenClass::Word && self.char_max >= self.char_min && self.char_min > 0 {
                let b = s.as_bytes();
                // `^word$`, byte n-grams.
                let mut framed = [0u8; 34];
                let len = b.len().min(32);
                framed[0] = b'^';
                framed[1..=len].copy_from_slice(&b[..len]);
                framed[len + 1] = b'$';
                let framed = &framed[..len + 2];
                for n in self.char_min as usize..=self.char_max as usize {
                    if framed.len() < n {
                        break;
                    }
                    for w in framed.windows(n) {
                        let h = hash(4 + n as u64, w);
                        out.push(((h & mask) as u32, 1.0));
                    }
                }
            }
        }
        let n_text = out.len() - first_text;
        if n_text > 0 {
            let scale = 1.0 / (n_text as f32).sqrt();
            for f in &mut out[first_text..] {
                f.1 = scale * 2.0;
            }
        }
        (Features { buckets: out }, context_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_replies_are_dropped() {
        let text = "Отпишите меня\n\n12.05.2024, 10:30, ООО Ромашка пишет:\n> Скидки до 50%! Купите сейчас";
        assert_eq!(strip_quoted(text).trim(), "Отпишите меня");
        let text = "Thanks, received.\n> Your order has shipped";
        assert_eq!(strip_quoted(text).trim(), "Thanks, received.");
        assert_eq!(strip_quoted("> only a quote"), "> only a quote");
    }

    #[test]
    fn keyboard_mashes_are_told_from_words() {
        for mash in ["asdfgh", "sdfsdf", "qwerty", "zxcvb"] {
            assert!(is_keyboard_mash(mash), "{mash}");
        }
        for word in ["price", "kupit", "hochu", "dostavka", "sweater", "tasty"] {
            assert!(!is_keyboard_mash(word), "{word}");
        }
    }

    #[test]
    fn missed_call_statuses() {
        for s in [
            "missed",
            "NO_ANSWER",
            "no-answer",
            "busy",
            "voicemail",
            "пропущенный",
        ] {
            assert!(is_missed_call(s), "{s}");
        }
        for s in ["answered", "completed", ""] {
            assert!(!is_missed_call(s), "{s}");
        }
    }
}
