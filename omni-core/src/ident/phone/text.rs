//! The text steps of libphonenumber's `parse`: RFC 3966 `tel:` handling, extracting the possible
//! number from surrounding text, the viability check, extension stripping, and turning what is left
//! into digits (keypad letters included).
//!
//! Each function follows the Python port's function of the same name (`phonenumberutil.py`), with
//! the same regular expressions. Inputs made only of ASCII digits, spaces, `+ ( ) - .` take a
//! shortcut ([`simple`]) that gives the same answer without any regular expression.

use regex::Regex;
use std::sync::LazyLock;

/// What the text steps hand to the numeric steps.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Prepared {
    /// The number started with one or more plus signs.
    pub(super) plus: bool,
    /// The number after the plus signs, normalised to ASCII digits.
    pub(super) digits: String,
    /// The extension digits, if one was found.
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
const VALID_ALPHA: &str = "A-Za-z";

/// libphonenumber's `_create_extn_pattern(for_parsing=True)`, with one addition: the label
/// `доб` may be written out as `добавочный` (listed in `phone_oracle_exceptions.toml`).
fn extension_pattern() -> String {
    let digits = |max: usize| format!("(\\d{{1,{max}}})");
    let separators = "[ \u{00A0}\\t,]*";
    let after_label = "[:\\.\u{FF0E}]?[ \u{00A0}\\t,\\-]*";
    let suffix = "\\#?";
    let explicit_labels = "(?:e?xt(?:ensi(?:o\u{0301}?|\u{00F3}))?n?|\u{FF45}?\u{FF58}\u{FF54}\u{FF4E}?|\u{0434}\u{043E}\u{0431}(?:\u{0430}\u{0432}\u{043E}\u{0447}\u{043D}\u{044B}\u{0439})?|anexo)";
    let ambiguous_labels = "(?:[x\u{FF58}\\#\u{FF03}\\~\u{FF5E}]|int|\u{FF49}\u{FF4E}\u{FF54})";
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
/// `_VALID_START_CHAR_PATTERN`.
static START: LazyLock<Regex> = LazyLock::new(|| build(&format!("[{PLUS_CHARS}\\d]")));
/// `_UNWANTED_END_CHAR_PATTERN`: Python's `(?:_|[^#\w])+$` (`\w` being letters and numbers).
static UNWANTED_END: LazyLock<Regex> = LazyLock::new(|| build("[^#\\p{L}\\p{N}]+$"));
/// `_SECOND_NUMBER_START_PATTERN`.
static SECOND_NUMBER: LazyLock<Regex> = LazyLock::new(|| build("[\\\\/] *x"));
/// `_VALID_ALPHA_PHONE_PATTERN`: three or more ASCII letters (and no line break).
static ALPHA_PHONE: LazyLock<Regex> = LazyLock::new(|| build("^(?:.*?[A-Za-z]){3}.*$"));
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

/// Unicode decimal digits (`\p{Nd}`): the first code point of each run of ten.
static DECIMAL_ZEROS: LazyLock<Vec<(u32, u32)>> = LazyLock::new(|| {
    let hir = regex_syntax::parse(r"\p{Nd}").expect("\\p{Nd} is a valid class");
    match hir.kind() {
        regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
        _ => Vec::new(),
    }
});

/// The value of a Unicode decimal digit (`0`-`9`, `٣`, `７`, ...), as Python's `unicodedata.digit`.
pub(super) fn decimal_value(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    if c.is_ascii() {
        return None;
    }
    let code = u32::from(c);
    let ranges = &*DECIMAL_ZEROS;
    let i = ranges.partition_point(|&(_, end)| end < code);
    let &(start, end) = ranges.get(i)?;
    ((start..=end).contains(&code)).then(|| ((code - start) % 10) as u8)
}

/// The shortcut for text made only of ASCII digits, spaces and `+ ( ) - .`: `None` when the text
/// has any other character, otherwise what the full steps would give.
pub(super) fn simple(text: &str) -> Option<Result<Prepared, NotANumber>> {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .all(|b| matches!(b, b'0'..=b'9' | b' ' | b'+' | b'(' | b')' | b'-' | b'.'))
    {
        return None;
    }
    // _extract_possible_number: from the first plus or digit to the last digit (every other
    // character of this alphabet is an unwanted trailing character).
    let Some(start) = bytes.iter().position(|b| *b == b'+' || b.is_ascii_digit()) else {
        return Some(Err(NotANumber::NotViable));
    };
    let Some(end) = bytes.iter().rposition(u8::is_ascii_digit).map(|i| i + 1) else {
        return Some(Err(NotANumber::NotViable));
    };
    if end <= start {
        return Some(Err(NotANumber::NotViable));
    }
    let number = &bytes[start..end];
    // _is_viable_phone_number: two bare digits, or plus signs then at least three digits among
    // punctuation (a plus sign is not punctuation).
    let pluses = number.iter().take_while(|b| **b == b'+').count();
    let rest = &number[pluses..];
    let digit_count = rest.iter().filter(|b| b.is_ascii_digit()).count();
    let viable = if number.len() == 2 {
        digit_count == 2
    } else {
        !rest.contains(&b'+') && digit_count >= 3
    };
    if !viable {
        return Some(Err(NotANumber::NotViable));
    }
    let digits = rest
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    Some(Ok(Prepared {
        plus: pluses > 0,
        digits,
        extension: None,
    }))
}

/// The full text steps: `_build_national_number_for_parsing`, `_is_viable_phone_number`,
/// `_maybe_strip_extension`, then plus signs and `_normalize`.
pub(super) fn prepare(text: &str) -> Result<Prepared, NotANumber> {
    let number = national_number_for_parsing(text)?;
    if !is_viable(&number) {
        return Err(NotANumber::NotViable);
    }
    let (number, extension) = strip_extension(&number);
    let after_plus = number.trim_start_matches(['+', '\u{FF0B}']);
    Ok(Prepared {
        plus: after_plus.len() != number.len(),
        digits: normalize(after_plus),
        extension,
    })
}

/// `_build_national_number_for_parsing`.
fn national_number_for_parsing(text: &str) -> Result<String, NotANumber> {
    const PHONE_CONTEXT: &str = ";phone-context=";
    let mut number = match text.find(PHONE_CONTEXT) {
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
            number
        }
        None => extract_possible_number(text).to_string(),
    };
    if let Some(isdn) = number.find(";isub=") {
        if isdn > 0 {
            number.truncate(isdn);
        }
    }
    Ok(number)
}

/// `_extract_possible_number`: from the first plus or digit, without trailing punctuation or a
/// second number (`/x...`).
fn extract_possible_number(text: &str) -> &str {
    let Some(start) = START.find(text) else {
        return "";
    };
    let mut number = &text[start.start()..];
    if let Some(end) = UNWANTED_END.find(number) {
        number = &number[..end.start()];
    }
    if let Some(second) = SECOND_NUMBER.find(number) {
        number = &number[..second.start()];
    }
    number
}

/// `_is_viable_phone_number`.
fn is_viable(number: &str) -> bool {
    number.chars().nth(1).is_some() && VIABLE.is_match(number)
}

/// `_maybe_strip_extension`: the number without its extension, and the extension.
fn strip_extension(number: &str) -> (&str, Option<String>) {
    if let Some(caps) = EXTENSION.captures(number) {
        let whole = caps.get(0).expect("group 0 always matches");
        let before = &number[..whole.start()];
        if is_viable(before) {
            // The first group that captured digits; kept as written, as libphonenumber does.
            let extension = caps.iter().skip(1).flatten().next();
            return (before, extension.map(|m| m.as_str().to_string()));
        }
    }
    (number, None)
}

/// `_normalize`: keypad letters to digits when there are three or more ASCII letters, otherwise
/// every decimal digit (any script) to ASCII, dropping everything else.
pub(super) fn normalize(number: &str) -> String {
    if ALPHA_PHONE.is_match(number) {
        number
            .chars()
            .filter_map(|c| {
                let mut upper = c.to_uppercase();
                let (Some(u), None) = (upper.next(), upper.next()) else {
                    return None;
                };
                keypad_digit(u)
            })
            .collect()
    } else {
        number
            .chars()
            .filter_map(decimal_value)
            .map(|d| char::from(b'0' + d))
            .collect()
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

    #[test]
    fn letters_become_keypad_digits_only_from_three_letters_on() {
        assert_eq!(normalize("8 800 MEGAFON"), "88006342366");
        assert_eq!(normalize("8 800 ab1"), "88001");
        assert_eq!(normalize("＋７ ９１２"), "7912");
        assert_eq!(normalize("٨٩١"), "891");
    }

    #[test]
    fn decimal_digits_of_every_script_come_in_runs_of_ten() {
        for &(start, end) in DECIMAL_ZEROS.iter() {
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
            assert_eq!(simple(text), Some(prepare(text)), "{text:?}");
        }
        assert_eq!(simple("8 912 x"), None);
    }
}
