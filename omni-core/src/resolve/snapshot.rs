//! Saving and restoring a resolver: every record as given, what was derived from it, the links,
//! the manual constraints and the history, in a versioned, checksummed byte format.
//!
//! Layout: the 8 bytes `OMNIRSV3`, a little-endian CRC-32 of the payload, then the payload: one
//! section of the snapshot codec (`crate::codec`: compact tagged binary, field names written
//! once).
//!
//! Besides every record, the section holds what a restore would otherwise recompute:
//! - twins: a record that shares its prepared form and blocking keys with an earlier record
//!   (same matching content) names that record instead of repeating them;
//! - customers: per record, the record anchoring its customer.
//!
//! Both are checked on load (twins point back at a record with its own prepared form; every
//! live record has exactly one anchor, a live record that anchors itself and comes first in
//! anchor order among its members). A snapshot whose magic, checksum or contents do not hold is
//! rejected whole; nothing is half-loaded. Snapshots of formats 1 and 2 (`OMNIRSV1`,
//! MessagePack; `OMNIRSV2`, without twins and customers) are refused with
//! [`ErrorKind::UnsupportedVersion`].

use super::history::HistoryEvent;
use super::observation::Observation;
use super::prepare::Prepared;
use super::resolver::{Edge, Resolver, ResolverConfig, Slot};
use crate::codec;
use crate::error::{Error, ErrorKind, Result};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"OMNIRSV3";
const OLD_MAGICS: &[&[u8; 8]] = &[b"OMNIRSV1", b"OMNIRSV2"];

/// No twin, no anchor (a free slot).
const NONE: u32 = u32::MAX;

/// A record as saved, borrowed for writing: a twin (`twin` is an earlier record's slot) has no
/// `prep` and `blocks` of its own.
#[derive(Serialize)]
struct SlotRef<'a> {
    obs: &'a Observation,
    twin: u32,
    prep: Option<&'a Prepared>,
    blocks: Option<&'a [u64]>,
}

/// A record as saved, owned for reading; the same fields as [`SlotRef`].
#[derive(Deserialize)]
struct SavedSlot {
    obs: Observation,
    twin: u32,
    prep: Option<Prepared>,
    blocks: Option<Vec<u64>>,
}

/// The records, each twin written as a reference to the first record sharing its prepared form
/// and blocking keys.
struct SlotsRef<'a>(&'a [Option<Slot>]);

impl Serialize for SlotsRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut firsts: FxHashMap<*const Prepared, u32> = FxHashMap::default();
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (ix, slot) in self.0.iter().enumerate() {
            let Some(slot) = slot else {
                seq.serialize_element(&None::<SlotRef>)?;
                continue;
            };
            let first = *firsts.entry(Arc::as_ptr(&slot.prep)).or_insert(ix as u32);
            let twin = (first != ix as u32)
                .then(|| self.0[first as usize].as_ref())
                .flatten()
                .filter(|t| Arc::ptr_eq(&t.blocks, &slot.blocks))
                .map(|_| first);
            seq.serialize_element(&Some(SlotRef {
                obs: &slot.obs,
                twin: twin.unwrap_or(NONE),
                prep: twin.is_none().then_some(&*slot.prep),
                blocks: twin.is_none().then_some(&*slot.blocks),
            }))?;
        }
        seq.end()
    }
}

/// The records read back, twins sharing their first's prepared form and blocking keys, and
/// per slot its twin's slot (or `NONE`).
struct Slots {
    slots: Vec<Option<Slot>>,
    twins: Vec<u32>,
}

impl<'de> Deserialize<'de> for Slots {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Slots, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Slots;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Slots, A::Error> {
                let hint = seq.size_hint().unwrap_or(0);
                let mut slots: Vec<Option<Slot>> = Vec::new();
                let mut twins: Vec<u32> = Vec::new();
                let _ = slots.try_reserve_exact(hint);
                let _ = twins.try_reserve_exact(hint);
                while let Some(saved) = seq.next_element::<Option<SavedSlot>>()? {
                    let Some(saved) = saved else {
                        slots.push(None);
                        twins.push(NONE);
                        continue;
                    };
                    let (prep, blocks) = match (saved.twin, saved.prep, saved.blocks) {
                        (NONE, Some(prep), Some(blocks)) => (Arc::new(prep), Arc::from(blocks)),
                        (t, None, None) => {
                            let first = slots
                                .get(t as usize)
                                .and_then(Option::as_ref)
                                .filter(|_| twins[t as usize] == NONE)
                                .ok_or_else(|| {
                                    de::Error::custom(format!(
                                        "record {} names a twin that is not an earlier record",
                                        slots.len()
                                    ))
                                })?;
                            (Arc::clone(&first.prep), Arc::clone(&first.blocks))
                        }
                        _ => {
                            return Err(de::Error::custom(format!(
                                "record {} has both or neither of a twin and its own form",
                                slots.len()
                            )))
                        }
                    };
                    slots.push(Some(Slot {
                        obs: saved.obs,
                        prep,
                        blocks,
                    }));
                    twins.push(saved.twin);
                }
                Ok(Slots { slots, twins })
            }
        }
        d.deserialize_seq(V)
    }
}

/// The saved form, borrowed for writing (nothing is copied).
#[derive(Serialize)]
struct ResolverStateRef<'a> {
    config: &'a ResolverConfig,
    slots: SlotsRef<'a>,
    /// Per slot, the slot of its customer's anchor (`NONE` for a free slot).
    anchors: Vec<u32>,
    edges: &'a [Vec<Edge>],
    cannot: &'a BTreeSet<(u32, u32)>,
    history: &'a [HistoryEvent],
    former_anchors: Vec<u32>,
}

/// The saved form, owned for reading; the same fields as [`ResolverStateRef`].
#[derive(Deserialize)]
struct ResolverState {
    config: ResolverConfig,
    slots: Slots,
    anchors: Vec<u32>,
    #[serde(deserialize_with = "codec::vec_at_once")]
    edges: Vec<Vec<Edge>>,
    cannot: Vec<(u32, u32)>,
    history: Vec<HistoryEvent>,
    former_anchors: Vec<u32>,
}

impl Resolver {
    /// Appends the resolver's state to `out` as one codec section (also the resolver part of
    /// an engine snapshot).
    pub(crate) fn write_section(&self, out: &mut Vec<u8>) {
        let mut former_anchors: Vec<u32> = self.former_anchors.iter().copied().collect();
        former_anchors.sort_unstable();
        let state = ResolverStateRef {
            config: &self.config,
            slots: SlotsRef(&self.slots),
            anchors: self.anchors(),
            edges: &self.edges,
            cannot: &self.cannot,
            history: &self.history,
            former_anchors,
        };
        codec::encode_into(out, &state).expect("the resolver state always serialises");
    }

    /// A resolver from a section written by [`Resolver::write_section`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSnapshot`] when the section does not decode or does not hold
    /// together.
    pub(crate) fn read_section(section: &[u8]) -> Result<Resolver> {
        let bad = |why: String| Error::new(ErrorKind::InvalidSnapshot, why);
        let state: ResolverState = codec::decode(section)
            .map_err(|e| bad(format!("the resolver snapshot does not decode: {e}")))?;
        Resolver::from_parts(
            state.config,
            state.slots.slots,
            state.slots.twins,
            state.anchors,
            state.edges,
            state.cannot.into_iter().collect::<BTreeSet<_>>(),
            state.history,
            state.former_anchors.into_iter().collect::<FxHashSet<_>>(),
        )
        .map_err(|e| bad(e.message().to_string()))
    }

    /// Saves the whole resolver to bytes; [`Resolver::restore`] gives back an equal resolver.
    pub fn snapshot(&self) -> Vec<u8> {
        codec::framed(MAGIC, |out| self.write_section(out))
    }

    /// Restores a resolver saved by [`Resolver::snapshot`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSnapshot`] when the bytes are not an omni resolver snapshot, are
    /// corrupted (checksum), or do not decode; [`ErrorKind::UnsupportedVersion`] for a
    /// snapshot in an older format.
    pub fn restore(bytes: &[u8]) -> Result<Resolver> {
        let payload = codec::unframe(bytes, MAGIC, OLD_MAGICS, "resolver")?;
        Resolver::read_section(payload)
    }
}
