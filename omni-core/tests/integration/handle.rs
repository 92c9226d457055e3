//! Integration tests: messenger and social handles against `tests/fixtures/handle.toml`.

use omni_core::{normalize_handle, parse_profile_link, Identifier, IdentifierKind};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    kind: Option<String>,
    input: String,
    expected: Option<Vec<String>>,
    error: Option<String>,
}

fn cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/handle.toml");
    let text = std::fs::read_to_string(path).expect("handle fixture is readable");
    toml::from_str::<Fixture>(&text)
        .expect("handle fixture parses")
        .case
}

#[test]
fn every_fixture_case_gives_its_identifiers_or_error() {
    let cases = cases();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for c in &cases {
        let got: omni_core::Result<Vec<Identifier>> = match &c.kind {
            Some(k) => {
                let kind = IdentifierKind::from_name(k).expect("fixture kind is known");
                normalize_handle(kind, &c.input)
            }
            None => parse_profile_link(&c.input).map(|i| vec![i]),
        };
        let got = got.map(|ids| ids.iter().map(ToString::to_string).collect::<Vec<_>>());
        match (&c.expected, &c.error, got) {
            (Some(want), None, Ok(ids)) if &ids == want => {}
            (None, Some(kind), Err(e)) if e.kind().name() == kind => {}
            (_, _, other) => failures.push(format!("{}: got {other:?}", c.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn one_customer_pasting_the_same_handle_differently_gets_one_identifier() {
    let forms = [
        "@Anna_Smirnova",
        "anna_smirnova",
        "t.me/anna_smirnova",
        "https://t.me/ANNA_SMIRNOVA/",
        "tg://resolve?domain=anna_smirnova",
    ];
    for f in forms {
        let ids = normalize_handle(IdentifierKind::TelegramUsername, f).unwrap();
        assert_eq!(
            ids,
            vec![Identifier::new(
                IdentifierKind::TelegramUsername,
                "anna_smirnova"
            )],
            "{f}"
        );
    }
}

#[test]
fn reasons_say_why_a_link_is_not_a_person() {
    let e = parse_profile_link("https://vk.com/club123456").unwrap_err();
    assert!(e.to_string().contains("community"), "{e}");
    let e = parse_profile_link("https://www.instagram.com/p/Cx1AbCdEfGh/").unwrap_err();
    assert!(e.to_string().contains("not a profile"), "{e}");
}
