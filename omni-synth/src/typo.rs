//! Typing mistakes: a neighbouring key on the ЙЦУКЕН or QWERTY keyboard, a dropped, doubled or
//! swapped letter.

use crate::rng::SynthRng;

const RU_ROWS: [&str; 3] = ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"];
const EN_ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// The keys next to `c` on its keyboard (same row and the rows above and below).
fn neighbours(c: char) -> Vec<char> {
    for rows in [RU_ROWS, EN_ROWS] {
        for (r, row) in rows.iter().enumerate() {
            if let Some(i) = row.chars().position(|k| k == c) {
                let mut out = Vec::new();
                let row_chars: Vec<char> = row.chars().collect();
                if i > 0 {
                    out.push(row_chars[i - 1]);
                }
                if i + 1 < row_chars.len() {
                    out.push(row_chars[i + 1]);
                }
                for other in [r.wrapping_sub(1), r + 1] {
                    if let Some(o) = rows.get(other) {
                        let oc: Vec<char> = o.chars().collect();
                        for j in [i, i + 1] {
                            if let Some(&k) = oc.get(j) {
                                out.push(k);
                            }
                        }
                    }
                }
                return out;
            }
        }
    }
    Vec::new()
}

/// `text` with one typing mistake (never in the first letter, which people rarely get wrong).
///
/// # Example
/// ```
/// use omni_synth::{typo, SynthRng};
/// let mut rng = SynthRng::new(1);
/// let t = typo(&mut rng, "Петров");
/// assert_ne!(t, "Петров");
/// assert!(t.starts_with('П'));
/// ```
pub fn typo(rng: &mut SynthRng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = (1..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.is_empty() {
        return text.to_string();
    }
    for _ in 0..8 {
        let i = *rng.pick(&letters);
        let mut out = chars.clone();
        match rng.below(4) {
            0 => {
                let c = chars[i];
                let lower = c.to_lowercase().next().unwrap_or(c);
                let near = neighbours(lower);
                if near.is_empty() {
                    continue;
                }
                let k = *rng.pick(&near);
                out[i] = if c.is_uppercase() {
                    k.to_uppercase().next().unwrap_or(k)
                } else {
                    k
                };
            }
            1 if letters.len() > 2 => {
                out.remove(i);
            }
            2 => out.insert(i, chars[i]),
            3 if i + 1 < chars.len()
                && chars[i + 1].is_alphabetic()
                && chars[i] != chars[i + 1] =>
            {
                out.swap(i, i + 1)
            }
            _ => continue,
        }
        if out != chars {
            return out.into_iter().collect();
        }
    }
    // Doubling a letter always changes the text.
    let i = letters[0];
    let mut out = chars;
    out.insert(i, out[i]);
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_changes_one_spot_and_keeps_the_first_letter() {
        let mut rng = SynthRng::new(2);
        for word in ["Петров", "Smith", "Анна", "ivan.petrov"] {
            for _ in 0..100 {
                let t = typo(&mut rng, word);
                assert_ne!(t, word);
                assert_eq!(t.chars().next(), word.chars().next());
                let diff = t.chars().count() as i64 - word.chars().count() as i64;
                assert!(diff.abs() <= 1, "{word} -> {t}");
            }
        }
        assert_eq!(typo(&mut rng, "1"), "1");
    }

    #[test]
    fn neighbours_are_on_the_same_keyboard() {
        assert!(neighbours('к').contains(&'у'));
        assert!(neighbours('s').contains(&'a'));
        assert!(neighbours('5').is_empty());
    }
}
