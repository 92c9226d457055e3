//! Email subjects reduced to what a thread is about: reply and forward prefixes in English,
//! German, Scandinavian and Russian mail clients (`Re:`, `RE[2]:`, `Fwd:`, `FW:`, `AW:`, `WG:`,
//! `Ответ:`, `Отв:`), list tags (`[list]`) and repeated whitespace removed, nested in any order.

/// Prefix words that mark a reply or a forward when followed by `:` (optionally with a count:
/// `Re[2]:`, `Re(3):`, `Re^2:`). Matched case-insensitively.
const PREFIXES: &[&str] = &[
    "re",
    "fw",
    "fwd",
    "aw",
    "wg",
    "sv",
    "vs",
    "antw",
    "rif",
    "tr",
    "ответ",
    "отв",
    "пересл",
    "переслано",
    "ha",
];

/// The most chars in a prefix word (`переслано`).
const MAX_PREFIX_CHARS: usize = 9;

/// Subjects that say nothing about the topic and never group threads.
const EMPTY_SUBJECTS: &[&str] = &["(no subject)", "no subject", "(без темы)", "без темы"];

/// The subject a thread is grouped by, and whether the original carried a reply or forward
/// prefix. The result keeps the original case; compare with [`subject_key`].
///
/// # Example
/// ```
/// use omni_core::thread::normalize_subject;
///
/// assert_eq!(normalize_subject("Re: [shop-list] RE[2]: Fwd:  Заказ  №123"), ("Заказ №123".to_string(), true));
/// assert_eq!(normalize_subject("Ответ: Отв: доставка"), ("доставка".to_string(), true));
/// assert_eq!(normalize_subject("Доставка"), ("Доставка".to_string(), false));
/// ```
pub fn normalize_subject(subject: &str) -> (String, bool) {
    let mut rest = subject.trim();
    let mut was_reply = false;
    loop {
        let before = rest;
        if let Some(after) = strip_list_tag(rest) {
            rest = after;
        }
        if let Some(after) = strip_prefix_word(rest) {
            rest = after;
            was_reply = true;
        }
        if rest.len() == before.len() {
            break;
        }
    }
    // `[Fwd: subject]`, as old Netscape and some gateways write forwards.
    if let Some(inner) = rest
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .filter(|inner| strip_prefix_word(inner).is_some())
    {
        let (text, _) = normalize_subject(inner);
        return (text, true);
    }
    let mut text = String::with_capacity(rest.len());
    for word in rest.split_whitespace() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
    }
    (text, was_reply)
}

/// The comparison key of a subject: normalised, lower-cased, `ё` as `е`; `None` when nothing
/// topical is left (empty, `(no subject)`, `без темы`).
///
/// # Example
/// ```
/// use omni_core::thread::subject_key;
///
/// assert_eq!(subject_key("RE: Счёт на оплату"), subject_key("счет на оплату"));
/// assert_eq!(subject_key("Re: (no subject)"), None);
/// ```
pub fn subject_key(subject: &str) -> Option<String> {
    key_of_normalized(&normalize_subject(subject).0)
}

/// [`subject_key`] of a subject already normalised by [`normalize_subject`].
pub(crate) fn key_of_normalized(text: &str) -> Option<String> {
    let key = match lowercase_simple(text) {
        Some(key) => key,
        None => {
            let key = text.to_lowercase();
            if key.contains('ё') {
                key.replace('ё', "е")
            } else {
                key
            }
        }
    };
    if key.is_empty() || EMPTY_SUBJECTS.contains(&key.as_str()) {
        None
    } else {
        Some(key)
    }
}

/// `text` lower-cased with `ё` as `е`, as `str::to_lowercase` and a replacement would make it,
/// quickly for ASCII and Cyrillic letters and for characters that lower-casing keeps; `None`
/// for a text with any other character.
fn lowercase_simple(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let lower = match c {
            '\0'..='\u{7F}' => c.to_ascii_lowercase(),
            'Ё' | 'ё' => 'е',
            '\u{400}'..='\u{40F}' => char::from_u32(c as u32 + 0x50)?,
            '\u{410}'..='\u{42F}' => char::from_u32(c as u32 + 0x20)?,
            '\u{430}'..='\u{45F}' => c,
            // Others only when lower-casing leaves them as they are (`№`, digits, emoji); the
            // one rule that looks at context (a final capital sigma) changes its letter.
            _ => {
                let mut lower = c.to_lowercase();
                if lower.next() != Some(c) || lower.next().is_some() {
                    return None;
                }
                c
            }
        };
        out.push(lower);
    }
    Some(out)
}

/// Strips one leading `[tag]` (a mailing-list tag) and the spaces after it.
fn strip_list_tag(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('[')?;
    let end = inner.find(']')?;
    let tag = &inner[..end];
    // A tag is short and has no colon (`[Fwd: x]` is a forwarded subject, not a tag).
    if tag.is_empty() || tag.chars().count() > 40 || tag.contains(':') {
        return None;
    }
    Some(inner[end + 1..].trim_start())
}

/// Strips one leading prefix word with its optional count and colon (`RE[2]:`, `Отв:`).
fn strip_prefix_word(text: &str) -> Option<&str> {
    // Every prefix word starts with one of these letters (in either case): most subjects are
    // turned away here.
    let first = text.chars().next()?.to_lowercase().next()?;
    if !PREFIXES.iter().any(|p| p.starts_with(first)) {
        return None;
    }
    // A word of more chars than the longest prefix cannot be one (lower-casing never makes a
    // word shorter).
    let word_end = text
        .char_indices()
        .take(MAX_PREFIX_CHARS + 1)
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(text.len(), |(i, _)| i);
    if text[..word_end].chars().count() > MAX_PREFIX_CHARS {
        return None;
    }
    // Lower-cased into a small buffer (no allocation); a word of more chars than the longest
    // prefix cannot be one.
    let mut lower = ['\0'; MAX_PREFIX_CHARS];
    let mut len = 0;
    for c in text[..word_end].chars().flat_map(char::to_lowercase) {
        if len == MAX_PREFIX_CHARS {
            return None;
        }
        lower[len] = c;
        len += 1;
    }
    let word = &lower[..len];
    if !PREFIXES.iter().any(|p| p.chars().eq(word.iter().copied())) {
        return None;
    }
    let mut rest = text[word_end..].trim_start();
    // An optional count: [2], (2), ^2.
    for (open, close) in [('[', Some(']')), ('(', Some(')')), ('^', None)] {
        if let Some(after) = rest.strip_prefix(open) {
            let digits = after.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 {
                continue;
            }
            let after = &after[digits..];
            rest = match close {
                Some(c) => match after.strip_prefix(c) {
                    Some(a) => a,
                    None => continue,
                },
                None => after,
            };
            break;
        }
    }
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))?;
    Some(rest.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_of_every_client_are_stripped_nested() {
        for (input, want, reply) in [
            ("Re: simple subject", "simple subject", true),
            ("Re: simple subject  ", "simple subject", true),
            ("Re: Re: simple subject  ", "simple subject", true),
            ("Re: Re[4]: simple subject  ", "simple subject", true),
            (
                "Re: [Mailing-List] Re[4]: simple subject  ",
                "simple subject",
                true,
            ),
            ("RE[2]: Счёт", "Счёт", true),
            ("FW: Fwd: price list", "price list", true),
            ("AW: WG: Angebot", "Angebot", true),
            ("Ответ: Re: Отв: заказ", "заказ", true),
            ("[Fwd: enc/signed test 1]", "enc/signed test 1", true),
            ("Re(3): x", "x", true),
            ("Regarding the order", "Regarding the order", false),
            ("Reply needed", "Reply needed", false),
            ("[shop] доставка", "доставка", false),
            ("", "", false),
            ("Re:", "", true),
        ] {
            assert_eq!(
                normalize_subject(input),
                (want.to_string(), reply),
                "{input:?}"
            );
        }
    }

    #[test]
    fn the_quick_lower_case_is_the_standard_one() {
        let mut texts: Vec<String> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .map(String::from)
            .collect();
        texts.extend(["ЗАКАЗ Ёлки №5", "Re: Счёт", "ΣΑΣ", "İstanbul", ""].map(String::from));
        for text in texts {
            let standard = text.to_lowercase().replace('ё', "е");
            if let Some(quick) = lowercase_simple(&text) {
                assert_eq!(quick, standard, "{text:?}");
            }
        }
        assert_eq!(
            lowercase_simple("ЗАКАЗ Ёлки №5"),
            Some("заказ елки №5".into())
        );
        assert_eq!(lowercase_simple("ΣΑΣ"), None);
        assert_eq!(lowercase_simple("ЗАКАЗ Ёлки"), Some("заказ елки".into()));
    }

    #[test]
    fn keys_ignore_case_yo_and_empty_subjects() {
        assert_eq!(subject_key("Re: ЗАКАЗ Ёлки"), Some("заказ елки".into()));
        assert_eq!(subject_key("Без темы"), None);
        assert_eq!(subject_key("  "), None);
    }
}
