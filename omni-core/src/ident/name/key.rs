//! Script-independent comparison keys for name tokens.
//!
//! A key is what two spellings of one name have in common: `Александр`, `Aleksandr` and
//! `Alexandr` all become `aleksandr`; `Юлия`, `Yuliya`, `Iuliia` and `Yulia` become `yulya`.
//! Cyrillic is transliterated to Latin, Latin diacritics are dropped, and the usual
//! romanisation variants are collapsed (`kh`/`h`, `x`/`ks`, `ts`/`tz`/`c`, `shch`/`sch`/`sh`,
//! `zh`/`dzh`/initial `j`, the `y`/`i`/`j` glides of `ю`, `я`, `ё`, `ий`, `ый`, `ь`, `ъ`,
//! doubled letters). Keys are for comparison only; they are not a readable transliteration.

use serde::{Deserialize, Serialize};
use unicode_normalization::char::decompose_canonical;

/// The Latin spelling of one lower-case Cyrillic letter, before variant collapsing.
fn cyrillic_to_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' | 'є' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        'ї' => "yi",
        'ґ' => "g",
        'ѣ' => "e",
        _ => return None,
    })
}

/// The ASCII spelling of a Latin letter outside ASCII that has no canonical decomposition.
fn latin_special(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        'ŋ' => "n",
        'ħ' => "h",
        _ => return None,
    })
}

/// Appends the Latin, ASCII-where-possible spelling of folded `text` to `out`.
///
/// Letters of other scripts are kept as they are; hyphens, apostrophes and other marks are
/// dropped.
pub(crate) fn transliterate_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if c.is_ascii_lowercase() {
            out.push(c);
        } else if c.is_ascii() {
            if c.is_ascii_uppercase() {
                out.push(c.to_ascii_lowercase());
            }
        } else if let Some(latin) = cyrillic_to_latin(c).or_else(|| latin_special(c)) {
            out.push_str(latin);
        } else if c.is_alphabetic() {
            // Latin with diacritics: keep the ASCII base letter (é -> e, ç -> c, ň -> n).
            let mut base = None;
            decompose_canonical(c, |d| {
                if base.is_none() {
                    base = Some(d);
                }
            });
            match base {
                Some(b) if b.is_ascii_alphabetic() => out.push(b.to_ascii_lowercase()),
                _ => out.push(c),
            }
        }
    }
}

/// A readable Latin spelling of a Cyrillic name, for display (`Александр` -> `Aleksandr`).
pub(crate) fn readable_latin(cyrillic: &str) -> String {
    let mut out = String::with_capacity(cyrillic.len());
    for c in cyrillic.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let latin = match lower {
            'й' => Some("y"),
            'ё' => Some("yo"),
            other => cyrillic_to_latin(other),
        };
        match latin {
            Some(l) if c.is_uppercase() => {
                let mut chars = l.chars();
                if let Some(first) = chars.next() {
                    out.push(first.to_ascii_uppercase());
                    out.push_str(chars.as_str());
                }
            }
            Some(l) => out.push_str(l),
            None => out.push(c),
        }
    }
    out
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'o' | b'u')
}

fn is_glide(b: u8) -> bool {
    matches!(b, b'i' | b'y' | b'j')
}

/// Collapses consonant clusters that are spelled differently by different romanisations.
///
/// `J` (upper case) marks the sound of `ж`/`дж`/English initial `j`; a lower-case `j` left in
/// the output is a glide and is handled with `i` and `y`.
fn collapse_consonants(latin: &[u8], out: &mut Vec<u8>) {
    let at = |i: usize| latin.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < latin.len() {
        let c = latin[i];
        let (n1, n2, n3) = (at(i + 1), at(i + 2), at(i + 3));
        // Dispatch on the first letter so that each byte is tested only against the clusters
        // that start with it.
        let (emit, used): (&[u8], usize) = match c {
            b's' if n1 == b'h' && n2 == b'c' && n3 == b'h' => (b"sh", 4), // shch
            b's' if n1 == b'c' && n2 == b'h' => (b"sh", 3),               // sch
            b's' if n1 == b'z' => (b"sh", 2),                             // sz
            b't' if n1 == b's' && n2 == b'c' && n3 == b'h' => (b"ch", 4), // tsch
            b't' if n1 == b'c' && n2 == b'h' => (b"ch", 3),               // tch
            b't' if n1 == b's' || n1 == b'z' => (b"c", 2),                // ts, tz
            b't' if n1 == b'h' => (b"t", 2),                              // th
            b'd' if n1 == b'z' && n2 == b'h' => (b"J", 3),                // dzh
            b'd' if n1 == b'j' => (b"J", 2),                              // dj
            b'z' if n1 == b'h' => (b"J", 2),                              // zh
            b'k' if n1 == b'h' => (b"h", 2),                              // kh
            b'c' if n1 == b'z' => (b"ch", 2),                             // cz
            b'c' if n1 == b'k' => (b"k", 2),                              // ck
            b'c' if n1 == b'h' => (b"ch", 2),                             // ch
            // `c` sounds like `к` before a/o/u/l/r/t and at the end (Clark, Marc), like `ц`
            // elsewhere (Cecilia, Cvetkov).
            b'c' if matches!(n1, b'a' | b'o' | b'u' | b'l' | b'r' | b't' | 0) => (b"k", 1),
            b'p' if n1 == b'h' => (b"f", 2), // ph
            b'o' if n1 == b'u' => (b"u", 2), // ou
            b'x' => (b"ks", 1),
            b'q' => (b"k", 1),
            b'w' => (b"v", 1),
            b'j' if i == 0 => (b"J", 1),
            _ => (&latin[i..i + 1], 1),
        };
        out.extend_from_slice(emit);
        i += used;
    }
}

/// Resolves the `i`/`y`/`j` glides and collapses doubled letters.
fn collapse_glides(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if !is_glide(c) {
            if out.last() != Some(&c) || !c.is_ascii_alphabetic() {
                out.push(c);
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_glide(s[i]) {
            i += 1;
        }
        let prev = if start == 0 { None } else { Some(s[start - 1]) };
        let next = s.get(i).copied();
        let push = |out: &mut Vec<u8>, b: u8| {
            if out.last() != Some(&b) {
                out.push(b);
            }
        };
        match (prev, next) {
            // A glide at the end: -ий, -ый, -ей, -ay, -ii, -iy, -ij all read `i`.
            (_, None) => push(out, b'i'),
            // English -ie at the end reads `i` (Katie, Josie, Natalie).
            (Some(_), Some(b'e')) if i + 1 == s.len() => {
                push(out, b'i');
                i += 1;
            }
            (Some(p), Some(n)) if is_vowel(n) && is_vowel(p) => {} // Сергеев/Sergeyev
            (None, Some(b'e')) => {}                               // Елена/Yelena
            (None, Some(n)) if is_vowel(n) => push(out, b'y'),     // Юлия/Yulia/Iulia
            (Some(_), Some(b'e' | b'u')) => {} // Васильев/Vasilyev, Людмила/Lyudmila
            (Some(_), Some(b'o')) => {
                // Фёдор/Fyodor/Fiodor/Fedor: ё after a consonant reads `e`.
                push(out, b'e');
                i += 1;
            }
            (Some(_), Some(b'a')) => push(out, b'y'), // Наталья/Natalia/Natalya
            _ => push(out, b'i'),                     // Rybakov/Рыбаков
        }
    }
}

/// Working buffers for computing keys, reused across the tokens of a name.
#[derive(Default)]
pub(crate) struct KeyBuffers {
    latin: String,
    consonants: Vec<u8>,
    key: Vec<u8>,
}

/// The comparison key of a folded token (see the module documentation).
pub(crate) fn comparison_key(text: &str) -> String {
    comparison_key_with(text, &mut KeyBuffers::default())
}

/// [`comparison_key`] with caller-provided working buffers.
pub(crate) fn comparison_key_with(text: &str, buffers: &mut KeyBuffers) -> String {
    buffers.latin.clear();
    buffers.consonants.clear();
    buffers.key.clear();
    transliterate_into(text, &mut buffers.latin);
    collapse_consonants(buffers.latin.as_bytes(), &mut buffers.consonants);
    collapse_glides(&buffers.consonants, &mut buffers.key);
    // Only ASCII bytes were rewritten, and whole non-ASCII characters were copied byte by byte.
    std::str::from_utf8(&buffers.key)
        .map(str::to_owned)
        .unwrap_or_default()
}

/// A 64-bit fingerprint of a key (FNV-1a), to compare keys without comparing bytes.
pub(crate) fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A key's bytes as counting bit planes (one lane per byte value modulo 64): lane bits set in
/// `planes[k]` for bytes that occur more than `k` times. Two keys share at most
/// `popcount(a[0] & b[0]) + popcount(a[1] & b[1])` bytes (a Jaro match count bound) unless
/// both have a lane with three or more (`planes[2]`), which callers must check.
pub(crate) fn key_planes(key: &str) -> [u64; 3] {
    let mut planes = [0u64; 3];
    for b in key.bytes() {
        let bit = 1u64 << (b & 63);
        if planes[1] & bit != 0 {
            planes[2] |= bit;
        } else if planes[0] & bit != 0 {
            planes[1] |= bit;
        } else {
            planes[0] |= bit;
        }
    }
    planes
}

/// The first four bytes of a key, little-endian, for a cheap common-prefix length.
pub(crate) fn key_head(key: &str) -> u32 {
    key.bytes()
        .take(4)
        .enumerate()
        .fold(0, |h, (i, b)| h | u32::from(b) << (8 * i))
}

/// The comparison key of an initial: transliterated, consonant clusters collapsed, but the
/// glide kept as written, so `Ю.` is `yu`, `Y.` is `y` and `И.`/`I.` are `i`.
pub(crate) fn initial_key(text: &str) -> String {
    let mut latin = String::with_capacity(text.len() + 4);
    transliterate_into(text, &mut latin);
    let mut key = Vec::with_capacity(latin.len() + 4);
    collapse_consonants(latin.as_bytes(), &mut key);
    String::from_utf8(key).unwrap_or_default()
}

/// The gender a name, or a form of it, marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Masculine: `Александр`, `Иванов`, `Иванович`.
    Male,
    /// Feminine: `Александра`, `Иванова`, `Ивановна`.
    Female,
}

/// Russian and Ukrainian patronymic endings on comparison keys: the ending, the gender, how
/// many bytes the gender ending takes, and how many bytes must come before the ending.
const PATRONYMIC_ENDINGS: &[(&str, Gender, usize, usize)] = &[
    ("ovich", Gender::Male, 3, 2),
    ("evich", Gender::Male, 3, 2),
    ("ovych", Gender::Male, 3, 2),
    ("evych", Gender::Male, 3, 2),
    // Ильич, Кузьмич, Фомич, Лукич, Никитич, Саввич: patronymics of names in -а/-я.
    ("ilich", Gender::Male, 2, 0),
    ("kuzmich", Gender::Male, 2, 0),
    ("fomich", Gender::Male, 2, 0),
    ("lukich", Gender::Male, 2, 0),
    ("nikitich", Gender::Male, 2, 0),
    ("savich", Gender::Male, 2, 0),
    ("ovna", Gender::Female, 2, 2),
    ("evna", Gender::Female, 2, 2),
    ("ivna", Gender::Female, 2, 2),
    ("ichna", Gender::Female, 4, 1),
];

/// Whether a key ends like a Russian (or Ukrainian) patronymic, and its gender and stem length.
///
/// The stem drops the gender ending so that `ivanovich` and `ivanovna` share `ivanov`.
pub(crate) fn patronymic_form(key: &str) -> Option<(Gender, usize)> {
    PATRONYMIC_ENDINGS
        .iter()
        .find(|(ending, _, _, before)| key.len() >= ending.len() + before && key.ends_with(ending))
        .map(|&(_, gender, cut, _)| (gender, key.len() - cut))
}

/// The gender and stem length of a surname in one of the gendered Russian forms.
///
/// `ivanov`/`ivanova`, `pushkin`/`pushkina`, `petrovski`/`petrovska` (from `-ский`/`-ская`).
/// `-in` forms are only trusted for Cyrillic spellings (`Martin` is not a Russian surname).
pub(crate) fn surname_form(key: &str, cyrillic: bool) -> Option<(Gender, usize)> {
    let n = key.len();
    if n < 4 {
        return None;
    }
    let ends = |s: &str| key.ends_with(s);
    if ends("ova") || ends("eva") || (ends("ina") && n >= 5) {
        Some((Gender::Female, n - 1))
    } else if ends("ov") || ends("ev") || (cyrillic && ends("in") && n >= 5) {
        Some((Gender::Male, n))
    } else if ends("ska") || ends("cka") {
        Some((Gender::Female, n - 1))
    } else if ends("ski") || ends("cki") {
        Some((Gender::Male, n - 1))
    } else if ends("skoi") {
        Some((Gender::Male, n - 2))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_key(spellings: &[&str]) {
        let keys: Vec<String> = spellings.iter().map(|s| comparison_key(s)).collect();
        for (s, k) in spellings.iter().zip(&keys) {
            assert_eq!(
                k, &keys[0],
                "{s:?} has key {k:?}, {:?} has {:?}",
                spellings[0], keys[0]
            );
        }
    }

    #[test]
    fn romanisation_variants_share_a_key() {
        same_key(&["александр", "aleksandr", "alexandr"]);
        same_key(&["юлия", "yuliya", "iuliia", "yulia", "yuliia", "ioulia"]);
        same_key(&["наталья", "natalya", "natalia", "nataliya", "natal'ya"]);
        same_key(&["дмитрий", "dmitriy", "dmitry", "dmitrii", "dmitrij"]);
        same_key(&["сергей", "sergey", "sergei", "sergej"]);
        same_key(&[
            "алексей",
            "alexey",
            "aleksei",
            "alexei",
            "aleksey",
            "aleksej",
        ]);
        same_key(&["фёдор", "федор", "fyodor", "fedor", "fiodor"]);
        same_key(&["пётр", "pyotr", "petr", "piotr"]);
        same_key(&["семён", "semyon", "semen", "semion"]);
        same_key(&["артём", "artyom", "artem", "artiom"]);
        same_key(&["соловьёв", "solovyov", "solovyev", "soloviev", "solovev"]);
        same_key(&["васильев", "vasilyev", "vasiliev", "vasilev"]);
        same_key(&["сергеев", "sergeev", "sergeyev"]);
        same_key(&["елена", "elena", "yelena"]);
        same_key(&[
            "евгений",
            "evgeniy",
            "yevgeniy",
            "evgenii",
            "evgenij",
            "yevgeny",
        ]);
        same_key(&["жуков", "zhukov", "jukov", "joukov"]);
        same_key(&["хабибулин", "khabibulin", "habibulin", "khabibullin"]);
        same_key(&["цветаева", "tsvetaeva", "cvetaeva", "tzvetaeva"]);
        same_key(&["щукин", "shchukin", "schukin", "shukin"]);
        same_key(&[
            "чайковский",
            "chaikovsky",
            "tchaikovsky",
            "tschaikowski",
            "chaykovskiy",
        ]);
        same_key(&["ксения", "kseniya", "ksenia", "xenia"]);
        same_key(&[
            "алексеевский",
            "alekseevsky",
            "alekseevskiy",
            "alekseevskii",
            "alekseyevsky",
        ]);
        same_key(&["людмила", "lyudmila", "liudmila", "ludmila"]);
        same_key(&["кирилл", "kirill", "kiril"]);
        same_key(&["müller", "muller", "mu\u{308}ller"]);
        same_key(&["юрий", "yury-", "iurii"]);
        same_key(&["natalie", "nathalie", "natali"]);
        same_key(&["josé", "jose"]);
        same_key(&["straße", "strasse"]);
    }

    #[test]
    fn different_names_keep_different_keys() {
        for (a, b) in [
            ("иван", "ivanov"),
            ("мария", "марина"),
            ("жанна", "анна"),
            ("петров", "петрова"),
            ("зуев", "жуев"),
            ("josie", "jose"),
            ("евгений", "eugenie"),
        ] {
            assert_ne!(comparison_key(a), comparison_key(b), "{a} vs {b}");
        }
    }

    #[test]
    fn mixed_scripts_in_one_token_read_as_one_name() {
        // A Latin `I` and `a` inside a Cyrillic word (a common look-alike substitution).
        assert_eq!(comparison_key("iвaн"), comparison_key("иван"));
    }

    #[test]
    fn other_scripts_are_kept() {
        assert_eq!(comparison_key("王小明"), "王小明");
    }

    #[test]
    fn patronymics_and_surname_forms_share_stems() {
        let m = comparison_key("иванович");
        let f = comparison_key("ivanovna");
        let (gm, sm) = patronymic_form(&m).unwrap();
        let (gf, sf) = patronymic_form(&f).unwrap();
        assert_eq!((gm, gf), (Gender::Male, Gender::Female));
        assert_eq!(m[..sm], f[..sf]);
        assert!(patronymic_form(&comparison_key("ильич")).is_some());
        assert!(patronymic_form(&comparison_key("ильинична")).is_some());
        assert!(patronymic_form(&comparison_key("иванов")).is_none());

        for (m, f) in [
            ("иванов", "иванова"),
            ("пушкин", "пушкина"),
            ("petrovsky", "petrovskaya"),
            ("донской", "донская"),
        ] {
            let (km, kf) = (comparison_key(m), comparison_key(f));
            let (gm, sm) = surname_form(&km, true).unwrap();
            let (gf, sf) = surname_form(&kf, true).unwrap();
            assert_eq!((gm, gf), (Gender::Male, Gender::Female), "{m}/{f}");
            assert_eq!(km[..sm], kf[..sf], "{m}/{f}");
        }
        assert_eq!(surname_form(&comparison_key("martin"), false), None);
    }
}
