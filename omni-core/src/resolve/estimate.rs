//! Estimating the match model from a user's own unlabelled records, as record-linkage tools do:
//! `u` (how often different people agree by chance) from random pairs, then `m` (how often the
//! same person agrees) and the share of matches among candidate pairs by expectation
//! maximisation over the blocked pairs, with `u` held fixed.

use super::block::blocking_keys;
use super::compare::{compare, CompiledModel, KeyUse, Level, MatchModel, SharedKeys};
use super::observation::{FieldKind, Observation};
use super::prepare::{Prepared, Preparer};
use super::resolver::ResolverConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::ident::PhoneNormalizer;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// The most candidate pairs and random pairs the estimation looks at.
const MAX_PAIRS: usize = 2_000_000;

/// What an estimation found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimation {
    /// The estimated model (the threshold is the configured one; see `suggested_threshold`).
    pub model: MatchModel,
    /// The estimated share of true matches among the candidate pairs.
    pub match_share: f64,
    /// The total weight at which a candidate pair is as likely a match as not, given that
    /// share: log2((1 - share) / share).
    pub suggested_threshold: f64,
    /// Candidate pairs used for m.
    pub candidate_pairs: usize,
    /// Random pairs used for u.
    pub random_pairs: usize,
    /// EM iterations run.
    pub iterations: usize,
    /// Whether EM converged (largest change in m below 1e-4) before the iteration limit.
    pub converged: bool,
}

/// A small, fixed pseudo-random sequence (SplitMix64), so estimation is repeatable.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Estimates m and u for every comparison from `records`, starting from the configured model
/// (or the defaults). Deterministic for the same records in the same order.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a bad configuration or fewer than two records.
///
/// # Example
/// ```
/// use omni_core::resolve::{estimate_model, Observation, ResolverConfig};
/// let records: Vec<Observation> = (0..50)
///     .map(|i| {
///         let mut o = Observation::new(format!("r{i}"));
///         o.name = Some(if i % 2 == 0 { "Иван Петров" } else { "Ivan Petrov" }.into());
///         o.phones = vec![format!("+7912{:07}", i / 2)];
///         o
///     })
///     .collect();
/// let estimation = estimate_model(&records, &ResolverConfig::default()).unwrap();
/// assert!(estimation.candidate_pairs >= 25);
/// ```
pub fn estimate_model(records: &[Observation], config: &ResolverConfig) -> Result<Estimation> {
    if records.len() < 2 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "records: estimation needs at least two records",
        ));
    }
    let fields: Vec<(String, FieldKind)> =
        config.fields.iter().map(|(n, k)| (n.clone(), *k)).collect();
    let mut start = config
        .model
        .clone()
        .unwrap_or_else(|| MatchModel::default_for(&fields));
    for (name, levels) in MatchModel::default_for(&fields).comparisons {
        start.comparisons.entry(name).or_insert(levels);
    }
    let compiled = CompiledModel::new(&start, &fields).map_err(|e| e.at("config"))?;
    let preparer = Preparer {
        phones: PhoneNormalizer::new(&config.default_region)
            .map_err(|e| e.at("config.default_region"))?,
        fallback_phones: config
            .fallback_regions
            .iter()
            .filter_map(|r| PhoneNormalizer::new(r).ok())
            .collect(),
        emails: config.email_rules.clone(),
        placeholders: config.placeholders.clone(),
        fields: fields.clone(),
    };
    let prepared: Vec<Prepared> = records.iter().map(|o| preparer.prepare(o)).collect();
    let personal = |_: &super::prepare::LinkKey| KeyUse::Personal;
    let levels_of = |a: usize, b: usize| {
        compare(
            &compiled,
            &prepared[a],
            &prepared[b],
            &SharedKeys::ByValue(&personal),
            &|_| 0,
        )
        .levels
    };

    // Candidate pairs, as the resolver would form them (without the shared-key guard rails).
    let mut postings: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    let mut key_postings: FxHashMap<&super::prepare::LinkKey, Vec<u32>> = FxHashMap::default();
    for (i, p) in prepared.iter().enumerate() {
        for b in blocking_keys(p) {
            postings.entry(b).or_default().push(i as u32);
        }
        for k in &p.keys {
            key_postings.entry(k).or_default().push(i as u32);
        }
    }
    let mut pairs: Vec<u64> = Vec::new();
    let lists = postings
        .values()
        .filter(|l| l.len() <= config.max_block_size)
        .chain(
            key_postings
                .values()
                .filter(|l| l.len() <= config.max_records_per_identifier),
        );
    'outer: for list in lists {
        for (i, &a) in list.iter().enumerate() {
            for &b in &list[i + 1..] {
                pairs.push((u64::from(a.min(b)) << 32) | u64::from(a.max(b)));
                if pairs.len() >= MAX_PAIRS * 2 {
                    break 'outer;
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs.truncate(MAX_PAIRS);
    let candidate_levels: Vec<Vec<Option<u8>>> = pairs
        .iter()
        .map(|&p| levels_of((p >> 32) as usize, (p & 0xffff_ffff) as usize))
        .collect();

    // u from random pairs.
    let n = records.len() as u64;
    let random_pairs = (MAX_PAIRS / 4).min((n * (n - 1) / 2) as usize);
    let mut rng = SplitMix(0x6f6d_6e69);
    let comparators = compiled.comparators.len();
    let level_counts: Vec<usize> = compiled.weights.iter().map(Vec::len).collect();
    let mut u_counts: Vec<Vec<f64>> = level_counts.iter().map(|&k| vec![1.0; k]).collect();
    for _ in 0..random_pairs {
        let a = (rng.next() % n) as usize;
        let mut b = (rng.next() % n) as usize;
        if a == b {
            b = (b + 1) % n as usize;
        }
        for (c, level) in levels_of(a, b).into_iter().enumerate() {
            if let Some(l) = level {
                u_counts[c][l as usize] += 1.0;
            }
        }
    }
    let u: Vec<Vec<f64>> = u_counts
        .iter()
        .map(|counts| {
            let total: f64 = counts.iter().sum();
            counts.iter().map(|c| c / total).collect()
        })
        .collect();

    // m and the match share by EM.
    let level_name = |c: usize, l: usize| compiled.comparators[c].1.level_names()[l];
    let mut m: Vec<Vec<f64>> = (0..comparators)
        .map(|c| {
            let levels = &start.comparisons[&compiled.comparators[c].0];
            (0..level_counts[c])
                .map(|l| {
                    levels
                        .iter()
                        .find(|x| x.level == level_name(c, l))
                        .map_or(1.0 / level_counts[c] as f64, |x| x.m)
                })
                .collect()
        })
        .collect();
    let mut share = 0.3f64;
    let (mut iterations, mut converged) = (0, false);
    while iterations < 50 && !candidate_levels.is_empty() {
        iterations += 1;
        let mut m_sum: Vec<Vec<f64>> = level_counts.iter().map(|&k| vec![0.5; k]).collect();
        let mut p_sum = 0.0;
        for levels in &candidate_levels {
            let (mut lm, mut lu) = (share.ln(), (1.0 - share).ln());
            for (c, level) in levels.iter().enumerate() {
                if let Some(l) = level {
                    lm += m[c][*l as usize].max(1e-12).ln();
                    lu += u[c][*l as usize].max(1e-12).ln();
                }
            }
            let p = 1.0 / (1.0 + (lu - lm).exp());
            p_sum += p;
            for (c, level) in levels.iter().enumerate() {
                if let Some(l) = level {
                    m_sum[c][*l as usize] += p;
                }
            }
        }
        share = (p_sum / candidate_levels.len() as f64).clamp(1e-6, 1.0 - 1e-6);
        let mut change = 0.0f64;
        for c in 0..comparators {
            let total: f64 = m_sum[c].iter().sum();
            for l in 0..level_counts[c] {
                let new = m_sum[c][l] / total;
                change = change.max((new - m[c][l]).abs());
                m[c][l] = new;
            }
        }
        if change < 1e-4 {
            converged = true;
            break;
        }
    }

    let mut model = start.clone();
    model.comparisons.clear();
    for (c, (name, _)) in compiled.comparators.iter().enumerate() {
        model.comparisons.insert(
            name.clone(),
            (0..level_counts[c])
                .map(|l| Level {
                    level: level_name(c, l).to_string(),
                    m: m[c][l].clamp(1e-9, 1.0),
                    u: u[c][l].clamp(1e-9, 1.0),
                })
                .collect(),
        );
    }
    Ok(Estimation {
        model,
        match_share: share,
        suggested_threshold: ((1.0 - share) / share).log2(),
        candidate_pairs: candidate_levels.len(),
        random_pairs,
        iterations,
        converged,
    })
}
