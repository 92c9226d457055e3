//! Dumps everything a resolution decides, for comparing two builds byte for byte: every
//! customer with its records, every link with its decision and total, and the merge history,
//! for the generated contacts of `resolve_quality` (same generator and configuration).
//!
//! ```text
//! cargo run --release -p omni-examples --example resolve_dump -- --people 20000 > /tmp/a.txt
//! cargo run --release -p omni-examples --example resolve_dump -- --people 20000 --one-at-a-time 1 > /tmp/b.txt
//! ```
//!
//! `--one-at-a-time 1` adds the records one by one (the incremental path) instead of as a batch.

use omni_core::resolve::{FieldKind, Observation, Resolver, ResolverConfig};
use omni_examples::{generated_records, numeric_arg, observation};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people = numeric_arg("--people", 20_000);
    let seed = numeric_arg("--seed", 7);
    let observations: Vec<Observation> = generated_records(people, seed)
        .iter()
        .map(observation)
        .collect();
    let mut config = ResolverConfig::default();
    config
        .fields
        .insert("customer_no".into(), FieldKind::Identifier);
    config.fields.insert("tax_id".into(), FieldKind::Identifier);
    let mut resolver = Resolver::new(config)?;
    if numeric_arg("--one-at-a-time", 0) == 1 {
        for o in observations {
            resolver.add(o)?;
        }
    } else {
        resolver.add_many(observations)?;
    }
    let mut customers: Vec<(String, Vec<String>)> = resolver
        .customer_ids()
        .into_iter()
        .map(|c| {
            let mut ids: Vec<String> = resolver
                .records(c)
                .unwrap_or_default()
                .iter()
                .map(|o| o.record_id.clone())
                .collect();
            ids.sort();
            (c.to_string(), ids)
        })
        .collect();
    customers.sort();
    for (c, ids) in &customers {
        println!("customer {c}: {}", ids.join(" "));
    }
    for (a, b, decision, total) in resolver.all_links() {
        println!("link {a} {b} {decision:?} {total}");
    }
    for e in resolver.all_history() {
        println!("event {e:?}");
    }
    Ok(())
}
