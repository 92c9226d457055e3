//! Saving and restoring a whole engine: configuration, resolver, threader, messages with
//! their leads, the consent ledger and time zones.
//!
//! Layout: the 8 bytes `OMNIENG4`, a little-endian CRC-32 of the payload, then the payload:
//! four parts, each its length as 8 little-endian bytes, then:
//!
//! 1. the head: configuration, consent ledger, time zones, the manual-record counter (one
//!    section of the snapshot codec, `crate::codec`: compact tagged binary, struct field names
//!    written once per section);
//! 2. the threader (the payload of its own snapshot, [`Threader::snapshot`]);
//! 3. the messages with their leads, in the order of the resolver's records, as the engine
//!    stores them (each message's bytes copied as they are, see `MessageStore::write_part`);
//! 4. the resolver (the payload of its own snapshot, [`Resolver::snapshot`]).
//!
//! The resolver part is written and read on a second thread, beside the others. Every stored
//! message is decoded once on restore to check it; that every message has a record is checked
//! by one walk over both in the order they were written. Bytes whose magic, checksum or contents do
//! not hold are rejected whole; nothing is half-loaded. Snapshots of formats 1 to 3
//! (`OMNIENG1`, MessagePack; `OMNIENG2`, messages as codec values; `OMNIENG3`, the resolver
//! part without twins and customers, `OMNIRSV2`) are not read: they are refused with
//! [`ErrorKind::UnsupportedVersion`].

use super::config::EngineConfig;
use super::consent::ConsentEntry;
use super::store::MessageStore;
use super::State;
use crate::codec::{self, Input};
use crate::error::{Error, ErrorKind, Result};
use crate::resolve::Resolver;
use crate::thread::Threader;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"OMNIENG4";
const OLD_MAGICS: &[&[u8; 8]] = &[b"OMNIENG1", b"OMNIENG2", b"OMNIENG3"];

/// The head, borrowed for writing.
#[derive(Serialize)]
struct HeadRef<'a> {
    config: &'a EngineConfig,
    ledger: Vec<(&'a String, &'a Vec<ConsentEntry>)>,
    time_zones: Vec<(&'a String, i32)>,
    manual_seq: u64,
}

/// The head, owned for reading; the same fields as [`HeadRef`].
#[derive(Deserialize)]
struct Head {
    config: EngineConfig,
    ledger: Vec<(String, Vec<ConsentEntry>)>,
    time_zones: Vec<(String, i32)>,
    manual_seq: u64,
}

/// Appends a part: its length, then what `write` appends.
fn part(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    write(out);
    let len = (out.len() - start - 8) as u64;
    out[start..start + 8].copy_from_slice(&len.to_le_bytes());
}

/// The messages in the order of the resolver's records (a deterministic order that survives
/// a restore), then any without a record (there are none in a sound engine) by id.
fn messages_in_order(s: &State) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(s.messages.len());
    for slot in s.resolver.slots.iter().flatten() {
        if s.messages.contains(&slot.obs.record_id) {
            out.push(&slot.obs.record_id);
        }
    }
    if out.len() != s.messages.len() {
        let mut rest: Vec<&str> = s
            .messages
            .values()
            .map(|st| st.id())
            .filter(|id| s.resolver.customer_of(id).is_none())
            .collect();
        rest.sort_unstable();
        out.extend(rest);
    }
    out
}

pub(crate) fn write(config: &EngineConfig, s: &State) -> Vec<u8> {
    let mut ledger: Vec<(&String, &Vec<ConsentEntry>)> = s.ledger.iter().collect();
    ledger.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut time_zones: Vec<(&String, i32)> = s.time_zones.iter().map(|(k, v)| (k, *v)).collect();
    time_zones.sort_unstable();
    let head = HeadRef {
        config,
        ledger,
        time_zones,
        manual_seq: s.manual_seq,
    };
    codec::framed(MAGIC, |out| {
        // The resolver is about half of the work: it goes to a second thread.
        let resolver = std::thread::scope(|scope| {
            let resolver = scope.spawn(|| s.resolver.write_pieces());
            part(out, |out| {
                codec::encode_into(out, &head).expect("the engine head always serialises")
            });
            part(out, |out| s.threader.write_section(out));
            let messages = messages_in_order(s);
            part(out, |out| s.messages.write_part(out, messages.into_iter()));
            resolver.join().expect("the resolver part does not panic")
        });
        // Copied once, straight from the pieces.
        let len: usize = resolver.iter().map(Vec::len).sum();
        out.reserve(8 + len);
        out.extend_from_slice(&(len as u64).to_le_bytes());
        for piece in resolver {
            out.extend_from_slice(&piece);
        }
    })
}

/// Whether every message is one of the resolver's records (ids are unique on both sides).
/// Messages are written in the order of the records, so one walk over both, comparing ids,
/// usually answers; messages in any other order are looked up one by one.
fn every_message_has_a_record(resolver: &Resolver, messages: &MessageStore) -> bool {
    let mut records = resolver
        .slots
        .iter()
        .flatten()
        .map(|s| s.obs.record_id.as_str());
    let in_order = messages
        .ids()
        .all(|id| records.by_ref().any(|record| record == id));
    in_order
        || resolver
            .slots
            .iter()
            .flatten()
            .filter(|slot| messages.contains(&slot.obs.record_id))
            .count()
            == messages.len()
}

pub(crate) fn read(bytes: &[u8]) -> Result<(EngineConfig, State)> {
    let bad = |why: String| Error::new(ErrorKind::InvalidSnapshot, why);
    let payload = codec::unframe(bytes, MAGIC, OLD_MAGICS, "engine")?;
    let mut input = Input::new(payload);
    let mut next_part = || -> Result<&[u8]> {
        let len = input
            .u64_le()
            .ok()
            .filter(|&n| n <= input.left() as u64)
            .ok_or_else(|| bad("the engine snapshot is cut short".into()))?;
        Ok(input.take(len as usize).expect("length checked"))
    };
    let head_part = next_part()?;
    let threader_part = next_part()?;
    let messages_part = next_part()?;
    let resolver_part = next_part()?;
    if input.left() != 0 {
        return Err(bad("bytes after the end of the engine snapshot".into()));
    }
    let head: Head = codec::decode(head_part)
        .map_err(|e| bad(format!("the engine snapshot does not decode: {e}")))?;
    head.config
        .validate()
        .map_err(|e| bad(format!("snapshot: {e}")))?;
    let (resolver, threader, messages) = std::thread::scope(|scope| {
        let resolver = scope.spawn(|| Resolver::read_section(resolver_part));
        let threader = Threader::read_section(threader_part);
        let messages = MessageStore::read_part(messages_part)
            .map_err(|e| bad(format!("the engine snapshot's messages do not hold: {e}")));
        let resolver = resolver
            .join()
            .expect("restoring the resolver does not panic");
        (resolver, threader, messages)
    });
    let (resolver, threader, messages) = (resolver?, threader?, messages?);
    if !every_message_has_a_record(&resolver, &messages) {
        let found = resolver
            .slots
            .iter()
            .flatten()
            .filter(|slot| messages.contains(&slot.obs.record_id))
            .count();
        return Err(bad(format!(
            "snapshot: {} messages have no customer",
            messages.len() - found
        )));
    }
    Ok((
        head.config,
        State {
            resolver,
            threader,
            messages,
            ledger: head.ledger.into_iter().collect(),
            time_zones: head.time_zones.into_iter().collect(),
            manual_seq: head.manual_seq,
            store_generation: 0,
        },
    ))
}
