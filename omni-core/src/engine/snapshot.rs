//! Saving and restoring a whole engine: configuration, resolver, threader, messages with
//! their leads, the consent ledger and time zones.
//!
//! Layout: the 8 bytes `OMNIENG2`, a little-endian CRC-32 of the payload, then the payload:
//! four parts, each its length as 8 little-endian bytes and one section of the snapshot codec
//! (`crate::codec`: compact tagged binary, struct field names written once per section):
//!
//! 1. the head: configuration, consent ledger, time zones, the manual-record counter;
//! 2. the threader (the payload of its own snapshot, [`Threader::snapshot`]);
//! 3. the messages with their leads, in the order of the resolver's records;
//! 4. the resolver (the payload of its own snapshot, [`Resolver::snapshot`]).
//!
//! The resolver part is written and read on a second thread, beside the others. Bytes whose
//! magic, checksum or contents do not hold are rejected whole; nothing is half-loaded.
//! Snapshots of format 1 (`OMNIENG1`, MessagePack) are not read: they are refused with
//! [`ErrorKind::UnsupportedVersion`].

use super::config::EngineConfig;
use super::consent::ConsentEntry;
use super::store::{MessageStore, StoredRef};
use super::{State, Stored};
use crate::codec::{self, Input};
use crate::error::{Error, ErrorKind, Result};
use crate::resolve::Resolver;
use crate::thread::Threader;
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"OMNIENG2";
const OLD_MAGICS: &[&[u8; 8]] = &[b"OMNIENG1"];

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
fn messages_in_order(s: &State) -> Vec<StoredRef<'_>> {
    let mut out: Vec<StoredRef<'_>> = Vec::with_capacity(s.messages.len());
    for slot in s.resolver.slots.iter().flatten() {
        if let Some(st) = s.messages.get(&slot.obs.record_id) {
            out.push(st);
        }
    }
    if out.len() != s.messages.len() {
        let mut rest: Vec<StoredRef<'_>> = s
            .messages
            .values()
            .filter(|st| s.resolver.customer_of(&st.message.id).is_none())
            .collect();
        rest.sort_unstable_by(|a, b| a.message.id.cmp(&b.message.id));
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
            let resolver = scope.spawn(|| {
                let mut buf = Vec::new();
                part(&mut buf, |buf| s.resolver.write_section(buf));
                buf
            });
            part(out, |out| {
                codec::encode_into(out, &head).expect("the engine head always serialises")
            });
            part(out, |out| s.threader.write_section(out));
            let messages = messages_in_order(s);
            part(out, |out| {
                codec::encode_into(out, &messages).expect("messages always serialise")
            });
            resolver.join().expect("the resolver part does not panic")
        });
        out.extend_from_slice(&resolver);
    })
}

/// The messages part read straight into the engine's message store.
struct MessageMap;

impl<'de> DeserializeSeed<'de> for MessageMap {
    type Value = MessageStore;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MessageMap {
    type Value = MessageStore;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a sequence of messages")
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut store = MessageStore::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(st) = seq.next_element::<Stored>()? {
            if store.insert(st.message, st.lead).is_some() {
                return Err(serde::de::Error::custom("a message appears twice"));
            }
        }
        Ok(store)
    }
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
        let messages = codec::decode_seed(messages_part, MessageMap)
            .map_err(|e| bad(format!("the engine snapshot's messages do not decode: {e}")));
        let resolver = resolver
            .join()
            .expect("restoring the resolver does not panic");
        (resolver, threader, messages)
    });
    let (resolver, threader, messages) = (resolver?, threader?, messages?);
    // Every message is one of the resolver's records (ids are unique on both sides).
    let found = resolver
        .slots
        .iter()
        .flatten()
        .filter(|slot| messages.get(&slot.obs.record_id).is_some())
        .count();
    if found != messages.len() {
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
        },
    ))
}
