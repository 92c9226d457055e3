//! The committed sample files are exactly what the documented commands generate (see
//! `examples/data/README.md`), so they never drift from the generator.

use omni_synth::{
    write_contacts, write_inbox, ContactConfig, ContactGenerator, Format, InboxConfig,
    InboxGenerator,
};
use std::path::PathBuf;

fn committed(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn sample_inbox_is_current() {
    let inbox = InboxGenerator::new(InboxConfig {
        seed: 7,
        customers: 80,
        ..Default::default()
    })
    .generate();
    let (mut out, mut truth) = (Vec::new(), Vec::new());
    write_inbox(inbox.iter(), &mut out, Some(&mut truth)).unwrap();
    assert!(
        out == committed("inbox.jsonl"),
        "examples/data/inbox.jsonl is stale: regenerate it (examples/data/README.md)"
    );
    assert!(
        truth == committed("inbox_truth.jsonl"),
        "examples/data/inbox_truth.jsonl is stale"
    );
}

#[test]
fn sample_contacts_are_current() {
    let generator = ContactGenerator::new(ContactConfig {
        seed: 7,
        people: 400,
        ..Default::default()
    });
    let (mut out, mut truth) = (Vec::new(), Vec::new());
    write_contacts(generator.records(), Format::Csv, &mut out, Some(&mut truth)).unwrap();
    assert!(
        out == committed("contacts_sample.csv"),
        "examples/data/contacts_sample.csv is stale: regenerate it (examples/data/README.md)"
    );
    assert!(
        truth == committed("contacts_sample_truth.csv"),
        "examples/data/contacts_sample_truth.csv is stale"
    );
}
