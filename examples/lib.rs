//! Runnable examples of omni live in this package; see `examples/inbox_report.rs`.

use omni_core::resolve::Observation;
use omni_core::Identifier;
use omni_synth::{ContactConfig, ContactGenerator, ContactRecord};

/// The value after `--name` on the command line, or `default`.
pub fn numeric_arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The generator's contact records for `people` people with `seed`, default corruptions.
pub fn generated_records(people: u64, seed: u64) -> Vec<ContactRecord> {
    ContactGenerator::new(ContactConfig {
        seed,
        people,
        ..ContactConfig::default()
    })
    .records()
    .collect()
}

/// What the generator knows about a record beyond what the resolver sees: its person and what
/// was done to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordTruth {
    /// The record's id (its observation's `record_id` as a number).
    pub record_id: u64,
    /// The person the record belongs to.
    pub person_id: u64,
    /// The corruptions applied to the record, sorted.
    pub corruptions: Vec<omni_synth::Corruption>,
}

/// The generator's records for `people` people with `seed` as observations (equal to
/// [`observation`] of each of [`generated_records`]), with each record's truth, in the same
/// order. The records are made in chunks and moved into their observations as they come, so
/// the full records are never all held at once.
pub fn generated_observations(people: u64, seed: u64) -> (Vec<Observation>, Vec<RecordTruth>) {
    let generator = ContactGenerator::new(ContactConfig {
        seed,
        people,
        ..ContactConfig::default()
    });
    let (mut observations, mut truths) = (Vec::new(), Vec::new());
    for mut r in generator.records() {
        truths.push(RecordTruth {
            record_id: r.record_id,
            person_id: r.person_id,
            corruptions: std::mem::take(&mut r.corruptions),
        });
        observations.push(into_observation(r));
    }
    (observations, truths)
}

/// [`observation`] of a record taken by value: its texts move into the observation.
pub fn into_observation(r: ContactRecord) -> Observation {
    let mut o = Observation::new(r.record_id.to_string());
    o.channel = Some(r.channel);
    o.seen_at = Some(r.seen_at);
    o.name = r.name;
    o.phones = r.phones;
    o.emails = r.emails;
    o.identifiers = r
        .handles
        .into_iter()
        .map(|h| Identifier::new(h.kind, h.raw))
        .collect();
    o.company = r.company;
    o.city = r.city;
    o.birthday = r.birthday;
    o.address = r.address;
    o.fields = r.extra;
    o
}

/// A generated contact record as the resolver's observation.
pub fn observation(r: &ContactRecord) -> Observation {
    let mut o = Observation::new(r.record_id.to_string());
    o.channel = Some(r.channel.clone());
    o.seen_at = Some(r.seen_at);
    o.name = r.name.clone();
    o.phones = r.phones.clone();
    o.emails = r.emails.clone();
    o.identifiers = r
        .handles
        .iter()
        .map(|h| Identifier::new(h.kind, h.raw.clone()))
        .collect();
    o.company = r.company.clone();
    o.city = r.city.clone();
    o.birthday = r.birthday.clone();
    o.address = r.address.clone();
    o.fields = r.extra.clone();
    o
}

/// CPU time the calling thread has run so far, in seconds (Linux `/proc/thread-self/schedstat`),
/// so that timings on a loaded machine count only this thread's work; `None` elsewhere.
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// CPU time of the whole process so far (user + system, all threads), in seconds, from
/// `/proc/self/stat` (Linux; 0 elsewhere).
pub fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident memory of this process so far, in MiB (`VmHWM` in `/proc/self/status`;
/// 0 where there is none).
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_made_by_moving_equal_those_made_by_cloning() {
        let records = generated_records(300, 11);
        let (observations, truths) = generated_observations(300, 11);
        assert_eq!(records.len(), observations.len());
        assert!(records.iter().any(|r| !r.corruptions.is_empty()));
        for ((r, o), t) in records.iter().zip(&observations).zip(&truths) {
            assert_eq!(&observation(r), o);
            assert_eq!(&into_observation(r.clone()), o);
            assert_eq!(
                (t.record_id, t.person_id, &t.corruptions),
                (r.record_id, r.person_id, &r.corruptions)
            );
        }
    }
}
