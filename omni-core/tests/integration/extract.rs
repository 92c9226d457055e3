//! Integration tests: contact extraction against `tests/fixtures/extract.toml`.

use omni_core::{extract_contacts, FoundContact};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    text: String,
    #[serde(default)]
    pending: Option<String>,
    found: Vec<Expected>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Expected {
    kind: String,
    value: String,
    raw: String,
    start: usize,
    end: usize,
    #[serde(default)]
    extension: Option<String>,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/extract.toml"
    );
    let text = std::fs::read_to_string(path).expect("extract fixture is readable");
    toml::from_str::<Fixture>(&text)
        .expect("extract fixture parses")
        .case
}

fn as_expected(f: FoundContact) -> Expected {
    Expected {
        kind: f.kind.name().to_string(),
        value: f.value,
        raw: f.raw,
        start: f.start,
        end: f.end,
        extension: f.extension,
    }
}

fn run(case: &Case) -> Vec<Expected> {
    extract_contacts(&case.text)
        .into_iter()
        .map(as_expected)
        .collect()
}

#[test]
fn fixture_spans_are_consistent_with_their_text() {
    for c in cases() {
        for f in &c.found {
            assert_eq!(
                c.text.get(f.start..f.end),
                Some(f.raw.as_str()),
                "{}",
                c.name
            );
        }
    }
}

#[test]
fn every_fixture_case_finds_exactly_its_contacts() {
    let cases = cases();
    assert!(cases.len() >= 80, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in cases.iter().filter(|c| c.pending.is_none()) {
        let got = run(c);
        if got != c.found {
            failures.push(format!(
                "{}: {:?}\n  want {:?}\n  got  {:?}",
                c.name, c.text, c.found, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Cases marked `pending` wait on the phone normaliser rewrite. This test fails once one of
/// them passes, so that its mark gets removed and it is checked like the others from then on.
#[test]
fn pending_cases_still_wait_on_the_phone_normaliser() {
    for c in cases().iter().filter(|c| c.pending.is_some()) {
        assert_ne!(
            run(c),
            c.found,
            "{} now passes: remove its `pending` mark ({})",
            c.name,
            c.pending.as_deref().unwrap_or_default()
        );
    }
}

#[test]
fn negatives_and_positives_are_both_well_represented() {
    let cases = cases();
    let negatives = cases.iter().filter(|c| c.found.is_empty()).count();
    assert!(negatives >= 30, "{negatives} negative cases");
    assert!(cases.len() - negatives >= 50);
}
