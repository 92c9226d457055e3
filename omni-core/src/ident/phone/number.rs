//! The numeric steps of libphonenumber's `parse` and what follows it: international prefix and
//! country code, the default region's country code without a plus, national prefix and carrier
//! code (kept only when the rest still has a possible length), then `getRegionCodeForNumber` and
//! `getNumberType`, which also decides validity.
//!
//! Each function follows the Python port's function of the same name (`phonenumberutil.py`).

use super::metadata::{LengthCheck, Plans, Territory};
use super::PhoneKind;
use std::borrow::Cow;

/// libphonenumber's shortest and longest national significant number.
const MIN_NSN: usize = 2;
/// See [`MIN_NSN`].
pub(super) const MAX_NSN: usize = 17;

/// Why the digits are not a phone number, as libphonenumber's `NumberParseException` types.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum NumberError {
    /// `INVALID_COUNTRY_CODE`, with the digits that were tried as a code.
    InvalidCountryCode(String),
    /// `TOO_SHORT_AFTER_IDD`.
    TooShortAfterIdd,
    /// `TOO_SHORT_NSN`, with the national number's length.
    TooShortNsn(usize),
    /// `TOO_LONG`, with the national number's length.
    TooLong(usize),
}

/// A parsed number: country calling code and national significant number.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Parsed<'a> {
    pub(super) country_code: u16,
    pub(super) nsn: Cow<'a, str>,
}

/// libphonenumber's `parse` from the normalised digits on (`plus`: the text started with `+`).
pub(super) fn parse<'a>(
    plans: &Plans,
    default: &Territory,
    plus: bool,
    digits: &'a str,
) -> Result<Parsed<'a>, NumberError> {
    let (code, national) = match extract_country_code(plans, default, plus, digits) {
        Ok(found) => found,
        Err(NumberError::InvalidCountryCode(_)) if plus => {
            // "Strip the plus-char, and try again."
            match extract_country_code(plans, default, false, digits)? {
                (0, _) => {
                    return Err(NumberError::InvalidCountryCode(
                        digits.chars().take(3).collect(),
                    ))
                }
                found => found,
            }
        }
        Err(e) => return Err(e),
    };
    let (code, nsn, plan) = if code != 0 {
        let main = &plans.territories[plans.code(u32::from(code))[0]];
        (code, national, main)
    } else {
        (default.country_code, Cow::Borrowed(digits), default)
    };
    if nsn.len() < MIN_NSN {
        return Err(NumberError::TooShortNsn(nsn.len()));
    }
    // Keep the national prefix unless what is left has a possible length.
    let keep = |stripped: &str| {
        matches!(
            plan.test_length(stripped.len()),
            LengthCheck::TooShort | LengthCheck::LocalOnly | LengthCheck::Invalid
        )
    };
    let nsn = match nsn {
        Cow::Borrowed(nsn) => {
            let stripped = strip_national_prefix(nsn, plan);
            if keep(&stripped) {
                Cow::Borrowed(nsn)
            } else {
                stripped
            }
        }
        Cow::Owned(nsn) => {
            let stripped = strip_national_prefix(&nsn, plan);
            if keep(&stripped) {
                Cow::Owned(nsn)
            } else {
                Cow::Owned(stripped.into_owned())
            }
        }
    };
    if nsn.len() < MIN_NSN {
        return Err(NumberError::TooShortNsn(nsn.len()));
    }
    if nsn.len() > MAX_NSN {
        return Err(NumberError::TooLong(nsn.len()));
    }
    Ok(Parsed {
        country_code: code,
        nsn,
    })
}

/// `_maybe_extract_country_code`: `(0, _)` when the number carries no country code.
fn extract_country_code<'a>(
    plans: &Plans,
    default: &Territory,
    plus: bool,
    digits: &'a str,
) -> Result<(u16, Cow<'a, str>), NumberError> {
    // _maybe_strip_i18n_prefix_and_normalize
    let international = if plus {
        Some(digits)
    } else {
        default
            .idd
            .as_ref()
            .and_then(|idd| idd.match_end(digits))
            // Country codes never start with 0, so a 0 after the prefix means it was not one.
            .filter(|&end| digits.as_bytes().get(end) != Some(&b'0'))
            .map(|end| &digits[end..])
    };
    if let Some(full) = international {
        if full.len() <= MIN_NSN {
            return Err(NumberError::TooShortAfterIdd);
        }
        return match leading_country_code(plans, full) {
            Some((code, rest)) => Ok((code, Cow::Borrowed(rest))),
            None => Err(NumberError::InvalidCountryCode(
                full.chars().take(3).collect(),
            )),
        };
    }
    // A national-looking number that starts with the default region's own country code.
    if let Some(potential) = strip_digits(digits, &default.country_code_digits) {
        let potential = strip_national_prefix(potential, default);
        let general = &default.general;
        if (!general.pattern_matches(digits.as_bytes())
            && general.pattern_matches(potential.as_bytes()))
            || default.test_length(digits.len()) == LengthCheck::TooLong
        {
            return Ok((default.country_code, potential));
        }
    }
    Ok((0, Cow::Borrowed("")))
}

/// `digits` without `prefix`, if it starts with it (a byte loop: these are one to three digits).
pub(super) fn strip_digits<'a>(digits: &'a str, prefix: &str) -> Option<&'a str> {
    let (d, p) = (digits.as_bytes(), prefix.as_bytes());
    (d.len() >= p.len() && d.iter().zip(p).all(|(a, b)| a == b)).then(|| &digits[p.len()..])
}

/// `_extract_country_code`: a known country code of one to three digits at the start.
fn leading_country_code<'a>(plans: &Plans, full: &'a str) -> Option<(u16, &'a str)> {
    if full.starts_with('0') {
        return None;
    }
    let mut code = 0u32;
    for (i, b) in full.bytes().take(3).enumerate() {
        code = code * 10 + u32::from(b - b'0');
        if !plans.code(code).is_empty() {
            return Some((code as u16, &full[i + 1..]));
        }
    }
    None
}

/// `_maybe_strip_national_prefix_carrier_code`: the number without its national prefix (and
/// carrier code), or unchanged when stripping would turn a number that fits the plan's general
/// pattern into one that does not.
fn strip_national_prefix<'a>(number: &'a str, plan: &Territory) -> Cow<'a, str> {
    let Some(np) = &plan.national_prefix else {
        return Cow::Borrowed(number);
    };
    if number.is_empty() {
        return Cow::Borrowed(number);
    }
    let Some(end) = np.prefix.match_end(number) else {
        return Cow::Borrowed(number);
    };
    let viable_original = plan.general.pattern_matches(number.as_bytes());
    let captures = match (&np.transform, &np.captures) {
        (Some(_), Some(re)) => re.captures(number),
        _ => None,
    };
    let transformed = match (&np.transform, captures) {
        (Some(rule), Some(caps)) if caps.get(caps.len() - 1).is_some() => {
            let mut out = String::with_capacity(number.len() + rule.len());
            let mut chars = rule.char_indices().peekable();
            while let Some((_, c)) = chars.next() {
                match chars.peek() {
                    Some(&(_, d)) if c == '$' && d.is_ascii_digit() => {
                        chars.next();
                        let group = d as usize - '0' as usize;
                        out.push_str(caps.get(group).map_or("", |m| m.as_str()));
                    }
                    _ => out.push(c),
                }
            }
            out.push_str(&number[end..]);
            Some(out)
        }
        _ => None,
    };
    match transformed {
        Some(t) => {
            if viable_original && !plan.general.pattern_matches(t.as_bytes()) {
                Cow::Borrowed(number)
            } else {
                Cow::Owned(t)
            }
        }
        None => {
            let rest = &number[end..];
            if viable_original && !plan.general.pattern_matches(rest.as_bytes()) {
                Cow::Borrowed(number)
            } else {
                Cow::Borrowed(rest)
            }
        }
    }
}

/// `getRegionCodeForNumber` and then `getNumberType`: the territory a number belongs to, if any,
/// and the number's type there ([`PhoneKind::Unknown`] when it is not valid).
pub(super) fn classify(plans: &Plans, code: u16, nsn: &str) -> (Option<usize>, PhoneKind) {
    let nsn = nsn.as_bytes();
    let list = plans.code(u32::from(code));
    if let [only] = list {
        return (Some(*only), plans.territories[*only].number_type(nsn));
    }
    for &i in list {
        let t = &plans.territories[i];
        match &t.leading_digits {
            Some(leading) if leading.is_match(nsn) => return (Some(i), t.number_type(nsn)),
            Some(_) => {}
            None => match t.number_type(nsn) {
                PhoneKind::Unknown => {}
                kind => return (Some(i), kind),
            },
        }
    }
    (None, PhoneKind::Unknown)
}

#[cfg(test)]
mod tests {
    use super::super::metadata::PLANS;
    use super::*;

    fn ru() -> &'static Territory {
        &PLANS.territories[PLANS.region("RU").unwrap()]
    }

    fn parsed(code: u16, nsn: &str) -> Result<Parsed<'_>, NumberError> {
        Ok(Parsed {
            country_code: code,
            nsn: Cow::Borrowed(nsn),
        })
    }

    #[test]
    fn russian_trunk_prefix_is_stripped_only_from_national_numbers() {
        assert_eq!(
            parse(&PLANS, ru(), false, "89123456789"),
            parsed(7, "9123456789")
        );
        assert_eq!(
            parse(&PLANS, ru(), false, "88005553535"),
            parsed(7, "8005553535")
        );
        assert_eq!(
            parse(&PLANS, ru(), false, "79123456789"),
            parsed(7, "9123456789")
        );
        assert_eq!(
            parse(&PLANS, ru(), true, "448001234567"),
            parsed(44, "8001234567")
        );
        assert_eq!(
            parse(&PLANS, ru(), true, "558001234567"),
            parsed(55, "8001234567")
        );
    }

    #[test]
    fn international_prefixes_of_the_default_region_are_dialled_away() {
        assert_eq!(
            parse(&PLANS, ru(), false, "810442070313000"),
            parsed(44, "2070313000")
        );
        // "8 10" is also how Russians dial abroad, but "810 0..." is not a prefix then.
        assert_eq!(
            parse(&PLANS, ru(), false, "8100123456"),
            parsed(7, "8100123456")
        );
        assert_eq!(
            parse(&PLANS, ru(), true, "999123456"),
            Err(NumberError::InvalidCountryCode("999".into()))
        );
        assert_eq!(
            parse(&PLANS, ru(), false, "81044"),
            Err(NumberError::TooShortAfterIdd)
        );
    }

    #[test]
    fn kazakhstan_shares_plus_seven_by_leading_digits() {
        let kz = PLANS.region("KZ").unwrap();
        assert_eq!(
            classify(&PLANS, 7, "7012345678"),
            (Some(kz), PhoneKind::Mobile)
        );
        assert_eq!(
            classify(&PLANS, 7, "9123456789"),
            (PLANS.region("RU"), PhoneKind::Mobile)
        );
        assert_eq!(
            classify(&PLANS, 7, "5123456789"),
            (None, PhoneKind::Unknown)
        );
    }
}
