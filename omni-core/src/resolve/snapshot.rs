//! Saving and restoring a resolver: every record as given, what was derived from it, the links,
//! the manual constraints and the history, in a versioned, checksummed byte format.
//!
//! Layout: the 8 bytes `OMNIRSV2`, a little-endian CRC-32 of the payload, then the payload: one
//! section of the snapshot codec (`crate::codec`: compact tagged binary, field names written
//! once). A snapshot whose magic, checksum or contents do not hold is rejected whole; nothing
//! is half-loaded. Snapshots of format 1 (`OMNIRSV1`, MessagePack) are refused with
//! [`ErrorKind::UnsupportedVersion`].

use super::history::HistoryEvent;
use super::resolver::{Edge, Resolver, ResolverConfig, Slot};
use crate::codec;
use crate::error::{Error, ErrorKind, Result};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

const MAGIC: &[u8; 8] = b"OMNIRSV2";
const OLD_MAGICS: &[&[u8; 8]] = &[b"OMNIRSV1"];

/// The saved form, borrowed for writing (nothing is copied).
#[derive(Serialize)]
struct ResolverStateRef<'a> {
    config: &'a ResolverConfig,
    slots: &'a [Option<Slot>],
    edges: &'a [Vec<Edge>],
    cannot: &'a BTreeSet<(u32, u32)>,
    history: &'a [HistoryEvent],
    former_anchors: Vec<u32>,
}

/// The saved form, owned for reading; the same fields as [`ResolverStateRef`].
#[derive(Deserialize)]
struct ResolverState {
    config: ResolverConfig,
    #[serde(deserialize_with = "codec::vec_at_once")]
    slots: Vec<Option<Slot>>,
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
            slots: &self.slots,
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
            state.slots,
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
