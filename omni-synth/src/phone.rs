//! Invented phone numbers in valid ranges, and the many ways people and systems write them.
//!
//! Russian mobiles are `+7 9xx` (every `9xx` is a mobile range), landlines use real area codes of
//! their city (Moscow 495/499, St Petersburg 812, ...), Kazakh mobiles share `+7` with Russia
//! (`+7 701`, `+7 777`, ...). Foreign numbers come from ranges set aside for fiction where one
//! exists (UK `020 7946 0xxx`, US `555-01xx`), but those hold too few numbers for large runs, so
//! most come from other valid ranges (London `020 7`/`020 3`, UK mobiles `77x`, Germany
//! `151`/`17x`, US exchanges `2xx`-`9xx`).

use crate::rng::SynthRng;

/// A country a generated person lives in or a number belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Country {
    /// Russia (+7).
    Ru,
    /// Kazakhstan (+7, 6xx/7xx).
    Kz,
    /// The United Kingdom (+44).
    Gb,
    /// Germany (+49).
    De,
    /// The United States (+1).
    Us,
}

impl Country {
    /// The calling code without `+`.
    pub const fn calling_code(self) -> &'static str {
        match self {
            Country::Ru | Country::Kz => "7",
            Country::Gb => "44",
            Country::De => "49",
            Country::Us => "1",
        }
    }
}

/// An invented phone number: its country and national significant number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PhoneNumber {
    /// The country the number belongs to.
    pub country: Country,
    /// The national significant number, digits only, without a trunk prefix (`9123456789`).
    pub national: String,
    /// A mobile number (otherwise a landline).
    pub mobile: bool,
}

const KZ_MOBILE: &[&str] = &[
    "700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778",
];
const DE_MOBILE: &[&str] = &[
    "151", "152", "160", "162", "170", "171", "172", "173", "175", "176", "177", "178", "179",
];
const US_AREA: &[&str] = &["212", "646", "415", "312", "617", "202", "305", "206"];

/// A US number: the fictional 555-01xx range now and then (it has only 800 numbers here), else
/// a valid exchange (2xx-9xx, not N11) in a real area code.
fn us_number(rng: &mut SynthRng) -> String {
    let area = rng.pick(US_AREA);
    if rng.chance(0.05) {
        return format!("{area}55501{}", rng.digits(2));
    }
    loop {
        let exchange = rng.range(200, 999);
        if exchange % 100 != 11 && exchange != 555 {
            return format!("{area}{exchange}{}", rng.digits(4));
        }
    }
}

impl PhoneNumber {
    /// The number in E.164 (`+79123456789`).
    pub fn e164(&self) -> String {
        format!("+{}{}", self.country.calling_code(), self.national)
    }

    /// The WhatsApp id of this number: E.164 digits without `+`.
    pub fn wa_id(&self) -> String {
        format!("{}{}", self.country.calling_code(), self.national)
    }

    /// A random mobile number of `country`.
    pub fn mobile(rng: &mut SynthRng, country: Country) -> PhoneNumber {
        let national = match country {
            // Every 9xx is mobile except a reserved block at 9300 0xx (libphonenumber metadata).
            Country::Ru => loop {
                let n = format!("9{}", rng.digits(9));
                if !n.starts_with("93000") {
                    break n;
                }
            },
            Country::Kz => format!("{}{}", rng.pick(KZ_MOBILE), rng.digits(7)),
            Country::Gb => format!("77{}{}", rng.range(1, 7), rng.digits(7)),
            Country::De => format!("{}{}", rng.pick(DE_MOBILE), rng.digits(8)),
            Country::Us => us_number(rng),
        };
        PhoneNumber {
            country,
            national,
            mobile: true,
        }
    }

    /// A random landline with one of `area_codes` (a city's codes); for the UK the London drama
    /// range, for the US the fictional 555-01xx range.
    pub fn landline(rng: &mut SynthRng, country: Country, area_codes: &[&str]) -> PhoneNumber {
        let national = match country {
            // London: the drama range 020 7946 0xxx now and then, else 020 7xxx / 020 3xxx.
            Country::Gb if rng.chance(0.1) => format!("2079460{}", rng.digits(3)),
            Country::Gb => format!("20{}{}", rng.pick(&["7", "3"]), rng.digits(7)),
            Country::Us => us_number(rng),
            _ if area_codes.is_empty() => return PhoneNumber::mobile(rng, country),
            _ => {
                let code = rng.pick(area_codes);
                // Local numbers do not start with 0 or 1.
                let first = rng.range(2, 9);
                format!("{code}{first}{}", rng.digits(9 - code.len()))
            }
        };
        PhoneNumber {
            country,
            national,
            mobile: false,
        }
    }

    /// The number written the way a person, operator or system might: `+7 (912) 345-67-89`,
    /// `8-912-345-67-89`, `9123456789`, `07712 345678`, with `ext` as `доб. 123` or `ext. 12`.
    /// Returns the text and whether it differs from plain E.164.
    pub fn written(&self, rng: &mut SynthRng, ext: Option<&str>) -> (String, bool) {
        let n = &self.national;
        let text = match self.country {
            Country::Ru | Country::Kz => {
                let (a, b, c, d) = (&n[0..3], &n[3..6], &n[6..8], &n[8..10]);
                const FORMATS: &[u32] = &[16, 8, 14, 12, 8, 6, 8, 6, 3, 4, 3, 2, 3, 4, 2];
                match rng.weighted(FORMATS) {
                    0 => format!("+7 ({a}) {b}-{c}-{d}"),
                    1 => format!("+7 {a} {b}-{c}-{d}"),
                    2 => format!("+7{a}{b}{c}{d}"),
                    3 => format!("8{a}{b}{c}{d}"),
                    4 => format!("8 {a} {b} {c} {d}"),
                    5 => format!("8-{a}-{b}-{c}-{d}"),
                    6 => format!("8 ({a}) {b}-{c}-{d}"),
                    7 => format!("{a}{b}{c}{d}"),
                    8 => format!("+7 {a} {b}{c}{d}"),
                    9 => format!("7{a}{b}{c}{d}"),
                    10 => format!("8({a}){b}{c}{d}"),
                    11 => format!("+7-{a}-{b}-{c}-{d}"),
                    12 => format!("({a}) {b}-{c}-{d}"),
                    13 => format!("8 {a} {b}-{c}-{d}"),
                    _ => format!("+7 ({a}) {b} {c} {d}"),
                }
            }
            Country::Gb if self.mobile => {
                let (a, b) = (&n[0..4], &n[4..]);
                match rng.below(6) {
                    0 | 1 => format!("+44 {a} {b}"),
                    2 => format!("+44{n}"),
                    3 => format!("0{a} {b}"),
                    4 => format!("+44 (0){a} {b}"),
                    _ => format!("0044 {a} {b}"),
                }
            }
            Country::Gb => {
                let (a, b, c) = (&n[0..2], &n[2..6], &n[6..]);
                match rng.below(5) {
                    0 | 1 => format!("+44 {a} {b} {c}"),
                    2 => format!("+44 (0){a} {b} {c}"),
                    3 => format!("0{a} {b} {c}"),
                    _ => format!("+44{n}"),
                }
            }
            Country::De => {
                let (a, b) = (&n[0..3], &n[3..]);
                match rng.below(6) {
                    0 | 1 => format!("+49 {a} {b}"),
                    2 => format!("+49 (0){a} {} {}", &b[..4], &b[4..]),
                    3 => format!("0{a} {b}"),
                    4 => format!("+49{n}"),
                    _ => format!("0049 {a} {b}"),
                }
            }
            Country::Us => {
                let (a, b, c) = (&n[0..3], &n[3..6], &n[6..]);
                match rng.below(6) {
                    0 | 1 => format!("+1 ({a}) {b}-{c}"),
                    2 => format!("+1 {a}-{b}-{c}"),
                    3 => format!("({a}) {b}-{c}"),
                    4 => format!("+1{n}"),
                    _ => format!("1-{a}-{b}-{c}"),
                }
            }
        };
        let plain = text == self.e164();
        match ext {
            None => (text, !plain),
            Some(ext) => {
                let suffix = match (self.country, rng.below(8)) {
                    (Country::Ru | Country::Kz, 0..=1) => format!(" доб. {ext}"),
                    // No comma before доб.: CSV cells join several phones with ", ".
                    (Country::Ru | Country::Kz, 2) => format!(" добавочный {ext}"),
                    (Country::Ru | Country::Kz, 3) => format!(" (доб. {ext})"),
                    (Country::Ru | Country::Kz, 4) => format!(" доб.{ext}"),
                    (_, 5) => format!(" #{ext}"),
                    (_, 6) => format!(" x{ext}"),
                    _ => format!(" ext. {ext}"),
                };
                (text + &suffix, true)
            }
        }
    }
}

/// Placeholder phones people type into required fields: some look valid (`+7 999 999-99-99`).
pub const PLACEHOLDER_PHONES: &[&str] = &[
    "0000000000",
    "+7 (000) 000-00-00",
    "89999999999",
    "1111111111",
    "+7 999 999-99-99",
    "80000000000",
    "123456789",
    "-",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_the_right_length_and_prefix() {
        let mut rng = SynthRng::new(1);
        for _ in 0..200 {
            let ru = PhoneNumber::mobile(&mut rng, Country::Ru);
            assert!(ru.national.len() == 10 && ru.national.starts_with('9'));
            let kz = PhoneNumber::mobile(&mut rng, Country::Kz);
            assert!(kz.national.len() == 10 && kz.national.starts_with('7'));
            let gb = PhoneNumber::mobile(&mut rng, Country::Gb);
            assert_eq!(gb.national.len(), 10);
            let de = PhoneNumber::mobile(&mut rng, Country::De);
            assert_eq!(de.national.len(), 11);
            let us = PhoneNumber::mobile(&mut rng, Country::Us);
            assert!(us.national.len() == 10 && us.national.as_bytes()[3] >= b'2');
            let msk = PhoneNumber::landline(&mut rng, Country::Ru, &["495", "499"]);
            assert!(msk.national.len() == 10 && msk.national.starts_with("49"));
        }
    }

    #[test]
    fn written_forms_keep_every_digit() {
        let mut rng = SynthRng::new(2);
        let p = PhoneNumber {
            country: Country::Ru,
            national: "9123456789".into(),
            mobile: true,
        };
        let mut seen_plain = false;
        for _ in 0..300 {
            let (text, differs) = p.written(&mut rng, None);
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            assert!(digits.ends_with("9123456789"), "{text}");
            assert_eq!(differs, text != "+79123456789");
            seen_plain |= !differs;
        }
        assert!(seen_plain);
        let (with_ext, differs) = p.written(&mut rng, Some("123"));
        assert!(differs && with_ext.ends_with("123"), "{with_ext}");
    }
}
