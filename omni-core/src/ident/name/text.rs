//! Reading a name's text: Unicode NFKC, full case folding, `ё` -> `е`, splitting into words,
//! and dropping honorifics (`г-н`, `Mr.`, `Dr.`, `ИП`) and generational suffixes (`Jr.`).

use std::borrow::Cow;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// NFKC of `text`, borrowing it when it is already normalised (the common case).
pub(crate) fn nfkc(text: &str) -> Cow<'_, str> {
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
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

fn letter(c: char) -> bool {
    c.is_alphabetic() || is_combining_mark(c)
}

/// Splits NFKC text into words. Everything that is not a letter, or a hyphen or apostrophe
/// between letters, separates words (spaces, dots, commas, digits, brackets, emoji).
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !letter(c) || apostrophe(c) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut rewritten = false;
        while j < chars.len() {
            let c = chars[j].1;
            if letter(c) && !apostrophe(c) {
                j += 1;
            } else if (hyphen(c) || apostrophe(c))
                && chars
                    .get(j + 1)
                    .is_some_and(|&(_, n)| letter(n) && !apostrophe(n))
            {
                rewritten |= c != '-' && c != '\'';
                j += 2;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(text.len(), |&(e, _)| e);
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
        i = j;
    }
    out
}

/// Titles written before a name (folded, without dots).
const TITLES: &[&str] = &[
    "г-н",
    "г-жа",
    "гн",
    "гжа",
    "господин",
    "госпожа",
    "гражданин",
    "гражданка",
    "тов",
    "товарищ",
    "уважаемый",
    "уважаемая",
    "ув",
    "ип",
    "д-р",
    "проф",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "mister",
    "dr",
    "prof",
    "sir",
    "madam",
    "madame",
    "mme",
    "mlle",
    "herr",
    "frau",
];

/// Generational and degree suffixes written after a name.
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "мл", "ст",
];

/// Whether the word at `index` of `words` is an honorific to drop: a title anywhere, a suffix
/// anywhere but first.
pub(crate) fn is_honorific(words: &[Word<'_>], index: usize) -> bool {
    let w = words[index].folded.as_str();
    TITLES.contains(&w) || (index > 0 && SUFFIXES.contains(&w))
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
