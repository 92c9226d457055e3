//! The resolver: records in, customers out, incrementally or in one batch, with the same result
//! either way and in any order.
//!
//! How the result is defined (so that order and batching cannot change it):
//! - Two records are *compared* when they share a personal link key (an identifier used by few
//!   people) or a blocking key whose block is not oversized. Whether a key is personal or
//!   common, and whether a block is oversized, is decided on the whole current set of records
//!   and re-decided whenever the set changes.
//! - A compared pair is *linked* by a shared personal identifier, or by a total match weight at
//!   or above the threshold; a shared identifier against clearly different names or birthdays
//!   is *flagged* as a conflict instead (see [`compare`](super::compare)).
//! - Customers are the connected groups of linked records. Where a "never merge" constraint
//!   separates records of one group, links are taken strongest first (manual, identifier, then
//!   by weight; ties by record ids) and a link that would join constrained records is skipped.
//! - A customer's id is the record id of its earliest record (by time, then by record id;
//!   records without a time come last). So when customers merge, the one seen first keeps its
//!   id, and every former id still resolves to the customer through [`Resolver::customer_of`].

use super::block::{blocking_keys, name_commonness_penalty};
use super::card::{
    survive, Candidate, ChannelUse, Conflict, CustomerCard, Identity, Provenance, RecordProblem,
    Survivorship,
};
use super::compare::{
    compare, explain, CompiledModel, Evidence, KeyUse, MatchModel, PairDecision, SharedKeys,
};
use super::history::{Actor, EventKind, HistoryEvent};
use super::observation::{FieldKind, Observation};
use super::person::NameFeatures;
use super::prepare::{KeyFamily, LinkKey, Placeholders, Prepared, Preparer};
use crate::error::{Error, ErrorKind, Result};
use crate::ident::name::{NameView, TokenView};
use crate::ident::{EmailRules, PhoneNormalizer};
use crate::message::Channel;
use chrono::{DateTime, Utc};
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;
use std::sync::Arc;

/// The largest observation accepted, in bytes of text over all its fields.
pub const MAX_OBSERVATION_BYTES: usize = 64 * 1024;

/// How the resolver matches and what it keeps. Every field has a default that works.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResolverConfig {
    /// Region for reading national phone numbers (`RU`: `8 912 ...` is `+7 912 ...`).
    pub default_region: String,
    /// Regions tried, in this order, for matching only, when a number is not valid in the
    /// default region (a foreign customer's `07700 900123` or `(202) 555-0143`): the first valid
    /// mobile reading is used (else the first valid one), and the record notes it. Empty to turn
    /// this off.
    pub fallback_regions: Vec<String>,
    /// Declared extra fields and how each is compared (`tax_id` -> identifier).
    pub fields: BTreeMap<String, FieldKind>,
    /// The match model; `None` uses the defaults for the declared fields.
    pub model: Option<MatchModel>,
    /// An identifier used by more distinct people than this (an office switchboard, a family
    /// phone, `info@`) stops linking records by itself; it still counts as weak evidence.
    /// People are told apart by clearly different names (see the module docs); the default, 1,
    /// means an identifier two people use is not proof of either.
    pub max_people_per_identifier: usize,
    /// An identifier on more records than this is treated the same way, whoever they are.
    pub max_records_per_identifier: usize,
    /// A blocking key shared by more records than this is not used to find candidates (the
    /// default, 20, keeps comparisons close to linear in the number of records: a name with a
    /// city shared by more records says little about any two of them).
    pub max_block_size: usize,
    /// Values that never link records.
    pub placeholders: Placeholders,
    /// Email provider rules for canonical addresses (Gmail dots, Yandex domains, ...).
    pub email_rules: EmailRules,
    /// How customer cards pick golden values.
    pub survivorship: Survivorship,
}

impl Default for ResolverConfig {
    fn default() -> Self {
        ResolverConfig {
            default_region: "RU".to_string(),
            fallback_regions: [
                "BY", "KZ", "UA", "UZ", "KG", "AM", "GE", "AZ", "MD", "GB", "US", "DE", "FR", "IT",
                "ES", "TR", "IL", "CN", "AE", "FI",
            ]
            .iter()
            .map(|r| r.to_string())
            .collect(),
            fields: BTreeMap::new(),
            model: None,
            max_people_per_identifier: 1,
            max_records_per_identifier: 1000,
            max_block_size: 20,
            placeholders: Placeholders::default(),
            email_rules: EmailRules::default(),
            survivorship: Survivorship::default(),
        }
    }
}

/// What `add` did with a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddStatus {
    /// A new record.
    Added,
    /// The same record was already there, unchanged: nothing happened.
    Unchanged,
    /// A record with this id was there with other content; it was replaced.
    Updated,
}

/// The outcome of adding one record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddOutcome {
    /// The record.
    pub record_id: String,
    /// The customer it now belongs to.
    pub customer_id: String,
    /// Whether it was new, unchanged or replaced.
    pub status: AddStatus,
    /// Merges and splits it caused.
    pub events: Vec<HistoryEvent>,
    /// Records it shares an identifier with but was not merged with, and why.
    pub conflicts: Vec<Conflict>,
    /// What could not be used in it.
    pub problems: Vec<String>,
}

/// The outcome of a batch: every input record's customer, in input order, or its rejection.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchOutcome {
    /// `(record_id, customer_id)` for every accepted input record, in input order (a repeated
    /// record id appears at each position).
    pub assignments: Vec<(String, String)>,
    /// Records that could not be added (no record id, too large), with their position.
    pub rejections: Vec<crate::message::Rejection>,
    /// How many records were new, unchanged and replaced.
    pub added: usize,
    /// Records repeated with the same content.
    pub unchanged: usize,
    /// Records repeated with other content (the later one replaced the earlier).
    pub updated: usize,
    /// How many customers there are now.
    pub customers: usize,
    /// The merges the batch made.
    pub events: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum EdgeKind {
    Manual,
    Identifier,
    Score,
    Conflict,
}

impl EdgeKind {
    fn links(self) -> bool {
        self != EdgeKind::Conflict
    }

    fn rank(self) -> u8 {
        match self {
            EdgeKind::Manual => 0,
            EdgeKind::Identifier => 1,
            EdgeKind::Score => 2,
            EdgeKind::Conflict => 3,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Edge {
    pub to: u32,
    pub kind: EdgeKind,
    pub total: f32,
}

/// A record: as given, and what matching reads of it. Records with the same matching content
/// ("twins": a customer's messages differ only in id, channel and time) share one prepared form
/// and one list of blocking keys (see `Resolver::contents`); saved as if each had its own.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Slot {
    pub obs: Observation,
    #[serde(with = "shared")]
    pub prep: Arc<Prepared>,
    #[serde(with = "shared_slice")]
    pub blocks: Arc<[u64]>,
}

/// Serde of a shared value as the value itself (the format of an unshared field).
mod shared {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub fn serialize<T: Serialize, S: Serializer>(v: &Arc<T>, s: S) -> Result<S::Ok, S::Error> {
        T::serialize(v, s)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Arc<T>, D::Error> {
        T::deserialize(d).map(Arc::new)
    }
}

/// Serde of a shared slice as a sequence (the format of a `Vec`).
mod shared_slice {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub fn serialize<T: Serialize, S: Serializer>(v: &Arc<[T]>, s: S) -> Result<S::Ok, S::Error> {
        <[T]>::serialize(v, s)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Arc<[T]>, D::Error> {
        Vec::<T>::deserialize(d).map(Arc::from)
    }
}

/// The hash of what matching reads of an observation: everything but its id, channel and time.
fn content_hash(obs: &Observation) -> u64 {
    FxBuildHasher.hash_one((
        &obs.name,
        &obs.phones,
        &obs.emails,
        &obs.handles,
        &obs.identifiers,
        &obs.company,
        &obs.city,
        &obs.birthday,
        &obs.address,
        &obs.fields,
    ))
}

/// Whether two observations have the same matching content (all but id, channel and time), so
/// that they prepare to the same [`Prepared`] and compare alike with any record.
fn same_content(a: &Observation, b: &Observation) -> bool {
    a.name == b.name
        && a.phones == b.phones
        && a.emails == b.emails
        && a.handles == b.handles
        && a.identifiers == b.identifiers
        && a.company == b.company
        && a.city == b.city
        && a.birthday == b.birthday
        && a.address == b.address
        && a.fields == b.fields
}

fn content_in(slots: &[Option<Slot>], ix: u32) -> Option<&Observation> {
    slots
        .get(ix as usize)
        .and_then(Option::as_ref)
        .map(|s| &s.obs)
}

/// Distinct record contents -> a live record with that content whose prepared form was made by
/// this resolver's preparer: a new record with the same content (a twin) takes its prepared
/// form, blocking keys and key ids instead of preparing and interning them again. The table
/// holds slot numbers and reads the contents from the slots. Only an optimisation: a content
/// whose record left is simply prepared again.
#[derive(Clone, Debug, Default)]
struct Contents {
    table: HashTable<u32>,
}

impl Contents {
    /// A live record with the same content as `obs`.
    fn get(&self, slots: &[Option<Slot>], obs: &Observation) -> Option<u32> {
        self.table
            .find(content_hash(obs), |&ix| {
                content_in(slots, ix).is_some_and(|o| same_content(o, obs))
            })
            .copied()
    }

    /// Makes slot `ix` (already in `slots`) the record of its content, unless there is one.
    fn insert(&mut self, slots: &[Option<Slot>], ix: u32) {
        let Some(obs) = content_in(slots, ix) else {
            return;
        };
        if let hashbrown::hash_table::Entry::Vacant(v) = self.table.entry(
            content_hash(obs),
            |&other| content_in(slots, other).is_some_and(|o| same_content(o, obs)),
            |&other| content_in(slots, other).map_or(0, content_hash),
        ) {
            v.insert(ix);
        }
    }

    /// Forgets slot `ix` as the record of its content (its slot must still hold it), before
    /// the record leaves or changes.
    fn remove(&mut self, slots: &[Option<Slot>], ix: u32) {
        let Some(obs) = content_in(slots, ix) else {
            return;
        };
        if let Ok(entry) = self
            .table
            .find_entry(content_hash(obs), |&other| other == ix)
        {
            entry.remove();
        }
    }

    fn reserve(&mut self, slots: &[Option<Slot>], additional: usize) {
        self.table.reserve(additional, |&ix| {
            content_in(slots, ix).map_or(0, content_hash)
        });
    }
}

/// The records that carry one link key, and how widely the key is used.
#[derive(Clone, Debug)]
struct KeyPosting {
    records: Vec<u32>,
    usage: KeyUse,
}

impl Default for KeyPosting {
    fn default() -> Self {
        KeyPosting {
            records: Vec::new(),
            usage: KeyUse::Personal,
        }
    }
}

/// A record's link keys as posting ids (see `Resolver::postings`): its `keys`, then its
/// `weak_keys`, position for position, so shared keys are found by comparing integers.
#[derive(Clone, Debug, Default)]
struct KeyIds {
    ids: Box<[u32]>,
    /// How many of `ids` are the record's `keys`.
    strong: usize,
}

impl KeyIds {
    fn strong(&self) -> &[u32] {
        self.ids.get(..self.strong).unwrap_or(&self.ids)
    }
}

/// Record id -> slot, without a second copy of each id: the table holds slot numbers and
/// reads the ids from the slots.
#[derive(Clone, Debug, Default)]
struct RecordIds {
    table: HashTable<u32>,
}

fn hash_record_id(id: &str) -> u64 {
    FxBuildHasher.hash_one(id)
}

fn record_id_in(slots: &[Option<Slot>], ix: u32) -> &str {
    slots
        .get(ix as usize)
        .and_then(Option::as_ref)
        .map_or("", |s| s.obs.record_id.as_str())
}

impl RecordIds {
    fn len(&self) -> usize {
        self.table.len()
    }

    fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    fn get(&self, slots: &[Option<Slot>], id: &str) -> Option<u32> {
        self.table
            .find(hash_record_id(id), |&ix| record_id_in(slots, ix) == id)
            .copied()
    }

    /// Adds slot `ix` (already in `slots`) under its record id; false when the id is taken.
    fn insert(&mut self, slots: &[Option<Slot>], ix: u32) -> bool {
        let id = record_id_in(slots, ix);
        match self.table.entry(
            hash_record_id(id),
            |&other| record_id_in(slots, other) == id,
            |&other| hash_record_id(record_id_in(slots, other)),
        ) {
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(ix);
                true
            }
            hashbrown::hash_table::Entry::Occupied(_) => false,
        }
    }

    /// Removes a record id (its slot must still hold it).
    fn remove(&mut self, slots: &[Option<Slot>], id: &str) {
        if let Ok(entry) = self
            .table
            .find_entry(hash_record_id(id), |&ix| record_id_in(slots, ix) == id)
        {
            entry.remove();
        }
    }

    fn reserve(&mut self, slots: &[Option<Slot>], additional: usize) {
        self.table
            .reserve(additional, |&ix| hash_record_id(record_id_in(slots, ix)));
    }
}

/// Normalises records the way a [`Resolver`] does, without the resolver:
/// [`Resolver::reader`] hands one out and [`Resolver::add_read`] takes what it read. Normalising
/// (phones, emails, names, keys) is the part of adding a record that needs no state, so it can
/// happen on the caller's thread, outside any lock.
#[derive(Clone, Debug)]
pub struct RecordReader {
    preparer: Arc<Preparer>,
}

/// A record read by a [`RecordReader`], for [`Resolver::add_read`].
#[derive(Clone, Debug)]
pub struct ReadRecord {
    preparer: Arc<Preparer>,
    obs: Observation,
    prep: Prepared,
    blocks: Vec<u64>,
}

impl ReadRecord {
    /// The record as given.
    pub fn into_observation(self) -> Observation {
        self.obs
    }
}

impl RecordReader {
    /// Checks and normalises `obs`.
    ///
    /// # Errors
    /// As [`Resolver::add`]: no record id, or a record over [`MAX_OBSERVATION_BYTES`].
    pub fn read(&self, obs: Observation) -> Result<ReadRecord> {
        Resolver::validate(&obs)?;
        let prep = self.preparer.prepare(&obs);
        let blocks = blocking_keys(&prep);
        Ok(ReadRecord {
            preparer: Arc::clone(&self.preparer),
            obs,
            prep,
            blocks,
        })
    }
}

/// Up to this many distinct people, a shared identifier is a household's or a small team's:
/// clearly different names sharing it are flagged as a conflict for review.
const FEW_PEOPLE: usize = 3;

const NONE: u32 = u32::MAX;

/// Turns contact observations into customers: incremental, order-independent, explainable and
/// reversible.
///
/// ```
/// use omni_core::resolve::{Observation, Resolver, ResolverConfig};
///
/// let mut resolver = Resolver::new(ResolverConfig::default()).unwrap();
/// let mut crm = Observation::new("crm-1");
/// crm.name = Some("Иван Петров".into());
/// crm.phones = vec!["8 (912) 345-67-89".into()];
/// let mut whatsapp = Observation::new("wa-77");
/// whatsapp.phones = vec!["+79123456789".into()];
/// let first = resolver.add(crm).unwrap();
/// let second = resolver.add(whatsapp).unwrap();
/// assert_eq!(first.customer_id, second.customer_id);
/// ```
#[derive(Clone, Debug)]
pub struct Resolver {
    pub(crate) config: ResolverConfig,
    /// Shared with the [`RecordReader`]s handed out, which prepare records by it.
    preparer: Arc<Preparer>,
    pub(crate) model: CompiledModel,
    pub(crate) slots: Vec<Option<Slot>>,
    /// Per slot, its prepared form (the slot's own `prep`), in a dense array: scoring reads it
    /// without touching the slot.
    preps: Vec<Option<Arc<Prepared>>>,
    ids: RecordIds,
    /// One record per distinct content, for twins to share its prepared form.
    contents: Contents,
    /// Every link key in use, interned: its posting id.
    key_index: FxHashMap<LinkKey, u32>,
    /// Postings by id; the id of a posting that empties is reused (`free_postings`).
    postings: Vec<KeyPosting>,
    free_postings: Vec<u32>,
    /// Per slot, the posting ids of its keys (empty for a free slot).
    key_ids: Vec<KeyIds>,
    blocks: FxHashMap<u64, Vec<u32>>,
    pub(crate) edges: Vec<Vec<Edge>>,
    pub(crate) cannot: BTreeSet<(u32, u32)>,
    cannot_of: FxHashMap<u32, Vec<u32>>,
    anchor_of: Vec<u32>,
    members: FxHashMap<u32, Vec<u32>>,
    pub(crate) former_anchors: FxHashSet<u32>,
    pub(crate) history: Vec<HistoryEvent>,
    history_of: FxHashMap<u32, Vec<u32>>,
}

fn ordered(a: u32, b: u32) -> (u32, u32) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Counts the distinct people behind a set of names: names are taken in the order of their
/// identity keys, and one counts as another person only when it is clearly different from
/// every person counted so far (both have recognised, incompatible given names; see
/// `NameFeatures::clearly_different_given`). Display names that are not person names never add a
/// person. Stops counting past `limit`.
fn distinct_people(names: &mut Vec<(String, &NameFeatures)>, limit: usize) -> usize {
    names.sort_by(|a, b| a.0.cmp(&b.0));
    names.dedup_by(|a, b| a.0 == b.0);
    let mut people: Vec<(&NameFeatures, Vec<&'static str>)> = Vec::new();
    for (_, name) in names.iter() {
        let ids = name.given_ids();
        if ids.is_empty() {
            continue;
        }
        if people
            .iter()
            .all(|(p, p_ids)| p.clearly_different_given(p_ids, name, &ids))
        {
            people.push((name, ids));
            if people.len() > limit {
                break;
            }
        }
    }
    people.len().max(usize::from(!names.is_empty()))
}

impl Resolver {
    /// A resolver with `config`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an unknown region, a model that does not fit the
    /// declared fields, or limits of zero.
    pub fn new(config: ResolverConfig) -> Result<Resolver> {
        let phones = PhoneNormalizer::new(&config.default_region)
            .map_err(|e| e.at("config.default_region"))?;
        let fallback_phones = config
            .fallback_regions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                PhoneNormalizer::new(r).map_err(|e| e.at(format!("config.fallback_regions[{i}]")))
            })
            .collect::<Result<Vec<_>>>()?;
        if config.max_people_per_identifier == 0
            || config.max_records_per_identifier == 0
            || config.max_block_size < 2
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "config: max_people_per_identifier and max_records_per_identifier must be at least 1, max_block_size at least 2",
            ));
        }
        let fields: Vec<(String, FieldKind)> =
            config.fields.iter().map(|(n, k)| (n.clone(), *k)).collect();
        let model = match &config.model {
            Some(m) => CompiledModel::new(m, &fields).map_err(|e| e.at("config"))?,
            None => CompiledModel::new(&MatchModel::default_for(&fields), &fields)?,
        };
        Ok(Resolver {
            preparer: Arc::new(Preparer {
                phones,
                fallback_phones,
                emails: config.email_rules.clone(),
                placeholders: config.placeholders.clone(),
                fields,
            }),
            config,
            model,
            slots: Vec::new(),
            preps: Vec::new(),
            ids: RecordIds::default(),
            contents: Contents::default(),
            key_index: FxHashMap::default(),
            postings: Vec::new(),
            free_postings: Vec::new(),
            key_ids: Vec::new(),
            blocks: FxHashMap::default(),
            edges: Vec::new(),
            cannot: BTreeSet::new(),
            cannot_of: FxHashMap::default(),
            anchor_of: Vec::new(),
            members: FxHashMap::default(),
            former_anchors: FxHashSet::default(),
            history: Vec::new(),
            history_of: FxHashMap::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    /// How many records there are.
    pub fn record_count(&self) -> usize {
        self.ids.len()
    }

    /// How many customers there are.
    pub fn customer_count(&self) -> usize {
        self.members.len()
    }

    fn slot(&self, ix: u32) -> &Slot {
        self.slots[ix as usize]
            .as_ref()
            .expect("indexes of live records only")
    }

    fn prep(&self, ix: u32) -> &Prepared {
        self.preps[ix as usize]
            .as_deref()
            .expect("indexes of live records only")
    }

    fn record_id(&self, ix: u32) -> &str {
        &self.slot(ix).obs.record_id
    }

    /// The order key of a record for choosing anchors: time (none last), then record id.
    fn order_key(&self, ix: u32) -> (bool, Option<DateTime<Utc>>, &str) {
        let s = self.slot(ix);
        (s.obs.seen_at.is_none(), s.obs.seen_at, &s.obs.record_id)
    }

    /// Checks that a record can be added (an id, within [`MAX_OBSERVATION_BYTES`]) without
    /// adding it: [`Resolver::add`] fails on exactly these records.
    ///
    /// # Errors
    /// [`ErrorKind::FieldMissing`] without a record id; [`ErrorKind::InputTooLarge`] above
    /// the limit.
    pub fn check(obs: &Observation) -> Result<()> {
        Self::validate(obs)
    }

    fn validate(obs: &Observation) -> Result<()> {
        if obs.record_id.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::FieldMissing,
                "record_id: a record needs a non-empty id",
            ));
        }
        let size = obs.record_id.len()
            + obs.name.as_ref().map_or(0, String::len)
            + obs
                .phones
                .iter()
                .chain(&obs.emails)
                .chain(&obs.handles)
                .map(String::len)
                .sum::<usize>()
            + obs.identifiers.iter().map(|i| i.value.len()).sum::<usize>()
            + [&obs.company, &obs.city, &obs.birthday, &obs.address]
                .iter()
                .map(|f| f.as_ref().map_or(0, String::len))
                .sum::<usize>()
            + obs
                .fields
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        if size > MAX_OBSERVATION_BYTES {
            return Err(Error::too_large(
                &format!("record {:?}", obs.record_id),
                size,
                MAX_OBSERVATION_BYTES,
            ));
        }
        Ok(())
    }

    // ----- indexes -----

    fn key_use(&self, key: &LinkKey) -> KeyUse {
        self.key_index
            .get(key)
            .map_or(KeyUse::Personal, |&id| self.postings[id as usize].usage)
    }

    /// The posting id of a key, made when the key is new.
    fn intern(&mut self, key: &LinkKey) -> u32 {
        if let Some(&id) = self.key_index.get(key) {
            return id;
        }
        let id = match self.free_postings.pop() {
            Some(id) => id,
            None => {
                self.postings.push(KeyPosting::default());
                (self.postings.len() - 1) as u32
            }
        };
        self.key_index.insert(key.clone(), id);
        id
    }

    /// The posting ids of a record's keys, interning new keys (postings are not touched).
    fn intern_all(&mut self, prep: &Prepared) -> KeyIds {
        let ids: Box<[u32]> = prep
            .keys
            .iter()
            .chain(&prep.weak_keys)
            .map(|k| self.intern(k))
            .collect();
        KeyIds {
            ids,
            strong: prep.keys.len(),
        }
    }

    /// How widely the identifier behind a posting is used.
    fn posting_use(&self, records: &[u32]) -> KeyUse {
        if records.len() > self.config.max_records_per_identifier {
            return KeyUse::Common;
        }
        let limit = self.config.max_people_per_identifier;
        if records.len() <= limit {
            return KeyUse::Personal;
        }
        // Usually every named record on an identifier carries the same full name: one person.
        let mut full_names = records
            .iter()
            .filter_map(|&r| self.slot(r).prep.name.as_ref().map(|_| r))
            .map(|r| self.slot(r).prep.name_frequency);
        if let Some(first) = full_names.next() {
            if first.is_some() && full_names.all(|k| k == first) {
                return KeyUse::Personal;
            }
        } else {
            return KeyUse::Personal;
        }
        let few = FEW_PEOPLE.max(limit);
        let mut names: Vec<(String, &NameFeatures)> = records
            .iter()
            .filter_map(|&r| self.slot(r).prep.name.as_ref())
            .map(|n| (n.identity_key(), n))
            .collect();
        match distinct_people(&mut names, few) {
            n if n <= limit => KeyUse::Personal,
            n if n <= few => KeyUse::Shared,
            _ => KeyUse::Common,
        }
    }

    /// Adds a record to the key and block postings (`twin`: an indexed record with the same
    /// content, whose key ids it takes). Returns the keys whose use flipped and the blocks that
    /// crossed the size limit.
    fn index(&mut self, ix: u32, twin: Option<u32>) -> (Vec<u32>, Vec<u64>) {
        let slot = self.slots[ix as usize].take().expect("live slot");
        let mut flipped = Vec::new();
        let ids = match twin {
            Some(t) => self.key_ids[t as usize].clone(),
            None => self.intern_all(&slot.prep),
        };
        for &id in ids.ids.iter() {
            self.postings[id as usize].records.push(ix);
        }
        let mut crossed = Vec::new();
        for &b in slot.blocks.iter() {
            let posting = self.blocks.entry(b).or_default();
            posting.push(ix);
            let len = posting.len();
            // A full name's count changes the weight of its agreeing pairs at each step.
            let name_step = slot.prep.name_frequency == Some(b)
                && name_commonness_penalty(len) != name_commonness_penalty(len - 1);
            if len == self.config.max_block_size + 1 || name_step {
                crossed.push(b);
            }
        }
        self.slots[ix as usize] = Some(slot);
        // Weak holders count too (the colleagues behind a switchboard), so every key the
        // record holds is recounted.
        for &id in ids.ids.iter() {
            if !flipped.contains(&id) && self.refresh_key(id) {
                flipped.push(id);
            }
        }
        self.key_ids[ix as usize] = ids;
        (flipped, crossed)
    }

    /// Removes a record from the postings; returns flipped keys and blocks back under the limit.
    fn unindex(&mut self, ix: u32) -> (Vec<u32>, Vec<u64>) {
        let slot = self.slots[ix as usize].take().expect("live slot");
        let ids = std::mem::take(&mut self.key_ids[ix as usize]);
        let mut freed: Vec<u32> = Vec::new();
        for (pos, key) in slot
            .prep
            .keys
            .iter()
            .chain(&slot.prep.weak_keys)
            .enumerate()
        {
            let Some(&id) = ids.ids.get(pos) else {
                continue;
            };
            // A key both strong and weak on the record appears twice: free its posting once.
            if freed.contains(&id) {
                continue;
            }
            let p = &mut self.postings[id as usize];
            p.records.retain(|&r| r != ix);
            if p.records.is_empty() {
                *p = KeyPosting::default();
                self.key_index.remove(key);
                self.free_postings.push(id);
                freed.push(id);
            }
        }
        let mut uncrossed = Vec::new();
        for &b in slot.blocks.iter() {
            if let Some(p) = self.blocks.get_mut(&b) {
                let before = p.len();
                p.retain(|&r| r != ix);
                let name_step = slot.prep.name_frequency == Some(b)
                    && name_commonness_penalty(before) != name_commonness_penalty(p.len());
                if before == self.config.max_block_size + 1 || name_step {
                    uncrossed.push(b);
                }
                if p.is_empty() {
                    self.blocks.remove(&b);
                }
            }
        }
        self.slots[ix as usize] = Some(slot);
        let mut flipped = Vec::new();
        for &id in ids.ids.iter() {
            if !freed.contains(&id) && !flipped.contains(&id) && self.refresh_key_without(id, ix) {
                flipped.push(id);
            }
        }
        (flipped, uncrossed)
    }

    /// Recomputes how widely a key (by posting id) is used; true when it changed.
    fn refresh_key(&mut self, id: u32) -> bool {
        let usage = self.posting_use(&self.postings[id as usize].records);
        let posting = &mut self.postings[id as usize];
        let changed = posting.usage != usage;
        posting.usage = usage;
        changed
    }

    /// As `refresh_key`, while record `gone` is being removed (it is no longer in the posting).
    fn refresh_key_without(&mut self, id: u32, gone: u32) -> bool {
        debug_assert!(!self.postings[id as usize].records.contains(&gone));
        self.refresh_key(id)
    }

    /// Whether two records are compared at all.
    fn is_candidate(&self, a: u32, b: u32) -> bool {
        let theirs = self.key_ids[b as usize].strong();
        if self.key_ids[a as usize]
            .strong()
            .iter()
            .any(|id| theirs.contains(id) && self.postings[*id as usize].usage != KeyUse::Common)
        {
            return true;
        }
        let (ba, bb) = (&self.slot(a).blocks, &self.slot(b).blocks);
        let (mut i, mut j) = (0, 0);
        while i < ba.len() && j < bb.len() {
            match ba[i].cmp(&bb[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if self.blocks[&ba[i]].len() <= self.config.max_block_size {
                        return true;
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        false
    }

    /// The records a record is compared with.
    fn candidates(&self, ix: u32) -> Vec<u32> {
        let slot = self.slot(ix);
        let mut out = Vec::new();
        for &id in self.key_ids[ix as usize].strong() {
            let p = &self.postings[id as usize];
            // Few-people keys are still compared: that is how a family sharing a phone is
            // flagged rather than silently merged or silently ignored.
            if p.usage != KeyUse::Common {
                out.extend_from_slice(&p.records);
            }
        }
        for b in slot.blocks.iter() {
            let p = &self.blocks[b];
            if p.len() <= self.config.max_block_size {
                out.extend_from_slice(p);
            }
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&r| r != ix);
        out
    }

    /// Reads the parts of a record that scoring reads (slot, keys, name tokens, key ids,
    /// edges) and returns a digest of them. Touching all of a record's candidates this way
    /// before scoring them lets their cache misses overlap, where each comparison would
    /// otherwise wait for its own.
    fn warm(&self, ix: u32) -> usize {
        let Some(p) = &self.preps[ix as usize] else {
            return 0;
        };
        let bytes = |s: &str| s.as_bytes().first().map_or(0, |&b| usize::from(b));
        let mut h = p.keys.first().map_or(0, |k| bytes(&k.value))
            ^ p.weak_keys.len()
            ^ p.email_locals.len()
            ^ p.handle_keys.len()
            ^ p.address.len()
            ^ p.fields.len()
            ^ p.city.as_deref().map_or(0, bytes)
            ^ p.company.as_deref().map_or(0, bytes)
            ^ self.edges[ix as usize].len();
        if let Some(n) = &p.name {
            for t in n.name.tokens() {
                h ^= bytes(t.key()) ^ t.head() as usize;
            }
        }
        if let Some(&id) = self.key_ids[ix as usize].ids.first() {
            h ^= id as usize;
        }
        h
    }

    fn score(&self, a: u32, b: u32) -> super::compare::PairScore {
        let usage = |id: u32| self.postings[id as usize].usage;
        let name_records = |k: u64| self.blocks.get(&k).map_or(0, Vec::len);
        compare(
            &self.model,
            self.prep(a),
            self.prep(b),
            &SharedKeys::ById {
                a: &self.key_ids[a as usize].ids,
                b: &self.key_ids[b as usize].ids,
                usage: &usage,
            },
            &name_records,
        )
    }

    fn edge_between(&self, a: u32, b: u32) -> Option<Edge> {
        self.edges[a as usize].iter().find(|e| e.to == b).copied()
    }

    /// Sets (or clears) the automatic edge between two records; manual edges are kept. Returns
    /// whether anything changed.
    fn set_edge(&mut self, a: u32, b: u32, edge: Option<(EdgeKind, f32)>) -> bool {
        let old = self.edge_between(a, b);
        if old.map(|e| e.kind) == Some(EdgeKind::Manual) || old.map(|e| (e.kind, e.total)) == edge {
            return false;
        }
        for (x, y) in [(a, b), (b, a)] {
            let list = &mut self.edges[x as usize];
            list.retain(|e| e.to != y);
            if let Some((kind, total)) = edge {
                list.push(Edge { to: y, kind, total });
            }
        }
        true
    }

    fn set_manual_edge(&mut self, a: u32, b: u32) {
        for (x, y) in [(a, b), (b, a)] {
            let list = &mut self.edges[x as usize];
            list.retain(|e| e.to != y);
            list.push(Edge {
                to: y,
                kind: EdgeKind::Manual,
                total: f32::INFINITY,
            });
        }
    }

    fn remove_manual_edge(&mut self, a: u32, b: u32) -> bool {
        if self.edge_between(a, b).map(|e| e.kind) != Some(EdgeKind::Manual) {
            return false;
        }
        for (x, y) in [(a, b), (b, a)] {
            self.edges[x as usize].retain(|e| e.to != y);
        }
        // Let the automatic decision stand again.
        if self.is_candidate(a, b) {
            let s = self.score(a, b);
            self.set_edge(a, b, edge_for(s.decision, s.total));
        }
        true
    }

    /// Re-decides a pair (candidacy and decision); returns whether its link changed.
    fn update_pair(&mut self, a: u32, b: u32) -> bool {
        let edge = if self.is_candidate(a, b) {
            let s = self.score(a, b);
            edge_for(s.decision, s.total)
        } else {
            None
        };
        self.set_edge(a, b, edge)
    }

    fn reevaluate_all_pairs(&mut self, records: &[u32], touched: &mut Vec<u32>) {
        for (i, &a) in records.iter().enumerate() {
            for &b in &records[i + 1..] {
                if self.update_pair(a, b) {
                    touched.push(a);
                    touched.push(b);
                }
            }
        }
    }

    fn add_cannot(&mut self, a: u32, b: u32) {
        let pair = ordered(a, b);
        if self.cannot.insert(pair) {
            self.cannot_of.entry(pair.0).or_default().push(pair.1);
            self.cannot_of.entry(pair.1).or_default().push(pair.0);
        }
    }

    fn remove_cannot(&mut self, a: u32, b: u32) {
        let pair = ordered(a, b);
        if self.cannot.remove(&pair) {
            for (x, y) in [(pair.0, pair.1), (pair.1, pair.0)] {
                if let Some(list) = self.cannot_of.get_mut(&x) {
                    list.retain(|&r| r != y);
                    if list.is_empty() {
                        self.cannot_of.remove(&x);
                    }
                }
            }
        }
    }

    // ----- clustering -----

    /// Recomputes the customers around `seeds` and records what changed as history events.
    fn rebuild(
        &mut self,
        seeds: &[u32],
        at: Option<DateTime<Utc>>,
        by: Actor,
    ) -> Vec<HistoryEvent> {
        // The region: the seeds and everything linked to them, always with whole former
        // customers, so every customer it touches is recomputed entirely.
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        let mut stack: Vec<u32> = seeds.iter().copied().filter(|&s| self.is_live(s)).collect();
        while let Some(r) = stack.pop() {
            if !seen.insert(r) {
                continue;
            }
            for e in &self.edges[r as usize] {
                if e.kind.links() && !seen.contains(&e.to) {
                    stack.push(e.to);
                }
            }
            let anchor = self.anchor_of[r as usize];
            if anchor != NONE {
                stack.extend(self.members[&anchor].iter().filter(|m| !seen.contains(m)));
            }
        }
        let mut region: Vec<u32> = seen.into_iter().collect();
        region.sort_unstable();
        let components = self.components(&region);

        // Old customers in the region (records removed since are gone from it).
        let old_anchor: FxHashMap<u32, u32> = region
            .iter()
            .map(|&r| (r, self.anchor_of[r as usize]))
            .collect();
        let mut old_anchors: Vec<u32> = old_anchor
            .values()
            .copied()
            .filter(|&a| a != NONE)
            .collect();
        old_anchors.sort_unstable();
        old_anchors.dedup();
        for a in &old_anchors {
            self.members.remove(a);
        }

        let mut events = Vec::new();
        let mut new_anchor_of_old: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
        for comp in &components {
            let anchor = *comp
                .iter()
                .min_by(|&&x, &&y| self.order_key(x).cmp(&self.order_key(y)))
                .expect("components are not empty");
            for &r in comp {
                self.anchor_of[r as usize] = anchor;
            }
            self.members.insert(anchor, comp.clone());
            self.former_anchors.insert(anchor);
            let mut olds: Vec<u32> = comp
                .iter()
                .map(|r| old_anchor[r])
                .filter(|&a| a != NONE)
                .collect();
            olds.sort_unstable();
            olds.dedup();
            for &o in &olds {
                new_anchor_of_old.entry(o).or_default().insert(anchor);
            }
            // A former customer is absorbed here when its anchor record is here; a part of a
            // former customer whose anchor went elsewhere is a split, reported below.
            let mut absorbed: Vec<u32> = comp
                .iter()
                .copied()
                .filter(|&r| r != anchor && old_anchor[&r] == r)
                .collect();
            absorbed.sort_by(|&x, &y| self.order_key(x).cmp(&self.order_key(y)));
            if absorbed.is_empty() {
                continue;
            }
            // Links between records of different former customers (a new record counts as its
            // own).
            let group = |r: u32| match old_anchor[&r] {
                NONE => r,
                a => a,
            };
            let comp_set: FxHashSet<u32> = comp.iter().copied().collect();
            let mut links = Vec::new();
            for &r in comp {
                for e in &self.edges[r as usize] {
                    if e.kind.links()
                        && r < e.to
                        && comp_set.contains(&e.to)
                        && group(r) != group(e.to)
                    {
                        links.push((r, e.to));
                    }
                }
            }
            links.sort_by(|x, y| self.pair_ids(*x).cmp(&self.pair_ids(*y)));
            let reason = match links.first() {
                Some(&(x, y)) => {
                    let s = self.score(x, y);
                    let ev = explain(
                        &self.model,
                        (self.record_id(x), &self.slot(x).prep),
                        (self.record_id(y), &self.slot(y).prep),
                        &s,
                    );
                    match by {
                        Actor::Hand => "merged by hand".to_string(),
                        Actor::Rule => ev.reason,
                    }
                }
                None => "merged".to_string(),
            };
            events.push(self.event(at, EventKind::Merge, by, anchor, &absorbed, links, reason));
        }
        for (old, news) in new_anchor_of_old {
            if news.len() > 1 {
                let parts: Vec<u32> = news.iter().copied().filter(|&n| n != old).collect();
                let reason = match by {
                    Actor::Hand => "split by hand".to_string(),
                    Actor::Rule => {
                        "split: the links that joined its parts no longer hold".to_string()
                    }
                };
                events.push(self.event(at, EventKind::Split, by, old, &parts, Vec::new(), reason));
            }
        }
        events
    }

    /// Places a new record whose arrival changed no key's use and no block's size without
    /// recomputing its region, when that gives what [`Resolver::rebuild`] would: the record
    /// links into at most one customer C, has no constraint (never-merge, conflict, clearly
    /// different name) with any record of C, and C keeps its anchor. Why that is exact, in
    /// the terms of [`Resolver::split_by_constraints`]: run the clustering with and without the
    /// record side by side. Manual links come first and are the same in both. After them,
    /// every constrained pair inside C is already in one set (only manual links join such
    /// pairs), so the new record's links, which only join parts of C (and the record, which
    /// has no constraint there) earlier, never make a later link inside C cross a constraint;
    /// a link between C and another customer was refused for a constrained pair across it and
    /// still is (C's side only grew); links elsewhere see the same sets. So every customer
    /// stays as it was and the record joins C. Returns false, changing nothing, otherwise.
    fn join_directly(&mut self, ix: u32) -> bool {
        if self.cannot_of.contains_key(&ix) {
            return false;
        }
        let mut customer = NONE;
        for e in &self.edges[ix as usize] {
            if e.kind.links() {
                let anchor = self.anchor_of[e.to as usize];
                if anchor == NONE || (customer != NONE && anchor != customer) {
                    return false;
                }
                customer = anchor;
            }
        }
        if customer == NONE {
            self.anchor_of[ix as usize] = ix;
            self.members.insert(ix, vec![ix]);
            self.former_anchors.insert(ix);
            return true;
        }
        if self.edges[ix as usize]
            .iter()
            .any(|e| e.kind == EdgeKind::Conflict && self.anchor_of[e.to as usize] == customer)
        {
            return false;
        }
        if self.order_key(ix) < self.order_key(customer) {
            return false;
        }
        let Some(members) = self.members.get(&customer) else {
            return false;
        };
        if let Some(name) = self.slot(ix).prep.name.as_ref() {
            let mine = name.given_ids();
            if !mine.is_empty() {
                // Names of equal text have equal features: each distinct name is judged once.
                let mut judged: FxHashSet<&str> = FxHashSet::default();
                judged.insert(name.name.original());
                let mut theirs: Vec<&'static str> = Vec::new();
                for &m in members {
                    let Some(other) = self.slot(m).prep.name.as_ref() else {
                        continue;
                    };
                    if judged.insert(other.name.original()) {
                        theirs.clear();
                        other.given_ids_into(&mut theirs);
                        if name.clearly_different_given(&mine, other, &theirs) {
                            return false;
                        }
                    }
                }
            }
        }
        let members = self.members.get_mut(&customer).expect("looked up above");
        let at = members.partition_point(|&m| m < ix);
        members.insert(at, ix);
        self.anchor_of[ix as usize] = customer;
        self.former_anchors.insert(customer);
        true
    }

    fn is_live(&self, ix: u32) -> bool {
        self.slots.get(ix as usize).is_some_and(Option::is_some)
    }

    fn pair_ids(&self, (a, b): (u32, u32)) -> (&str, &str) {
        let (x, y) = (self.record_id(a), self.record_id(b));
        if x <= y {
            (x, y)
        } else {
            (y, x)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        at: Option<DateTime<Utc>>,
        kind: EventKind,
        by: Actor,
        customer: u32,
        others: &[u32],
        links: Vec<(u32, u32)>,
        reason: String,
    ) -> HistoryEvent {
        let seq = self.history.len() as u64 + 1;
        let event = HistoryEvent {
            seq,
            at,
            kind,
            by,
            customer_id: self.record_id(customer).to_string(),
            others: others
                .iter()
                .map(|&o| self.record_id(o).to_string())
                .collect(),
            links: links
                .iter()
                .map(|&p| {
                    let (x, y) = self.pair_ids(p);
                    (x.to_string(), y.to_string())
                })
                .collect(),
            reason,
        };
        let pos = self.history.len() as u32;
        for r in std::iter::once(customer).chain(others.iter().copied()) {
            self.history_of.entry(r).or_default().push(pos);
        }
        self.history.push(event.clone());
        event
    }

    /// The customers of a region's records: its connected groups of linked records, each split
    /// where constraints forbid records to be together ([`Resolver::split_by_constraints`]).
    fn components(&self, region: &[u32]) -> Vec<Vec<u32>> {
        let pos: FxHashMap<u32, usize> = region.iter().enumerate().map(|(i, &r)| (r, i)).collect();
        let mut dsu = Dsu::new(region.len());
        for &r in region {
            for e in &self.edges[r as usize] {
                if e.kind.links() && r < e.to {
                    if let Some(&j) = pos.get(&e.to) {
                        dsu.union(pos[&r], j);
                    }
                }
            }
        }
        let mut groups: FxHashMap<usize, Vec<u32>> = FxHashMap::default();
        for (i, &r) in region.iter().enumerate() {
            groups.entry(dsu.find(i)).or_default().push(r);
        }
        let mut out: Vec<Vec<u32>> = groups
            .into_values()
            .flat_map(|g| self.split_by_constraints(g))
            .collect();
        out.sort_unstable();
        out
    }

    /// Splits a connected group of records where constraints forbid records to be one customer:
    /// "never merge" (hard: manual links respect it too), and, for automatic links only, a
    /// flagged conflict or clearly different names (soft: a relative or a colleague reached
    /// through a shared phone stays apart, but a manual merge holds). Links are taken strongest
    /// first (manual, identifier, then by weight; ties by record ids) and a link that would put
    /// constrained records together is skipped, so the result depends only on the records and
    /// links, never on their order.
    fn split_by_constraints(&self, group: Vec<u32>) -> Vec<Vec<u32>> {
        if group.len() < 2 {
            return vec![group];
        }
        let n = group.len();
        let pos: FxHashMap<u32, usize> = group.iter().enumerate().map(|(i, &r)| (r, i)).collect();
        // Record-level constraints as partner lists by position: "never merge" (hard) and
        // flagged conflicts (soft).
        let mut hard: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut conflict: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut any_constraint = false;
        for (i, &r) in group.iter().enumerate() {
            if let Some(list) = self.cannot_of.get(&r) {
                for &j in list.iter().filter_map(|o| pos.get(o)) {
                    hard[i].push(j);
                    any_constraint = true;
                }
            }
            for e in &self.edges[r as usize] {
                if e.kind == EdgeKind::Conflict {
                    if let Some(&j) = pos.get(&e.to) {
                        conflict[i].push(j);
                        any_constraint = true;
                    }
                }
            }
        }
        // Names by class: records whose names read the same (equal text gives equal features,
        // so equal judgements) are judged once. Soft constraint: two classes whose given names
        // clearly differ.
        let mut class_of: Vec<u32> = vec![u32::MAX; n];
        let mut given: Vec<&'static str> = Vec::new();
        let mut classes: Vec<(&NameFeatures, std::ops::Range<usize>)> = Vec::new();
        let mut class_by_text: FxHashMap<&str, u32> = FxHashMap::default();
        for (i, &r) in group.iter().enumerate() {
            let Some(name) = self.slot(r).prep.name.as_ref() else {
                continue;
            };
            match class_by_text.entry(name.name.original()) {
                std::collections::hash_map::Entry::Occupied(e) => class_of[i] = *e.get(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let start = given.len();
                    name.given_ids_into(&mut given);
                    // A name without a recognised given name is never clearly different.
                    let c = if given.len() > start {
                        classes.push((name, start..given.len()));
                        (classes.len() - 1) as u32
                    } else {
                        u32::MAX
                    };
                    e.insert(c);
                    class_of[i] = c;
                }
            }
        }
        let nc = classes.len();
        let mut different = vec![false; nc * nc];
        for (x, (a, ia)) in classes.iter().enumerate() {
            for (y, (b, ib)) in classes.iter().enumerate().skip(x + 1) {
                // Exactly symmetric (`PersonName::similarity`), so one orientation will do.
                if a.clearly_different_given(&given[ia.clone()], b, &given[ib.clone()]) {
                    different[x * nc + y] = true;
                    different[y * nc + x] = true;
                    any_constraint = true;
                }
            }
        }
        if !any_constraint {
            return vec![group];
        }
        // Links strongest first; ties by the records' ids (as ranks, one sort of the group).
        let mut by_id: Vec<usize> = (0..n).collect();
        by_id.sort_unstable_by(|&x, &y| self.record_id(group[x]).cmp(self.record_id(group[y])));
        let mut id_rank = vec![0u32; n];
        for (rank, &i) in by_id.iter().enumerate() {
            id_rank[i] = rank as u32;
        }
        let mut links: Vec<(usize, usize, Edge)> = Vec::new();
        for (i, &r) in group.iter().enumerate() {
            for e in &self.edges[r as usize] {
                if e.kind.links() && r < e.to {
                    if let Some(&j) = pos.get(&e.to) {
                        links.push((i, j, *e));
                    }
                }
            }
        }
        let ranks = |&(i, j, _): &(usize, usize, Edge)| {
            let (x, y) = (id_rank[i], id_rank[j]);
            (x.min(y), x.max(y))
        };
        links.sort_unstable_by(|x, y| {
            x.2.kind
                .rank()
                .cmp(&y.2.kind.rank())
                .then(y.2.total.total_cmp(&x.2.total))
                .then_with(|| ranks(x).cmp(&ranks(y)))
        });
        // Each set's constraint partners and name classes, kept at its root. A link is
        // skipped when it would put a constrained pair together.
        let mut set_classes: Vec<Vec<u32>> = class_of
            .iter()
            .map(|&c| if c == u32::MAX { Vec::new() } else { vec![c] })
            .collect();
        let mut dsu = Dsu::new(n);
        for (a, b, e) in links {
            let (ra, rb) = (dsu.find(a), dsu.find(b));
            if ra == rb {
                continue;
            }
            let crosses = |dsu: &mut Dsu, partners: &[Vec<usize>]| {
                let (from, to) = if partners[ra].len() <= partners[rb].len() {
                    (ra, rb)
                } else {
                    (rb, ra)
                };
                partners[from].iter().any(|&p| dsu.find(p) == to)
            };
            if crosses(&mut dsu, &hard) {
                continue;
            }
            if e.kind != EdgeKind::Manual
                && (crosses(&mut dsu, &conflict)
                    || set_classes[ra].iter().any(|&x| {
                        set_classes[rb]
                            .iter()
                            .any(|&y| different[x as usize * nc + y as usize])
                    }))
            {
                continue;
            }
            dsu.union(ra, rb);
            let root = dsu.find(ra);
            let other = if root == ra { rb } else { ra };
            for lists in [&mut hard, &mut conflict] {
                let moved = std::mem::take(&mut lists[other]);
                lists[root].extend(moved);
            }
            let moved = std::mem::take(&mut set_classes[other]);
            for c in moved {
                if !set_classes[root].contains(&c) {
                    set_classes[root].push(c);
                }
            }
        }
        let mut parts: FxHashMap<usize, Vec<u32>> = FxHashMap::default();
        for (i, &r) in group.iter().enumerate() {
            parts.entry(dsu.find(i)).or_default().push(r);
        }
        parts.into_values().collect()
    }

    // ----- adding -----

    fn prepare_record(&self, obs: &Observation) -> (Prepared, Vec<u64>) {
        let prep = self.preparer.prepare(obs);
        let blocks = blocking_keys(&prep);
        (prep, blocks)
    }

    /// The prepared form and blocking keys of a record: a twin's (a live record with the same
    /// content, also returned), else `read` (prepared ahead), else prepared now.
    fn prepared_for(
        &self,
        obs: &Observation,
        read: Option<(Prepared, Vec<u64>)>,
    ) -> (Arc<Prepared>, Arc<[u64]>, Option<u32>) {
        if let Some(twin) = self.contents.get(&self.slots, obs) {
            let s = self.slot(twin);
            return (Arc::clone(&s.prep), Arc::clone(&s.blocks), Some(twin));
        }
        let (prep, blocks) = read.unwrap_or_else(|| self.prepare_record(obs));
        (Arc::new(prep), Arc::from(blocks), None)
    }

    /// Adds one record: normalises it, links it to matching records, and returns its customer
    /// with the merges and conflicts it caused. Adding the same record again changes nothing;
    /// a record with a known id and other content replaces the old one.
    ///
    /// # Errors
    /// [`ErrorKind::FieldMissing`] without a record id; [`ErrorKind::InputTooLarge`] above
    /// [`MAX_OBSERVATION_BYTES`]. Malformed phones, emails and handles are not errors: they
    /// are reported in [`AddOutcome::problems`] and on the card.
    pub fn add(&mut self, obs: Observation) -> Result<AddOutcome> {
        Self::validate(&obs)?;
        self.add_valid(obs, None)
    }

    /// A reader of records by this resolver's configuration, for reading (normalising) records
    /// ahead of [`Resolver::add_read`] where the resolver is not at hand (on another thread,
    /// outside a lock around it).
    pub fn reader(&self) -> RecordReader {
        RecordReader {
            preparer: Arc::clone(&self.preparer),
        }
    }

    /// [`Resolver::add`] of a record a [`RecordReader`] of this resolver read ahead (one read
    /// by another resolver's configuration is normalised again).
    ///
    /// # Errors
    /// As [`Resolver::add`] (the reader already checked the record).
    pub fn add_read(&mut self, read: ReadRecord) -> Result<AddOutcome> {
        let prepared =
            Arc::ptr_eq(&read.preparer, &self.preparer).then_some((read.prep, read.blocks));
        self.add_valid(read.obs, prepared)
    }

    /// Adds a checked record, with its prepared form and blocking keys when they are known.
    fn add_valid(
        &mut self,
        obs: Observation,
        prepared: Option<(Prepared, Vec<u64>)>,
    ) -> Result<AddOutcome> {
        let at = obs.seen_at;
        let (ix, status, mut touched, twin) = match self.ids.get(&self.slots, &obs.record_id) {
            Some(ix) if self.slot(ix).obs == obs => {
                return Ok(AddOutcome {
                    record_id: obs.record_id,
                    customer_id: self.record_id(self.anchor_of[ix as usize]).to_string(),
                    status: AddStatus::Unchanged,
                    events: Vec::new(),
                    conflicts: Vec::new(),
                    problems: self.slot(ix).prep.problems.to_vec(),
                });
            }
            Some(ix) => {
                // Replace in place: the slot keeps its position; its edges are redone.
                let mut touched = self.detach(ix);
                self.contents.remove(&self.slots, ix);
                let (prep, blocks, twin) = self.prepared_for(&obs, prepared);
                self.preps[ix as usize] = Some(Arc::clone(&prep));
                self.slots[ix as usize] = Some(Slot { obs, prep, blocks });
                self.contents.insert(&self.slots, ix);
                touched.push(ix);
                (ix, AddStatus::Updated, touched, twin)
            }
            None => {
                let ix = u32::try_from(self.slots.len()).map_err(|_| {
                    Error::new(
                        ErrorKind::InputTooLarge,
                        "a resolver holds at most 4 294 967 294 records",
                    )
                })?;
                let (prep, blocks, twin) = self.prepared_for(&obs, prepared);
                self.preps.push(Some(Arc::clone(&prep)));
                self.slots.push(Some(Slot { obs, prep, blocks }));
                self.ids.insert(&self.slots, ix);
                self.contents.insert(&self.slots, ix);
                self.key_ids.push(KeyIds::default());
                self.edges.push(Vec::new());
                self.anchor_of.push(NONE);
                (ix, AddStatus::Added, vec![ix], twin)
            }
        };
        let (flipped, crossed) = self.index(ix, twin);
        for c in self.candidates(ix) {
            if self.update_pair(ix, c) {
                touched.push(c);
            }
        }
        self.reevaluate_keys_and_blocks(&flipped, &crossed, &mut touched);
        let direct = status == AddStatus::Added
            && flipped.is_empty()
            && crossed.is_empty()
            && self.join_directly(ix);
        let events = if direct {
            Vec::new()
        } else {
            self.rebuild(&touched, at, Actor::Rule)
        };
        let conflicts = self.conflicts_of(ix);
        let slot = self.slot(ix);
        Ok(AddOutcome {
            record_id: slot.obs.record_id.clone(),
            customer_id: self.record_id(self.anchor_of[ix as usize]).to_string(),
            status,
            events,
            conflicts,
            problems: slot.prep.problems.to_vec(),
        })
    }

    fn reevaluate_keys_and_blocks(&mut self, keys: &[u32], blocks: &[u64], touched: &mut Vec<u32>) {
        for &id in keys {
            let records = self.postings[id as usize].records.clone();
            self.reevaluate_all_pairs(&records, touched);
        }
        for b in blocks {
            if let Some(p) = self.blocks.get(b) {
                let records = p.clone();
                self.reevaluate_all_pairs(&records, touched);
            }
        }
    }

    /// Takes a record out of the indexes and drops its automatic edges; returns the records
    /// whose customers must be recomputed. The slot stays (for replacement or removal).
    fn detach(&mut self, ix: u32) -> Vec<u32> {
        let (flipped, uncrossed) = self.unindex(ix);
        let mut touched: Vec<u32> = Vec::new();
        let anchor = self.anchor_of[ix as usize];
        if anchor != NONE {
            touched.extend_from_slice(&self.members[&anchor]);
        }
        let neighbours: Vec<Edge> = self.edges[ix as usize].clone();
        for e in neighbours {
            if e.kind != EdgeKind::Manual {
                self.set_edge(ix, e.to, None);
                touched.push(e.to);
            }
        }
        self.reevaluate_keys_and_blocks(&flipped, &uncrossed, &mut touched);
        touched
    }

    /// Adds many records. Into an empty resolver this runs the batch algorithm (every pair
    /// scored once, then grouped); otherwise records are added one at a time. Both give the same
    /// customers as adding the records one by one, in any order. A record that cannot be added
    /// is reported in [`BatchOutcome::rejections`] with its position; the others are added.
    ///
    /// # Errors
    /// None today; the `Result` leaves room for limits on the resolver as a whole.
    pub fn add_many(&mut self, records: Vec<Observation>) -> Result<BatchOutcome> {
        let mut rejections = Vec::new();
        let records: Vec<Observation> = records
            .into_iter()
            .enumerate()
            .filter_map(|(index, obs)| match Self::validate(&obs) {
                Ok(()) => Some(obs),
                Err(e) => {
                    rejections.push(crate::message::Rejection {
                        index,
                        id: (!obs.record_id.trim().is_empty()).then(|| obs.record_id.clone()),
                        error: e.at(format!("records[{index}]")),
                    });
                    None
                }
            })
            .collect();
        let order: Vec<String> = records.iter().map(|o| o.record_id.clone()).collect();
        let (mut added, mut unchanged, mut updated, events);
        if self.ids.is_empty() && self.history.is_empty() {
            (added, unchanged, updated, events) = self.batch(records)?;
        } else {
            (added, unchanged, updated) = (0, 0, 0);
            let before = self.history.len();
            for obs in records {
                match self.add(obs)?.status {
                    AddStatus::Added => added += 1,
                    AddStatus::Unchanged => unchanged += 1,
                    AddStatus::Updated => updated += 1,
                }
            }
            events = self.history.len() - before;
        }
        let assignments = order
            .into_iter()
            .map(|id| {
                let customer = self.customer_of(&id).unwrap_or_default().to_string();
                (id, customer)
            })
            .collect();
        Ok(BatchOutcome {
            assignments,
            rejections,
            added,
            unchanged,
            updated,
            customers: self.members.len(),
            events,
        })
    }

    fn batch(&mut self, records: Vec<Observation>) -> Result<(usize, usize, usize, usize)> {
        // The last version of each record id wins, as with one-by-one adds.
        let mut last: FxHashMap<&str, usize> = FxHashMap::default();
        let (mut unchanged, mut updated) = (0, 0);
        for (i, obs) in records.iter().enumerate() {
            if let Some(prev) = last.insert(&obs.record_id, i) {
                if records[prev] == *obs {
                    unchanged += 1;
                } else {
                    updated += 1;
                }
            }
        }
        let mut keep: Vec<usize> = last.into_values().collect();
        keep.sort_unstable();
        let mut records: Vec<Option<Observation>> = records.into_iter().map(Some).collect();
        // Exactly: a doubling vector of slots would leave up to half its ~800-byte slots empty.
        self.slots.reserve_exact(keep.len());
        self.ids.reserve(&self.slots, keep.len());
        self.contents.reserve(&self.slots, keep.len());
        // Per slot, an earlier record with the same content (NONE for the first of its content):
        // twins share its prepared form and take its key ids.
        let mut twin_of: Vec<u32> = vec![NONE; self.slots.len()];
        twin_of.reserve_exact(keep.len());
        for &i in &keep {
            let obs = records[i].take().expect("each kept once");
            let (prep, blocks, twin) = self.prepared_for(&obs, None);
            let ix = self.slots.len() as u32;
            self.preps.push(Some(Arc::clone(&prep)));
            self.slots.push(Some(Slot { obs, prep, blocks }));
            self.ids.insert(&self.slots, ix);
            if twin.is_none() {
                self.contents.insert(&self.slots, ix);
            }
            twin_of.push(twin.unwrap_or(NONE));
        }
        // The observations have moved into the slots: give their buffer back before indexing.
        drop(records);
        let n = self.slots.len();
        self.edges = vec![Vec::new(); n];
        self.anchor_of = vec![NONE; n];
        self.key_ids = Vec::with_capacity(n);
        for ix in 0..n as u32 {
            let slot = self.slots[ix as usize].take().expect("just added");
            let ids = match twin_of[ix as usize] {
                NONE => self.intern_all(&slot.prep),
                twin => self.key_ids[twin as usize].clone(),
            };
            for &id in ids.ids.iter() {
                self.postings[id as usize].records.push(ix);
            }
            self.key_ids.push(ids);
            for &b in slot.blocks.iter() {
                self.blocks.entry(b).or_default().push(ix);
            }
            self.slots[ix as usize] = Some(slot);
        }
        let uses: Vec<KeyUse> = self
            .postings
            .iter()
            .map(|p| self.posting_use(&p.records))
            .collect();
        for (p, u) in self.postings.iter_mut().zip(uses) {
            p.usage = u;
        }
        // Candidate pairs: every pair of records that both hold a non-common key as a link key
        // (a key weak on one of them, as a switchboard is beside an extension, does not make
        // them candidates: `is_candidate`), or that share a small block. They are taken record
        // by record, each record with its later candidates in order, so every pair is scored
        // once, in the order of (a, b), without holding all pairs at once.
        let mut weak_somewhere = vec![false; self.postings.len()];
        for ids in &self.key_ids {
            for &id in &ids.ids[ids.strong.min(ids.ids.len())..] {
                weak_somewhere[id as usize] = true;
            }
        }
        // Twins are scored once: a record compares with any other exactly as its twin does (the
        // same prepared form and key ids, in the same state of the postings), so a twin takes
        // the decisions of the first record of its content, and a record compared with several
        // twins of one later content scores only the first of them.
        let mut dsu = Dsu::new(n);
        let mut later: Vec<u32> = Vec::new();
        let mut decided: Vec<Option<(EdgeKind, f32)>> = Vec::new();
        let mut copied: Vec<Edge> = Vec::new();
        for a in 0..n as u32 {
            let first = twin_of[a as usize];
            if first != NONE {
                // `first` came earlier and was scored against everything after it, in order:
                // its edges to records after `a` are `a`'s decisions, in the same order. (Its
                // other edges go to records before it, pushed when those were scored.)
                copied.clear();
                copied.extend(self.edges[first as usize].iter().filter(|e| e.to > a));
                for e in &copied {
                    let (b, kind, total) = (e.to, e.kind, e.total);
                    debug_assert_eq!(
                        edge_for(self.score(a, b).decision, self.score(a, b).total),
                        Some((kind, total))
                    );
                    self.edges[a as usize].push(Edge { to: b, kind, total });
                    self.edges[b as usize].push(Edge { to: a, kind, total });
                    if kind.links() {
                        dsu.union(a as usize, b as usize);
                    }
                }
                continue;
            }
            let slot = self.slot(a);
            later.clear();
            // Postings list their records in ascending order (they were filled in slot order).
            let later_in = |p: &[u32]| p.partition_point(|&b| b <= a);
            for &id in self.key_ids[a as usize].strong() {
                let posting = &self.postings[id as usize];
                if posting.usage == KeyUse::Common {
                    continue;
                }
                let p = &posting.records;
                debug_assert!(p.windows(2).all(|w| w[0] <= w[1]));
                let p = &p[later_in(p)..];
                if weak_somewhere[id as usize] {
                    later.extend(
                        p.iter()
                            .filter(|&&b| self.key_ids[b as usize].strong().contains(&id)),
                    );
                } else {
                    later.extend_from_slice(p);
                }
            }
            for b in slot.blocks.iter() {
                let p = &self.blocks[b];
                if p.len() <= self.config.max_block_size {
                    debug_assert!(p.windows(2).all(|w| w[0] <= w[1]));
                    later.extend_from_slice(&p[later_in(p)..]);
                }
            }
            later.sort_unstable();
            later.dedup();
            // A twin whose first record is after `a` shares its postings and blocks, so that
            // first record is in `later` before it and already scored.
            let scored_before = |b: u32| {
                let f = twin_of[b as usize];
                f != NONE && f > a
            };
            std::hint::black_box(
                later
                    .iter()
                    .filter(|&&b| !scored_before(b))
                    .fold(0, |h, &b| h ^ self.warm(b)),
            );
            decided.clear();
            for &b in &later {
                let known = if scored_before(b) {
                    later
                        .binary_search(&twin_of[b as usize])
                        .ok()
                        .and_then(|i| decided.get(i).copied())
                } else {
                    None
                };
                let decision = known.unwrap_or_else(|| {
                    let s = self.score(a, b);
                    edge_for(s.decision, s.total)
                });
                debug_assert!(
                    known.is_none() || {
                        let s = self.score(a, b);
                        known == Some(edge_for(s.decision, s.total))
                    }
                );
                decided.push(decision);
                if let Some((kind, total)) = decision {
                    self.edges[a as usize].push(Edge { to: b, kind, total });
                    self.edges[b as usize].push(Edge { to: a, kind, total });
                    if kind.links() {
                        dsu.union(a as usize, b as usize);
                    }
                }
            }
        }
        // Customers and their anchors: connected groups, split where constraints say so.
        let mut groups: FxHashMap<usize, Vec<u32>> = FxHashMap::default();
        for ix in 0..n as u32 {
            groups.entry(dsu.find(ix as usize)).or_default().push(ix);
        }
        let customers: Vec<Vec<u32>> = groups
            .into_values()
            .flat_map(|g| self.split_by_constraints(g))
            .collect();
        for members in customers {
            let anchor = *members
                .iter()
                .min_by(|&&x, &&y| self.order_key(x).cmp(&self.order_key(y)))
                .expect("not empty");
            for &r in &members {
                self.anchor_of[r as usize] = anchor;
            }
            self.members.insert(anchor, members);
        }
        // History: replay arrivals in time order, as if each record had been added then; a
        // record that links several earlier customers merges them.
        let mut arrival: Vec<u32> = (0..n as u32).collect();
        arrival.sort_by(|&x, &y| self.order_key(x).cmp(&self.order_key(y)));
        let mut replay = Dsu::new(n);
        let mut anchor_of_set: Vec<u32> = (0..n as u32).collect();
        let mut arrived = vec![false; n];
        let mut events = 0;
        for &r in &arrival {
            arrived[r as usize] = true;
            let mut joined: Vec<(u32, u32)> = Vec::new();
            for e in &self.edges[r as usize] {
                let same_customer = self.anchor_of[e.to as usize] == self.anchor_of[r as usize];
                if e.kind.links() && arrived[e.to as usize] && same_customer {
                    let set = replay.find(e.to as usize);
                    if !joined.iter().any(|&(s, _)| s as usize == set) {
                        joined.push((set as u32, e.to));
                    }
                }
            }
            let mut anchors: Vec<(u32, u32)> = joined
                .iter()
                .map(|&(set, via)| (anchor_of_set[set as usize], via))
                .collect();
            anchors.sort_by(|x, y| self.order_key(x.0).cmp(&self.order_key(y.0)));
            for &(set, _) in &joined {
                replay.union(r as usize, set as usize);
            }
            let root = replay.find(r as usize);
            match anchors.first() {
                None => {
                    anchor_of_set[root] = r;
                    self.former_anchors.insert(r);
                }
                Some(&(kept, _)) => {
                    anchor_of_set[root] = kept;
                    if anchors.len() > 1 {
                        let absorbed: Vec<u32> = anchors[1..].iter().map(|&(a, _)| a).collect();
                        let links: Vec<(u32, u32)> =
                            anchors.iter().map(|&(_, via)| (r, via)).collect();
                        let (x, y) = links[0];
                        let s = self.score(x, y);
                        let reason = explain(
                            &self.model,
                            (self.record_id(x), &self.slot(x).prep),
                            (self.record_id(y), &self.slot(y).prep),
                            &s,
                        )
                        .reason;
                        let at = self.slot(r).obs.seen_at;
                        self.event(
                            at,
                            EventKind::Merge,
                            Actor::Rule,
                            kept,
                            &absorbed,
                            links,
                            reason,
                        );
                        events += 1;
                    }
                }
            }
        }
        Ok((keep.len(), unchanged, updated, events))
    }

    // ----- queries -----

    /// The id of the customer a record, or a former customer id, belongs to now.
    pub fn customer_of(&self, id: &str) -> Option<&str> {
        let ix = self.ids.get(&self.slots, id)?;
        Some(self.record_id(self.anchor_of[ix as usize]))
    }

    /// Every current customer id, sorted.
    pub fn customer_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.members.keys().map(|&a| self.record_id(a)).collect();
        ids.sort_unstable();
        ids
    }

    fn members_of(&self, customer_id: &str) -> Option<(u32, &[u32])> {
        let ix = self.ids.get(&self.slots, customer_id)?;
        let anchor = self.anchor_of[ix as usize];
        Some((anchor, &self.members[&anchor]))
    }

    /// The records of a customer (by its id or a former id), in no particular order: for
    /// callers that only scan them (no sort, no vector).
    pub(crate) fn records_unordered(
        &self,
        customer_id: &str,
    ) -> Option<impl Iterator<Item = &Observation> + '_> {
        let (_, members) = self.members_of(customer_id)?;
        Some(members.iter().map(|&r| &self.slot(r).obs))
    }

    /// The records of a customer (by its id or a former id), oldest first.
    pub fn records(&self, customer_id: &str) -> Option<Vec<&Observation>> {
        let (_, members) = self.members_of(customer_id)?;
        let mut m = members.to_vec();
        m.sort_by(|&x, &y| self.order_key(x).cmp(&self.order_key(y)));
        Some(m.into_iter().map(|r| &self.slot(r).obs).collect())
    }

    /// The merge history of a customer (by its id or a former id): every event that involved
    /// it or a customer merged into it, oldest first.
    pub fn history(&self, customer_id: &str) -> Option<Vec<&HistoryEvent>> {
        let (_, members) = self.members_of(customer_id)?;
        let mut positions: Vec<u32> = members
            .iter()
            .filter_map(|r| self.history_of.get(r))
            .flatten()
            .copied()
            .collect();
        positions.sort_unstable();
        positions.dedup();
        Some(
            positions
                .into_iter()
                .map(|p| &self.history[p as usize])
                .collect(),
        )
    }

    /// Every history event, oldest first.
    pub fn all_history(&self) -> &[HistoryEvent] {
        &self.history
    }

    /// Why two records are, or are not, one customer: every comparison with its values and
    /// weight, the total and the threshold.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when a record id is unknown.
    pub fn explain(&self, record_a: &str, record_b: &str) -> Result<Evidence> {
        let find = |id: &str| {
            self.ids
                .get(&self.slots, id)
                .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("no record {id:?}")))
        };
        let (a, b) = (find(record_a)?, find(record_b)?);
        let s = self.score(a, b);
        let mut evidence = explain(
            &self.model,
            (record_a, &self.slot(a).prep),
            (record_b, &self.slot(b).prep),
            &s,
        );
        if self.edge_between(a, b).map(|e| e.kind) == Some(EdgeKind::Manual) {
            evidence.reason = format!("merged by hand ({})", evidence.reason);
        } else if evidence.decision != PairDecision::None && !self.is_candidate(a, b) {
            evidence.reason = format!(
                "{} (but never compared: they share no personal identifier and no small block)",
                evidence.reason
            );
        }
        Ok(evidence)
    }

    /// The links inside a customer: the evidence of every linked pair of its records.
    pub fn links(&self, customer_id: &str) -> Option<Vec<Evidence>> {
        let (_, members) = self.members_of(customer_id)?;
        let mut out = Vec::new();
        for &r in members {
            for e in &self.edges[r as usize] {
                if e.kind.links() && r < e.to {
                    out.push(self.explain(self.record_id(r), self.record_id(e.to)).ok()?);
                }
            }
        }
        out.sort_by(|x, y| (&x.record_a, &x.record_b).cmp(&(&y.record_a, &y.record_b)));
        Some(out)
    }

    /// Every linked pair of records, as `(record_a, record_b, decision, total)`, sorted by
    /// record ids. Explain any of them with [`Resolver::explain`].
    pub fn all_links(&self) -> Vec<(&str, &str, PairDecision, f64)> {
        let mut out = Vec::new();
        for (r, list) in self.edges.iter().enumerate() {
            let r = r as u32;
            if !self.is_live(r) {
                continue;
            }
            for e in list {
                if r < e.to {
                    let decision = match e.kind {
                        EdgeKind::Manual => continue,
                        EdgeKind::Identifier => PairDecision::Identifier,
                        EdgeKind::Score => PairDecision::Score,
                        EdgeKind::Conflict => PairDecision::Conflict,
                    };
                    let (a, b) = self.pair_ids((r, e.to));
                    out.push((a, b, decision, f64::from(e.total)));
                }
            }
        }
        out.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
        out
    }

    fn conflicts_of(&self, ix: u32) -> Vec<Conflict> {
        let mut out: Vec<Conflict> = self.edges[ix as usize]
            .iter()
            .filter(|e| e.kind == EdgeKind::Conflict)
            .map(|e| {
                let s = self.score(ix, e.to);
                Conflict {
                    record_id: self.record_id(ix).to_string(),
                    other_record_id: self.record_id(e.to).to_string(),
                    other_customer_id: self.record_id(self.anchor_of[e.to as usize]).to_string(),
                    reason: s.conflict.unwrap_or("the evidence conflicts").to_string(),
                }
            })
            .collect();
        out.sort_by(|a, b| a.other_record_id.cmp(&b.other_record_id));
        out
    }

    /// The customer card: identities with provenance, golden fields, channels, first and last
    /// seen, problems and conflicts. Accepts a former id too.
    pub fn customer(&self, customer_id: &str) -> Option<CustomerCard> {
        let (anchor, members) = self.members_of(customer_id)?;
        let mut members = members.to_vec();
        members.sort_by(|&x, &y| self.order_key(x).cmp(&self.order_key(y)));
        let provenance = |r: u32| {
            let o = &self.slot(r).obs;
            Provenance {
                record_id: o.record_id.clone(),
                channel: o.channel.clone(),
                seen_at: o.seen_at,
            }
        };
        // Identities.
        let mut identities: BTreeMap<(String, String), Identity> = BTreeMap::new();
        for &r in &members {
            let prep = &self.slot(r).prep;
            for (key, weak) in prep
                .keys
                .iter()
                .map(|k| (k, false))
                .chain(prep.weak_keys.iter().map(|k| (k, true)))
            {
                let kind = match key.family {
                    KeyFamily::Id(k) => k.name().to_string(),
                    KeyFamily::Field(i) => format!("fields.{}", self.preparer.fields[i as usize].0),
                };
                let shared = weak || self.key_use(key) != KeyUse::Personal;
                identities
                    .entry((kind.clone(), key.value.clone()))
                    .or_insert_with(|| Identity {
                        kind,
                        value: key.value.clone(),
                        shared,
                        seen: Vec::new(),
                    })
                    .seen
                    .push(provenance(r));
            }
            for device in &prep.devices {
                identities
                    .entry((device.kind.name().to_string(), device.value.clone()))
                    .or_insert_with(|| Identity {
                        kind: device.kind.name().to_string(),
                        value: device.value.clone(),
                        shared: false,
                        seen: Vec::new(),
                    })
                    .seen
                    .push(provenance(r));
            }
        }
        // Golden fields.
        let rules = &self.config.survivorship;
        let pick = |rule: &super::card::SurvivorshipRule,
                    get: &dyn Fn(&Slot) -> Option<(String, String)>| {
            let values: Vec<(String, String, u32, usize)> = members
                .iter()
                .enumerate()
                .filter_map(|(order, &r)| get(self.slot(r)).map(|(k, d)| (k, d, r, order)))
                .collect();
            let candidates: Vec<Candidate<'_>> = values
                .iter()
                .map(|(key, display, r, order)| Candidate {
                    key: key.clone(),
                    display,
                    channel: self.slot(*r).obs.channel.as_ref(),
                    seen_at: self.slot(*r).obs.seen_at,
                    order: *order,
                })
                .collect();
            survive(rule, &candidates)
        };
        let name = pick(&rules.name, &|s| {
            let n = s.prep.name.as_ref()?;
            Some((n.identity_key(), n.name.original().to_string()))
        });
        let city = pick(&rules.city, &|s| {
            Some((
                s.prep.city.as_deref()?.to_string(),
                s.obs.city.clone()?.trim().to_string(),
            ))
        });
        let company = pick(&rules.company, &|s| {
            Some((
                s.prep.company.as_deref()?.to_string(),
                s.obs.company.clone()?.trim().to_string(),
            ))
        });
        let birthday = pick(&rules.birthday, &|s| {
            s.prep.birthday.map(|d| (d.to_string(), d.to_string()))
        });
        let address = pick(&rules.address, &|s| {
            let a = s.obs.address.as_ref()?.trim();
            (!a.is_empty()).then(|| (s.prep.address.join(" "), a.to_string()))
        });
        let mut field_names: BTreeSet<&str> = BTreeSet::new();
        for &r in &members {
            field_names.extend(self.slot(r).obs.fields.keys().map(String::as_str));
        }
        let mut fields = BTreeMap::new();
        for f in field_names {
            let rule = rules
                .fields
                .get(f)
                .cloned()
                .unwrap_or(super::card::SurvivorshipRule::MostRecent);
            let value = pick(&rule, &|s| {
                let v = s.obs.fields.get(f)?.trim();
                (!v.is_empty()).then(|| (v.to_lowercase(), v.to_string()))
            });
            if let Some(v) = value {
                fields.insert(f.to_string(), v);
            }
        }
        // Channels.
        let mut channels: BTreeMap<Channel, ChannelUse> = BTreeMap::new();
        for &r in &members {
            let o = &self.slot(r).obs;
            if let Some(c) = &o.channel {
                let u = channels.entry(c.clone()).or_insert_with(|| ChannelUse {
                    channel: c.clone(),
                    records: 0,
                    first_seen: None,
                    last_seen: None,
                });
                u.records += 1;
                if let Some(t) = o.seen_at {
                    u.first_seen = Some(u.first_seen.map_or(t, |f| f.min(t)));
                    u.last_seen = Some(u.last_seen.map_or(t, |l| l.max(t)));
                }
            }
        }
        let mut channels: Vec<ChannelUse> = channels.into_values().collect();
        channels.sort_by(|a, b| b.records.cmp(&a.records).then(a.channel.cmp(&b.channel)));
        let times: Vec<DateTime<Utc>> = members
            .iter()
            .filter_map(|&r| self.slot(r).obs.seen_at)
            .collect();
        let problems = members
            .iter()
            .flat_map(|&r| {
                self.slot(r)
                    .prep
                    .problems
                    .iter()
                    .map(move |p| RecordProblem {
                        record_id: self.record_id(r).to_string(),
                        problem: p.clone(),
                    })
            })
            .collect();
        let conflicts = members.iter().flat_map(|&r| self.conflicts_of(r)).collect();
        let mut aliases: Vec<String> = members
            .iter()
            .filter(|&&r| r != anchor && self.former_anchors.contains(&r))
            .map(|&r| self.record_id(r).to_string())
            .collect();
        aliases.sort();
        let mut identities: Vec<Identity> = identities.into_values().collect();
        for i in &mut identities {
            i.seen.sort_by(|a, b| {
                (a.seen_at.is_none(), a.seen_at, &a.record_id).cmp(&(
                    b.seen_at.is_none(),
                    b.seen_at,
                    &b.record_id,
                ))
            });
        }
        Some(CustomerCard {
            customer_id: self.record_id(anchor).to_string(),
            aliases,
            name,
            city,
            company,
            birthday,
            address,
            fields,
            identities,
            records: members.iter().map(|&r| provenance(r)).collect(),
            first_seen: times.iter().min().copied(),
            last_seen: times.iter().max().copied(),
            channels,
            problems,
            conflicts,
        })
    }

    // ----- manual operations -----

    fn live_customer(&self, id: &str, what: &str) -> Result<(u32, Vec<u32>)> {
        self.members_of(id)
            .map(|(a, m)| (a, m.to_vec()))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("{what}: no customer or record {id:?}"),
                )
            })
    }

    /// Merges two customers by hand. The merge holds against the matching rules and removes
    /// any "never merge" between them. Returns the merge event (none when they already are one
    /// customer).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when an id is unknown.
    pub fn merge(
        &mut self,
        a: &str,
        b: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<Option<HistoryEvent>> {
        let (anchor_a, members_a) = self.live_customer(a, "a")?;
        let (anchor_b, members_b) = self.live_customer(b, "b")?;
        if anchor_a == anchor_b {
            return Ok(None);
        }
        for &x in &members_a {
            for &y in &members_b {
                self.remove_cannot(x, y);
            }
        }
        self.set_manual_edge(anchor_a, anchor_b);
        let events = self.rebuild(&[anchor_a, anchor_b], at, Actor::Hand);
        Ok(events.into_iter().find(|e| e.kind == EventKind::Merge))
    }

    /// Marks two customers as never to be merged: no automatic link will join any of their
    /// current records. Returns the event.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when an id is unknown; [`ErrorKind::InvalidArgument`] when both
    /// are one customer (split it first).
    pub fn never_merge(
        &mut self,
        a: &str,
        b: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<HistoryEvent> {
        let (anchor_a, members_a) = self.live_customer(a, "a")?;
        let (anchor_b, members_b) = self.live_customer(b, "b")?;
        if anchor_a == anchor_b {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{a:?} and {b:?} are one customer; split it first"),
            ));
        }
        for &x in &members_a {
            for &y in &members_b {
                self.add_cannot(x, y);
            }
        }
        Ok(self.event(
            at,
            EventKind::NeverMerge,
            Actor::Hand,
            anchor_a,
            &[anchor_b],
            Vec::new(),
            "marked never to be merged".to_string(),
        ))
    }

    /// Splits records off a customer by hand: the given records leave it and never join it
    /// again automatically. They become one customer if they are linked to each other,
    /// otherwise several. Returns the events.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when the customer is unknown; [`ErrorKind::InvalidArgument`]
    /// when a record is not one of its records, or the records are none or all of them.
    pub fn split(
        &mut self,
        customer_id: &str,
        record_ids: &[&str],
        at: Option<DateTime<Utc>>,
    ) -> Result<Vec<HistoryEvent>> {
        let (_, members) = self.live_customer(customer_id, "customer_id")?;
        let mut moving = Vec::new();
        for id in record_ids {
            let ix = self
                .ids
                .get(&self.slots, id)
                .filter(|ix| members.contains(ix))
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        format!("record_ids: {id:?} is not a record of customer {customer_id:?}"),
                    )
                })?;
            moving.push(ix);
        }
        moving.sort_unstable();
        moving.dedup();
        if moving.is_empty() || moving.len() == members.len() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "record_ids: give some, not all, of the customer's records",
            ));
        }
        let rest: Vec<u32> = members
            .iter()
            .copied()
            .filter(|r| moving.binary_search(r).is_err())
            .collect();
        for &x in &moving {
            for &y in &rest {
                self.add_cannot(x, y);
                self.remove_manual_edge(x, y);
            }
        }
        Ok(self.rebuild(&members, at, Actor::Hand))
    }

    /// Undoes a merge: the customers it joined are separated again and kept apart, each part
    /// with the id it had. Records added since go with the part they link to most strongly.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when `seq` is not a merge event; [`ErrorKind::InvalidArgument`]
    /// when its records are gone.
    pub fn unmerge(&mut self, seq: u64, at: Option<DateTime<Utc>>) -> Result<Vec<HistoryEvent>> {
        let event = self
            .history
            .get((seq as usize).wrapping_sub(1))
            .filter(|e| e.kind == EventKind::Merge)
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("seq: {seq} is not a merge event"),
                )
            })?;
        let mut seeds = Vec::new();
        for (x, y) in &event.links {
            let (Some(a), Some(b)) = (self.ids.get(&self.slots, x), self.ids.get(&self.slots, y))
            else {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("seq: the records of merge {seq} are gone"),
                ));
            };
            self.remove_manual_edge(a, b);
            self.add_cannot(a, b);
            seeds.extend([a, b]);
        }
        Ok(self.rebuild(&seeds, at, Actor::Hand))
    }

    /// Erases a customer (for an erasure request): every record of it leaves the resolver,
    /// with its links, constraints and derived keys, and the history events that named its
    /// records keep their place but say `[erased]` instead of the ids and the evidence. Other
    /// customers are recomputed (an identifier shared with the erased records may link again).
    /// Returns the erased record ids.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when the customer is unknown.
    pub fn remove_customer(
        &mut self,
        customer_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<Vec<String>> {
        let (anchor, members) = self.live_customer(customer_id, "customer_id")?;
        let removed: Vec<String> = members
            .iter()
            .map(|&r| self.record_id(r).to_string())
            .collect();
        let gone: FxHashSet<u32> = members.iter().copied().collect();
        let mut touched: Vec<u32> = Vec::new();
        for &r in &members {
            let manual: Vec<u32> = self.edges[r as usize]
                .iter()
                .filter(|e| e.kind == EdgeKind::Manual)
                .map(|e| e.to)
                .collect();
            for m in manual {
                self.remove_manual_edge(r, m);
                touched.push(m);
            }
            if let Some(list) = self.cannot_of.get(&r).cloned() {
                for y in list {
                    self.remove_cannot(r, y);
                }
            }
        }
        for &r in &members {
            touched.extend(self.detach(r));
        }
        for (&r, id) in members.iter().zip(&removed) {
            self.ids.remove(&self.slots, id);
            self.contents.remove(&self.slots, r);
            self.history_of.remove(&r);
            self.former_anchors.remove(&r);
            self.slots[r as usize] = None;
            self.preps[r as usize] = None;
            self.edges[r as usize] = Vec::new();
            self.anchor_of[r as usize] = NONE;
        }
        self.members.remove(&anchor);
        touched.retain(|t| !gone.contains(t) && self.is_live(*t));
        touched.sort_unstable();
        touched.dedup();
        self.rebuild(&touched, at, Actor::Rule);
        let erased: FxHashSet<&str> = removed.iter().map(String::as_str).collect();
        const ERASED: &str = "[erased]";
        for e in &mut self.history {
            let mut hit = false;
            let mut redact = |id: &mut String| {
                if erased.contains(id.as_str()) {
                    *id = ERASED.to_string();
                    hit = true;
                }
            };
            redact(&mut e.customer_id);
            e.others.iter_mut().for_each(&mut redact);
            for (a, b) in &mut e.links {
                redact(a);
                redact(b);
            }
            if hit {
                e.reason = "erased".to_string();
            }
        }
        Ok(removed)
    }

    /// The customers that hold an identifier written in any format: a phone in any national
    /// or international form (`8 912 345-67-89`), an email in any case or provider variant, a
    /// handle or profile link (`@ivan_p`, `vk.com/id1`), or `kind:value` (`telegram_id:123`).
    /// Returns `(kind, normalised value, customer id)` for every match, sorted.
    pub fn lookup(&self, text: &str) -> Vec<(String, String, String)> {
        let text = text.trim();
        if text.is_empty() || text.len() > 1024 {
            return Vec::new();
        }
        let mut obs = Observation::new("lookup");
        obs.phones = vec![text.to_string()];
        obs.emails = vec![text.to_string()];
        obs.handles = vec![text.to_string()];
        if let Some((kind, value)) = text.split_once(':') {
            if let Some(kind) = crate::message::IdentifierKind::from_name(kind.trim()) {
                obs.identifiers
                    .push(crate::message::Identifier::new(kind, value.trim()));
            }
        }
        self.lookup_prepared(&obs)
    }

    /// The customers that hold one of these already normalised identifiers, as
    /// [`Resolver::lookup`] returns them.
    pub fn lookup_identifiers(
        &self,
        identifiers: &[crate::message::Identifier],
    ) -> Vec<(String, String, String)> {
        if identifiers.is_empty() {
            return Vec::new();
        }
        let mut obs = Observation::new("lookup");
        obs.identifiers = identifiers.to_vec();
        self.lookup_prepared(&obs)
    }

    fn lookup_prepared(&self, obs: &Observation) -> Vec<(String, String, String)> {
        let prep = self.preparer.prepare(obs);
        let mut out = Vec::new();
        for key in prep.keys.iter().chain(&prep.weak_keys) {
            let Some(posting) = self
                .key_index
                .get(key)
                .map(|&id| &self.postings[id as usize])
            else {
                continue;
            };
            let kind = match key.family {
                KeyFamily::Id(k) => k.name().to_string(),
                KeyFamily::Field(i) => format!("fields.{}", self.preparer.fields[i as usize].0),
            };
            for &r in &posting.records {
                if self.is_live(r) && self.anchor_of[r as usize] != NONE {
                    let customer = self.record_id(self.anchor_of[r as usize]).to_string();
                    out.push((kind.clone(), key.value.clone(), customer));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    // ----- snapshot support -----

    /// Rebuilds a resolver from saved parts: the indexes are derived again; twins (`twins`: per
    /// slot, an earlier slot sharing its prepared form, or `NONE`) take their first's key ids,
    /// and the customers come from `anchors` (checked, see [`Resolver::set_customers`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        config: ResolverConfig,
        slots: Vec<Option<Slot>>,
        twins: Vec<u32>,
        anchors: Vec<u32>,
        edges: Vec<Vec<Edge>>,
        cannot: BTreeSet<(u32, u32)>,
        history: Vec<HistoryEvent>,
        former_anchors: FxHashSet<u32>,
    ) -> Result<Resolver> {
        let mut r = Resolver::new(config)?;
        let n = slots.len();
        r.key_ids = vec![KeyIds::default(); n];
        if edges.len() != n
            || twins.len() != n
            || anchors.len() != n
            || edges
                .iter()
                .flatten()
                .any(|e| e.to as usize >= n || slots[e.to as usize].is_none())
            || cannot
                .iter()
                .any(|&(a, b)| a as usize >= n || b as usize >= n)
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "snapshot: links point at records that are not there",
            ));
        }
        r.ids.reserve(&slots, n);
        for (ix, slot) in slots.iter().enumerate() {
            if let Some(s) = slot {
                if !r.ids.insert(&slots, ix as u32) {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        format!("snapshot: record {:?} appears twice", s.obs.record_id),
                    ));
                }
                // A twin (an earlier record with the same prepared form) has the same keys.
                let n_fields = r.preparer.fields.len();
                let undeclared =
                    |k: &LinkKey| matches!(k.family, KeyFamily::Field(i) if i as usize >= n_fields);
                if twins[ix] == NONE
                    && s.prep
                        .keys
                        .iter()
                        .chain(s.prep.weak_keys.iter())
                        .any(undeclared)
                {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        format!(
                            "snapshot: record {:?} has a key of a field that is not declared",
                            s.obs.record_id
                        ),
                    ));
                }
                let ids = match twins[ix] {
                    NONE => r.intern_all(&s.prep),
                    t => r.key_ids[t as usize].clone(),
                };
                for &id in ids.ids.iter() {
                    r.postings[id as usize].records.push(ix as u32);
                }
                r.key_ids[ix] = ids;
                for &b in s.blocks.iter() {
                    r.blocks.entry(b).or_default().push(ix as u32);
                }
            }
        }
        r.slots = slots;
        r.preps = r
            .slots
            .iter()
            .map(|s| s.as_ref().map(|s| Arc::clone(&s.prep)))
            .collect();
        for id in 0..r.postings.len() as u32 {
            r.refresh_key(id);
        }
        r.edges = edges;
        for (a, b) in &cannot {
            r.add_cannot(*a, *b);
        }
        r.set_customers(anchors)?;
        for (pos, e) in history.iter().enumerate() {
            for id in std::iter::once(&e.customer_id).chain(&e.others) {
                if let Some(ix) = r.ids.get(&r.slots, id) {
                    r.history_of.entry(ix).or_default().push(pos as u32);
                }
            }
        }
        r.history = history;
        r.former_anchors = former_anchors;
        Ok(r)
    }

    /// Per slot, the slot of its customer's anchor (`NONE` for a free slot): what
    /// [`Resolver::set_customers`] takes back.
    pub(crate) fn anchors(&self) -> Vec<u32> {
        (0..self.slots.len())
            .map(|ix| match self.is_live(ix as u32) {
                true => self.anchor_of.get(ix).copied().unwrap_or(NONE),
                false => NONE,
            })
            .collect()
    }

    /// Sets the customers from saved anchors (see [`Resolver::anchors`]), after checking them:
    /// a free slot has none; a live record's anchor is a live record that anchors itself and
    /// comes first in anchor order among the customer's records. Members are listed in slot
    /// order and customers entered in the order of their first slots, as a recomputation would.
    fn set_customers(&mut self, anchors: Vec<u32>) -> Result<()> {
        let bad = |why: String| Err(Error::new(ErrorKind::InvalidArgument, why));
        let n = self.slots.len();
        // Per anchor, its customer's position in `customers`.
        let mut customer_at: Vec<u32> = vec![NONE; n];
        let mut customers: Vec<(u32, Vec<u32>)> = Vec::new();
        for (ix, &a) in anchors.iter().enumerate() {
            let live = self.is_live(ix as u32);
            if !live {
                if a != NONE {
                    return bad(format!("snapshot: free slot {ix} has a customer"));
                }
                continue;
            }
            if a as usize >= n
                || !self.is_live(a)
                || anchors[a as usize] != a
                || self.order_key(a) > self.order_key(ix as u32)
            {
                return bad(format!(
                    "snapshot: record {:?} has no sound customer",
                    self.record_id(ix as u32)
                ));
            }
            match customer_at[a as usize] {
                NONE => {
                    customer_at[a as usize] = customers.len() as u32;
                    customers.push((a, vec![ix as u32]));
                }
                at => customers[at as usize].1.push(ix as u32),
            }
        }
        for (anchor, members) in customers {
            self.members.insert(anchor, members);
        }
        self.anchor_of = anchors;
        Ok(())
    }
}

fn edge_for(decision: PairDecision, total: f64) -> Option<(EdgeKind, f32)> {
    match decision {
        PairDecision::Identifier => Some((EdgeKind::Identifier, total as f32)),
        PairDecision::Score => Some((EdgeKind::Score, total as f32)),
        PairDecision::Conflict => Some((EdgeKind::Conflict, total as f32)),
        PairDecision::None => None,
    }
}

/// Union-find with path halving and union by size.
struct Dsu {
    parent: Vec<usize>,
    size: Vec<u32>,
}

impl Dsu {
    fn new(n: usize) -> Self {
        Dsu {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}
