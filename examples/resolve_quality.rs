//! Identity resolution on generated CRM contacts, scored against the generator's truth:
//! pairwise precision, recall and F1, cluster-level figures, time and peak memory, and where
//! the errors come from.
//!
//! ```text
//! cargo run --release -p omni-examples --example resolve_quality -- --people 400000 --seed 7
//! ```
//!
//! Records come from `omni-synth` (about 2.5 per person, with the corruptions real CRM data
//! has); the resolver sees only the records, never the truth. The records are moved into the
//! resolver's observations as they are generated: only their truth (person, corruptions) is
//! kept beside the resolver, and the full records are made again after resolving only to
//! print examples (`--examples N`, `--unreachable N`).

use omni_core::resolve::{FieldKind, Observation, Resolver, ResolverConfig};
use omni_examples::{
    generated_observations, generated_records, numeric_arg, peak_rss_mib, thread_cpu_seconds,
    RecordTruth,
};
use omni_synth::{ContactRecord, Corruption};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people = numeric_arg("--people", 40_000);
    let seed = numeric_arg("--seed", 7);
    let examples = numeric_arg("--examples", 0) as usize;

    let generate = Instant::now();
    let (observations, records): (Vec<Observation>, Vec<RecordTruth>) =
        generated_observations(people, seed);
    let generated = generate.elapsed();
    let before = peak_rss_mib();

    let mut config = ResolverConfig::default();
    config
        .fields
        .insert("customer_no".into(), FieldKind::Identifier);
    config.fields.insert("tax_id".into(), FieldKind::Identifier);
    if numeric_arg("--estimate", 0) == 1 {
        let started = Instant::now();
        let e = omni_core::resolve::estimate_model(&observations, &config)?;
        println!(
            "estimated in {:.1} s: match share {:.3}, suggested threshold {:.1}, {} candidate pairs, converged {}",
            started.elapsed().as_secs_f64(),
            e.match_share,
            e.suggested_threshold,
            e.candidate_pairs,
            e.converged
        );
        for (name, levels) in &e.model.comparisons {
            let w: Vec<String> = levels
                .iter()
                .map(|l| format!("{} {:+.1}", l.level, l.weight()))
                .collect();
            println!("  {name}: {}", w.join(", "));
        }
        let mut model = e.model;
        if let Some(t) = std::env::var("THRESHOLD").ok().and_then(|t| t.parse().ok()) {
            model.threshold = t;
        }
        config.model = Some(model);
    }
    let mut resolver = Resolver::new(config)?;
    let start = Instant::now();
    let cpu_start = thread_cpu_seconds();
    let outcome = resolver.add_many(observations)?;
    let elapsed = start.elapsed();
    let cpu = thread_cpu_seconds()
        .zip(cpu_start)
        .map_or(f64::NAN, |(end, start)| end - start);
    let peak = peak_rss_mib();

    // Pairwise figures from the contingency of (customer, person).
    let truth: HashMap<String, u64> = records
        .iter()
        .map(|r| (r.record_id.to_string(), r.person_id))
        .collect();
    // The full records, made again only when examples are printed.
    let unreachable_limit = numeric_arg("--unreachable", 0) as usize;
    let full: HashMap<u64, ContactRecord> = if examples > 0 || unreachable_limit > 0 {
        generated_records(people, seed)
            .into_iter()
            .map(|r| (r.record_id, r))
            .collect()
    } else {
        HashMap::new()
    };
    let mut cells: HashMap<(&str, u64), u64> = HashMap::new();
    let mut per_customer: HashMap<&str, u64> = HashMap::new();
    let mut per_person: HashMap<u64, u64> = HashMap::new();
    for (record, customer) in &outcome.assignments {
        let person = truth[record];
        *cells.entry((customer.as_str(), person)).or_default() += 1;
        *per_customer.entry(customer.as_str()).or_default() += 1;
        *per_person.entry(person).or_default() += 1;
    }
    let tp: u64 = cells.values().map(|&n| pairs(n)).sum();
    let predicted: u64 = per_customer.values().map(|&n| pairs(n)).sum();
    let actual: u64 = per_person.values().map(|&n| pairs(n)).sum();
    let precision = tp as f64 / predicted.max(1) as f64;
    let recall = tp as f64 / actual.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    // Cluster level: people whose records form exactly one customer with nothing else in it.
    let exact = cells
        .iter()
        .filter(|((c, p), &n)| per_customer[c] == n && per_person[p] == n)
        .count();

    println!("omni identity resolution on generated contacts (seed {seed})");
    println!(
        "records {}  people {}  customers found {}  (generated in {:.1} s)",
        records.len(),
        per_person.len(),
        per_customer.len(),
        generated.as_secs_f64()
    );
    println!(
        "resolve: {:.2} s wall, {:.2} s CPU, {:.0} records per CPU second; peak memory {:.0} MiB (before resolving {:.0} MiB)",
        elapsed.as_secs_f64(),
        cpu,
        records.len() as f64 / cpu,
        peak,
        before
    );
    println!("pairwise: precision {precision:.4}  recall {recall:.4}  F1 {f1:.4}  ({tp} of {predicted} predicted pairs true, {actual} true pairs)");
    println!(
        "clusters: {} of {} people exactly one customer ({:.2}%)",
        exact,
        per_person.len(),
        100.0 * exact as f64 / per_person.len() as f64
    );

    // Where the errors come from: missed pairs by the corruptions on their records, wrong
    // pairs by how they were linked.
    let by_id: HashMap<String, &RecordTruth> = records
        .iter()
        .map(|r| (r.record_id.to_string(), r))
        .collect();
    let mut customer_of: HashMap<&str, &str> = HashMap::new();
    for (r, c) in &outcome.assignments {
        customer_of.insert(r.as_str(), c.as_str());
    }
    let mut missed: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut by_person: HashMap<u64, Vec<&RecordTruth>> = HashMap::new();
    for r in &records {
        by_person.entry(r.person_id).or_default().push(r);
    }
    let mut missed_examples = Vec::new();
    for list in by_person.values() {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                let (ia, ib) = (a.record_id.to_string(), b.record_id.to_string());
                if customer_of[ia.as_str()] != customer_of[ib.as_str()] {
                    let mut kinds: Vec<Corruption> = a.corruptions.clone();
                    kinds.extend(&b.corruptions);
                    kinds.sort_by_key(|c| c.name());
                    kinds.dedup();
                    for k in &kinds {
                        *missed.entry(k.name()).or_default() += 1;
                    }
                    if missed_examples.len() < examples {
                        missed_examples.push((*a, *b));
                    }
                }
            }
        }
    }
    let mut wrong: BTreeMap<String, u64> = BTreeMap::new();
    let mut wrong_examples = Vec::new();
    for (a, b, decision, _) in resolver.all_links() {
        let (pa, pb) = (truth[a], truth[b]);
        if pa != pb && customer_of[a] == customer_of[b] {
            *wrong.entry(format!("{decision:?}")).or_default() += 1;
            if wrong_examples.len() < examples {
                wrong_examples.push((by_id[a], by_id[b], resolver.explain(a, b)?));
            }
        }
    }
    // How much recall the data allows: true pairs whose records are connected (within the
    // person) through shared identifiers only, and through any pair the model scores above 0.
    let mut reachable_by_identifier = 0u64;
    let mut reachable_by_evidence = 0u64;
    let mut unreachable_examples: Vec<(&RecordTruth, &RecordTruth)> = Vec::new();
    // Per corruption: true pairs with it on either record, and how many of those share no
    // identifier path.
    let mut corruption_share: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
    for list in by_person.values() {
        let n = list.len();
        let mut ident = (0..n).collect::<Vec<usize>>();
        let mut evid = (0..n).collect::<Vec<usize>>();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for i in 0..n {
            for j in i + 1..n {
                let e = resolver.explain(
                    &list[i].record_id.to_string(),
                    &list[j].record_id.to_string(),
                )?;
                let shares = e.comparisons.iter().any(|c| {
                    matches!(c.field.as_str(), "phone" | "email" | "messenger") || c.field.starts_with("fields.")
                } && c.level.starts_with("agree"));
                if shares {
                    let (a, b) = (find(&mut ident, i), find(&mut ident, j));
                    ident[a] = b;
                }
                if shares || e.total > 0.0 {
                    let (a, b) = (find(&mut evid, i), find(&mut evid, j));
                    evid[a] = b;
                }
            }
        }
        for i in 0..n {
            for j in i + 1..n {
                if find(&mut ident, i) == find(&mut ident, j) {
                    reachable_by_identifier += 1;
                }
                if find(&mut evid, i) == find(&mut evid, j) {
                    reachable_by_evidence += 1;
                }
                let mut kinds: Vec<&'static str> = list[i]
                    .corruptions
                    .iter()
                    .chain(&list[j].corruptions)
                    .map(|c| c.name())
                    .collect();
                kinds.sort_unstable();
                kinds.dedup();
                let connected = find(&mut ident, i) == find(&mut ident, j);
                for k in kinds {
                    let e = corruption_share.entry(k).or_insert((0, 0));
                    e.0 += 1;
                    if !connected {
                        e.1 += 1;
                    }
                }
                if !connected && unreachable_examples.len() < unreachable_limit {
                    unreachable_examples.push((list[i], list[j]));
                }
            }
        }
    }
    println!(
        "recall ceiling: {:.4} through shared identifiers, {:.4} through any positive evidence",
        reachable_by_identifier as f64 / actual.max(1) as f64,
        reachable_by_evidence as f64 / actual.max(1) as f64
    );
    let mut shares: Vec<(&str, u64, u64)> = corruption_share
        .iter()
        .map(|(k, (n, u))| (*k, *n, *u))
        .collect();
    shares.sort_by_key(|b| std::cmp::Reverse(b.2));
    println!("true pairs without a shared-identifier path, by corruption on either record (unlinked/with):");
    for (k, n, u) in shares.iter().take(12) {
        println!(
            "  {k:<18} {u:>6} / {n:<6} ({:.0}%)",
            100.0 * *u as f64 / (*n).max(1) as f64
        );
    }
    for (a, b) in &unreachable_examples {
        println!(
            "NO SHARED IDENTIFIER\n  {:?}\n  {:?}",
            full[&a.record_id], full[&b.record_id]
        );
    }
    println!("missed same-person pairs by corruption on either record: {missed:?}");
    println!("links between different people, by rule: {wrong:?}");
    for (a, b) in missed_examples {
        println!(
            "\nMISSED {:?}\n       {:?}\n  {:?}",
            full[&a.record_id],
            full[&b.record_id],
            resolver
                .explain(&a.record_id.to_string(), &b.record_id.to_string())?
                .reason
        );
    }
    for (a, b, e) in wrong_examples {
        println!(
            "\nWRONG {:?}\n      {:?}\n  {}",
            full[&a.record_id], full[&b.record_id], e.reason
        );
        for c in e.comparisons {
            println!("    {} {} {:?} {:.1}", c.field, c.level, c.values, c.weight);
        }
    }
    Ok(())
}
