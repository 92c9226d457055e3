//! Integration tests: email canonicalisation against `tests/fixtures/email.toml`.

use omni_core::ident::email::{DotRule, EmailProvider};
use omni_core::{normalize_email, EmailRules};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input: String,
    canonical: Option<String>,
    original: Option<String>,
    provider: Option<String>,
    error: Option<String>,
}

fn cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/email.toml");
    let text = std::fs::read_to_string(path).expect("email fixture is readable");
    toml::from_str::<Fixture>(&text)
        .expect("email fixture parses")
        .case
}

#[test]
fn every_fixture_case_gives_its_canonical_key_or_error() {
    let cases = cases();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for c in &cases {
        let got = normalize_email(&c.input);
        match (&c.error, got) {
            (Some(kind), Err(e)) if e.kind().name() == kind => {}
            (Some(kind), other) => failures.push(format!("{}: want {kind}, got {other:?}", c.name)),
            (None, Err(e)) => failures.push(format!("{}: unexpected error {e}", c.name)),
            (None, Ok(e)) => {
                if Some(&e.canonical) != c.canonical.as_ref() {
                    failures.push(format!("{}: canonical {:?}", c.name, e.canonical));
                }
                if c.original.as_ref().is_some_and(|o| o != &e.original) {
                    failures.push(format!("{}: original {:?}", c.name, e.original));
                }
                let provider = e.provider.clone().unwrap_or_default();
                if c.provider.as_ref().is_some_and(|p| p != &provider) {
                    failures.push(format!("{}: provider {provider:?}", c.name));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_same_person_across_providers_aliases_gets_one_key() {
    let forms = [
        "Ivan.Petrov@gmail.com",
        "ivanpetrov+orders@GMAIL.COM",
        "Иван <i.van.petrov@googlemail.com>",
        "mailto:ivanpetrov@gmail.com",
    ];
    let keys: Vec<String> = forms
        .iter()
        .map(|f| normalize_email(f).unwrap().canonical)
        .collect();
    assert!(keys.iter().all(|k| k == "ivanpetrov@gmail.com"), "{keys:?}");
}

#[test]
fn a_company_can_pass_its_own_table_as_json() {
    let json = r#"{"providers":[
        {"name":"acme","domains":["acme.example","acme-corp.example"],
         "canonical_domain":"acme.example","dots":"ignore","subaddress_separator":"+"}
    ]}"#;
    let rules = EmailRules::from_json(json).unwrap();
    let e = rules
        .normalize("Ivan.Petrov+crm@ACME-corp.example")
        .unwrap();
    assert_eq!(e.canonical, "ivanpetrov@acme.example");
    // Not in this table: gmail gets no provider rule.
    assert_eq!(
        rules.normalize("a.b@gmail.com").unwrap().canonical,
        "a.b@gmail.com"
    );
}

#[test]
fn the_default_table_can_be_extended() {
    let mut rules = EmailRules::default();
    let mut proton = EmailProvider::new("proton", &["proton.me", "protonmail.com"]);
    proton.canonical_domain = Some("proton.me".into());
    proton.subaddress_separator = Some('+');
    proton.dots = DotRule::Keep;
    rules.set_provider(proton).unwrap();
    assert_eq!(
        rules.normalize("olga+x@ProtonMail.com").unwrap().canonical,
        "olga@proton.me"
    );
    assert_eq!(
        rules.normalize("o.lga@gmail.com").unwrap().canonical,
        "olga@gmail.com"
    );
}
