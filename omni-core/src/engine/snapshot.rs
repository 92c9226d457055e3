//! Saving and restoring a whole engine: configuration, resolver, threader, messages with
//! their leads, the consent ledger and time zones.
//!
//! Layout: the 8 bytes `OMNIENG1`, a little-endian CRC-32 of the payload, then the payload in
//! MessagePack (with field names). The resolver and threader parts are their own snapshots,
//! checked again on load. Bytes whose magic, checksum or contents do not hold are rejected
//! whole; nothing is half-loaded.

use super::config::EngineConfig;
use super::consent::ConsentEntry;
use super::store::{MessageStore, StoredRef};
use super::{State, Stored};
use crate::error::{Error, ErrorKind, Result};
use crate::resolve::Resolver;
use crate::thread::Threader;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"OMNIENG1";
const VERSION: u32 = 1;

/// The saved form, borrowed for writing (messages are not copied).
#[derive(Serialize)]
struct EngineStateRef<'a> {
    version: u32,
    config: &'a EngineConfig,
    resolver: serde_bytes_vec::Bytes,
    threader: serde_bytes_vec::Bytes,
    messages: Vec<StoredRef<'a>>,
    ledger: Vec<(&'a String, &'a Vec<ConsentEntry>)>,
    time_zones: Vec<(&'a String, i32)>,
    manual_seq: u64,
}

/// The saved form, owned for reading; the same fields as [`EngineStateRef`].
#[derive(Deserialize)]
struct EngineState {
    version: u32,
    config: EngineConfig,
    resolver: serde_bytes_vec::Bytes,
    threader: serde_bytes_vec::Bytes,
    messages: Vec<Stored>,
    ledger: Vec<(String, Vec<ConsentEntry>)>,
    time_zones: Vec<(String, i32)>,
    manual_seq: u64,
}

/// Byte buffers written as MessagePack binary rather than arrays of numbers.
mod serde_bytes_vec {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub struct Bytes(pub Vec<u8>);

    impl Serialize for Bytes {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.0)
        }
    }

    impl<'de> Deserialize<'de> for Bytes {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Bytes;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                    Ok(Bytes(v.to_vec()))
                }
                fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                    Ok(Bytes(v))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut a: A,
                ) -> Result<Bytes, A::Error> {
                    let mut out = Vec::new();
                    while let Some(b) = a.next_element::<u8>()? {
                        out.push(b);
                    }
                    Ok(Bytes(out))
                }
            }
            d.deserialize_byte_buf(V)
        }
    }
}

pub(crate) fn write(config: &EngineConfig, s: &State) -> Vec<u8> {
    let mut messages: Vec<StoredRef<'_>> = s.messages.values().collect();
    messages.sort_unstable_by(|a, b| a.message.id.cmp(&b.message.id));
    let mut ledger: Vec<(&String, &Vec<ConsentEntry>)> = s.ledger.iter().collect();
    ledger.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut time_zones: Vec<(&String, i32)> = s.time_zones.iter().map(|(k, v)| (k, *v)).collect();
    time_zones.sort_unstable();
    let state = EngineStateRef {
        version: VERSION,
        config,
        resolver: serde_bytes_vec::Bytes(s.resolver.snapshot()),
        threader: serde_bytes_vec::Bytes(s.threader.snapshot()),
        messages,
        ledger,
        time_zones,
        manual_seq: s.manual_seq,
    };
    let payload = rmp_serde::to_vec_named(&state).expect("the engine state always serialises");
    let mut out = Vec::with_capacity(payload.len() + 12);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

pub(crate) fn read(bytes: &[u8]) -> Result<(EngineConfig, State)> {
    let bad = |why: String| Error::new(ErrorKind::InvalidSnapshot, why);
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(bad("not an omni engine snapshot (bad magic)".into()));
    }
    let crc = u32::from_le_bytes(bytes[8..12].try_into().expect("four bytes"));
    let payload = &bytes[12..];
    if crc32fast::hash(payload) != crc {
        return Err(bad(
            "the engine snapshot is corrupted (checksum mismatch)".into()
        ));
    }
    let state: EngineState = rmp_serde::from_slice(payload)
        .map_err(|e| bad(format!("the engine snapshot does not decode: {e}")))?;
    if state.version != VERSION {
        return Err(Error::new(
            ErrorKind::UnsupportedVersion,
            format!(
                "engine snapshot version {} (this build reads {VERSION})",
                state.version
            ),
        ));
    }
    state
        .config
        .validate()
        .map_err(|e| bad(format!("snapshot: {e}")))?;
    let resolver = Resolver::restore(&state.resolver.0)?;
    let threader = Threader::restore(&state.threader.0)?;
    let mut messages = MessageStore::default();
    for st in state.messages {
        if resolver.customer_of(&st.message.id).is_none() {
            return Err(bad(format!(
                "snapshot: message {:?} has no customer",
                st.message.id
            )));
        }
        if messages.insert(st.message, st.lead).is_some() {
            return Err(bad("snapshot: a message id appears twice".into()));
        }
    }
    Ok((
        state.config,
        State {
            resolver,
            threader,
            messages,
            ledger: state.ledger.into_iter().collect(),
            time_zones: state.time_zones.into_iter().collect(),
            manual_seq: state.manual_seq,
        },
    ))
}
