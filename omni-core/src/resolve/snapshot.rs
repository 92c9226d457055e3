//! Saving and restoring a resolver: every record as given, what was derived from it, the links,
//! the manual constraints and the history, in a versioned, checksummed byte format.
//!
//! Layout: the 8 bytes `OMNIRSV1`, a little-endian CRC-32 of the payload, then the payload in
//! MessagePack (with field names, so a later version can read it). A snapshot whose magic,
//! checksum or contents do not hold is rejected whole; nothing is half-loaded.

use super::history::HistoryEvent;
use super::resolver::{Edge, Resolver, ResolverConfig, Slot};
use crate::error::{Error, ErrorKind, Result};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

const MAGIC: &[u8; 8] = b"OMNIRSV1";

#[derive(Serialize, Deserialize)]
pub(crate) struct ResolverState {
    config: ResolverConfig,
    slots: Vec<Option<Slot>>,
    edges: Vec<Vec<Edge>>,
    cannot: Vec<(u32, u32)>,
    history: Vec<HistoryEvent>,
    former_anchors: Vec<u32>,
}

impl Resolver {
    /// The resolver's state, for embedding in a larger snapshot.
    pub(crate) fn state(&self) -> ResolverState {
        let mut former_anchors: Vec<u32> = self.former_anchors.iter().copied().collect();
        former_anchors.sort_unstable();
        ResolverState {
            config: self.config.clone(),
            slots: self.slots.clone(),
            edges: self.edges.clone(),
            cannot: self.cannot.iter().copied().collect(),
            history: self.history.clone(),
            former_anchors,
        }
    }

    /// A resolver from a saved state.
    pub(crate) fn from_state(state: ResolverState) -> Result<Resolver> {
        Resolver::from_parts(
            state.config,
            state.slots,
            state.edges,
            state.cannot.into_iter().collect::<BTreeSet<_>>(),
            state.history,
            state.former_anchors.into_iter().collect::<FxHashSet<_>>(),
        )
    }

    /// Saves the whole resolver to bytes; [`Resolver::restore`] gives back an equal resolver.
    pub fn snapshot(&self) -> Vec<u8> {
        let payload = rmp_serde::to_vec_named(&self.state()).expect("the state always serialises");
        let mut out = Vec::with_capacity(payload.len() + 12);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Restores a resolver saved by [`Resolver::snapshot`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSnapshot`] when the bytes are not an omni resolver snapshot, are
    /// corrupted (checksum), or do not decode.
    pub fn restore(bytes: &[u8]) -> Result<Resolver> {
        let bad = |why: String| Error::new(ErrorKind::InvalidSnapshot, why);
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(bad("not an omni resolver snapshot (bad magic)".into()));
        }
        let crc = u32::from_le_bytes(bytes[8..12].try_into().expect("four bytes"));
        let payload = &bytes[12..];
        if crc32fast::hash(payload) != crc {
            return Err(bad("the snapshot is corrupted (checksum mismatch)".into()));
        }
        let state: ResolverState = rmp_serde::from_slice(payload)
            .map_err(|e| bad(format!("the snapshot does not decode: {e}")))?;
        Resolver::from_state(state).map_err(|e| bad(e.message().to_string()))
    }
}
