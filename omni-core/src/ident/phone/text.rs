//! The text steps of libphonenumber's `parse`: RFC 3966 `tel:` handling, extracting the possible
//! number from surrounding text, the viability check, extension stripping, and turning what is left
//! into digits (keypad letters included).
//!
//! Each function follows the Python port's function of the same name (`phonenumberutil.py`), with
//! the same regular expressions. Those are slow next to the rest of parsing, so each step first
//! tries an exact hand-written check for the usual case and only runs the expression when that
//! check cannot decide; inputs made only of ASCII digits, spaces, `+ ( ) - .` skip all of it
//! ([`simple`]).

use super::MAX_PHONE_INPUT;
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// ASCII digits on the stack: the normalised number (never longer than the input).
#[derive(Clone)]
pub(super) struct DigitBuf {
    buf: [u8; MAX_PHONE_INPUT],
    len: usize,
}

impl DigitBuf {
    /// An empty buffer.
    pub(super) fn new() -> Self {
        DigitBuf {
            buf: [0; MAX_PHONE_INPUT],
            len: 0,
        }
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Appends an ASCII digit (ignored once full, which input within the size limit never is).
    fn push(&mut self, digit: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = digit;
            self.len += 1;
        }
    }

    /// The digits.
    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl std::fmt::Debug for DigitBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for DigitBuf {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for DigitBuf {}

/// What the text steps hand to the numeric steps, besides the digits (which go to a
/// [`DigitBuf`] the caller owns: the number after its plus signs, normalised to ASCII digits).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Prepared {
    /// The number started with one or more plus signs.
    pub(super) plus: bool,
    /// The extension digits, if one was found, as written.
    pub(super) extension: Option<String>,
}

/// Why the text is not a phone number, in libphonenumber's terms (`NOT_A_NUMBER`).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum NotANumber {
    /// A `;phone-context=` parameter that RFC 3966 does not allow.
    BadPhoneContext,
    /// Nothing that looks like a number: too few digits or stray characters.
    NotViable,
}

const PLUS_CHARS: &str = "+\u{FF0B}";
const VALID_PUNCTUATION: &str = "\\-x\u{2010}-\u{2015}\u{2212}\u{30FC}\u{FF0D}-\u{FF0F} \u{00A0}\u{00AD}\u{200B}\u{2060}\u{3000}()\u{FF08}\u{FF09}\u{FF3B}\u{FF3D}.\\[\\]/\\~\u{2053}\u{223C}\u{FF5E}";
/// `[A-Za-z]` as Python matches it case-insensitively: also the dotted and dotless I, whose
/// simple upper or lower case is an ASCII letter (Rust's case folding already adds `ſ` and `K`).
const VALID_ALPHA: &str = "A-Za-z\u{0130}\u{0131}";
/// The letter `i` in an extension label, matched as Python matches it case-insensitively.
const LABEL_I: &str = "[i\u{0130}\u{0131}]";

/// libphonenumber's `_create_extn_pattern(for_parsing=True)`, with one addition: the label
/// `доб` may be written out as `добавочный` (listed in `phone_oracle_exceptions.toml`).
fn extension_pattern() -> String {
    let digits = |max: usize| format!("(\\d{{1,{max}}})");
    let separators = "[ \u{00A0}\\t,]*";
    let after_label = "[:\\.\u{FF0E}]?[ \u{00A0}\\t,\\-]*";
    let suffix = "\\#?";
    let explicit_labels = [
        "(?:e?xt(?:ens",
        LABEL_I,
        "(?:o\u{0301}?|\u{00F3}))?n?|\u{FF45}?\u{FF58}\u{FF54}\u{FF4E}?",
        "|\u{0434}\u{043E}\u{0431}(?:\u{0430}\u{0432}\u{043E}\u{0447}\u{043D}\u{044B}\u{0439})?|anexo)",
    ]
    .concat();
    let ambiguous_labels = [
        "(?:[x\u{FF58}\\#\u{FF03}\\~\u{FF5E}]|",
        LABEL_I,
        "nt|\u{FF49}\u{FF4E}\u{FF54})",
    ]
    .concat();
    let ambiguous_separator = "[\\- ]+";
    let rfc = format!(";ext={}", digits(20));
    let explicit = format!(
        "{separators}{explicit_labels}{after_label}{}{suffix}",
        digits(20)
    );
    let ambiguous = format!(
        "{separators}{ambiguous_labels}{after_label}{}{suffix}",
        digits(9)
    );
    let american = format!("{ambiguous_separator}{}\\#", digits(6));
    let separators_no_comma = "[ \u{00A0}\\t]*";
    let auto_dialling = format!(
        "{separators_no_comma}(?:,{{2}}|;){after_label}{}{suffix}",
        digits(15)
    );
    let only_commas = format!(
        "{separators_no_comma}(?:,)+{after_label}{}{suffix}",
        digits(9)
    );
    format!("{rfc}|{explicit}|{ambiguous}|{american}|{auto_dialling}|{only_commas}")
}

fn build(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("phone pattern {pattern:?}: {e}"))
}

/// `_VALID_PHONE_NUMBER_PATTERN`, matched against the whole text.
static VIABLE: LazyLock<Regex> = LazyLock::new(|| {
    build(&format!(
        "(?i)^(?:\\d{{2}}|[{PLUS_CHARS}]*(?:[{VALID_PUNCTUATION}*]*\\d){{3,}}[{VALID_PUNCTUATION}*{VALID_ALPHA}\\d]*(?:{})?)$",
        extension_pattern()
    ))
});
/// `_EXTN_PATTERN`: an extension at the end of the text.
static EXTENSION: LazyLock<Regex> =
    LazyLock::new(|| build(&format!("(?i)(?:{})$", extension_pattern())));
/// `_RFC3966_GLOBAL_NUMBER_DIGITS_PATTERN`.
static GLOBAL_NUMBER_DIGITS: LazyLock<Regex> =
    LazyLock::new(|| build("^\\+(\\d|[\\-\\.\\(\\)]?)*\\d(\\d|[\\-\\.\\(\\)]?)*$"));
/// `_RFC3966_DOMAINNAME_PATTERN`.
static DOMAIN_NAME: LazyLock<Regex> = LazyLock::new(|| {
    let alnum = "A-Za-z\\d";
    build(&format!(
        "^([{alnum}]+((\\-)*[{alnum}])*\\.)*[A-Za-z]+((\\-)*[{alnum}])*\\.?$"
    ))
});

/// The code point ranges of a Unicode class, from regex-syntax's tables.
fn class_ranges(class: &str) -> Vec<(u32, u32)> {
    let hir = regex_syntax::parse(class).unwrap_or_else(|e| panic!("{class}: {e}"));
    match hir.kind() {
        regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
        _ => Vec::new(),
    }
}

fn in_ranges(ranges: &[(u32, u32)], c: char) -> Option<(u32, u32)> {
    let code = u32::from(c);
    let i = ranges.partition_point(|&(_, end)| end < code);
    ranges.get(i).copied().filter(|&(start, _)| start <= code)
}

/// Unicode decimal digits (`\p{Nd}`), which come in runs of ten starting at a zero.
static DECIMAL_DIGITS: LazyLock<Vec<(u32, u32)>> = LazyLock::new(|| class_ranges(r"\p{Nd}"));
/// Letters and numbers: what Python's `\w` keeps at the end of a number (besides `_`).
static LETTERS_AND_NUMBERS: LazyLock<Vec<(u32, u32)>> =
    LazyLock::new(|| class_ranges(r"[\p{L}\p{N}]"));

/// The value of a Unicode decimal digit (`0`-`9`, `٣`, `７`, ...), as Python's `unicodedata.digit`.
pub(super) fn decimal_value(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    if c.is_ascii() {
        return None;
    }
    in_ranges(&DECIMAL_DIGITS, c).map(|(start, _)| ((u32::from(c) - start) % 10) as u8)
}

/// `_VALID_PUNCTUATION` (case-insensitive, so `X` too).
fn is_punctuation(c: char) -> bool {
    matches!(c,
        '-' | 'x' | 'X' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF0D}'..='\u{FF0F}'
        | ' ' | '\u{00A0}' | '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{3000}' | '(' | ')'
        | '\u{FF08}' | '\u{FF09}' | '\u{FF3B}' | '\u{FF3D}' | '.' | '[' | ']' | '/' | '~'
        | '\u{2053}' | '\u{223C}' | '\u{FF5E}')
}

fn is_plus(c: char) -> bool {
    c == '+' || c == '\u{FF0B}'
}

/// The main form of `_VALID_PHONE_NUMBER` without its optional extension: plus signs, then at
/// least three digits among punctuation and `*`, then punctuation, `*`, ASCII letters and digits.
/// Matching it is enough for viability; not matching it leaves the question to the expression.
fn main_form(number: &str) -> bool {
    let mut digits = 0;
    for c in number.trim_start_matches(is_plus).chars() {
        if decimal_value(c).is_some() {
            digits += 1;
        } else if !(is_punctuation(c) || c == '*' || (digits >= 3 && c.is_ascii_alphabetic())) {
            return false;
        }
    }
    digits >= 3
}

/// Whether an extension could be written in `number`: every extension pattern needs a letter or
/// one of `; , # ~` (or their full-width forms).
fn could_have_extension(number: &str) -> bool {
    number
        .chars()
        .any(|c| c.is_alphabetic() || matches!(c, ';' | ',' | '#' | '\u{FF03}' | '~' | '\u{FF5E}'))
}

/// The shortcut for text made only of ASCII digits, spaces and `+ ( ) - .`: `None` when the text
/// has any other character, otherwise what the full steps would give.
pub(super) fn simple(text: &str, digits: &mut DigitBuf) -> Option<Result<Prepared, NotANumber>> {
    // One pass: _extract_possible_number keeps from the first plus or digit to the last digit
    // (every other character of this alphabet is an unwanted trailing character), and
    // _is_viable_phone_number wants two bare digits, or plus signs then at least three digits
    // among punctuation (a plus sign after the leading ones is not punctuation).
    let mut start = None;
    let mut pluses = 0usize;
    let mut in_plus_run = false;
    let mut last_digit = 0usize;
    let mut late_plus = usize::MAX;
    digits.clear();
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                start.get_or_insert(i);
                in_plus_run = false;
                last_digit = i;
                digits.push(b);
            }
            b'+' => match start {
                None => {
                    start = Some(i);
                    pluses = 1;
                    in_plus_run = true;
                }
                Some(_) if in_plus_run => pluses += 1,
                Some(_) => late_plus = late_plus.min(i),
            },
            b' ' | b'(' | b')' | b'-' | b'.' => in_plus_run = false,
            _ => return None,
        }
    }
    let count = digits.len();
    let viable = match start {
        Some(start) if count > 0 && last_digit + 1 - start == 2 => pluses == 0 && count == 2,
        Some(_) if count > 0 => late_plus > last_digit && count >= 3,
        _ => false,
    };
    Some(if viable {
        Ok(Prepared {
            plus: pluses > 0,
            extension: None,
        })
    } else {
        Err(NotANumber::NotViable)
    })
}

/// The full text steps: `_build_national_number_for_parsing`, `_is_viable_phone_number`,
/// `_maybe_strip_extension`, then plus signs and `_normalize`.
pub(super) fn prepare(text: &str, digits: &mut DigitBuf) -> Result<Prepared, NotANumber> {
    let number = national_number_for_parsing(text)?;
    // Where `_EXTN_PATTERN` matches, if it can.
    let extension_at = could_have_extension(&number)
        .then(|| EXTENSION.find(&number).map(|m| m.start()))
        .flatten();
    // A viable number before a matching extension makes the whole viable (main form, then the
    // optional extension of `_VALID_PHONE_NUMBER`).
    let viable = number.chars().nth(1).is_some()
        && (main_form(&number)
            || extension_at.is_some_and(|at| main_form(&number[..at]))
            || is_viable(&number));
    if !viable {
        return Err(NotANumber::NotViable);
    }
    let (number, extension) = match extension_at {
        Some(at) if is_viable(&number[..at]) => {
            (&number[..at], Some(extension_digits(&number[at..])))
        }
        _ => (&*number, None),
    };
    let after_plus = number.trim_start_matches(is_plus);
    normalize(after_plus, digits);
    Ok(Prepared {
        plus: after_plus.len() != number.len(),
        extension,
    })
}

/// The digits `_maybe_strip_extension` captures from a matched extension: every alternative of
/// the pattern ends in a run of digits, an optional `#`, and the end, and none lets a digit stand
/// just before that run, so the capture is the whole final run of digits.
fn extension_digits(matched: &str) -> String {
    let matched = matched.strip_suffix('#').unwrap_or(matched);
    let start = matched
        .char_indices()
        .rev()
        .take_while(|(_, c)| decimal_value(*c).is_some())
        .last()
        .map_or(matched.len(), |(i, _)| i);
    matched[start..].to_string()
}

/// `_build_national_number_for_parsing`.
fn national_number_for_parsing(text: &str) -> Result<Cow<'_, str>, NotANumber> {
    const PHONE_CONTEXT: &str = ";phone-context=";
    let context_at = if text.contains(';') {
        text.find(PHONE_CONTEXT)
    } else {
        None
    };
    let mut number = match context_at {
        Some(index) => {
            let context_start = index + PHONE_CONTEXT.len();
            let context = match text[context_start..].find(';') {
                Some(end) => &text[context_start..context_start + end],
                None => &text[context_start..],
            };
            if context.is_empty()
                || !(GLOBAL_NUMBER_DIGITS.is_match(context) || DOMAIN_NAME.is_match(context))
            {
                return Err(NotANumber::BadPhoneContext);
            }
            let mut number = if context.starts_with('+') {
                context.to_string()
            } else {
                String::new()
            };
            let from = text.find("tel:").map_or(0, |i| i + "tel:".len());
            // Python slices `number[from:index]`, which is empty when `tel:` comes later.
            if from <= index {
                number.push_str(&text[from..index]);
            }
            Cow::Owned(number)
        }
        None => Cow::Borrowed(extract_possible_number(text)),
    };
    if let Some(isdn) = number
        .contains(';')
        .then(|| number.find(";isub="))
        .flatten()
    {
        if isdn > 0 {
            number = match number {
                Cow::Borrowed(n) => Cow::Borrowed(&n[..isdn]),
                Cow::Owned(mut n) => {
                    n.truncate(isdn);
                    Cow::Owned(n)
                }
            };
        }
    }
    Ok(number)
}

/// `_extract_possible_number`: from the first plus or digit, without trailing punctuation or a
/// second number (`/x...`).
fn extract_possible_number(text: &str) -> &str {
    let Some(start) = text.find(|c: char| is_plus(c) || decimal_value(c).is_some()) else {
        return "";
    };
    // `_UNWANTED_END_CHAR_PATTERN`: Python's `(?:_|[^#\w])+$`, `\w` being letters and numbers.
    let number = text[start..].trim_end_matches(|c: char| {
        !(c == '#'
            || c.is_ascii_alphanumeric()
            || (!c.is_ascii() && in_ranges(&LETTERS_AND_NUMBERS, c).is_some()))
    });
    // `_SECOND_NUMBER_START_PATTERN`: `[\\/] *x`.
    let second = number.char_indices().find(|&(i, c)| {
        (c == '/' || c == '\\') && number[i + 1..].trim_start_matches(' ').starts_with('x')
    });
    match second {
        Some((i, _)) => &number[..i],
        None => number,
    }
}

/// `_is_viable_phone_number`.
fn is_viable(number: &str) -> bool {
    let mut chars = number.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (_, None, _) => false,
        (Some(a), Some(b), None) if decimal_value(a).is_some() && decimal_value(b).is_some() => {
            true
        }
        _ => main_form(number) || VIABLE.is_match(number),
    }
}

/// `_normalize`: keypad letters to digits when there are three or more ASCII letters (and, as
/// Python's `.` does not match it, no line feed), otherwise every decimal digit (any script) to
/// ASCII, dropping everything else.
pub(super) fn normalize(number: &str, out: &mut DigitBuf) {
    out.clear();
    let letters = number.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters >= 3 && !number.contains('\n') {
        for c in number.chars() {
            let mut upper = c.to_uppercase();
            if let (Some(u), None) = (upper.next(), upper.next()) {
                if let Some(d) = keypad_digit(u) {
                    out.push(d as u8);
                }
            }
        }
    } else {
        for d in number.chars().filter_map(decimal_value) {
            out.push(b'0' + d);
        }
    }
}

/// The ITU E.161 keypad: `ABC` is 2, ... `WXYZ` is 9; ASCII digits stay.
fn keypad_digit(c: char) -> Option<char> {
    let d = match c {
        '0'..='9' => return Some(c),
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        'W'..='Z' => '9',
        _ => return None,
    };
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_spellings_people_use_are_split_off() {
        fn strip_extension(text: &str) -> (&str, Option<String>) {
            let at = EXTENSION.find(text).map(|m| m.start()).unwrap();
            (&text[..at], Some(extension_digits(&text[at..])))
        }
        for (text, number, ext) in [
            ("+7 912 345-67-89 доб. 123", "+7 912 345-67-89", "123"),
            ("+7 912 345-67-89 ДОБ 45", "+7 912 345-67-89", "45"),
            ("+1 650 253 0000 ext. 45", "+1 650 253 0000", "45"),
            ("+44 20 7031 3000 #12", "+44 20 7031 3000", "12"),
            ("+1 (650) 253-0000 x7", "+1 (650) 253-0000", "7"),
            ("+7-912-345;ext=99", "+7-912-345", "99"),
            ("8 912 345 67 89,,55", "8 912 345 67 89", "55"),
        ] {
            assert_eq!(
                strip_extension(text),
                (number, Some(ext.to_string())),
                "{text}"
            );
        }
    }

    fn normalized(text: &str) -> String {
        let mut out = DigitBuf::new();
        normalize(text, &mut out);
        out.as_str().to_string()
    }

    fn run_simple(text: &str) -> Option<Result<(Prepared, String), NotANumber>> {
        let mut digits = DigitBuf::new();
        simple(text, &mut digits).map(|r| r.map(|p| (p, digits.as_str().to_string())))
    }

    fn run_prepare(text: &str) -> Result<(Prepared, String), NotANumber> {
        let mut digits = DigitBuf::new();
        prepare(text, &mut digits).map(|p| (p, digits.as_str().to_string()))
    }

    #[test]
    fn letters_become_keypad_digits_only_from_three_letters_on() {
        assert_eq!(normalized("8 800 MEGAFON"), "88006342366");
        assert_eq!(normalized("8 800 ab1"), "88001");
        assert_eq!(normalized("＋７ ９１２"), "7912");
        assert_eq!(normalized("٨٩١"), "891");
    }

    #[test]
    fn decimal_digits_of_every_script_come_in_runs_of_ten() {
        for &(start, end) in DECIMAL_DIGITS.iter() {
            assert_eq!((end - start + 1) % 10, 0, "run at {start:#x}");
        }
        assert_eq!(decimal_value('٣'), Some(3));
        assert_eq!(decimal_value('７'), Some(7));
        assert_eq!(decimal_value('²'), None);
        assert_eq!(decimal_value('x'), None);
    }

    #[test]
    fn the_shortcut_agrees_with_the_full_steps() {
        for text in [
            "+7 (912) 345-67-89",
            "8 912 345 67 89",
            "12",
            "1 2",
            "+12",
            "++7 912",
            "+7 912 +345",
            "(...)",
            "8.912.345.67.89.",
            "",
            "+",
        ] {
            assert_eq!(run_simple(text), Some(run_prepare(text)), "{text:?}");
        }
        assert_eq!(run_simple("8 912 x"), None);
    }

    /// Text from the characters the parsing steps treat specially.
    fn phone_like() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pieces = vec![
            "0",
            "1",
            "7",
            "8",
            "9",
            "45",
            "+",
            "＋",
            " ",
            "-",
            "(",
            ")",
            ".",
            "/",
            "\\",
            "x",
            "X",
            "#",
            "＃",
            "*",
            ",",
            ";",
            "~",
            "～",
            "_",
            "\t",
            "\n",
            "\u{a0}",
            "\u{2013}",
            "ext",
            "доб",
            "int",
            "İ",
            "ı",
            "ſ",
            "K",
            "ó",
            "o\u{301}",
            "ｅｘｔ",
            "٣",
            "７",
            "²",
            "Ⓐ",
            "a",
            "Z",
            "Иван",
            ";ext=",
            ";isub=1",
            "tel:",
        ];
        proptest::collection::vec(proptest::sample::select(pieces), 0..16).prop_map(|v| v.concat())
    }

    /// Python's `_extract_possible_number`, with its three regular expressions.
    fn extract_by_regex(text: &str) -> &str {
        static START: LazyLock<Regex> = LazyLock::new(|| build("[+\u{FF0B}\\d]"));
        static UNWANTED: LazyLock<Regex> = LazyLock::new(|| build("[^#\\p{L}\\p{N}]+$"));
        static SECOND: LazyLock<Regex> = LazyLock::new(|| build("[\\\\/] *x"));
        let Some(m) = START.find(text) else { return "" };
        let mut number = &text[m.start()..];
        if let Some(m) = UNWANTED.find(number) {
            number = &number[..m.start()];
        }
        if let Some(m) = SECOND.find(number) {
            number = &number[..m.start()];
        }
        number
    }

    static THREE_LETTERS: LazyLock<Regex> = LazyLock::new(|| build("^(?:.*?[A-Za-z]){3}.*$"));

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn hand_written_extraction_is_the_regular_expressions(text in phone_like()) {
            proptest::prop_assert_eq!(extract_possible_number(&text), extract_by_regex(&text));
        }

        #[test]
        fn hand_written_viability_is_the_regular_expression(text in phone_like()) {
            let by_regex = text.chars().count() >= 2 && VIABLE.is_match(&text);
            proptest::prop_assert_eq!(is_viable(&text), by_regex);
        }

        #[test]
        fn extension_from_the_match_span_is_the_captured_group(text in phone_like()) {
            if let Some(caps) = EXTENSION.captures(&text) {
                let whole = caps.get(0).unwrap();
                let group = caps.iter().skip(1).flatten().next().unwrap().as_str();
                proptest::prop_assert_eq!(extension_digits(&text[whole.start()..]), group);
            }
        }

        #[test]
        fn keypad_mode_is_the_three_letter_expression(text in phone_like()) {
            let three_letters = THREE_LETTERS.is_match(&text);
            let mut by_keypad = DigitBuf::new();
            for c in text.chars() {
                let mut upper = c.to_uppercase();
                if let (Some(u), None) = (upper.next(), upper.next()) {
                    if let Some(d) = keypad_digit(u) {
                        by_keypad.push(d as u8);
                    }
                }
            }
            let mut got = DigitBuf::new();
            normalize(&text, &mut got);
            if three_letters {
                proptest::prop_assert_eq!(got, by_keypad);
            } else {
                let decimal: String = text.chars().filter_map(decimal_value).map(|d| char::from(b'0' + d)).collect();
                proptest::prop_assert_eq!(got.as_str(), decimal.as_str());
            }
        }
    }
}
