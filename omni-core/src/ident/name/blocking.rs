//! Blocking keys for identity resolution: short strings that spellings of one person's name
//! share, so that a resolver compares only records that share a key.
//!
//! Keys are built from every plausible (family, given) reading of the name, so word order does
//! not matter; from comparison keys, so script does not matter; from the given-name table, so
//! nicknames do not matter; and from two separate halves of the name, so that one typo breaks
//! at most one kind of key:
//!
//! - `fp:<first 3 codes of the family skeleton>:<given initial>`: the skeleton is the family
//!   name's consonant classes (`Петров`, `Petrof`, `Петорв` all start `bdr`), so this survives
//!   any typo in the given name but its first letter, and typos late in the family name;
//! - `gf:<given name id>:<first two letters of the family name>`: survives typos in the family
//!   name after its second letter; the id is the table's (`alexander` for `Саша` and `Alex`).
//!
//! The family name is taken without its gender ending, so `Иванов` and `Иванова` share keys
//! (the similarity then tells them apart). Patronymics are ignored (they are often missing).
//! A name with a given name only or a family name only yields broad keys (`g:<id>`,
//! `f:<skeleton>`); such blocks are large and a resolver should cap them.
//!
//! Recall and size, measured by the integration test
//! `blocking_keys_find_most_true_pairs_in_small_blocks` on 4,999 generated records of 2,000
//! people (Cyrillic/Latin, nicknames, swapped order, patronymics, initials, typos in 18% of
//! records; only 100 surnames, so blocks are denser than in real data): `fp:` alone finds
//! 93.7% of true pairs, `gf:` alone 72.7%, both 97.6% with 2.2 keys per record and 5.5
//! candidate pairs per record. A third key on the last skeleton codes was tried and left out:
//! it added about 0.4 points of recall for about 65% more candidate pairs. Pairs still missed
//! have two corruptions (a typo early in the family name on one side and an initial or a typo
//! in the given name on the other).

use super::given::given_names;
use super::{NameView, TokenKind, TokenView};
use std::collections::BTreeSet;

/// How many codes of the family skeleton the `fp:` key uses.
const SKELETON_PART: usize = 3;

/// The consonant skeleton of a comparison key: the first letter's class (vowels as `a`), then
/// the classes of the following consonants (b/p, v/f, g/k/h, d/t, z/s/c, sh, ch, zh/j, l, m, n,
/// r), repeats collapsed. Keys in other scripts keep their characters.
fn skeleton(stem: &str) -> Vec<char> {
    if !stem.is_ascii() {
        return stem.chars().take(8).collect();
    }
    let b = stem.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut last = 0u8;
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let (code, used) = match b[i] {
            b's' if next == Some(b'h') => (b'x', 2),
            b'c' if next == Some(b'h') => (b'q', 2),
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' => (if i == 0 { b'a' } else { 0 }, 1),
            b'b' | b'p' => (b'b', 1),
            b'v' | b'f' => (b'f', 1),
            b'g' | b'k' | b'h' => (b'k', 1),
            b'd' | b't' => (b'd', 1),
            b'z' | b's' | b'c' => (b's', 1),
            b'J' => (b'j', 1),
            other => (other.to_ascii_lowercase(), 1),
        };
        if code != 0 && code != last {
            out.push(code as char);
        }
        last = code;
        i += used;
    }
    out
}

fn stem<'a, T: TokenView<'a>>(token: T) -> &'a str {
    let key = token.key();
    match token.form() {
        Some(form) if token.kind() == TokenKind::Full => {
            &key[..(form.stem_len as usize).min(key.len())]
        }
        _ => key,
    }
}

/// First letters the given name can have in any of its spellings or full forms.
fn given_initials<'a, T: TokenView<'a>>(token: T, out: &mut Vec<String>) {
    let mut push = |key: &str| {
        if let Some(c) = key.chars().next() {
            let s = c.to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    };
    push(token.key());
    if let Some(set) = token.given() {
        let table = given_names();
        for &g in table.groups_of(set) {
            for key in &table.group(g).full_keys {
                push(key);
            }
        }
    }
}

fn given_ids<'a, T: TokenView<'a>>(token: T, out: &mut Vec<String>) {
    match token.given() {
        Some(set) => {
            let table = given_names();
            out.extend(
                table
                    .groups_of(set)
                    .iter()
                    .map(|&g| table.group(g).id.to_string()),
            );
        }
        None => out.push(format!("~{}", token.key())),
    }
}

pub(crate) fn blocking_keys<N: NameView>(name: &N) -> Vec<String> {
    let tokens: Vec<N::Token<'_>> = name
        .compare_order()
        .iter()
        .take(super::similarity::MAX_COMPARED_TOKENS)
        .map(|&i| name.token(i as usize))
        .collect();
    let full: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].kind() == TokenKind::Full)
        .collect();
    let mut family: Vec<usize> = full
        .iter()
        .copied()
        .filter(|&i| tokens[i].given().is_none())
        .collect();
    if family.is_empty() && full.len() >= 2 {
        family = full.clone();
    }
    if family.is_empty() || (full.len() == 1 && tokens[full[0]].given().is_some()) {
        // `Карпович Роман`: a patronymic-looking word may be the family name.
        family.extend((0..tokens.len()).filter(|&i| tokens[i].kind() == TokenKind::Patronymic));
    }
    let mut given: Vec<usize> = (0..tokens.len())
        .filter(|&i| {
            tokens[i].kind() == TokenKind::Initial
                || (tokens[i].kind() == TokenKind::Full && tokens[i].given().is_some())
        })
        .collect();
    if given.iter().all(|&i| tokens[i].initial()) {
        let extra: Vec<usize> = full
            .iter()
            .copied()
            .filter(|i| !given.contains(i))
            .collect();
        given.extend(extra);
    }
    let mut keys = BTreeSet::new();
    let mut letters = Vec::new();
    let mut ids = Vec::new();
    for &f in &family {
        let family_stem = stem(tokens[f]);
        let codes = skeleton(family_stem);
        let head: String = codes.iter().take(SKELETON_PART).collect();
        let first_letters: String = family_stem.chars().take(2).collect();
        for &g in &given {
            if g == f {
                continue;
            }
            letters.clear();
            given_initials(tokens[g], &mut letters);
            for letter in &letters {
                keys.insert(format!("fp:{head}:{letter}"));
            }
            if !tokens[g].initial() {
                ids.clear();
                given_ids(tokens[g], &mut ids);
                for id in &ids {
                    keys.insert(format!("gf:{id}:{first_letters}"));
                }
            }
        }
    }
    if keys.is_empty() {
        for &f in &family {
            let codes: String = skeleton(stem(tokens[f])).into_iter().collect();
            keys.insert(format!("f:{codes}"));
        }
        for &g in &given {
            if !tokens[g].initial() {
                ids.clear();
                given_ids(tokens[g], &mut ids);
                for id in &ids {
                    keys.insert(format!("g:{id}"));
                }
            }
        }
    }
    keys.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::super::normalize_name;
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        normalize_name(text).unwrap().blocking_keys()
    }

    fn share(a: &str, b: &str) -> bool {
        let b = keys(b);
        keys(a).iter().any(|k| b.contains(k))
    }

    #[test]
    fn skeleton_keeps_consonant_classes() {
        let code = |s: &str| skeleton(s).into_iter().collect::<String>();
        assert_eq!(code("ivanov"), "afnf");
        assert_eq!(code("petrov"), code("petrof"));
        assert_eq!(code("petrov"), code("petorv"));
        assert_eq!(code("shukin"), "xkn");
    }

    #[test]
    fn spellings_of_one_person_share_a_key() {
        assert!(share("Иванов Иван Иванович", "Ivan Ivanov"));
        assert!(share("Саша Петров", "Petrov Alexander"));
        assert!(share("Катя Смирнова", "Catherine Smirnova"));
        assert!(share("Иван Петров", "Иван Петорв"));
        assert!(share("Иван Петров", "Ивна Петров"));
        assert!(share("Петров И.", "Иван Петров"));
        assert!(share("Bill Hartley", "William Hartley"));
        assert!(share("Иванов", "Ivanov"));
        assert!(share("Y. Veselov", "Юрий Веселов"));
    }

    #[test]
    fn unrelated_people_do_not() {
        assert!(!share("Иван Петров", "Мария Сидорова"));
        assert!(!share("Иван Петров", "Сергей Петров"));
        assert!(!share("John Smith", "Jane Doe"));
    }

    #[test]
    fn keys_are_short_and_few() {
        for text in [
            "Иванов Иван Иванович",
            "Anna-Maria Smith Jones",
            "Слава Петров",
        ] {
            let k = keys(text);
            assert!(!k.is_empty() && k.len() <= 24, "{text}: {k:?}");
            assert!(k.iter().all(|k| k.len() <= 32), "{text}: {k:?}");
        }
    }
}
