//! Cyrillic to Latin transliteration the way Russian names really appear in Latin data.
//!
//! Several systems are in use at once: passports since 2014 follow ICAO Doc 9303 (`Aleksandr`,
//! `Dmitrii`, `Iuliia`), older passports and maps BGN/PCGN (`Dmitriy`, `Yuliya`), and people typing
//! by hand write something simpler (`Dmitry`, `Yulia`, `Alexandr`). The generator spreads a
//! person's records over these so that matching has to see through them. Also here: text typed
//! with the wrong keyboard layout (`Bdfy` for `Иван`), a classic of Russian CRM data.

/// A transliteration system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TranslitSystem {
    /// ICAO Doc 9303, used in Russian passports since 2014 (`Iuliia`, `Aleksandr`, `Dmitrii`).
    Icao,
    /// BGN/PCGN, simplified (no diacritics): `Yuliya`, `Dmitriy`, `Yelena` at a word start.
    Bgn,
    /// What people type by hand: `Yulia`, `Dmitry`, `Alexandr` (`кс` as `x`, `х` as `h`).
    Popular,
}

impl TranslitSystem {
    /// Every system.
    pub const ALL: [TranslitSystem; 3] = [
        TranslitSystem::Icao,
        TranslitSystem::Bgn,
        TranslitSystem::Popular,
    ];
}

/// A letter (fast for ASCII and Cyrillic, which is all the generator writes).
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || ('\u{0400}'..='\u{04ff}').contains(&c)
        || (!c.is_ascii() && c.is_alphabetic())
}

/// Lower case of one letter (fast for ASCII and Cyrillic).
fn lower_fast(c: char) -> char {
    match c {
        'А'..='Я' => char::from_u32(c as u32 + 32).unwrap_or(c),
        'Ё' => 'ё',
        _ if c.is_ascii() => c.to_ascii_lowercase(),
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

fn is_vowel(c: char) -> bool {
    "аеёиоуыэюяАЕЁИОУЫЭЮЯ".contains(c)
}

fn base(c: char, system: TranslitSystem) -> Option<&'static str> {
    use TranslitSystem::*;
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => match system {
            Icao => "e",
            _ => "yo",
        },
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => match system {
            Icao => "i",
            _ => "y",
        },
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
        'х' => match system {
            Popular => "h",
            _ => "kh",
        },
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => match system {
            Popular => "sch",
            _ => "shch",
        },
        'ъ' => match system {
            Icao => "ie",
            _ => "",
        },
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => match system {
            Icao => "iu",
            _ => "yu",
        },
        'я' => match system {
            Icao => "ia",
            _ => "ya",
        },
        _ => return None,
    })
}

/// Transliterates Cyrillic text into Latin with `system`; other characters pass through.
///
/// # Example
/// ```
/// use omni_synth::{transliterate, TranslitSystem};
/// assert_eq!(transliterate("Юлия Соловьёва", TranslitSystem::Icao), "Iuliia Soloveva");
/// assert_eq!(transliterate("Юлия Соловьёва", TranslitSystem::Bgn), "Yuliya Solovyova");
/// assert_eq!(transliterate("Александр Дмитрий", TranslitSystem::Popular), "Alexandr Dmitry");
/// ```
pub fn transliterate(text: &str, system: TranslitSystem) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let lower = lower_fast(c);
        let upper = c != lower;
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).map(|n| lower_fast(*n));
        let word_start = !matches!(prev, Some(p) if is_letter(p));
        let word_end = !matches!(chars.get(i + 1), Some(n) if is_letter(*n));
        let mut consumed = 1;
        let piece: String = match (system, lower) {
            // Popular: "кс" -> "x" (Alexandr, Maxim), final "ий"/"ый" -> "y" (Dmitry, Yury).
            (TranslitSystem::Popular, 'к') if next == Some('с') => {
                consumed = 2;
                "x".into()
            }
            (TranslitSystem::Popular, 'и' | 'ы')
                if next == Some('й') && !matches!(chars.get(i + 2), Some(n) if is_letter(*n)) =>
            {
                consumed = 2;
                "y".into()
            }
            // BGN: "е" is "ye" at a word start and after a vowel or a sign.
            (TranslitSystem::Bgn, 'е')
                if word_start || prev.is_some_and(|p| is_vowel(p) || "ьъЬЪ".contains(p)) =>
            {
                "ye".into()
            }
            // BGN and Popular: "ь" before a vowel is heard as "y" (Solovyov, Ilya).
            (TranslitSystem::Bgn | TranslitSystem::Popular, 'ь')
                if !word_end && next.is_some_and(|n| "еёиюя".contains(n)) =>
            {
                match next {
                    Some('е') => {
                        consumed = 2;
                        "ye".into()
                    }
                    Some('ё') => {
                        consumed = 2;
                        "yo".into()
                    }
                    _ => "".into(),
                }
            }
            _ => match base(lower, system) {
                Some(s) => s.into(),
                None => {
                    out.push(c);
                    i += 1;
                    continue;
                }
            },
        };
        let shouting = chars.get(i + consumed).is_some_and(|n| n.is_uppercase())
            || prev.is_some_and(|p| p.is_uppercase());
        if upper && shouting {
            out.push_str(&piece.to_uppercase());
        } else if upper {
            let mut cs = piece.chars();
            if let Some(f) = cs.next() {
                out.extend(f.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(&piece);
        }
        i += consumed;
    }
    out
}

/// The ЙЦУКЕН keys and the QWERTY characters on the same keys, unshifted then shifted.
const RU_KEYS: &str = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ";
const EN_KEYS: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~";

/// Text as typed with the other keyboard layout on: `Иван` becomes `Bdfy`, `ivan` becomes `шмфт`.
///
/// # Example
/// ```
/// use omni_synth::wrong_layout;
/// assert_eq!(wrong_layout("Иван"), "Bdfy");
/// ```
pub fn wrong_layout(text: &str) -> String {
    text.chars()
        .map(|c| {
            if let Some(i) = RU_KEYS.chars().position(|r| r == c) {
                EN_KEYS.chars().nth(i).unwrap_or(c)
            } else if let Some(i) = EN_KEYS.chars().position(|e| e == c) {
                RU_KEYS.chars().nth(i).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use TranslitSystem::*;

    #[test]
    fn names_come_out_as_in_real_documents() {
        assert_eq!(transliterate("Александр", Icao), "Aleksandr");
        assert_eq!(transliterate("Александр", Popular), "Alexandr");
        assert_eq!(transliterate("Дмитрий", Icao), "Dmitrii");
        assert_eq!(transliterate("Дмитрий", Bgn), "Dmitriy");
        assert_eq!(transliterate("Дмитрий", Popular), "Dmitry");
        assert_eq!(transliterate("Елена", Bgn), "Yelena");
        assert_eq!(transliterate("Елена", Icao), "Elena");
        assert_eq!(transliterate("Хабибуллин", Popular), "Habibullin");
        assert_eq!(transliterate("Щербаков", Icao), "Shcherbakov");
        assert_eq!(transliterate("Илья", Bgn), "Ilya");
        assert_eq!(transliterate("Илья", Icao), "Ilia");
        assert_eq!(transliterate("Соловьёв", Bgn), "Solovyov");
        assert_eq!(transliterate("Соловьёв", Icao), "Solovev");
        assert_eq!(transliterate("Юрий Сергеевич", Popular), "Yury Sergeevich");
        assert_eq!(transliterate("ЖУКОВ", Icao), "ZHUKOV");
    }

    #[test]
    fn non_cyrillic_passes_through() {
        assert_eq!(transliterate("John O'Brien", Icao), "John O'Brien");
    }

    #[test]
    fn wrong_layout_goes_both_ways() {
        assert_eq!(wrong_layout("Иван"), "Bdfy");
        assert_eq!(wrong_layout("Петров"), "Gtnhjd");
        assert_eq!(wrong_layout("ivan"), "шмфт");
    }
}
