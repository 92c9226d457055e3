//! Where identity resolution goes wrong on generated contacts, by category: for every person
//! split over several customers, the best pair between two of its parts (its decision, total
//! and which comparisons fired), and for every customer holding several people, the strongest
//! link between two of them. Counts are in pairs of records, largest category first, with
//! examples and their evidence.
//!
//! ```text
//! cargo run --release -p omni-examples --example quality_audit -- --people 40000 --seed 7 \
//!     --examples 3 --cats 40 [--sig 1]
//! ```
//!
//! `--sig 1` adds how often pairs with the same name identity are the same person, by the
//! comparisons they agree on and how many records carry the name.
use omni_core::resolve::{FieldKind, Observation, PairDecision, Resolver, ResolverConfig};
use omni_examples::{generated_records, numeric_arg, observation};
use omni_synth::ContactRecord;
use std::collections::{BTreeMap, HashMap};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people = numeric_arg("--people", 40_000);
    let seed = numeric_arg("--seed", 7);
    let examples = numeric_arg("--examples", 3) as usize;
    let records: Vec<ContactRecord> = generated_records(people, seed);
    let observations: Vec<Observation> = records.iter().map(observation).collect();
    let mut config = ResolverConfig::default();
    config
        .fields
        .insert("customer_no".into(), FieldKind::Identifier);
    config.fields.insert("tax_id".into(), FieldKind::Identifier);
    let mut resolver = Resolver::new(config)?;
    let outcome = resolver.add_many(observations)?;
    let customer_of: HashMap<String, String> = outcome.assignments.iter().cloned().collect();
    let by_id: HashMap<String, &ContactRecord> = records
        .iter()
        .map(|r| (r.record_id.to_string(), r))
        .collect();
    let mut by_person: BTreeMap<u64, Vec<&ContactRecord>> = BTreeMap::new();
    for r in &records {
        by_person.entry(r.person_id).or_default().push(r);
    }
    let mut by_phone: HashMap<String, Vec<&ContactRecord>> = HashMap::new();
    for r in &records {
        for ph in &r.phones {
            let d: String = ph.chars().filter(|c| c.is_ascii_digit()).collect();
            if d.len() >= 10 {
                by_phone
                    .entry(d[d.len() - 10..].to_string())
                    .or_default()
                    .push(r);
            }
        }
    }
    // Missed: per person, pairs of its customers.
    let mut cats: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
    for list in by_person.values() {
        let mut groups: BTreeMap<&str, Vec<&ContactRecord>> = BTreeMap::new();
        for r in list {
            groups
                .entry(customer_of[&r.record_id.to_string()].as_str())
                .or_default()
                .push(r);
        }
        if groups.len() < 2 {
            continue;
        }
        let gs: Vec<&Vec<&ContactRecord>> = groups.values().collect();
        for i in 0..gs.len() {
            for j in i + 1..gs.len() {
                let mut best: Option<(u8, f64, omni_core::resolve::Evidence)> = None;
                for a in gs[i] {
                    for b in gs[j] {
                        let e =
                            resolver.explain(&a.record_id.to_string(), &b.record_id.to_string())?;
                        let rank = match e.decision {
                            PairDecision::Identifier | PairDecision::Score => 3,
                            PairDecision::Conflict => 2,
                            PairDecision::None => 1,
                        };
                        if best
                            .as_ref()
                            .map_or(true, |(r, t, _)| (rank, e.total) > (*r, *t))
                        {
                            best = Some((rank, e.total, e));
                        }
                    }
                }
                let (_, total, e) = best.unwrap();
                let cat = match e.decision {
                    PairDecision::Identifier | PairDecision::Score => {
                        if e.reason.contains("never compared") {
                            "linkable_not_candidate".to_string()
                        } else {
                            format!("linked_but_split_{:?}", e.decision)
                        }
                    }
                    PairDecision::Conflict => format!("conflict: {}", e.reason),
                    PairDecision::None => {
                        let b = if total >= 10.0 {
                            "10..15"
                        } else if total >= 5.0 {
                            "5..10"
                        } else if total > 0.0 {
                            "0..5"
                        } else {
                            "<=0"
                        };
                        let sig: Vec<String> = e
                            .comparisons
                            .iter()
                            .map(|c| format!("{}:{}", c.field, c.level))
                            .collect();
                        if total > 0.0 {
                            format!("none {b} [{}]", sig.join(" "))
                        } else {
                            format!("none {b}")
                        }
                    }
                };
                let weight = (gs[i].len() * gs[j].len()) as u64;
                let entry = cats.entry(cat).or_default();
                entry.0 += weight;
                if entry.1.len() < examples {
                    let ra = by_id[&e.record_a];
                    let rb = by_id[&e.record_b];
                    let mut s = format!(
                        "    A {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}\n    B {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}\n      {}\n",
                        ra.channel, ra.name, ra.phones, ra.emails, ra.handles, ra.city, ra.company, ra.corruptions,
                        rb.channel, rb.name, rb.phones, rb.emails, rb.handles, rb.city, rb.company, rb.corruptions,
                        e.reason
                    );
                    for c in &e.comparisons {
                        s.push_str(&format!(
                            "      {} {} {:?} {:.1}\n",
                            c.field, c.level, c.values, c.weight
                        ));
                        if c.field == "phone" && c.level == "agree_shared" {
                            let d: String =
                                c.values.0.chars().filter(|c| c.is_ascii_digit()).collect();
                            if d.len() >= 10 {
                                for r in by_phone.get(&d[d.len() - 10..]).into_iter().flatten() {
                                    s.push_str(&format!(
                                        "        on phone: person {} {:?} {:?}\n",
                                        r.person_id, r.name, r.corruptions
                                    ));
                                }
                            }
                        }
                    }
                    entry.1.push(s);
                }
            }
        }
    }
    let mut v: Vec<_> = cats.into_iter().collect();
    v.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
    let total_missed: u64 = v.iter().map(|(_, (n, _))| n).sum();
    println!("MISSED pairs total {total_missed}");
    for (cat, (n, ex)) in v.iter().take(numeric_arg("--cats", 40) as usize) {
        println!("{n:>6} {cat}");
        for e in ex {
            print!("{e}");
        }
    }
    // Signatures of pairs with the same name identity.
    if numeric_arg("--sig", 0) == 1 {
        let mut groups: HashMap<String, Vec<&ContactRecord>> = HashMap::new();
        for r in &records {
            let Some(n) = r
                .name
                .as_deref()
                .and_then(|t| omni_core::normalize_name(t).ok())
            else {
                continue;
            };
            let given = n
                .tokens
                .iter()
                .find(|t| t.role == omni_core::NameRole::Given)
                .map(|t| {
                    t.given_name_ids()
                        .first()
                        .map(|s| s.to_string())
                        .unwrap_or(t.key.clone())
                });
            let family: Vec<&str> = n
                .tokens
                .iter()
                .filter(|t| t.role == omni_core::NameRole::Family)
                .map(|t| t.key.as_str())
                .collect();
            let (Some(g), false) = (given, family.is_empty()) else {
                continue;
            };
            groups
                .entry(format!("{g}|{}", family.join(" ")))
                .or_default()
                .push(r);
        }
        let mut sig: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
        for list in groups.values() {
            if list.len() > 60 {
                continue;
            }
            for i in 0..list.len() {
                for j in i + 1..list.len() {
                    let e = resolver.explain(
                        &list[i].record_id.to_string(),
                        &list[j].record_id.to_string(),
                    )?;
                    let s: Vec<String> = e
                        .comparisons
                        .iter()
                        .map(|c| format!("{}:{}", c.field, c.level))
                        .collect();
                    let n = list.len();
                    let b = if n <= 2 {
                        "2"
                    } else if n <= 4 {
                        "3-4"
                    } else if n <= 8 {
                        "5-8"
                    } else if n <= 16 {
                        "9-16"
                    } else {
                        "17+"
                    };
                    let key = format!("n={b} {}", s.join(" "));
                    let ent = sig.entry(key).or_default();
                    if list[i].person_id == list[j].person_id {
                        ent.0 += 1
                    } else {
                        ent.1 += 1
                    }
                    if matches!(e.decision, PairDecision::Identifier | PairDecision::Score) {
                        ent.2 += 1
                    }
                }
            }
        }
        let mut v: Vec<_> = sig.into_iter().collect();
        v.sort_by_key(|(_, (a, b, _))| std::cmp::Reverse(a + b));
        println!("SIGNATURES same-name pairs: same / different / linked");
        for (k, (a, b, l)) in v
            .iter()
            .filter(|(k, _)| {
                k.ends_with("name:exact")
                    || k.ends_with("name:exact city:agree")
                    || k.ends_with("phone:disagree name:exact")
            })
            .take(60)
        {
            println!("{a:>6} {b:>6} {l:>6}  {k}");
        }
    }
    // False merges: per customer, pairs of persons.
    let mut members: HashMap<&str, Vec<&ContactRecord>> = HashMap::new();
    for (r, c) in &outcome.assignments {
        members.entry(c.as_str()).or_default().push(by_id[r]);
    }
    let mut links_of: HashMap<(&str, &str), (PairDecision, f64)> = HashMap::new();
    for (a, b, d, t) in resolver.all_links() {
        links_of.insert((a, b), (d, t));
        links_of.insert((b, a), (d, t));
    }
    let mut wcats: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
    let mut keys: Vec<&&str> = members.keys().collect();
    keys.sort();
    for c in keys {
        let list = &members[*c];
        let mut persons: BTreeMap<u64, Vec<&ContactRecord>> = BTreeMap::new();
        for r in list {
            persons.entry(r.person_id).or_default().push(r);
        }
        if persons.len() < 2 {
            continue;
        }
        let ps: Vec<&Vec<&ContactRecord>> = persons.values().collect();
        for i in 0..ps.len() {
            for j in i + 1..ps.len() {
                let mut best: Option<(f64, String, String)> = None;
                for a in ps[i] {
                    for b in ps[j] {
                        let (ia, ib) = (a.record_id.to_string(), b.record_id.to_string());
                        if let Some((_, t)) = links_of.get(&(ia.as_str(), ib.as_str())) {
                            if best.as_ref().map_or(true, |(bt, _, _)| t > bt) {
                                best = Some((*t, ia, ib));
                            }
                        }
                    }
                }
                let weight = (ps[i].len() * ps[j].len()) as u64;
                let (cat, ex) = match best {
                    None => ("indirect".to_string(), None),
                    Some((_, ia, ib)) => {
                        let e = resolver.explain(&ia, &ib)?;
                        let sig: Vec<String> = e
                            .comparisons
                            .iter()
                            .filter(|c| c.weight > 0.0)
                            .map(|c| format!("{}:{}", c.field, c.level))
                            .collect();
                        (format!("{:?} [{}]", e.decision, sig.join(" ")), Some(e))
                    }
                };
                let entry = wcats.entry(cat).or_default();
                entry.0 += weight;
                if let Some(e) = ex {
                    if entry.1.len() < examples {
                        let ra = by_id[&e.record_a];
                        let rb = by_id[&e.record_b];
                        let mut s = format!(
                            "    A {:?} {:?} {:?} {:?} {:?} {:?} {:?}\n    B {:?} {:?} {:?} {:?} {:?} {:?} {:?}\n      {}\n",
                            ra.name, ra.phones, ra.emails, ra.handles, ra.city, ra.company, ra.corruptions,
                            rb.name, rb.phones, rb.emails, rb.handles, rb.city, rb.company, rb.corruptions,
                            e.reason
                        );
                        for c in &e.comparisons {
                            s.push_str(&format!(
                                "      {} {} {:?} {:.1}\n",
                                c.field, c.level, c.values, c.weight
                            ));
                        }
                        entry.1.push(s);
                    }
                }
            }
        }
    }
    let mut v: Vec<_> = wcats.into_iter().collect();
    v.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
    let total_wrong: u64 = v.iter().map(|(_, (n, _))| n).sum();
    println!("\nWRONG pairs total {total_wrong}");
    for (cat, (n, ex)) in v.iter().take(numeric_arg("--cats", 40) as usize) {
        println!("{n:>6} {cat}");
        for e in ex {
            print!("{e}");
        }
    }
    Ok(())
}
