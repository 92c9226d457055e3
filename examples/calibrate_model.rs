//! Calibrates omni's default match model on generated CRM contacts with known truth: `m` per
//! comparison level from same-person pairs, `u` from random pairs of different people, then the
//! threshold that maximises pairwise F1. Writes the model as JSON (the file omni-core ships as
//! its default: `omni-core/src/resolve/default_model.json`).
//!
//! ```text
//! cargo run --release -p omni-examples --example calibrate_model -- --people 40000 --seed 11 \
//!     > omni-core/src/resolve/default_model.json
//! ```
//!
//! Calibrate on one seed and evaluate on another (`resolve_quality --seed 7`), so the figures
//! in the README are not measured on the data the weights came from.

use omni_core::resolve::{FieldKind, Level, MatchModel, Resolver, ResolverConfig};
use omni_examples::{generated_records, numeric_arg, observation};
use omni_synth::{ContactRecord, SynthRng};
use std::collections::{BTreeMap, HashMap};

fn config(model: Option<MatchModel>) -> ResolverConfig {
    let mut c = ResolverConfig::default();
    c.fields.insert("customer_no".into(), FieldKind::Identifier);
    c.fields.insert("tax_id".into(), FieldKind::Identifier);
    c.model = model;
    c
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Pairwise precision, recall and F1 of a resolver's customers against the truth.
fn score(resolver: &Resolver, records: &[ContactRecord]) -> (f64, f64, f64) {
    let mut cells: HashMap<(String, u64), u64> = HashMap::new();
    let mut per_customer: HashMap<String, u64> = HashMap::new();
    let mut per_person: HashMap<u64, u64> = HashMap::new();
    for r in records {
        let customer = resolver
            .customer_of(&r.record_id.to_string())
            .unwrap_or_default()
            .to_string();
        *cells.entry((customer.clone(), r.person_id)).or_default() += 1;
        *per_customer.entry(customer).or_default() += 1;
        *per_person.entry(r.person_id).or_default() += 1;
    }
    let tp: u64 = cells.values().map(|&n| pairs(n)).sum();
    let p = tp as f64 / per_customer.values().map(|&n| pairs(n)).sum::<u64>().max(1) as f64;
    let r = tp as f64 / per_person.values().map(|&n| pairs(n)).sum::<u64>().max(1) as f64;
    (p, r, 2.0 * p * r / (p + r).max(f64::MIN_POSITIVE))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people = numeric_arg("--people", 40_000);
    let seed = numeric_arg("--seed", 11);
    let records: Vec<ContactRecord> = generated_records(people, seed);
    let mut resolver = Resolver::new(config(None))?;
    resolver.add_many(records.iter().map(observation).collect())?;

    // Level counts per comparison, for same-person pairs (m) and random pairs (u).
    type Counts = BTreeMap<String, BTreeMap<String, f64>>;
    let mut m: Counts = BTreeMap::new();
    let mut u: Counts = BTreeMap::new();
    let count = |table: &mut Counts,
                 a: &ContactRecord,
                 b: &ContactRecord|
     -> Result<(), Box<dyn std::error::Error>> {
        let e = resolver.explain(&a.record_id.to_string(), &b.record_id.to_string())?;
        for c in e.comparisons {
            *table
                .entry(c.field)
                .or_default()
                .entry(c.level)
                .or_default() += 1.0;
        }
        Ok(())
    };
    let mut by_person: BTreeMap<u64, Vec<&ContactRecord>> = BTreeMap::new();
    for r in &records {
        by_person.entry(r.person_id).or_default().push(r);
    }
    let mut true_pairs = 0u64;
    for list in by_person.values() {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                count(&mut m, a, b)?;
                true_pairs += 1;
            }
        }
    }
    let mut rng = SynthRng::new(seed ^ 0x5eed);
    let mut random_pairs = 0u64;
    while random_pairs < 400_000 {
        let a = &records[rng.below(records.len() as u64) as usize];
        let b = &records[rng.below(records.len() as u64) as usize];
        if a.person_id != b.person_id {
            count(&mut u, a, b)?;
            random_pairs += 1;
        }
    }

    // The model: every level of every built-in comparison (declared fields keep their
    // per-kind defaults), smoothed so no level is impossible.
    let default = MatchModel::default();
    let mut model = MatchModel {
        threshold: default.threshold,
        comparisons: BTreeMap::new(),
    };
    for (field, levels) in &default.comparisons {
        let (mc, uc) = (m.get(field), u.get(field));
        let total = |c: Option<&BTreeMap<String, f64>>| {
            c.map_or(0.0, |c| c.values().sum::<f64>()) + 0.5 * levels.len() as f64
        };
        let (mt, ut) = (total(mc), total(uc));
        let share = |c: Option<&BTreeMap<String, f64>>, level: &str, t: f64| {
            (c.and_then(|c| c.get(level)).copied().unwrap_or(0.0) + 0.5) / t
        };
        model.comparisons.insert(
            field.clone(),
            levels
                .iter()
                .map(|l| Level {
                    level: l.level.clone(),
                    m: share(mc, &l.level, mt),
                    u: share(uc, &l.level, ut),
                })
                .collect(),
        );
    }

    // The threshold with the best pairwise F1 on this data.
    let mut best = (f64::MIN, model.threshold, (0.0, 0.0, 0.0));
    let mut report = Vec::new();
    for tenths in (80..=260).step_by(10) {
        let threshold = tenths as f64 / 10.0;
        let mut candidate = model.clone();
        candidate.threshold = threshold;
        let mut r = Resolver::new(config(Some(candidate)))?;
        r.add_many(records.iter().map(observation).collect())?;
        let (p, rc, f1) = score(&r, &records);
        report.push(format!(
            "  threshold {threshold:>5.1}: precision {p:.4} recall {rc:.4} F1 {f1:.4}"
        ));
        if f1 > best.0 {
            best = (f1, threshold, (p, rc, f1));
        }
    }
    model.threshold = best.1;
    eprintln!(
        "calibrated on seed {seed}, {people} people, {} records: {true_pairs} same-person pairs, {random_pairs} random pairs",
        records.len()
    );
    for line in report {
        eprintln!("{line}");
    }
    eprintln!(
        "chosen threshold {:.1}: precision {:.4} recall {:.4} F1 {:.4}",
        best.1, best.2 .0, best.2 .1, best.2 .2
    );
    println!("{}", serde_json::to_string_pretty(&model)?);
    Ok(())
}
