//! Dumps everything a resolver shows about a realistic input, for comparing two builds byte for
//! byte (an optimisation of the resolver must not change a byte of it): assignments, every
//! customer's card, links (with their evidence) and history, every link with its total, every
//! event, explanations of record pairs, lookups, and the outcomes of a sequence of changes
//! (records re-added, updated, removed, split, unmerged, merged by hand, kept apart) and of
//! adding records one at a time.
//!
//! ```text
//! cargo run --release -p omni-examples --example resolve_changes_dump -- inbox /tmp/inbox_40k.jsonl /tmp/out.txt
//! cargo run --release -p omni-examples --example resolve_changes_dump -- synth 20000 /tmp/out.txt
//! ```
//!
//! `inbox FILE`: one record per message, as the engine builds it (the customer's name and
//! identifiers, the channel, the time, the session and device fields), so a customer who wrote
//! twenty times is twenty records with the same content. `synth PEOPLE`: generated CRM
//! contacts (as `resolve_quality`), each tenth one repeated under other ids at other times.

use chrono::Duration;
use omni_core::message::{parse_messages_lenient, Direction};
use omni_core::resolve::{FieldKind, Observation, Resolver, ResolverConfig};
use omni_examples::{generated_records, observation};
use std::io::Write;

fn inbox(path: &str) -> Result<(Vec<Observation>, ResolverConfig), Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let batch = parse_messages_lenient(&text)?;
    let mut out = Vec::new();
    for m in &batch.messages {
        let mut obs = Observation::from_message(m);
        let key = m.refs.session_id.as_deref().map(|s| ("s", s)).or(m
            .refs
            .conversation_id
            .as_deref()
            .map(|s| ("c", s)));
        if let Some((k, v)) = key.filter(|(_, v)| !v.trim().is_empty()) {
            obs.fields.insert(
                "omni_session".into(),
                format!("{}:{k}:{}", m.channel.name(), v.trim()),
            );
        }
        if let Some(d) = m
            .customer()
            .identifiers
            .iter()
            .find(|i| !i.kind.is_strong())
        {
            obs.fields.insert(
                "omni_device".into(),
                format!("{}:{}", d.kind.name(), d.value),
            );
        }
        if m.direction == Direction::Inbound || out.len() % 3 == 0 {
            out.push(obs);
        }
    }
    let mut config = ResolverConfig::default();
    config
        .fields
        .insert("omni_session".into(), FieldKind::Identifier);
    config
        .fields
        .insert("omni_device".into(), FieldKind::Identifier);
    Ok((out, config))
}

fn synth(people: u64) -> (Vec<Observation>, ResolverConfig) {
    let mut out: Vec<Observation> = generated_records(people, 7)
        .iter()
        .map(observation)
        .collect();
    let n = out.len();
    for i in (0..n).step_by(10) {
        for k in 1..=(i % 4) {
            let mut twin = out[i].clone();
            twin.record_id = format!("{}-t{k}", twin.record_id);
            twin.seen_at = twin.seen_at.map(|t| t + Duration::hours(k as i64 * 7 - 10));
            out.push(twin);
        }
    }
    let mut config = ResolverConfig::default();
    config
        .fields
        .insert("customer_no".into(), FieldKind::Identifier);
    config.fields.insert("tax_id".into(), FieldKind::Identifier);
    (out, config)
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises")
}

/// Everything the resolver shows, as lines.
fn dump(
    w: &mut impl Write,
    label: &str,
    r: &Resolver,
    records: &[Observation],
) -> std::io::Result<()> {
    writeln!(
        w,
        "== {label}: {} records, {} customers",
        r.record_count(),
        r.customer_count()
    )?;
    for o in records {
        writeln!(w, "of {} {:?}", o.record_id, r.customer_of(&o.record_id))?;
    }
    for c in r.customer_ids() {
        writeln!(w, "card {}", json(&r.customer(c)))?;
        writeln!(w, "links {}", json(&r.links(c)))?;
        let history: Option<Vec<_>> = r.history(c);
        writeln!(w, "history {}", json(&history))?;
        writeln!(w, "records {}", json(&r.records(c)))?;
    }
    for (a, b, d, t) in r.all_links() {
        writeln!(w, "link {a} {b} {d:?} {t}")?;
    }
    writeln!(w, "events {}", json(r.all_history()))?;
    for (i, o) in records.iter().enumerate().step_by(37) {
        let other = &records[(i * 7 + 3) % records.len()];
        let e = r.explain(&o.record_id, &other.record_id).ok();
        writeln!(w, "explain {}", json(&e))?;
        if let Some(next) = records.get(i + 1) {
            writeln!(
                w,
                "explain {}",
                json(&r.explain(&o.record_id, &next.record_id).ok())
            )?;
        }
    }
    for o in records.iter().step_by(53) {
        for p in o.phones.iter().chain(&o.emails) {
            writeln!(w, "lookup {p} {}", json(&r.lookup(p)))?;
        }
        writeln!(
            w,
            "lookup_ids {}",
            json(&r.lookup_identifiers(&o.identifiers))
        )?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (records, config) = match args.first().map(String::as_str) {
        Some("inbox") => inbox(args.get(1).ok_or("inbox FILE OUT")?)?,
        Some("synth") => synth(args.get(1).ok_or("synth PEOPLE OUT")?.parse()?),
        _ => return Err("usage: resolve_changes_dump (inbox FILE | synth PEOPLE) OUT".into()),
    };
    let out = args.get(2).ok_or("OUT missing")?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);

    // The batch.
    let mut r = Resolver::new(config.clone())?;
    let outcome = r.add_many(records.clone())?;
    writeln!(
        w,
        "batch: {} assignments, added {}, unchanged {}, updated {}, customers {}, events {}",
        outcome.assignments.len(),
        outcome.added,
        outcome.unchanged,
        outcome.updated,
        outcome.customers,
        outcome.events
    )?;
    for (id, c) in &outcome.assignments {
        writeln!(w, "assign {id} {c}")?;
    }
    dump(&mut w, "batch", &r, &records)?;

    // A snapshot restores the same resolver.
    let mut r = Resolver::restore(&r.snapshot())?;
    dump(&mut w, "restored", &r, &records)?;

    // Changes, one at a time, each outcome written.
    let n = records.len();
    let mut current = records.clone();
    let mut ops = 0usize;
    for i in (0..n).step_by(41) {
        ops += 1;
        let (obs, what) = match ops % 5 {
            // The same record again.
            0 => (records[i].clone(), "same"),
            // Another record's content under this id (a twin of it, maybe of another customer).
            1 => {
                let mut o = records[(i * 13 + 5) % n].clone();
                o.record_id = records[i].record_id.clone();
                o.seen_at = records[i].seen_at;
                (o, "as-other")
            }
            // Changed content.
            2 => {
                let mut o = records[i].clone();
                o.name = Some(format!("{} Иванович", o.name.clone().unwrap_or_default()));
                (o, "renamed")
            }
            // A new twin of this record, seen earlier than everything of it.
            3 => {
                let mut o = records[i].clone();
                o.record_id = format!("{}-early", o.record_id);
                o.seen_at = o.seen_at.map(|t| t - Duration::days(400));
                (o, "early-twin")
            }
            // A new twin seen later, on another channel.
            _ => {
                let mut o = records[i].clone();
                o.record_id = format!("{}-late", o.record_id);
                o.seen_at = o.seen_at.map(|t| t + Duration::days(3));
                o.channel = None;
                (o, "late-twin")
            }
        };
        let res = r.add(obs.clone())?;
        writeln!(w, "add {what} {}", json(&res))?;
        if let Some(pos) = current.iter().position(|o| o.record_id == obs.record_id) {
            current[pos] = obs;
        } else {
            current.push(obs);
        }
    }
    dump(&mut w, "changed", &r, &current)?;

    // Manual operations.
    for i in (0..n).step_by(97) {
        let id = &records[i].record_id;
        let Some(customer) = r.customer_of(id).map(str::to_string) else {
            writeln!(w, "gone {id}")?;
            continue;
        };
        match (i / 97) % 6 {
            0 => {
                let removed = r.remove_customer(&customer, None);
                writeln!(
                    w,
                    "remove {customer} {}",
                    json(&removed.map_err(|e| e.to_string()))
                )?;
            }
            1 => {
                let members = r.records(&customer).map_or(0, |m| m.len());
                let res = if members >= 2 {
                    r.split(&customer, &[id.as_str()], None)
                        .map_err(|e| e.to_string())
                } else {
                    Err("single".to_string())
                };
                writeln!(w, "split {customer} {id} {}", json(&res))?;
            }
            2 => {
                let seq = (i as u64 % r.all_history().len().max(1) as u64) + 1;
                let res = r.unmerge(seq, None).map_err(|e| e.to_string());
                writeln!(w, "unmerge {seq} {}", json(&res))?;
            }
            3 => {
                let other = &records[(i * 31 + 11) % n].record_id;
                if let Some(oc) = r.customer_of(other).map(str::to_string) {
                    let res = r.merge(&customer, &oc, None).map_err(|e| e.to_string());
                    writeln!(w, "merge {customer} {oc} {}", json(&res))?;
                }
            }
            4 => {
                let other = &records[(i * 17 + 29) % n].record_id;
                if let Some(oc) = r.customer_of(other).map(str::to_string) {
                    let res = r
                        .never_merge(&customer, &oc, None)
                        .map_err(|e| e.to_string());
                    writeln!(w, "never {customer} {oc} {}", json(&res))?;
                }
            }
            _ => {
                // Removed, then its records come back (twins of records still there).
                let back: Vec<Observation> = r
                    .records(&customer)
                    .unwrap_or_default()
                    .into_iter()
                    .cloned()
                    .collect();
                let removed = r
                    .remove_customer(&customer, None)
                    .map_err(|e| e.to_string());
                writeln!(w, "remove {customer} {}", json(&removed))?;
                for o in back.into_iter().rev() {
                    writeln!(w, "readd {}", json(&r.add(o)?))?;
                }
            }
        }
    }
    dump(&mut w, "manual", &r, &current)?;
    let r = Resolver::restore(&r.snapshot())?;
    dump(&mut w, "manual-restored", &r, &current)?;

    // One at a time, in another order, against the batch of the same records.
    let some: Vec<Observation> = {
        let k = n.min(20_000);
        let mut v: Vec<Observation> = records[..k].to_vec();
        // A fixed shuffle.
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in (1..v.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            v.swap(i, (s % (i as u64 + 1)) as usize);
        }
        v
    };
    let mut one = Resolver::new(config.clone())?;
    for o in &some {
        let res = one.add(o.clone())?;
        writeln!(w, "one {}", json(&res))?;
    }
    dump(&mut w, "one-at-a-time", &one, &some)?;
    let mut batch = Resolver::new(config)?;
    batch.add_many(some.clone())?;
    dump(&mut w, "batch-of-same", &batch, &some)?;
    w.flush()?;
    Ok(())
}
