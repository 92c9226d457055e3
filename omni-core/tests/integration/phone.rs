//! Integration tests: phone normalisation agrees with libphonenumber (the oracle table), gets the
//! everyday Russian and international shapes right (`phone_cases.toml`), and never panics.

use omni_core::ident::phone::MAX_PHONE_INPUT;
use omni_core::{normalize_phone, ErrorKind, Phone, PhoneKind, PhoneNormalizer};
use proptest::prelude::*;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");

fn kind_by_name(name: &str) -> PhoneKind {
    *PhoneKind::ALL
        .iter()
        .find(|k| k.name() == name)
        .unwrap_or_else(|| panic!("unknown phone kind {name:?}"))
}

/// `\\`, `\t`, `\n`, `\r` as the oracle script writes them.
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[derive(Deserialize)]
struct Exceptions {
    #[serde(default)]
    case: Vec<Exception>,
}

#[derive(Deserialize)]
struct Exception {
    input: String,
    default_region: String,
    reason: String,
    e164: String,
    extension: Option<String>,
}

/// One oracle row as omni would print it, so a disagreement shows both sides in one line.
fn describe(result: &omni_core::Result<Phone>) -> String {
    match result {
        Ok(p) => format!(
            "ok {} valid={} region={} type={} ext={}",
            p.e164,
            p.valid,
            p.region.as_deref().unwrap_or(""),
            p.kind.name(),
            p.extension.as_deref().unwrap_or("")
        ),
        Err(e) => format!("error {} ({})", e.kind(), e.message()),
    }
}

#[test]
fn every_oracle_case_agrees_with_libphonenumber() {
    // PHONE_ORACLE points at a larger, uncommitted table (see scripts/phone_oracle.py --random).
    let custom = std::env::var("PHONE_ORACLE").ok();
    let path = custom
        .clone()
        .unwrap_or_else(|| format!("{FIXTURES}/phone_oracle.tsv"));
    let table = std::fs::read_to_string(&path).unwrap();
    let exceptions: Exceptions = toml::from_str(
        &std::fs::read_to_string(format!("{FIXTURES}/phone_oracle_exceptions.toml")).unwrap(),
    )
    .unwrap();
    let excused: HashMap<(String, String), usize> = exceptions
        .case
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.input.clone(), e.default_region.clone()), i))
        .collect();
    let mut excused_seen: HashMap<(String, String), usize> =
        excused.keys().map(|k| (k.clone(), 0)).collect();
    let mut normalizers: HashMap<String, PhoneNormalizer> = HashMap::new();
    let (mut total, mut errors_expected, mut zero_zero_rule) = (0usize, 0usize, 0usize);
    let mut disagreements: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (line_no, line) in table.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 8, "line {}: {line:?}", line_no + 1);
        let input = unescape(cols[0]);
        let region = cols[1].to_string();
        total += 1;
        let normalizer = *normalizers
            .entry(region.clone())
            .or_insert_with(|| PhoneNormalizer::new(&region).unwrap());
        let got = normalizer.normalize(&input);
        let agrees = match (cols[2], &got) {
            ("ok", Ok(p)) => {
                p.e164 == cols[3]
                    && p.valid == (cols[4] == "true")
                    && p.region.as_deref().unwrap_or("") == cols[5]
                    && p.kind == kind_by_name(cols[6])
                    && p.extension.as_deref().unwrap_or("") == cols[7]
            }
            ("ok", Err(_)) => false,
            ("TOO_LONG", Err(e)) if input.len() > MAX_PHONE_INPUT => {
                errors_expected += 1;
                e.kind() == ErrorKind::InputTooLarge
            }
            (_, Err(e)) => {
                errors_expected += 1;
                e.kind() == ErrorKind::InvalidPhone
            }
            (_, Ok(_)) => {
                errors_expected += 1;
                false
            }
        };
        // The `00` rule (see PhoneNormalizer::normalize): where libphonenumber's reading of a
        // number dialled with 00 is not valid and the international reading is, omni gives the
        // international reading.
        let oracle_valid = cols[2] == "ok" && cols[4] == "true";
        if !agrees && !oracle_valid && !input.contains('+') {
            if let Some(at) = input.find(|c: char| c.is_ascii_digit()) {
                let international = format!("{}+{}", &input[..at], &input[at + 2..]);
                if let (true, Ok(p), Ok(q)) = (
                    input[at..].starts_with("00"),
                    &got,
                    normalizer.normalize(&international),
                ) {
                    if q.valid && p == &q {
                        zero_zero_rule += 1;
                        continue;
                    }
                }
            }
        }
        let key = (input.clone(), region.clone());
        if let Some(seen) = excused_seen.get_mut(&key) {
            *seen += 1;
            let exception = &exceptions.case[excused[&key]];
            let phone = got.unwrap_or_else(|e| panic!("{input:?}: {}", e.message()));
            assert_eq!(
                phone.e164, exception.e164,
                "{input:?}: {}",
                exception.reason
            );
            assert_eq!(phone.extension, exception.extension, "{input:?}");
            continue;
        }
        if !agrees {
            disagreements
                .entry(cols[2].to_string())
                .or_default()
                .push(format!(
                    "{input:?} ({region}): libphonenumber says {}, omni says {}",
                    cols[2..].join(" "),
                    describe(&got)
                ));
        }
    }
    let unused: Vec<_> = excused_seen.iter().filter(|(_, n)| **n == 0).collect();
    assert!(
        unused.is_empty() || custom.is_some(),
        "exceptions that match no oracle row: {unused:?}"
    );
    let wrong: usize = disagreements.values().map(Vec::len).sum();
    let report: Vec<String> = disagreements
        .values()
        .flat_map(|v| v.iter().take(15).cloned())
        .collect();
    assert!(total >= 2000, "the oracle has only {total} cases");
    assert!(errors_expected > 100, "the oracle has too few error rows");
    assert_eq!(
        wrong,
        0,
        "{wrong} of {total} oracle cases disagree ({} excused, {zero_zero_rule} by the 00 rule):\n{}",
        excused.len(),
        report.join("\n")
    );
    // Print the tally (visible with --nocapture) so the README's figures can be checked.
    println!(
        "phone oracle: {total} cases, {} agree with libphonenumber, {} excused, {zero_zero_rule} by the 00 rule",
        total - excused.len() - zero_zero_rule,
        excused.len()
    );
}

#[test]
fn zero_zero_dials_abroad_from_russia_when_the_plan_reading_is_not_a_number() {
    let ru = PhoneNormalizer::default();
    let de = ru.normalize("00 49 30 1234567").unwrap();
    assert_eq!(
        (de.e164.as_str(), de.region.as_deref()),
        ("+49301234567", Some("DE"))
    );
    let uk = ru.normalize("00 44 20 7031 3000").unwrap();
    assert_eq!(uk.e164, "+442070313000");
    // 810, the prefix Russia's plan lists, is still read as it always was.
    assert_eq!(
        ru.normalize("810 44 20 7031 3000").unwrap().e164,
        "+442070313000"
    );
}

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input: String,
    #[serde(default = "russia")]
    region: String,
    e164: Option<String>,
    kind: Option<String>,
    #[serde(rename = "number_region")]
    number_region: Option<String>,
    valid: Option<bool>,
    extension: Option<String>,
    error: Option<String>,
}

fn russia() -> String {
    "RU".into()
}

#[test]
fn named_shapes_from_the_issue_are_right() {
    let text = std::fs::read_to_string(format!("{FIXTURES}/phone_cases.toml")).unwrap();
    let cases: Cases = toml::from_str(&text).unwrap();
    assert!(cases.case.len() >= 20);
    for case in &cases.case {
        let got = normalize_phone(&case.input, &case.region);
        let name = &case.name;
        if let Some(error) = &case.error {
            let e = got.expect_err(name);
            assert_eq!(e.kind().name(), error, "{name}: {}", e.message());
            continue;
        }
        let phone = got.unwrap_or_else(|e| panic!("{name}: {}", e.message()));
        if let Some(e164) = &case.e164 {
            assert_eq!(&phone.e164, e164, "{name}");
        }
        if let Some(kind) = &case.kind {
            assert_eq!(phone.kind.name(), kind, "{name}");
        }
        if let Some(region) = &case.number_region {
            assert_eq!(phone.region.as_deref(), Some(region.as_str()), "{name}");
        }
        if let Some(valid) = case.valid {
            assert_eq!(phone.valid, valid, "{name}");
        }
        assert_eq!(phone.extension, case.extension, "{name}");
    }
}

#[test]
fn error_messages_say_what_is_wrong() {
    let message = |text: &str| {
        normalize_phone(text, "RU")
            .unwrap_err()
            .message()
            .to_string()
    };
    assert_eq!(message("не указан"), "\"не указан\": no digits");
    assert!(message("+999 123 456 789").contains("unknown country code +999"));
    assert!(message("12345678901234567890").contains("too long"));
    assert_eq!(
        message("+7 1"),
        "\"+7 1\" has 2 digit(s); a phone number needs at least 3"
    );
    assert!(message("8 10 44").contains("too short after the international prefix"));
    let big = "8".repeat(MAX_PHONE_INPUT + 1);
    assert_eq!(
        normalize_phone(&big, "RU").unwrap_err().kind(),
        ErrorKind::InputTooLarge
    );
    assert_eq!(
        normalize_phone("8 912 345 67 89", "Moscow")
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn valid_only_normalisation_says_why_a_number_is_not_valid() {
    let ru = PhoneNormalizer::default();
    let why = |text: &str| {
        let e = ru.normalize_valid(text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidPhone, "{text}");
        e.message().to_string()
    };
    assert_eq!(
        why("8 912 34"),
        "\"8 912 34\" is too short for RU: 6 digits after +7; numbers there have 10 or 14"
    );
    assert!(why("123-45-67").contains("local number without its area code"));
    assert!(why("+7 912 345 67 89 12").contains("has 12 digits after +7"));
    assert!(why("+7 555 123 45 67").contains("any region with country code +7"));
    assert_eq!(
        why("+44 20 7031 3000 0000 00"),
        "\"+44 20 7031 3000 0000 00\" is too long for country code +44: 16 digits after +44; \
         numbers there have 7, 9 or 10"
    );
    assert!(why("не указан").contains("no digits"));
    let phone = ru.normalize_valid("+7 (912) 345-67-89 доб. 5").unwrap();
    assert_eq!(phone, ru.normalize("+7 (912) 345-67-89 доб. 5").unwrap());
}

fn digits_and_separators() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::char::range('0', '9'),
            2 => proptest::sample::select(vec![' ', '-', '(', ')', '+', '.', '#', 'x', ',', ';']),
            1 => proptest::sample::select(vec!['д', 'о', 'б', 'e', 't', 'A', 'Z', '٣', '７', '\u{a0}', '＋']),
        ],
        0..40,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>(), region in "(RU|KZ|US|DE|GB|BR|AR|IT)") {
        let _ = normalize_phone(&text, &region);
    }

    #[test]
    fn never_panics_on_long_digit_runs(text in "[+]?[0-9]{0,300}") {
        let _ = normalize_phone(&text, "RU");
    }

    #[test]
    fn normalising_the_e164_again_gives_the_same_phone(
        text in prop_oneof![
            digits_and_separators(),
            "(\\+7|8|7)? ?\\(?9[0-9]{2}\\)? ?[0-9]{3}-?[0-9]{2}-?[0-9]{2}",
            "(\\+7|8)? ?(495|499|812|343|800|701|727)[0-9]{7}",
            "\\+(1|44|49|33|39|86|91|55|54|380|998) ?[1-9][0-9]{6,11}",
        ],
        region in "(RU|KZ|US|DE|GB|BR|AR|IT|CN|IN)",
    ) {
        // Only valid numbers: libphonenumber does not round-trip invalid ones either
        // ("0000000000" in BR gives +55000000000, which parses back as +5500000000).
        if let Some(phone) = normalize_phone(&text, &region).ok().filter(|p| p.valid) {
            let again = normalize_phone(&phone.e164, &region).unwrap();
            prop_assert_eq!(&again.e164, &phone.e164);
            prop_assert_eq!(&again.region, &phone.region);
            prop_assert_eq!(again.kind, phone.kind);
            prop_assert_eq!(again.valid, phone.valid);
            prop_assert_eq!(again.extension, None);
        }
    }

    #[test]
    fn the_free_function_and_a_normalizer_agree(text in digits_and_separators(), region in "(RU|KZ|US|DE)") {
        let normalizer = PhoneNormalizer::new(&region).unwrap();
        prop_assert_eq!(normalize_phone(&text, &region), normalizer.normalize(&text));
    }
}
