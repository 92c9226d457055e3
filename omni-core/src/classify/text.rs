//! Text normalisation for triage: tokens in one script-neutral "skeleton" form, with their
//! spans in the original text.
//!
//! Russian is written in Cyrillic, in Latin transliteration (`hochu kupit`, `xochu`, `ho4u`) and
//! with Latin look-alike letters mixed in (`цeнa` with a Latin `e`). To make all of these one
//! feature, every word goes through: NFKC, lower case (`ß` -> `ss`, `ё` -> `е`), look-alike
//! Latin letters inside Cyrillic words read as Cyrillic, Cyrillic transliterated to Latin, then
//! one canonical Latin spelling for the letters transliterations disagree on (`x`/`kh` -> `h`,
//! `sch`/`shch` -> `sh`, `ja` -> `ya`, `j` -> `zh`, a `y` after a vowel -> `i`, a leading
//! `ts` -> `c`, a `4` inside a word -> `ch`). `хочу купить`, `hochu kupit'` and `xo4u kupit`
//! all become `hochu kupit`. English goes through the same rules, consistently, so features
//! stay comparable; nobody sees the skeleton: signals quote the original text.
//!
//! Numbers become shape tokens (`9`, `99`, `999`, `9999`, `99999` by length), URLs `_url_`,
//! emails `_email_`; emoji, `?`, `!`, `!!` and `))` are tokens of their own.

use std::ops::Range;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenClass {
    /// Letters (possibly with digits inside).
    Word,
    /// Digits only (possibly with `.`/`,` inside).
    Number,
    /// A pictograph.
    Emoji,
    /// `?`, `!`, `!!`, `))`, a currency sign.
    Mark,
    /// A URL or link.
    Url,
    /// An email address.
    Email,
}

/// One token: its skeleton (a range into [`Normalized::skeleton`]) and where it stood in the
/// original text.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub skel: Range<usize>,
    pub orig: Range<usize>,
    pub class: TokenClass,
    /// For numbers: the value when it parses (grouping and decimal comma allowed).
    pub value: Option<f64>,
}

/// A text as tokens. `skeleton` is the tokens joined by single spaces, with a space before the
/// first and after the last, so that lexicon patterns can anchor on word starts and ends.
#[derive(Clone, Debug, Default)]
pub(crate) struct Normalized {
    pub skeleton: String,
    pub tokens: Vec<Token>,
    /// Words that mixed Cyrillic and Latin letters (a spam trick, or a typo).
    pub mixed_script_words: u32,
    /// Letters in upper case and in total (of the original), for shouting.
    pub upper_letters: u32,
    pub letters: u32,
}

impl Normalized {
    /// The skeleton of token `i`.
    pub fn skel(&self, i: usize) -> &str {
        &self.skeleton[self.tokens[i].skel.clone()]
    }

    /// The index of the token whose skeleton contains byte `pos` of the skeleton (or the next
    /// token when `pos` is a space).
    pub fn token_at(&self, pos: usize) -> usize {
        self.tokens.partition_point(|t| t.skel.end <= pos)
    }
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2190..=0x21FF
        | 0x2300..=0x23FF | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

/// Emoji modifiers and joiners that carry no meaning of their own here.
fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c as u32,
        0xFE0E | 0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF | 0x20E3
    )
}

/// A Cyrillic letter of the basic block (fast path: no table lookup).
#[inline]
fn is_basic_cyrillic_letter(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x0481 | 0x048A..=0x04FF)
}

#[inline]
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        is_basic_cyrillic_letter(c) || c.is_alphabetic()
    }
}

#[inline]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_basic_cyrillic_letter(c) || c.is_alphanumeric() || is_combining(c)
    }
}

#[inline]
fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_uppercase()
    } else if is_basic_cyrillic_letter(c) {
        (0x0400..=0x042F).contains(&(c as u32))
    } else {
        c.is_uppercase()
    }
}

/// Lower case of a character that lower-cases to one character, for the common scripts; `None`
/// for the rest (use `char::to_lowercase`).
#[inline]
fn lower_fast(c: char) -> Option<char> {
    let u = c as u32;
    match u {
        0x41..=0x5A => char::from_u32(u + 0x20),
        0x00..=0x7F => Some(c),
        0x0410..=0x042F => char::from_u32(u + 0x20),
        0x0400..=0x040F => char::from_u32(u + 0x50),
        0x0430..=0x045F => Some(c),
        _ => None,
    }
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489)
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '€' | '₽' | '£' | '¥' | '₸' | '₴')
}

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x052F)
}

/// Tokenises and normalises `text` (already cut to the classification prefix).
pub(crate) fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        skeleton: String::with_capacity(text.len() + 16),
        tokens: Vec::with_capacity(text.len() / 4 + 4),
        ..Normalized::default()
    };
    out.skeleton.push(' ');
    let mut scratch = Scratch::default();
    // Whitespace-separated chunks first: a chunk that is a URL or an email is one token.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Skip whitespace.
        let c = match text[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut end = i;
        for (off, ch) in text[i..].char_indices() {
            if ch.is_whitespace() {
                break;
            }
            end = i + off + ch.len_utf8();
        }
        chunk(text, start, end, &mut out, &mut scratch);
        i = end;
    }
    out
}

/// What a chunk looks like when it is a link or an email.
fn link_class(chunk: &str) -> Option<TokenClass> {
    // Plain words (most chunks) have none of the characters a link or an address needs.
    if !chunk.bytes().any(|b| matches!(b, b'@' | b'/' | b'.')) {
        return None;
    }
    let lower_has = |needle: &str| {
        chunk
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    if lower_has("://") || lower_has("www.") {
        return Some(TokenClass::Url);
    }
    if let Some(at) = chunk.find('@') {
        if at > 0 && chunk[at..].contains('.') {
            return Some(TokenClass::Email);
        }
    }
    // `t.me/shop`, `bit.ly/x`, `site.ru/catalog`: letters, a dot, letters, a slash.
    if let Some(slash) = chunk.find('/') {
        let head = &chunk[..slash];
        if let Some(dot) = head.rfind('.') {
            let tld = &head[dot + 1..];
            if tld.len() >= 2 && tld.chars().all(|c| c.is_alphabetic()) && dot > 0 {
                return Some(TokenClass::Url);
            }
        }
    }
    None
}

#[derive(Default)]
struct Scratch {
    lowered: Vec<char>,
    latin: String,
    nfkc: String,
}

fn push_token(out: &mut Normalized, skel: &str, orig: Range<usize>, class: TokenClass) {
    if skel.is_empty() {
        return;
    }
    let s = out.skeleton.len();
    out.skeleton.push_str(skel);
    let e = out.skeleton.len();
    out.skeleton.push(' ');
    out.tokens.push(Token {
        skel: s..e,
        orig,
        class,
        value: None,
    });
}

fn chunk(text: &str, start: usize, end: usize, out: &mut Normalized, scratch: &mut Scratch) {
    let piece = &text[start..end];
    if let Some(class) = link_class(piece) {
        // Trailing punctuation is not part of a link.
        let trimmed = piece.trim_end_matches(|c: char| ".,;:!?)\"'»".contains(c));
        let tend = start + trimmed.len();
        push_token(
            out,
            if class == TokenClass::Url {
                "_url_"
            } else {
                "_email_"
            },
            start..tend,
            class,
        );
        // A question or exclamation right after a link still counts.
        if piece[trimmed.len()..].contains('?') {
            push_token(out, "?", tend..end, TokenClass::Mark);
        }
        return;
    }
    let mut chars = piece.char_indices().peekable();
    while let Some((off, c)) = chars.next() {
        let at = start + off;
        if is_word_char(c) && !is_emoji(c) {
            // A word: letters, digits, combining marks, apostrophes inside.
            let mut wend = at + c.len_utf8();
            let mut has_alpha = is_letter(c);
            while let Some(&(o2, c2)) = chars.peek() {
                let inner_joiner = matches!(c2, '\'' | '’' | 'ʼ')
                    || (matches!(c2, '.' | ',')
                        && !has_alpha
                        && piece[o2 + c2.len_utf8()..]
                            .chars()
                            .next()
                            .is_some_and(|n| n.is_ascii_digit()));
                if (is_word_char(c2) && !is_emoji(c2)) || inner_joiner {
                    // A joiner must be followed by a word character to stay inside.
                    if inner_joiner
                        && !piece[o2 + c2.len_utf8()..]
                            .chars()
                            .next()
                            .is_some_and(is_word_char)
                    {
                        break;
                    }
                    has_alpha |= is_letter(c2);
                    wend = start + o2 + c2.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            word(text, at..wend, out, scratch);
        } else if is_emoji(c) {
            let mut buf = [0u8; 4];
            push_token(
                out,
                c.encode_utf8(&mut buf),
                at..at + c.len_utf8(),
                TokenClass::Emoji,
            );
            while chars.peek().is_some_and(|&(_, m)| is_emoji_modifier(m)) {
                chars.next();
            }
        } else if c == '?' || c == '!' || c == ')' {
            let mut n = 1;
            let mut mend = at + 1;
            while let Some(&(o2, c2)) = chars.peek() {
                if c2 == c || (c != ')' && (c2 == '?' || c2 == '!')) {
                    n += 1;
                    mend = start + o2 + 1;
                    chars.next();
                } else {
                    break;
                }
            }
            let skel = match (c, n) {
                (')', 1) => continue,
                (')', _) => "))",
                ('!', 1) => "!",
                ('!', _) => "!!",
                _ => "?",
            };
            push_token(out, skel, at..mend, TokenClass::Mark);
        } else if is_currency(c) {
            let mut buf = [0u8; 4];
            push_token(
                out,
                c.encode_utf8(&mut buf),
                at..at + c.len_utf8(),
                TokenClass::Mark,
            );
        }
    }
}

/// Normalises one word into the skeleton.
fn word(text: &str, span: Range<usize>, out: &mut Normalized, scratch: &mut Scratch) {
    let raw = &text[span.clone()];
    // Numbers: a shape token and their value.
    if raw
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        let digits = raw.bytes().filter(u8::is_ascii_digit).count();
        let shape = match digits {
            0 => return,
            1 => "9",
            2 => "99",
            3 | 4 => "999",
            5..=9 => "9999",
            _ => "99999",
        };
        push_token(out, shape, span, TokenClass::Number);
        let value = raw.replace(',', ".").parse::<f64>().ok();
        if let Some(t) = out.tokens.last_mut() {
            t.value = value;
        }
        return;
    }
    if word_fast(raw, span.clone(), out, scratch) {
        return;
    }
    // One pass: count letters and capitals, and see whether NFKC can change anything (only
    // characters outside ASCII and basic Cyrillic can).
    let mut needs_nfkc = false;
    for c in raw.chars() {
        if is_letter(c) {
            out.letters += 1;
            if is_upper(c) {
                out.upper_letters += 1;
            }
        }
        needs_nfkc |= !c.is_ascii() && !is_basic_cyrillic_letter(c);
    }
    // NFKC (fullwidth, ligatures, mathematical letters, decomposed й) only when needed.
    let source: &str = if !needs_nfkc || is_nfkc_quick(raw.chars()) == IsNormalized::Yes {
        raw
    } else {
        scratch.nfkc.clear();
        scratch.nfkc.extend(raw.nfkc());
        &scratch.nfkc
    };
    let lowered = &mut scratch.lowered;
    lowered.clear();
    let (mut cyr, mut lat) = (false, false);
    for c in source.chars() {
        if matches!(c, '\'' | '’' | 'ʼ') || is_combining(c) {
            continue;
        }
        if c.is_ascii() {
            lowered.push(c.to_ascii_lowercase());
            lat |= c.is_ascii_alphabetic();
            continue;
        }
        match c {
            'ß' => {
                lowered.extend(['s', 's']);
                continue;
            }
            'Ё' | 'ё' => {
                lowered.push('е');
                cyr = true;
                continue;
            }
            'ς' => {
                lowered.push('σ');
                continue;
            }
            _ => {}
        }
        if let Some(l) = lower_fast(c) {
            cyr |= is_cyrillic(l);
            lowered.push(l);
            continue;
        }
        for l in c.to_lowercase() {
            cyr |= is_cyrillic(l);
            lowered.push(l);
        }
    }
    if cyr && lat {
        out.mixed_script_words += 1;
        for c in lowered.iter_mut() {
            *c = match *c {
                'a' => 'а',
                'c' => 'с',
                'e' => 'е',
                'o' => 'о',
                'p' => 'р',
                'x' => 'х',
                'y' => 'у',
                'k' => 'к',
                'm' => 'м',
                't' => 'т',
                'h' => 'н',
                'b' => 'в',
                'i' => 'і',
                other => other,
            };
        }
    }
    let latin = &mut scratch.latin;
    latin.clear();
    for &c in lowered.iter() {
        match cyrillic_to_latin(c) {
            Some(s) => latin.push_str(s),
            None => latin.push(c),
        }
    }
    let before = out.skeleton.len();
    canonical_latin(latin, &mut out.skeleton);
    let skel_end = out.skeleton.len();
    if skel_end == before {
        return;
    }
    out.skeleton.push(' ');
    out.tokens.push(Token {
        skel: before..skel_end,
        orig: span,
        class: TokenClass::Word,
        value: None,
    });
}

/// The common case in one pass: a word of ASCII and basic Cyrillic letters only, not mixing
/// the two scripts. Returns false (and does nothing) for any other word.
fn word_fast(raw: &str, span: Range<usize>, out: &mut Normalized, scratch: &mut Scratch) -> bool {
    let b = raw.as_bytes();
    let (mut cyr, mut lat) = (false, false);
    for &x in b {
        if x >= 0x80 {
            // Lead bytes 0xD0/0xD1 and their continuations: U+0400..U+047F.
            if x == 0xD0 || x == 0xD1 {
                cyr = true;
            } else if x >= 0xC0 {
                return false;
            }
        } else if x.is_ascii_alphabetic() {
            lat = true;
        } else if !x.is_ascii_digit() {
            return false;
        }
    }
    if cyr && lat {
        return false;
    }
    let latin = &mut scratch.latin;
    latin.clear();
    let (mut letters, mut upper) = (0u32, 0u32);
    for c in raw.chars() {
        if c.is_ascii() {
            letters += c.is_ascii_alphabetic() as u32;
            upper += c.is_ascii_uppercase() as u32;
            latin.push(c.to_ascii_lowercase());
            continue;
        }
        // Basic Cyrillic U+0400..U+045F; anything else takes the general path.
        let u = c as u32;
        if !(0x0400..=0x045F).contains(&u) {
            return false;
        }
        letters += 1;
        upper += (u <= 0x042F) as u32;
        let lower = match u {
            0x0401 | 0x0451 => 'е',
            0x0410..=0x042F => char::from_u32(u + 0x20).unwrap_or(c),
            0x0400..=0x040F => char::from_u32(u + 0x50).unwrap_or(c),
            _ => c,
        };
        match cyrillic_to_latin(lower) {
            Some(t) => latin.push_str(t),
            None => latin.push(lower),
        }
    }
    out.letters += letters;
    out.upper_letters += upper;
    let before = out.skeleton.len();
    canonical_latin(latin, &mut out.skeleton);
    let skel_end = out.skeleton.len();
    if skel_end > before {
        out.skeleton.push(' ');
        out.tokens.push(Token {
            skel: before..skel_end,
            orig: span,
            class: TokenClass::Word,
            value: None,
        });
    }
    true
}

fn cyrillic_to_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' => "g",
        'д' => "d",
        'е' | 'э' | 'є' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'й' | 'і' | 'ї' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "c",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "sh",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// One canonical Latin spelling for the letters that transliterations of Russian disagree on.
fn canonical_latin(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let has_letters = b.iter().any(|c| c.is_ascii_alphabetic() || *c >= 0x80);
    let mut i = 0;
    let word_start = out.len();
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c >= 0x80 {
            // Another script: copy the character as it is.
            let ch = s[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let at_start = out.len() == word_start;
        match c {
            b's' if s[i..].starts_with("shch") => {
                out.push_str("sh");
                i += 4;
            }
            b's' if s[i..].starts_with("sch") => {
                out.push_str("sh");
                i += 3;
            }
            b'k' if next == Some(b'h') => {
                out.push('h');
                i += 2;
            }
            b'x' => {
                out.push('h');
                i += 1;
            }
            b't' if at_start && matches!(next, Some(b's') | Some(b'z')) && b.len() > 2 => {
                out.push('c');
                i += 2;
            }
            b'j' => {
                if matches!(next, Some(b'a' | b'e' | b'o' | b'u')) {
                    out.push('y');
                } else {
                    out.push_str("zh");
                }
                i += 1;
            }
            b'y' if !at_start
                && out.as_bytes().last().is_some_and(|p| is_vowel(*p))
                && !matches!(next, Some(b'a' | b'e' | b'o' | b'u')) =>
            {
                out.push('i');
                i += 1;
            }
            b'4' if has_letters
                && (next.is_some_and(|n| n.is_ascii_alphabetic())
                    || out
                        .as_bytes()
                        .last()
                        .is_some_and(|p| p.is_ascii_alphabetic())) =>
            {
                out.push_str("ch");
                i += 1;
            }
            _ => {
                out.push(c as char);
                i += 1;
            }
        }
    }
}

/// The skeleton of a phrase, as the lexicon stores it: tokens joined by single spaces.
pub(crate) fn skeleton_of(text: &str) -> String {
    let n = normalize(text);
    n.skeleton.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skel(text: &str) -> String {
        skeleton_of(text)
    }

    #[test]
    fn cyrillic_and_transliterations_meet() {
        assert_eq!(skel("Хочу купить"), "hochu kupit");
        assert_eq!(skel("hochu kupit'"), "hochu kupit");
        assert_eq!(skel("xo4u kupit"), "hochu kupit");
        assert_eq!(skel("skolko stoit?"), skel("сколько стоит?"));
        assert_eq!(skel("счёт"), skel("schet"));
        assert_eq!(skel("ещё"), skel("eshche"));
        assert_eq!(skel("какой"), skel("kakoy"));
        assert_eq!(skel("можно"), skel("mojno"));
        assert_eq!(skel("цена"), skel("tsena"));
        assert_eq!(skel("я хочу"), skel("ja hochu"));
    }

    #[test]
    fn look_alike_latin_inside_cyrillic_is_read_as_cyrillic() {
        // `цeнa` with Latin e and a.
        let n = normalize("ц\u{65}н\u{61}");
        assert_eq!(n.skeleton.trim(), skel("цена"));
        assert_eq!(n.mixed_script_words, 1);
    }

    #[test]
    fn nfkc_case_and_yo() {
        assert_eq!(skel("ＨＥＬＬＯ"), "hello");
        assert_eq!(skel("ЁЛКА"), skel("елка"));
        assert_eq!(skel("STRAßE"), "strasse");
        // й written as и + combining breve.
        assert_eq!(skel("мои\u{306}"), skel("мой"));
    }

    #[test]
    fn numbers_links_marks_and_emoji_are_tokens() {
        let n = normalize("Цена 1 500 руб?? см. https://shop.example.com/x!!! 😍😍 ok))");
        let skels: Vec<&str> = (0..n.tokens.len()).map(|i| n.skel(i)).collect();
        assert_eq!(
            skels,
            ["cena", "9", "999", "rub", "?", "sm", "_url_", "😍", "😍", "ok", "))"]
        );
        assert_eq!(n.tokens[1].value, Some(1.0));
        assert_eq!(n.tokens[2].value, Some(500.0));
        let text = "пишите ivan@example.com, или t.me/shop_msk";
        let n = normalize(text);
        assert_eq!(n.skel(1), "_email_");
        assert_eq!(&text[n.tokens[1].orig.clone()], "ivan@example.com");
        assert_eq!(n.skel(3), "_url_");
    }

    #[test]
    fn spans_point_into_the_original() {
        let text = "Добрый день! Сколько стоит доставка?";
        let n = normalize(text);
        for t in &n.tokens {
            assert!(text.get(t.orig.clone()).is_some());
        }
        assert_eq!(&text[n.tokens[3].orig.clone()], "Сколько");
        assert_eq!(n.token_at(n.tokens[3].skel.start), 3);
    }

    #[test]
    fn decimal_numbers_keep_their_value() {
        let n = normalize("2,5 кг и 10.5 литров");
        assert_eq!(n.tokens[0].value, Some(2.5));
        assert_eq!(n.tokens[3].value, Some(10.5));
    }

    #[test]
    fn odd_input_gives_tokens_or_nothing() {
        assert!(normalize("").tokens.is_empty());
        assert!(normalize("   \n\t ").tokens.is_empty());
        assert_eq!(normalize("\u{0}\u{1}\u{7f}").tokens.len(), 0);
        assert_eq!(normalize("🔥🔥🔥").tokens.len(), 3);
    }
}
