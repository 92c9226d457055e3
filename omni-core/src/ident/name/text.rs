//! Reading a name's text: Unicode NFKC, full case folding, `ё` -> `е`, splitting into words,
//! and dropping honorifics (`г-н`, `Mr.`, `Dr.`, `ИП`) and generational suffixes (`Jr.`).

use std::borrow::Cow;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Whether `c` is ASCII or a basic Russian letter (`А`-`я`, `Ё`, `ё`): characters that NFKC
/// leaves alone and whose full case folding is plain lower-casing.
fn plain(c: char) -> bool {
    c.is_ascii() || matches!(c, '\u{0410}'..='\u{044F}' | '\u{0401}' | '\u{0451}')
}

/// NFKC of `text`, borrowing it when it is already normalised (the common case).
pub(crate) fn nfkc(text: &str) -> Cow<'_, str> {
    if text.chars().all(plain) || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfkc().collect())
    }
}

/// Full Unicode case folding of one word, with `ё` read as `е` (`Пётр` -> `петр`, `Straße` ->
/// `strasse`).
///
/// `str::to_lowercase` is not case folding: it keeps `ß`, final `ς` and other characters
/// that case-insensitive comparison must fold, which is why this uses the `caseless` crate
/// outside ASCII.
pub(crate) fn fold_word(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    if word.chars().all(plain) {
        return word
            .chars()
            .map(|c| match c {
                '\u{0410}'..='\u{042F}' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
                '\u{0401}' | '\u{0451}' => 'е',
                c => c.to_ascii_lowercase(),
            })
            .collect();
    }
    caseless::default_case_fold_str(word)
        .chars()
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

/// One word of a name as written: letters with any inner hyphens and apostrophes.
#[derive(Debug)]
pub(crate) struct Word<'a> {
    /// The word as written (after NFKC), hyphens and apostrophes normalised to `-` and `'`.
    pub raw: Cow<'a, str>,
    /// The folded word.
    pub folded: String,
}

fn hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}')
}

fn apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}')
}

/// `char::is_alphabetic` with fast paths for ASCII and basic Cyrillic.
pub(crate) fn alphabetic(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        plain(c) || c.is_alphabetic()
    }
}

fn letter(c: char) -> bool {
    alphabetic(c) || (!c.is_ascii() && is_combining_mark(c))
}

/// Splits NFKC text into words. Everything that is not a letter, or a hyphen or apostrophe
/// between letters, separates words (spaces, dots, commas, digits, brackets, emoji).
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !alphabetic(c) || apostrophe(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut rewritten = false;
        while let Some(&(i, c)) = chars.peek() {
            let joins = (hyphen(c) || apostrophe(c))
                && text[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(|n| letter(n) && !apostrophe(n));
            if (letter(c) && !apostrophe(c)) || joins {
                rewritten |= joins && c != '-' && c != '\'';
                end = i + c.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let slice = &text[start..end];
        let raw: Cow<'_, str> = if rewritten {
            Cow::Owned(
                slice
                    .chars()
                    .map(|c| match c {
                        c if hyphen(c) => '-',
                        c if apostrophe(c) => '\'',
                        c => c,
                    })
                    .collect(),
            )
        } else {
            Cow::Borrowed(slice)
        };
        let folded = fold_word(&raw);
        out.push(Word { raw, folded });
    }
    out
}

/// Whether a folded word is a title written before a name (without its dot).
fn is_title(word: &str) -> bool {
    matches!(
        word,
        "г-н"
            | "г-жа"
            | "гн"
            | "гжа"
            | "господин"
            | "госпожа"
            | "гражданин"
            | "гражданка"
            | "тов"
            | "товарищ"
            | "уважаемый"
            | "уважаемая"
            | "ув"
            | "ип"
            | "д-р"
            | "проф"
            | "mr"
            | "mrs"
            | "ms"
            | "miss"
            | "mx"
            | "mister"
            | "dr"
            | "prof"
            | "sir"
            | "madam"
            | "madame"
            | "mme"
            | "mlle"
            | "herr"
            | "frau"
    )
}

/// Whether a folded word is a generational or degree suffix written after a name.
fn is_suffix(word: &str) -> bool {
    matches!(
        word,
        "jr" | "sr" | "ii" | "iii" | "iv" | "phd" | "md" | "esq" | "мл" | "ст"
    )
}

/// Whether a folded word is an honorific to drop: a title or a suffix, wherever it stands (so
/// that dropping them does not depend on word order).
pub(crate) fn is_honorific(word: &str) -> bool {
    word.len() <= 18 && (is_title(word) || is_suffix(word))
}

/// Particles that belong to the next word of a name (`van`, `von`, `де`) or mark a Turkic
/// patronymic (`оглы`, `кызы`). Short words that are also names (`Al`, `Le`, `Du`, `Bin`) are
/// left out.
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "dos", "das", "del", "della", "di", "ten", "ter", "af",
    "av", "ibn", "фон", "ван", "дер", "де", "да", "ди", "дос", "ибн", "оглы", "кызы", "улы",
    "уулу", "ogly", "oglu", "kyzy", "uly", "uulu",
];

/// Whether a folded word is a name particle (see [`PARTICLES`]).
pub(crate) fn is_particle(folded: &str) -> bool {
    folded.len() <= 8 && PARTICLES.contains(&folded)
}

/// Whether a folded word marks the word before it as a Turkic patronymic (`Ильхам оглы`).
pub(crate) fn is_patronymic_marker(folded: &str) -> bool {
    matches!(
        folded,
        "оглы" | "кызы" | "улы" | "уулу" | "ogly" | "oglu" | "kyzy" | "uly" | "uulu"
    )
}

/// Whether the first part of a hyphenated word is an article or particle (`al-Rashid`,
/// `аль-Фараби`, `ибн-Сина`) rather than a name (`Al` is also short for Alexander).
pub(crate) fn is_prefix_particle(folded: &str) -> bool {
    matches!(
        folded,
        "al" | "el"
            | "ul"
            | "ad"
            | "ar"
            | "as"
            | "ash"
            | "at"
            | "az"
            | "ibn"
            | "bin"
            | "аль"
            | "эль"
            | "уль"
            | "ад"
            | "ар"
            | "ас"
            | "аш"
            | "ат"
            | "аз"
            | "ибн"
            | "бин"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> Vec<String> {
        words(&nfkc(text)).into_iter().map(|w| w.folded).collect()
    }

    #[test]
    fn folding_is_full_case_folding_with_yo_as_ye() {
        assert_eq!(fold_word("Пётр"), "петр");
        assert_eq!(fold_word("СЕМЁН"), "семен");
        assert_eq!(fold_word("Straße"), "strasse");
        assert_eq!(fold_word("ΟΔΥΣΣΕΥΣ"), fold_word("οδυσσευς"));
    }

    #[test]
    fn words_split_on_punctuation_and_keep_inner_hyphens_and_apostrophes() {
        assert_eq!(folded("Иванов И.И."), ["иванов", "и", "и"]);
        assert_eq!(folded("O’Brien, Mary-Jane"), ["o'brien", "mary-jane"]);
        assert_eq!(folded("  -Анна-  (Мария) 42 "), ["анна", "мария"]);
        assert_eq!(folded("Ivan_Petrov99"), ["ivan", "petrov"]);
        assert_eq!(folded("ﬁlipp"), ["filipp"]); // NFKC expands the ligature
        assert!(folded("... 123 !!").is_empty());
    }

    #[test]
    fn decomposed_yo_is_composed_then_folded() {
        assert_eq!(folded("Пе\u{0308}тр"), folded("Пётр"));
        assert_eq!(folded("Пе\u{0308}тр"), ["петр"]);
    }
}
