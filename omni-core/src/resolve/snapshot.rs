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
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
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

/// How many sections the records are written in; each is encoded and decoded on a thread of
/// its own.
const SLOT_CHUNKS: usize = 4;

/// The most record sections a snapshot may have (each is decoded on a thread of its own).
const MAX_SLOT_CHUNKS: u64 = 64;

/// Per slot, the earlier record it is a twin of (shares its prepared form and blocking keys
/// with, the first record to have that form), or `NONE`.
fn twins_of(slots: &[Option<Slot>]) -> Vec<u32> {
    let mut firsts: FxHashMap<*const Prepared, u32> = FxHashMap::default();
    slots
        .iter()
        .enumerate()
        .map(|(ix, slot)| {
            let Some(slot) = slot else { return NONE };
            let first = *firsts.entry(Arc::as_ptr(&slot.prep)).or_insert(ix as u32);
            let same_blocks = slots[first as usize]
                .as_ref()
                .is_some_and(|t| Arc::ptr_eq(&t.blocks, &slot.blocks));
            match first != ix as u32 && same_blocks {
                true => first,
                false => NONE,
            }
        })
        .collect()
}

/// A run of records with their twins (see [`twins_of`]), a twin written as a reference to
/// its record.
struct SlotsRef<'a> {
    slots: &'a [Option<Slot>],
    twins: &'a [u32],
}

impl Serialize for SlotsRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.slots.len()))?;
        for (slot, &twin) in self.slots.iter().zip(self.twins) {
            let Some(slot) = slot else {
                seq.serialize_element(&None::<SlotRef>)?;
                continue;
            };
            seq.serialize_element(&Some(SlotRef {
                obs: &slot.obs,
                twin,
                prep: (twin == NONE).then_some(&*slot.prep),
                blocks: (twin == NONE).then_some(&*slot.blocks),
            }))?;
        }
        seq.end()
    }
}

/// Reads a run of records written by [`SlotsRef`] into `slots` and `twins` (exactly as many
/// as they hold), the run starting at slot `start`. A twin of a record in the same run shares
/// that record's prepared form and blocking keys at once; a twin of a record before the run
/// is left `None` and given back (its slot and record) for [`Resolver::read_section`] to
/// complete once every run is read.
struct SlotsInto<'s> {
    start: u32,
    slots: &'s mut [Option<Slot>],
    twins: &'s mut [u32],
}

impl<'de> Visitor<'de> for SlotsInto<'_> {
    type Value = Vec<(u32, Observation)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let SlotsInto {
            start,
            slots,
            twins,
        } = self;
        let mut pending = Vec::new();
        let mut i = 0usize;
        while let Some(saved) = seq.next_element::<Option<SavedSlot>>()? {
            if i >= slots.len() {
                return Err(de::Error::custom("more records than the snapshot says"));
            }
            let ix = start as usize + i;
            let Some(saved) = saved else {
                slots[i] = None;
                twins[i] = NONE;
                i += 1;
                continue;
            };
            match (saved.twin, saved.prep, saved.blocks) {
                (NONE, Some(prep), Some(blocks)) => {
                    slots[i] = Some(Slot {
                        obs: saved.obs,
                        prep: Arc::new(prep),
                        blocks: Arc::from(blocks),
                    });
                }
                (t, None, None) if t < start => pending.push((ix as u32, saved.obs)),
                (t, None, None) => {
                    let local = (t - start) as usize;
                    let first = slots[..i]
                        .get(local)
                        .and_then(Option::as_ref)
                        .filter(|_| twins[local] == NONE)
                        .ok_or_else(|| {
                            de::Error::custom(format!(
                                "record {ix} names a twin that is not an earlier record"
                            ))
                        })?;
                    let (prep, blocks) = (Arc::clone(&first.prep), Arc::clone(&first.blocks));
                    slots[i] = Some(Slot {
                        obs: saved.obs,
                        prep,
                        blocks,
                    });
                }
                _ => {
                    return Err(de::Error::custom(format!(
                        "record {ix} has both or neither of a twin and its own form"
                    )))
                }
            }
            twins[i] = saved.twin;
            i += 1;
        }
        if i != slots.len() {
            return Err(de::Error::custom("fewer records than the snapshot says"));
        }
        Ok(pending)
    }
}

impl<'de> DeserializeSeed<'de> for SlotsInto<'_> {
    type Value = Vec<(u32, Observation)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

/// The saved form but the records, borrowed for writing (nothing is copied).
#[derive(Serialize)]
struct ResolverStateRef<'a> {
    config: &'a ResolverConfig,
    /// Per slot, the slot of its customer's anchor (`NONE` for a free slot).
    anchors: Vec<u32>,
    edges: &'a [Vec<Edge>],
    cannot: &'a BTreeSet<(u32, u32)>,
    history: &'a [HistoryEvent],
    former_anchors: Vec<u32>,
}

/// The saved form but the records, owned for reading; the same fields as
/// [`ResolverStateRef`].
#[derive(Deserialize)]
struct ResolverState {
    config: ResolverConfig,
    anchors: Vec<u32>,
    #[serde(deserialize_with = "codec::vec_at_once")]
    edges: Vec<Vec<Edge>>,
    cannot: Vec<(u32, u32)>,
    history: Vec<HistoryEvent>,
    former_anchors: Vec<u32>,
}

/// Appends a run of bytes: its length (8 bytes, little-endian), then what `write` appends.
fn sized(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    write(out);
    let len = (out.len() - start - 8) as u64;
    out[start..start + 8].copy_from_slice(&len.to_le_bytes());
}

impl Resolver {
    /// Appends the resolver's state to `out` (also the resolver part of an engine snapshot):
    /// the pieces of [`Resolver::write_pieces`], one after the other.
    pub(crate) fn write_section(&self, out: &mut Vec<u8>) {
        let pieces = self.write_pieces();
        out.reserve(pieces.iter().map(Vec::len).sum());
        for piece in pieces {
            out.extend_from_slice(&piece);
        }
    }

    /// The resolver's state in pieces to be written one after the other (each encoded on a
    /// thread of its own): the number of slots and of record sections (8 bytes each,
    /// little-endian); per record section, its first slot, its length (8 bytes each) and one
    /// codec section of its records; then the length and the codec section of the rest of the
    /// state.
    pub(crate) fn write_pieces(&self) -> Vec<Vec<u8>> {
        let mut former_anchors: Vec<u32> = self.former_anchors.iter().copied().collect();
        former_anchors.sort_unstable();
        let state = ResolverStateRef {
            config: &self.config,
            anchors: self.anchors(),
            edges: &self.edges,
            cannot: &self.cannot,
            history: &self.history,
            former_anchors,
        };
        let twins = twins_of(&self.slots);
        let n = self.slots.len();
        let bounds: Vec<usize> = (0..=SLOT_CHUNKS).map(|k| n * k / SLOT_CHUNKS).collect();
        let encode_run = |a: usize, b: usize| {
            let mut out = (a as u64).to_le_bytes().to_vec();
            sized(&mut out, |out| {
                let run = SlotsRef {
                    slots: &self.slots[a..b],
                    twins: &twins[a..b],
                };
                codec::encode_into(out, &run).expect("records always serialise")
            });
            out
        };
        let mut head = (n as u64).to_le_bytes().to_vec();
        head.extend_from_slice(&(SLOT_CHUNKS as u64).to_le_bytes());
        let mut pieces = vec![head];
        std::thread::scope(|scope| {
            let runs: Vec<_> = bounds
                .windows(2)
                .map(|w| {
                    let (a, b) = (w[0], w[1]);
                    scope.spawn(move || encode_run(a, b))
                })
                .collect();
            let mut main = Vec::new();
            sized(&mut main, |main| {
                codec::encode_into(main, &state).expect("the resolver state always serialises")
            });
            pieces.extend(
                runs.into_iter()
                    .map(|h| h.join().expect("encoding records does not panic")),
            );
            pieces.push(main);
        });
        pieces
    }

    /// A resolver from bytes written by [`Resolver::write_section`]; the record sections are
    /// decoded on threads of their own.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSnapshot`] when the bytes do not decode or do not hold together.
    pub(crate) fn read_section(section: &[u8]) -> Result<Resolver> {
        let bad = |why: String| Error::new(ErrorKind::InvalidSnapshot, why);
        let cut = || bad("the resolver snapshot is cut short".into());
        let mut input = codec::Input::new(section);
        let n = input.u64_le().map_err(|_| cut())?;
        let n_runs = input.u64_le().map_err(|_| cut())?;
        // Every record takes at least a byte.
        if n > input.left() as u64 || n_runs > MAX_SLOT_CHUNKS || (n_runs == 0 && n != 0) {
            return Err(bad(
                "the resolver snapshot's record sections do not hold".into()
            ));
        }
        let n = n as usize;
        let mut runs: Vec<(usize, &[u8])> = Vec::new();
        for _ in 0..n_runs {
            let start = input.u64_le().map_err(|_| cut())?;
            let len = input.u64_le().map_err(|_| cut())?;
            let expected = runs.last().map_or(0, |&(s, _)| s);
            if start > n as u64 || (start as usize) < expected || (runs.is_empty() && start != 0) {
                return Err(bad(
                    "the resolver snapshot's record sections do not hold".into()
                ));
            }
            let bytes = usize::try_from(len)
                .ok()
                .and_then(|len| input.take(len).ok())
                .ok_or_else(cut)?;
            runs.push((start as usize, bytes));
        }
        let main_len = input.u64_le().map_err(|_| cut())?;
        let main = usize::try_from(main_len)
            .ok()
            .and_then(|len| input.take(len).ok())
            .ok_or_else(cut)?;
        if input.left() != 0 {
            return Err(bad("bytes after the end of the resolver snapshot".into()));
        }
        let mut slots: Vec<Option<Slot>> = Vec::new();
        slots.try_reserve_exact(n).map_err(|_| cut())?;
        slots.resize_with(n, || None);
        let mut twins: Vec<u32> = vec![NONE; n];
        let decode_err =
            |e: codec::CodecError| bad(format!("the resolver snapshot does not decode: {e}"));
        let (state, pending) = std::thread::scope(|scope| {
            // Split the slots into the runs' disjoint parts, back to front.
            let mut parts = Vec::with_capacity(runs.len());
            let (mut slots_left, mut twins_left) = (&mut slots[..], &mut twins[..]);
            for &(start, bytes) in runs.iter().rev() {
                let (s_head, s_run) = slots_left.split_at_mut(start);
                let (t_head, t_run) = twins_left.split_at_mut(start);
                parts.push((start as u32, bytes, s_run, t_run));
                (slots_left, twins_left) = (s_head, t_head);
            }
            let decode_run = |(start, bytes, slots, twins)| {
                codec::decode_seed(
                    bytes,
                    SlotsInto {
                        start,
                        slots,
                        twins,
                    },
                )
            };
            let first = parts.pop();
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| scope.spawn(move || decode_run(part)))
                .collect();
            let mut pending = Vec::new();
            let mut failed = None;
            if let Some(first) = first {
                match decode_run(first) {
                    Ok(p) => pending.extend(p),
                    Err(e) => failed = Some(e),
                }
            }
            let state = codec::decode::<ResolverState>(main);
            for h in handles {
                match h.join().expect("decoding records does not panic") {
                    Ok(p) => pending.extend(p),
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
            match failed {
                Some(e) => Err(e),
                None => state.map(|s| (s, pending)),
            }
        })
        .map_err(decode_err)?;
        // Twins of records in an earlier section.
        for (ix, obs) in pending {
            let t = twins[ix as usize] as usize;
            let first = slots[t]
                .as_ref()
                .filter(|_| twins[t] == NONE)
                .ok_or_else(|| {
                    bad(format!(
                        "the resolver snapshot does not decode: record {ix} names a twin that \
                         is not an earlier record"
                    ))
                })?;
            let (prep, blocks) = (Arc::clone(&first.prep), Arc::clone(&first.blocks));
            slots[ix as usize] = Some(Slot { obs, prep, blocks });
        }
        Resolver::from_parts(
            state.config,
            slots,
            twins,
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
