//! Comparing two prepared records: Fellegi-Sunter match weights per field, the rules that turn
//! them into a decision (link by a shared identifier, link by score, flag a conflict, or no
//! link), and the evidence that explains it.
//!
//! Each comparison puts a pair into one *level* (`exact`, `high`, ..., `disagree`), or skips it
//! when a side lacks the field. A level has `m` (how often true matches land in it) and `u` (how
//! often non-matches do); its weight is `log2(m / u)` bits, and the pair's total is the sum. The
//! defaults below are set by hand for Russian and English CRM data; [`estimate`](super::estimate)
//! re-estimates them from a user's own records.

use super::block::name_commonness_penalty;
use super::fields;
use super::observation::FieldKind;
use super::person::NameFeatures;
use super::prepare::{FieldValue, KeyFamily, LinkKey, Prepared};
use crate::error::{Error, ErrorKind, Result};
use crate::ident::name::{
    family_in_handle, family_similarity, given_names_shared, NameView, TokenView,
};
use crate::ident::NameRole;
use crate::message::IdentifierKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One level of a comparison with its m and u probabilities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// The level's name (`exact`, `agree`, `disagree`, ...).
    pub level: String,
    /// P(level | the records are the same person).
    pub m: f64,
    /// P(level | the records are different people).
    pub u: f64,
}

impl Level {
    /// The level's match weight in bits: log2(m / u).
    pub fn weight(&self) -> f64 {
        (self.m.max(1e-12) / self.u.max(1e-12)).log2()
    }
}

/// The match model: levels with m and u per comparison, and the threshold a total must reach
/// for records without a shared identifier to be linked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchModel {
    /// Link records without a shared identifier when their total weight reaches this (bits).
    pub threshold: f64,
    /// Levels per comparison, by comparison name (`name`, `phone`, `fields.tax_id`, ...).
    pub comparisons: BTreeMap<String, Vec<Level>>,
}

fn levels(spec: &[(&str, f64, f64)]) -> Vec<Level> {
    spec.iter()
        .map(|&(level, m, u)| Level {
            level: level.to_string(),
            m,
            u,
        })
        .collect()
}

/// The comparisons omni makes, in evaluation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Comparator {
    Phone,
    Email,
    Messenger,
    Name,
    Patronymic,
    EmailLocal,
    NameInHandle,
    City,
    Company,
    Birthday,
    Address,
    Field(u16, FieldKind),
}

/// Level names of identifier comparisons, in order.
const IDENTIFIER_LEVELS: &[&str] = &["agree", "agree_shared", "disagree"];
/// Phone levels: as identifiers, plus `similar`: no number shared, but two numbers one digit
/// apart (one wrong digit or two neighbours swapped, in the subscriber part): a typing mistake.
const PHONE_LEVELS: &[&str] = &["agree", "agree_shared", "disagree", "similar"];
/// Name levels: `exact` and `high` need a given and a family name on both sides (a full name says
/// much more than a first name alone); `partial` is a good match where one side has less.
const NAME_LEVELS: &[&str] = &["exact", "high", "partial", "low", "disagree"];
const LOCAL_LEVELS: &[&str] = &["exact", "similar", "disagree"];
const BINARY_LEVELS: &[&str] = &["agree", "disagree"];
/// A name on one record found in an email local part or username on the other: `full` (family
/// name and given name or initial), `family` (family name only). Absence is not evidence.
const NAME_IN_HANDLE_LEVELS: &[&str] = &["full", "family"];
const DATE_LEVELS: &[&str] = &["exact", "swapped", "disagree"];
const WORDS_LEVELS: &[&str] = &["agree", "partial", "disagree"];

impl Comparator {
    pub(crate) fn level_names(self) -> &'static [&'static str] {
        match self {
            Comparator::Phone => PHONE_LEVELS,
            Comparator::Email | Comparator::Messenger => IDENTIFIER_LEVELS,
            Comparator::Name => NAME_LEVELS,
            Comparator::Patronymic => BINARY_LEVELS,
            Comparator::EmailLocal => LOCAL_LEVELS,
            Comparator::NameInHandle => NAME_IN_HANDLE_LEVELS,
            Comparator::City | Comparator::Company => BINARY_LEVELS,
            Comparator::Birthday => DATE_LEVELS,
            Comparator::Address => WORDS_LEVELS,
            Comparator::Field(_, kind) => match kind {
                FieldKind::Identifier => IDENTIFIER_LEVELS,
                FieldKind::PersonName => NAME_LEVELS,
                FieldKind::Date => DATE_LEVELS,
                FieldKind::Address | FieldKind::Text => WORDS_LEVELS,
                FieldKind::Postcode | FieldKind::City => BINARY_LEVELS,
            },
        }
    }

    fn default_levels(self) -> Vec<Level> {
        match self {
            // `agree_shared`: an identifier a household or a small team shares. Two records of
            // different people rarely share one (u), and with an agreeing full name it is the
            // same person: relatives and colleagues have other given names.
            Comparator::Phone => levels(&[
                ("agree", 0.70, 1e-6),
                ("agree_shared", 0.02, 0.0005),
                ("disagree", 0.27, 0.9994),
                // Numbers one digit apart by chance are rare even among colleagues' lines.
                ("similar", 0.01, 0.0001),
            ]),
            Comparator::Email => levels(&[
                ("agree", 0.60, 1e-7),
                ("agree_shared", 0.02, 0.0005),
                ("disagree", 0.38, 0.9995),
            ]),
            Comparator::Messenger => levels(&[
                ("agree", 0.50, 1e-7),
                ("agree_shared", 0.01, 0.00025),
                ("disagree", 0.49, 0.99975),
            ]),
            Comparator::Name => levels(&[
                ("exact", 0.50, 0.0003),
                ("high", 0.25, 0.001),
                ("partial", 0.15, 0.02),
                ("low", 0.05, 0.05),
                ("disagree", 0.05, 0.9287),
            ]),
            Comparator::Patronymic => levels(&[("agree", 0.90, 0.03), ("disagree", 0.10, 0.97)]),
            Comparator::EmailLocal => levels(&[
                ("exact", 0.30, 0.0001),
                ("similar", 0.10, 0.02),
                ("disagree", 0.60, 0.9799),
            ]),
            Comparator::NameInHandle => levels(&[("full", 0.30, 0.0005), ("family", 0.20, 0.004)]),
            Comparator::City => levels(&[("agree", 0.85, 0.05), ("disagree", 0.15, 0.95)]),
            Comparator::Company => levels(&[("agree", 0.80, 0.01), ("disagree", 0.20, 0.99)]),
            Comparator::Birthday => levels(&[
                ("exact", 0.90, 0.0001),
                ("swapped", 0.03, 0.0001),
                ("disagree", 0.07, 0.9998),
            ]),
            Comparator::Address => levels(&[
                ("agree", 0.70, 0.001),
                ("partial", 0.15, 0.02),
                ("disagree", 0.15, 0.979),
            ]),
            Comparator::Field(_, kind) => match kind {
                FieldKind::Identifier => levels(&[
                    ("agree", 0.80, 1e-6),
                    ("agree_shared", 0.02, 0.001),
                    ("disagree", 0.18, 0.999),
                ]),
                FieldKind::PersonName => Comparator::Name.default_levels(),
                FieldKind::Date => Comparator::Birthday.default_levels(),
                FieldKind::Address => Comparator::Address.default_levels(),
                FieldKind::Text => levels(&[
                    ("agree", 0.50, 0.01),
                    ("partial", 0.30, 0.10),
                    ("disagree", 0.20, 0.89),
                ]),
                FieldKind::Postcode => levels(&[("agree", 0.85, 0.01), ("disagree", 0.15, 0.99)]),
                FieldKind::City => Comparator::City.default_levels(),
            },
        }
    }
}

/// The comparators for a list of declared fields, with their names.
pub(crate) fn comparators(fields: &[(String, FieldKind)]) -> Vec<(String, Comparator)> {
    let mut out: Vec<(String, Comparator)> = [
        ("phone", Comparator::Phone),
        ("email", Comparator::Email),
        ("messenger", Comparator::Messenger),
        ("name", Comparator::Name),
        ("patronymic", Comparator::Patronymic),
        ("email_local", Comparator::EmailLocal),
        ("name_in_handle", Comparator::NameInHandle),
        ("city", Comparator::City),
        ("company", Comparator::Company),
        ("birthday", Comparator::Birthday),
        ("address", Comparator::Address),
    ]
    .into_iter()
    .map(|(n, c)| (n.to_string(), c))
    .collect();
    for (i, (name, kind)) in fields.iter().enumerate() {
        out.push((format!("fields.{name}"), Comparator::Field(i as u16, *kind)));
    }
    out
}

impl MatchModel {
    /// The default model for records with these declared fields.
    pub fn default_for(fields: &[(String, FieldKind)]) -> MatchModel {
        MatchModel {
            threshold: 15.0,
            comparisons: comparators(fields)
                .into_iter()
                .map(|(name, c)| (name, c.default_levels()))
                .collect(),
        }
    }
}

impl Default for MatchModel {
    fn default() -> Self {
        MatchModel::default_for(&[])
    }
}

/// A model compiled for fast scoring: weights by comparator position and level position.
#[derive(Clone, Debug)]
pub(crate) struct CompiledModel {
    pub comparators: Vec<(String, Comparator)>,
    pub weights: Vec<Vec<f64>>,
    pub threshold: f64,
}

impl CompiledModel {
    /// Checks `model` against the comparators of these fields and compiles it. Comparisons
    /// missing from the model take their defaults.
    pub(crate) fn new(model: &MatchModel, fields: &[(String, FieldKind)]) -> Result<Self> {
        let comparators = comparators(fields);
        for name in model.comparisons.keys() {
            if !comparators.iter().any(|(n, _)| n == name) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "model.comparisons.{name}: no such comparison (declare the field first)"
                    ),
                ));
            }
        }
        let mut weights = Vec::with_capacity(comparators.len());
        for (name, comparator) in &comparators {
            let wanted = comparator.level_names();
            let given = model
                .comparisons
                .get(name)
                .cloned()
                .unwrap_or_else(|| comparator.default_levels());
            let mut w = Vec::with_capacity(wanted.len());
            let defaults = comparator.default_levels();
            for level_name in wanted {
                let level = given
                    .iter()
                    .find(|l| l.level == *level_name)
                    // Models saved before the phone's `similar` level existed still load.
                    .or_else(|| {
                        (*comparator == Comparator::Phone && *level_name == "similar")
                            .then(|| defaults.iter().find(|l| l.level == *level_name))
                            .flatten()
                    })
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::InvalidArgument,
                            format!("model.comparisons.{name}: level {level_name:?} is missing"),
                        )
                    })?;
                if !(level.m > 0.0 && level.m <= 1.0 && level.u > 0.0 && level.u <= 1.0) {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        format!(
                            "model.comparisons.{name}.{level_name}: m and u must be in (0, 1], got m={} u={}",
                            level.m, level.u
                        ),
                    ));
                }
                w.push(level.weight());
            }
            weights.push(w);
        }
        if !model.threshold.is_finite() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "model.threshold: must be a finite number of bits",
            ));
        }
        Ok(CompiledModel {
            comparators,
            weights,
            threshold: model.threshold,
        })
    }
}

/// How widely a shared key is used, which decides whether sharing it links records by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyUse {
    /// Used by no more distinct people than the limit: sharing it links.
    Personal,
    /// Used by a few distinct people (a household, a small team): weak evidence, and clearly
    /// different names sharing it are flagged as a conflict.
    Shared,
    /// Used by many people or records (a switchboard, `info@`): weak evidence only.
    Common,
}

/// The decision for a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairDecision {
    /// Linked: they share a personal identifier.
    Identifier,
    /// Linked: their total weight reached the threshold.
    Score,
    /// Not linked although they share an identifier: the rest of the evidence contradicts it
    /// (clearly different names, different birthdays). Flagged for review.
    Conflict,
    /// Not linked.
    None,
}

/// A pair's comparison: the level per comparator (`None` when not comparable), the total and
/// the decision.
#[derive(Clone, Debug)]
pub(crate) struct PairScore {
    pub levels: Vec<Option<u8>>,
    pub total: f64,
    pub decision: PairDecision,
    /// Why a conflict was flagged, or the rule that linked a pair below the threshold.
    pub conflict: Option<&'static str>,
    /// Bits taken off the name's weight because many records carry the same full name.
    pub name_penalty: f64,
}

/// The note on a pair linked by [`PairDecision::Score`] below the threshold: agreeing names on
/// an identifier only a few people share.
const HOUSEHOLD: &str = "their names agree on an identifier only a few people share";

/// How many comparisons come before the declared fields' (see [`comparators`]).
const BUILTIN_COMPARATORS: usize = 11;

fn family_group(family: KeyFamily) -> Option<usize> {
    // Position of the comparator the family reports to: phone 0, email 1, messenger 2, fields
    // after the built-ins.
    match family {
        KeyFamily::Id(IdentifierKind::Phone) => Some(0),
        KeyFamily::Id(IdentifierKind::Email) => Some(1),
        KeyFamily::Id(kind) if kind.is_strong() => Some(2),
        KeyFamily::Id(_) => None,
        KeyFamily::Field(i) => Some(BUILTIN_COMPARATORS + i as usize),
    }
}

/// Per comparator group: does each side have a key of it, and what do they share.
#[derive(Clone, Copy, Default)]
struct KeyAgreement {
    a_has: bool,
    b_has: bool,
    personal: bool,
    common: bool,
    /// Shared by a few people only (see [`KeyUse::Shared`]).
    few: bool,
}

/// The least token similarity of two family names read as one name with a typo (see the name
/// module's `typo_score`: Jaro-Winkler 0.9 and up).
const FAMILY_TYPO: f64 = 0.9;

fn name_level(a: &NameFeatures, b: &NameFeatures) -> u8 {
    let full = |n: &NameFeatures| n.name.has_given() && n.name.has_family();
    let both_full = full(a) && full(b);
    // Full names agree as a whole only when their family names do (a typo at most): the same
    // given name and patronymic with `Калинский` / `Калинов` are two families.
    let families_agree = || family_similarity(&a.name, &b.name).map_or(true, |f| f >= FAMILY_TYPO);
    match a.similarity(b) {
        s if s >= 0.95 && both_full && families_agree() => 0,
        s if s >= 0.85 && both_full && families_agree() => 1,
        s if s >= 0.85 => 2,
        // `Ксюша` against `Ксения Леснина`: the given name the shorter name has is the other's
        // (a nickname, another script), which is what one side lacking the family name allows.
        s if s >= 0.6 && !both_full && given_names_shared(&a.name, &b.name) => 2,
        s if s >= 0.6 => 3,
        _ => 4,
    }
}

/// Whether two phone numbers (E.164 link keys) are one typing mistake apart: the same length,
/// and one digit wrong or two neighbouring digits swapped, among the last seven digits (the
/// subscriber number; the country and area codes agree). Numbers with an extension are an
/// office's lines and are left out.
fn phones_one_digit_apart(x: &str, y: &str) -> bool {
    let (x, y) = (x.as_bytes(), y.as_bytes());
    if x.len() != y.len() || x.len() < 9 || x.contains(&b';') || y.contains(&b';') {
        return false;
    }
    let tail = x.len() - 7;
    let mut diff = x.iter().zip(y).enumerate().filter(|(_, (p, q))| p != q);
    match (diff.next(), diff.next(), diff.next()) {
        (Some((i, _)), None, None) => i >= tail,
        (Some((i, _)), Some((j, _)), None) => {
            i >= tail && j == i + 1 && x[i] == y[j] && x[j] == y[i]
        }
        _ => false,
    }
}

/// Whether any phone of one record is one typing mistake from a phone of the other.
fn phones_similar(a: &Prepared, b: &Prepared) -> bool {
    fn phones(p: &Prepared) -> impl Iterator<Item = &str> + Clone {
        p.keys
            .iter()
            .filter(|k| k.family == KeyFamily::Id(IdentifierKind::Phone))
            .map(|k| k.value.as_str())
    }
    let theirs = phones(b);
    phones(a).any(|x| theirs.clone().any(|y| phones_one_digit_apart(x, y)))
}

/// Whether an email local part spells a family name of either record (`ymakarova`,
/// `ostrovskii_a`): with agreeing names, such a local part repeats the name.
fn local_repeats_name(local: &str, a: &Prepared, b: &Prepared) -> bool {
    [a, b].iter().any(|p| {
        p.name
            .as_ref()
            .is_some_and(|n| family_in_handle(&n.name, local))
    })
}

/// Whether a record's own family name shows up in its email local parts or usernames
/// (`ekaterina.petrova@`, `@petrov_ivan`): such handles repeat the name.
fn name_derived_handles(p: &Prepared) -> bool {
    p.name.as_ref().is_some_and(|n| {
        n.name.tokens().any(|t| {
            t.role() == NameRole::Family
                && !t.initial()
                && t.key().len() >= 4
                && p.handle_keys.iter().any(|h| h.contains(t.key()))
        })
    })
}

/// How well a name on one record shows up in the other record's email local parts and
/// usernames, when the other record has no full name of its own (else the names are compared
/// directly and this would count the same evidence twice).
fn name_in_handle_level(a: &Prepared, b: &Prepared) -> Option<u8> {
    let one_way = |named: &Prepared, other: &Prepared| -> Option<u8> {
        let name = &named.name.as_ref()?.name;
        if other.handle_keys.is_empty() || other.name.as_ref().is_some_and(|n| n.name.has_family())
        {
            return None;
        }
        let of_role = |role: NameRole| {
            name.tokens()
                .filter(move |t| t.role() == role && !t.initial() && t.key().len() >= 4)
        };
        let family = of_role(NameRole::Family)
            .find(|f| other.handle_keys.iter().any(|h| h.contains(f.key())))?
            .key();
        let given_too = name.tokens().any(|t| {
            t.role() == NameRole::Given
                && other.handle_keys.iter().any(|h| {
                    h.contains(t.key())
                        || t.key()
                            .chars()
                            .next()
                            .and_then(|c| h.strip_prefix(c))
                            .is_some_and(|rest| {
                                rest.trim_start_matches(['.', '_']).starts_with(family)
                            })
                })
        });
        if given_too {
            Some(0)
        } else if family.len() >= 5 {
            Some(1)
        } else {
            None
        }
    };
    match (one_way(a, b), one_way(b, a)) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Whether a record without a name has a username or email local part that spells the other
/// record's family name with another given name (`aleksandra_kiseleva@` against `Лена
/// Киселева`): a relative's or namesake's account, so a shared phone is not proof.
fn handle_names_someone_else(a: &Prepared, b: &Prepared) -> bool {
    let one_way = |named: &Prepared, other: &Prepared| {
        other.name.is_none()
            && named.name.as_ref().is_some_and(|n| {
                other
                    .handle_keys
                    .iter()
                    .any(|h| crate::ident::name::handle_names_someone_else(&n.name, h))
            })
    };
    one_way(a, b) || one_way(b, a)
}

/// Whether both names carry a patronymic, and if so whether they agree (same comparison key,
/// or one typo apart).
fn patronymic_level(a: &NameFeatures, b: &NameFeatures) -> Option<u8> {
    fn key(n: &NameFeatures) -> Option<&str> {
        n.name
            .tokens()
            .find(|t| t.role() == NameRole::Patronymic && !t.initial())
            .map(|t| t.key())
    }
    // `Валя Евсеович`: with no other family name, a word ending in `-ович` may be the surname,
    // which the name comparison has already counted.
    if !a.name.has_family() || !b.name.has_family() {
        return None;
    }
    let (x, y) = (key(a)?, key(b)?);
    Some(u8::from(x != y && jaro_winkler(x, y) < 0.93))
}

fn words_level(a: &[String], b: &[String], numbers_matter: bool) -> Option<u8> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let overlap = fields::word_overlap(a, b);
    let numbers_ok = !numbers_matter || fields::numbers_agree(a, b);
    Some(if overlap >= 0.8 && numbers_ok {
        0
    } else if overlap >= 0.4 {
        1
    } else {
        2
    })
}

fn date_level(a: chrono::NaiveDate, b: chrono::NaiveDate) -> u8 {
    if a == b {
        0
    } else if fields::dates_swapped(a, b) {
        1
    } else {
        2
    }
}

/// Jaro-Winkler similarity of two short strings (email local parts).
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = vec![false; a.len()];
    let mut b_match = vec![false; b.len()];
    let mut matches = 0usize;
    for i in 0..a.len() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && a[i] == b[j] {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for i in 0..a.len() {
        if a_match[i] {
            while !b_match[j] {
                j += 1;
            }
            if a[i] != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// How [`compare`] finds the keys two records share and how widely each is used.
pub(crate) enum SharedKeys<'a> {
    /// By comparing the keys themselves; the function says how widely a key is used.
    ByValue(&'a dyn Fn(&LinkKey) -> KeyUse),
    /// By interned key ids: each record's `keys` then `weak_keys`, position for position, and
    /// how widely the key with an id is used.
    ById {
        a: &'a [u32],
        b: &'a [u32],
        usage: &'a dyn Fn(u32) -> KeyUse,
    },
}

/// Compares two prepared records. `shared` finds their shared keys and how widely each is used.
pub(crate) fn compare(
    model: &CompiledModel,
    a: &Prepared,
    b: &Prepared,
    shared: &SharedKeys<'_>,
    name_records: &dyn Fn(u64) -> usize,
) -> PairScore {
    let n = model.comparators.len();
    // Most models have few comparators: keep the per-pair scratch on the stack.
    let mut stack = [KeyAgreement::default(); 24];
    let mut heap = Vec::new();
    let groups: &mut [KeyAgreement] = if n <= stack.len() {
        &mut stack[..n]
    } else {
        heap.resize(n, KeyAgreement::default());
        &mut heap
    };
    for k in a.keys.iter().chain(&a.weak_keys) {
        if let Some(g) = family_group(k.family) {
            groups[g].a_has = true;
        }
    }
    for k in b.keys.iter().chain(&b.weak_keys) {
        if let Some(g) = family_group(k.family) {
            groups[g].b_has = true;
        }
    }
    let mut shared_key = |family: KeyFamily, usage: KeyUse| {
        if let Some(g) = family_group(family) {
            match usage {
                KeyUse::Personal => groups[g].personal = true,
                KeyUse::Shared => {
                    groups[g].common = true;
                    groups[g].few = true;
                }
                KeyUse::Common => groups[g].common = true,
            }
        }
    };
    match shared {
        SharedKeys::ByValue(key_use) => {
            // Shared keys: both lists are sorted.
            let (mut i, mut j) = (0, 0);
            while i < a.keys.len() && j < b.keys.len() {
                match a.keys[i].cmp(&b.keys[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        shared_key(a.keys[i].family, key_use(&a.keys[i]));
                        i += 1;
                        j += 1;
                    }
                }
            }
            for k in &a.weak_keys {
                if b.weak_keys.binary_search(k).is_ok() {
                    shared_key(k.family, KeyUse::Common);
                }
            }
        }
        SharedKeys::ById {
            a: ids_a,
            b: ids_b,
            usage,
        } => {
            let (strong_a, weak_a) = ids_a.split_at(a.keys.len().min(ids_a.len()));
            let (strong_b, weak_b) = ids_b.split_at(b.keys.len().min(ids_b.len()));
            for (key, id) in a.keys.iter().zip(strong_a) {
                if strong_b.contains(id) {
                    shared_key(key.family, usage(*id));
                }
            }
            for (key, id) in a.weak_keys.iter().zip(weak_a) {
                if weak_b.contains(id) {
                    shared_key(key.family, KeyUse::Common);
                }
            }
        }
    }

    let shares_identifier = groups.iter().any(|g| g.personal || g.few);
    let mut levels: Vec<Option<u8>> = vec![None; n];
    let mut personal_families = 0usize;
    let mut name_clearly_different = false;
    let mut names_agree = false;
    let mut name_penalty = 0.0;
    let mut birthday_differs = false;
    for (pos, (_, comparator)) in model.comparators.iter().enumerate() {
        let level = match comparator {
            Comparator::Phone
            | Comparator::Email
            | Comparator::Messenger
            | Comparator::Field(_, FieldKind::Identifier) => {
                let g = groups[pos];
                if g.personal {
                    personal_families += 1;
                    Some(0)
                } else if g.common {
                    Some(1)
                } else if g.a_has && g.b_has {
                    if *comparator == Comparator::Phone && phones_similar(a, b) {
                        Some(3)
                    } else {
                        Some(2)
                    }
                } else {
                    None
                }
            }
            Comparator::Name => match (&a.name, &b.name) {
                (Some(x), Some(y)) => {
                    let level = name_level(x, y);
                    names_agree = level <= 2;
                    // Name commonness matters between random records; records that share a
                    // household's or a person's identifier are not random.
                    if level <= 1 && !shares_identifier {
                        if let (Some(ka), Some(kb)) = (a.name_frequency, b.name_frequency) {
                            if ka == kb {
                                name_penalty = name_commonness_penalty(name_records(ka));
                            }
                        }
                    }
                    // Level 4 means a similarity below 0.6, the rest of "clearly different".
                    name_clearly_different = level == 4 && x.given_names_disjoint(y);
                    Some(level)
                }
                _ => None,
            },
            Comparator::Patronymic => match (&a.name, &b.name) {
                (Some(x), Some(y)) => patronymic_level(x, y),
                _ => None,
            },
            Comparator::EmailLocal => {
                // Only informative when the emails themselves are not shared.
                if groups[1].personal || a.email_locals.is_empty() || b.email_locals.is_empty() {
                    None
                } else if names_agree && name_derived_handles(a) && name_derived_handles(b) {
                    // `ekaterinapetrova@` on both sides of two agreeing names says the name
                    // again, not something independent of it: namesakes get such addresses too.
                    None
                } else {
                    // The best pair of local parts, the same whichever record is `a`: each
                    // pair is scored in a canonical order and ties go to the smallest pair.
                    let (best, pair) = a
                        .email_locals
                        .iter()
                        .flat_map(|x| b.email_locals.iter().map(move |y| (x, y)))
                        .map(|(x, y)| {
                            let (x, y) = if x <= y { (x, y) } else { (y, x) };
                            let score = if x == y { 1.0 } else { jaro_winkler(x, y) };
                            (score, (x.as_ref(), y.as_ref()))
                        })
                        .fold((0.0f64, ("", "")), |m, (s, p)| {
                            if s > m.0 || (s == m.0 && p < m.1) {
                                (s, p)
                            } else {
                                m
                            }
                        });
                    if best >= 0.92
                        && names_agree
                        && (local_repeats_name(pair.0, a, b) || local_repeats_name(pair.1, a, b))
                    {
                        // The same, when the name is misspelt on one record (`Макароыа`) or
                        // the local part is the other's: it repeats the agreeing name.
                        None
                    } else {
                        Some(if best >= 1.0 {
                            0
                        } else if best >= 0.92 {
                            1
                        } else {
                            2
                        })
                    }
                }
            }
            // A local part that matches the other record's local part already says this.
            Comparator::NameInHandle if matches!(levels[pos - 1], Some(0) | Some(1)) => None,
            Comparator::NameInHandle => {
                if handle_names_someone_else(a, b) {
                    name_clearly_different = true;
                }
                name_in_handle_level(a, b)
            }
            Comparator::City => match (&a.city, &b.city) {
                (Some(x), Some(y)) => Some(u8::from(x != y)),
                _ => None,
            },
            Comparator::Company => match (&a.company, &b.company) {
                (Some(x), Some(y)) => Some(u8::from(x != y)),
                _ => None,
            },
            Comparator::Birthday => match (a.birthday, b.birthday) {
                (Some(x), Some(y)) => {
                    let level = date_level(x, y);
                    birthday_differs = level == 2;
                    Some(level)
                }
                _ => None,
            },
            Comparator::Address => words_level(&a.address, &b.address, true),
            Comparator::Field(index, kind) => {
                let value = |p: &'_ Prepared| {
                    p.fields
                        .iter()
                        .find(|(i, _)| i == index)
                        .map(|(_, v)| v.clone())
                };
                match (value(a), value(b)) {
                    (Some(x), Some(y)) => match (x, y) {
                        (FieldValue::Name(x), FieldValue::Name(y)) => Some(name_level(&x, &y)),
                        (FieldValue::Date(x), FieldValue::Date(y)) => Some(date_level(x, y)),
                        (FieldValue::Words(x), FieldValue::Words(y)) => {
                            words_level(&x, &y, *kind == FieldKind::Address)
                        }
                        (FieldValue::Key(x), FieldValue::Key(y)) => Some(u8::from(x != y)),
                        _ => None,
                    },
                    _ => None,
                }
            }
        };
        levels[pos] = level;
    }
    let total: f64 = levels
        .iter()
        .enumerate()
        .filter_map(|(pos, l)| l.map(|l| model.weights[pos][l as usize]))
        .sum::<f64>()
        - name_penalty;
    let (decision, conflict) = if personal_families > 0 {
        let contradiction = if name_clearly_different {
            Some("the names clearly belong to different people")
        } else if birthday_differs {
            Some("the birthdays differ")
        } else {
            None
        };
        match contradiction {
            Some(reason) if personal_families < 2 => (PairDecision::Conflict, Some(reason)),
            _ => (PairDecision::Identifier, None),
        }
    } else if name_clearly_different && groups.iter().any(|g| g.few) {
        (
            PairDecision::Conflict,
            Some("the names clearly belong to different people who share an identifier"),
        )
    } else if total >= model.threshold {
        (PairDecision::Score, None)
    } else if names_agree && !name_clearly_different && groups.iter().any(|g| g.few) {
        // A household's or small team's identifier narrows the candidates to a few people who
        // have other given names: on it, agreeing names (`Ксюша` and `Ксения Леснина`) are
        // one person.
        (PairDecision::Score, Some(HOUSEHOLD))
    } else {
        (PairDecision::None, None)
    };
    PairScore {
        levels,
        total,
        decision,
        conflict,
        name_penalty,
    }
}

/// One comparison in an explanation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldEvidence {
    /// The comparison (`phone`, `name`, `fields.tax_id`).
    pub field: String,
    /// The level the pair fell into (`agree`, `exact`, `disagree`, ...).
    pub level: String,
    /// The normalised values compared, first record's then second's (for a shared identifier,
    /// the shared value on both sides).
    pub values: (String, String),
    /// The level's weight in bits.
    pub weight: f64,
}

/// Why two records are, or are not, one customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The first record's id.
    pub record_a: String,
    /// The second record's id.
    pub record_b: String,
    /// What the comparison decided.
    pub decision: PairDecision,
    /// Every comparison that could be made, with its level, values and weight.
    pub comparisons: Vec<FieldEvidence>,
    /// The sum of the weights, in bits.
    pub total: f64,
    /// The threshold a total must reach without a shared identifier, in bits.
    pub threshold: f64,
    /// The decision in words.
    pub reason: String,
}

fn shown_keys(p: &Prepared, group: usize) -> String {
    let values: Vec<&str> = p
        .keys
        .iter()
        .chain(&p.weak_keys)
        .filter(|k| family_group(k.family) == Some(group))
        .map(|k| k.value.as_str())
        .collect();
    values.join(", ")
}

fn shared_keys(a: &Prepared, b: &Prepared, group: usize) -> String {
    let values: Vec<&str> = a
        .keys
        .iter()
        .chain(&a.weak_keys)
        .filter(|k| family_group(k.family) == Some(group))
        .filter(|k| b.keys.contains(k) || b.weak_keys.contains(k))
        .map(|k| k.value.as_str())
        .collect();
    values.join(", ")
}

fn field_text(value: Option<&FieldValue>) -> String {
    match value {
        Some(FieldValue::Name(n)) => n.name.normalized(),
        Some(FieldValue::Date(d)) => d.to_string(),
        Some(FieldValue::Words(w)) => w.join(" "),
        Some(FieldValue::Key(k)) => k.clone(),
        None => String::new(),
    }
}

/// Explains a comparison: every level with the values behind it and its weight.
pub(crate) fn explain(
    model: &CompiledModel,
    (id_a, a): (&str, &Prepared),
    (id_b, b): (&str, &Prepared),
    score: &PairScore,
) -> Evidence {
    let mut comparisons = Vec::new();
    for (pos, (name, comparator)) in model.comparators.iter().enumerate() {
        let Some(level) = score.levels[pos] else {
            continue;
        };
        let values = match comparator {
            Comparator::Phone
            | Comparator::Email
            | Comparator::Messenger
            | Comparator::Field(_, FieldKind::Identifier) => {
                let group = match comparator {
                    Comparator::Phone => 0,
                    Comparator::Email => 1,
                    Comparator::Messenger => 2,
                    Comparator::Field(i, _) => BUILTIN_COMPARATORS + *i as usize,
                    _ => unreachable!("identifier comparators only"),
                };
                if level < 2 {
                    let shared = shared_keys(a, b, group);
                    (shared.clone(), shared)
                } else {
                    (shown_keys(a, group), shown_keys(b, group))
                }
            }
            Comparator::Name => (
                a.name
                    .as_ref()
                    .map_or(String::new(), |n| n.name.normalized()),
                b.name
                    .as_ref()
                    .map_or(String::new(), |n| n.name.normalized()),
            ),
            Comparator::Patronymic => {
                let of = |p: &Prepared| {
                    p.name
                        .as_ref()
                        .and_then(|n| n.name.patronymic().map(str::to_string))
                        .unwrap_or_default()
                };
                (of(a), of(b))
            }
            Comparator::EmailLocal => (a.email_locals.join(", "), b.email_locals.join(", ")),
            Comparator::NameInHandle => {
                let side = |p: &Prepared| match &p.name {
                    Some(n) => n.name.normalized(),
                    None => p.handle_keys.join(", "),
                };
                (side(a), side(b))
            }
            Comparator::City => (
                a.city.as_deref().unwrap_or_default().to_string(),
                b.city.as_deref().unwrap_or_default().to_string(),
            ),
            Comparator::Company => (
                a.company.as_deref().unwrap_or_default().to_string(),
                b.company.as_deref().unwrap_or_default().to_string(),
            ),
            Comparator::Birthday => (
                a.birthday.map(|d| d.to_string()).unwrap_or_default(),
                b.birthday.map(|d| d.to_string()).unwrap_or_default(),
            ),
            Comparator::Address => (a.address.join(" "), b.address.join(" ")),
            Comparator::Field(index, _) => {
                let find = |p: &Prepared| {
                    field_text(p.fields.iter().find(|(i, _)| i == index).map(|(_, v)| v))
                };
                (find(a), find(b))
            }
        };
        comparisons.push(FieldEvidence {
            field: name.clone(),
            level: comparator.level_names()[level as usize].to_string(),
            values,
            weight: model.weights[pos][level as usize]
                - if matches!(comparator, Comparator::Name) {
                    score.name_penalty
                } else {
                    0.0
                },
        });
    }
    let reason = match score.decision {
        PairDecision::Identifier => {
            let shared: Vec<&str> = comparisons
                .iter()
                .filter(|c| c.level == "agree")
                .map(|c| c.field.as_str())
                .collect();
            format!(
                "linked: they share a personal identifier ({})",
                shared.join(", ")
            )
        }
        PairDecision::Score if score.conflict == Some(HOUSEHOLD) => {
            format!("linked: {HOUSEHOLD} (total {:.1} bits)", score.total)
        }
        PairDecision::Score => format!(
            "linked: total {:.1} bits reaches the threshold {:.1}",
            score.total, model.threshold
        ),
        PairDecision::Conflict => format!(
            "flagged, not linked: they share an identifier but {}",
            score.conflict.unwrap_or("the evidence conflicts")
        ),
        PairDecision::None => format!(
            "not linked: total {:.1} bits is below the threshold {:.1}",
            score.total, model.threshold
        ),
    };
    Evidence {
        record_a: id_a.to_string(),
        record_b: id_b.to_string(),
        decision: score.decision,
        comparisons,
        total: score.total,
        threshold: model.threshold,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.001);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 0.001);
        assert_eq!(jaro_winkler("ivan", "ivan"), 1.0);
        assert_eq!(jaro_winkler("", "ivan"), 0.0);
    }

    #[test]
    fn phones_one_typo_apart() {
        assert!(phones_one_digit_apart("+79839527595", "+79839527598"));
        assert!(phones_one_digit_apart("+79839527595", "+79839525795"));
        assert!(!phones_one_digit_apart("+79839527595", "+79839527595"));
        // Two wrong digits, a different area code, an extension: other numbers.
        assert!(!phones_one_digit_apart("+79839527595", "+79839527588"));
        assert!(!phones_one_digit_apart("+74959527595", "+74999527595"));
        assert!(!phones_one_digit_apart(
            "+74951234567;ext=204",
            "+74951234567;ext=205"
        ));
        assert!(!phones_one_digit_apart("+7983952759", "+79839527595"));
    }

    #[test]
    fn old_models_without_the_phone_similar_level_still_load() {
        let mut model = MatchModel::default();
        model
            .comparisons
            .get_mut("phone")
            .unwrap()
            .retain(|l| l.level != "similar");
        let compiled = CompiledModel::new(&model, &[]).unwrap();
        assert_eq!(compiled.weights[0].len(), PHONE_LEVELS.len());
        model.comparisons.get_mut("phone").unwrap().pop();
        assert!(CompiledModel::new(&model, &[]).is_err());
    }

    #[test]
    fn the_default_model_compiles_and_rejects_bad_levels() {
        let fields = vec![("tax_id".to_string(), FieldKind::Identifier)];
        let model = MatchModel::default_for(&fields);
        assert!(CompiledModel::new(&model, &fields).is_ok());
        let mut bad = model.clone();
        bad.comparisons.get_mut("name").unwrap()[0].m = 0.0;
        let e = CompiledModel::new(&bad, &fields).unwrap_err();
        assert!(
            e.message().starts_with("model.comparisons.name.exact"),
            "{e}"
        );
        let e = CompiledModel::new(&model, &[]).unwrap_err();
        assert!(e.message().contains("fields.tax_id"), "{e}");
    }
}
