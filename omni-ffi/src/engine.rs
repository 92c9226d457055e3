//! C functions for the customer 360 engine: one handle, messages in as JSON, cards,
//! conversations, timelines, routes and analytics out as JSON, manual operations, erasure and
//! snapshots. Schemas are the serde forms of the `omni_core::engine` types.

use crate::boundary::{out, owned_bytes, run, text, write_json};
use crate::status::OmniStatus;
use omni_core::engine::{Engine, EngineConfig, Purpose};
use omni_core::message::parse_timestamp;
use omni_core::{Error, ErrorKind, Message};
use std::ffi::c_char;

/// The customer 360 engine. Internally locked: every function may be called from several
/// threads at once on the same handle (ingests run one at a time inside, queries in parallel).
pub struct OmniEngine(Engine);

fn handle<'a>(e: *const OmniEngine) -> Result<&'a Engine, Error> {
    // SAFETY: a non-null handle comes from `omni_engine_new`/`_restore` and is live.
    unsafe { e.as_ref() }
        .map(|e| &e.0)
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "engine: NULL handle"))
}

fn boxed(engine: Engine) -> *mut OmniEngine {
    Box::into_raw(Box::new(OmniEngine(engine)))
}

/// Creates an engine from a JSON configuration (NULL/0 or `""` for the defaults; see
/// `EngineConfig`: `default_region`, `resolver`, `threading`, `consent`, `costs`,
/// `quiet_hours`, `preference`, `reachability`, `region_offsets`, ...). On success
/// `*engine_out` owns a handle to free with [`omni_engine_free`].
///
/// # Safety
/// `config` must point to `config_len` readable bytes; `engine_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_new(
    config: *const u8,
    config_len: usize,
    engine_out: *mut *mut OmniEngine,
) -> OmniStatus {
    run(|| {
        let json = unsafe { text(config, config_len, "config") }?;
        let config = if json.trim().is_empty() {
            EngineConfig::default()
        } else {
            EngineConfig::from_json(json)?
        };
        let engine = Engine::new(config)?;
        *out(engine_out, "engine_out")? = boxed(engine);
        Ok(())
    })
}

/// Frees an engine. Accepts NULL.
///
/// # Safety
/// `engine` must be NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_free(engine: *mut OmniEngine) {
    if !engine.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(engine) });
    }
}

/// Ingests one message (omni's message JSON). Writes `{"message_id", "status":
/// "added"|"duplicate"|"updated", "customer_id", "known_customer", "conversation_id", "lead":
/// {"kind", "intents", "score", "temperature", "signals", "contacts", "opt_out_channel", ...},
/// "merges": [history events], "retired_conversations", "consent_changes": [entries],
/// "problems", "relabeled": [ids of earlier-stored messages whose lead changed; absent when
/// none]}`. On an error the engine is unchanged.
///
/// # Safety
/// `message` must point to `len` readable bytes; `json_out` must be writable. Free the result
/// with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_ingest(
    engine: *const OmniEngine,
    message: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let engine = handle(engine)?;
        let message = Message::from_json(unsafe { text(message, len, "message") }?)?;
        let result = engine.ingest(message)?;
        write_json(&result, json_out)
    })
}

/// Ingests a batch: a JSON array, `{"v": 1, "messages": [...]}`, or JSON lines. Every record
/// is ingested or rejected. Writes `{"ingested": [{"message_id", "status", "customer_id",
/// "conversation_id", "kind", "score", "temperature"}], "rejections": [{"index", "id", "code",
/// "kind", "message"}], "merges", "consent_changes", "customers", "conversations"}`.
///
/// # Safety
/// `messages` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_ingest_many(
    engine: *const OmniEngine,
    messages: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let engine = handle(engine)?;
        let result = engine.ingest_json_many(unsafe { text(messages, len, "messages") }?)?;
        write_json(&result, json_out)
    })
}

/// Applies a provider event as the adapters write it (`{"type": "consent", ...}` or
/// `{"type": "status", ...}`; others are ignored). Writes `{"customer_id": id or null}`.
///
/// # Safety
/// `event` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_apply_event(
    engine: *const OmniEngine,
    event: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let engine = handle(engine)?;
        let event: omni_core::adapt::Event =
            serde_json::from_str(unsafe { text(event, len, "event") }?)
                .map_err(|e| Error::new(ErrorKind::InvalidJson, format!("event: {e}")))?;
        let customer = engine.apply_event(&event)?;
        write_json(&serde_json::json!({ "customer_id": customer }), json_out)
    })
}

/// A query by one id: the customer card, a conversation, a timeline, a search, or erasure.
unsafe fn by_id(
    engine: *const OmniEngine,
    id: *const u8,
    len: usize,
    what: &str,
    json_out: *mut *mut c_char,
    f: impl FnOnce(&Engine, &str) -> Result<serde_json::Value, Error>,
) -> OmniStatus {
    run(|| {
        let engine = handle(engine)?;
        let id = unsafe { text(id, len, what) }?;
        let value = f(engine, id)?;
        write_json(&value, json_out)
    })
}

fn to_value<T: serde::Serialize>(v: T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(v).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
}

/// Writes the 360 card of a customer (by its id, a former id or one of its message ids):
/// `{"customer_id", "name", "identity": {identities with provenance, golden fields, aliases},
/// "channels", "first_contact", "last_contact", "messages", "conversations", "open_leads",
/// "consent", "preferred_channel", "preferences", "reachability", "time_zone", "history"}`.
/// `OMNI_STATUS_NOT_FOUND` for an unknown id.
///
/// # Safety
/// `id` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_customer(
    engine: *const OmniEngine,
    id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe {
        by_id(engine, id, len, "customer_id", json_out, |e, id| {
            to_value(e.customer(id)?)
        })
    }
}

/// Writes a conversation with its messages: `{"conversation": {...}, "messages":
/// [{"message", "conversation_id", "lead"}]}`. `OMNI_STATUS_NOT_FOUND` for an unknown id.
///
/// # Safety
/// `id` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_conversation(
    engine: *const OmniEngine,
    id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe {
        by_id(engine, id, len, "conversation_id", json_out, |e, id| {
            to_value(e.conversation(id)?)
        })
    }
}

/// Writes a customer's messages on every channel, oldest first: `[{"message",
/// "conversation_id", "lead"}]`. `OMNI_STATUS_NOT_FOUND` for an unknown customer.
///
/// # Safety
/// `id` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_timeline(
    engine: *const OmniEngine,
    customer_id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe {
        by_id(
            engine,
            customer_id,
            len,
            "customer_id",
            json_out,
            |e, id| to_value(e.timeline(id)?),
        )
    }
}

/// Finds the customers holding an identifier written in any format (`8 912 345-67-89`, an
/// email in any case, `@handle`, `kind:value`). Writes `[{"customer_id", "kind", "value"}]`.
///
/// # Safety
/// `text` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_find(
    engine: *const OmniEngine,
    query: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe {
        by_id(engine, query, len, "text", json_out, |e, t| {
            to_value(e.find(t)?)
        })
    }
}

/// Erases a customer: every message, conversation, lead, consent entry and identity of
/// theirs. Writes `{"customer_id", "records", "messages", "conversations"}`.
///
/// # Safety
/// `customer_id` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_forget(
    engine: *const OmniEngine,
    customer_id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe {
        by_id(
            engine,
            customer_id,
            len,
            "customer_id",
            json_out,
            |e, id| to_value(e.forget(id)?),
        )
    }
}

/// Merges two customers by hand. Writes the merge event, or `null` when they already are one.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_merge(
    engine: *const OmniEngine,
    a: *const u8,
    a_len: usize,
    b: *const u8,
    b_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let engine = handle(engine)?;
        let a = unsafe { text(a, a_len, "a") }?;
        let b = unsafe { text(b, b_len, "b") }?;
        write_json(&engine.merge(a, b)?, json_out)
    })
}

/// Marks two customers as never to be merged. Writes the event.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_never_merge(
    engine: *const OmniEngine,
    a: *const u8,
    a_len: usize,
    b: *const u8,
    b_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let engine = handle(engine)?;
        let a = unsafe { text(a, a_len, "a") }?;
        let b = unsafe { text(b, b_len, "b") }?;
        write_json(&engine.never_merge(a, b)?, json_out)
    })
}

/// Splits records (message ids, a JSON array of strings) off a customer. Writes the events.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_split(
    engine: *const OmniEngine,
    customer_id: *const u8,
    customer_len: usize,
    record_ids: *const u8,
    record_ids_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let engine = handle(engine)?;
        let customer = unsafe { text(customer_id, customer_len, "customer_id") }?;
        let ids: Vec<String> =
            serde_json::from_str(unsafe { text(record_ids, record_ids_len, "record_ids") }?)
                .map_err(|e| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        format!("record_ids: not a JSON array of strings: {e}"),
                    )
                })?;
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        write_json(&engine.split(customer, &refs)?, json_out)
    })
}

/// Routes an outbound message of `purpose` (`marketing` or `transactional`) to a customer at
/// `now` (RFC 3339 or Unix seconds; NULL/0 for the current time). Writes `{"customer_id",
/// "purpose", "best": {"channel", "address", "cost", "score", "send_at", "reason"} or absent,
/// "fallbacks": [...], "excluded": [{"channel", "reason"}], "local_time", "time_zone",
/// "reason"}`.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_route(
    engine: *const OmniEngine,
    customer_id: *const u8,
    customer_len: usize,
    purpose: *const u8,
    purpose_len: usize,
    now: *const u8,
    now_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let engine = handle(engine)?;
        let customer = unsafe { text(customer_id, customer_len, "customer_id") }?;
        let purpose_text = unsafe { text(purpose, purpose_len, "purpose") }?;
        let purpose = Purpose::from_name(purpose_text).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("purpose: {purpose_text:?} is not marketing or transactional"),
            )
        })?;
        let now_text = unsafe { text(now, now_len, "now") }?;
        let now = if now_text.trim().is_empty() {
            chrono::Utc::now()
        } else {
            parse_timestamp(now_text).map_err(|e| e.at("now"))?
        };
        write_json(&engine.route(customer, purpose, now)?, json_out)
    })
}

/// Writes the analytics: `{"channels": [per-channel counts and response times], "switches":
/// [{"from", "to", "count", "customers"}], "dedup": {"messages", "contacts_before",
/// "customers_after", "cross_channel_customers", "merged_customers"}}`.
///
/// # Safety
/// `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_analytics(
    engine: *const OmniEngine,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| write_json(&handle(engine)?.analytics()?, json_out))
}

/// Writes every lead: `[{"message_id", "kind", "intents", "score", "temperature",
/// "sales_opportunity", "known_customer", "customer_id", "conversation_id", "channel",
/// "direction", "timestamp"}]`, by message time.
///
/// # Safety
/// `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_leads(
    engine: *const OmniEngine,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| write_json(&handle(engine)?.leads()?, json_out))
}

/// Saves the whole engine to bytes (free with `omni_bytes_free(ptr, len)`).
///
/// # Safety
/// `bytes_out` and `len_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_snapshot(
    engine: *const OmniEngine,
    bytes_out: *mut *mut u8,
    len_out: *mut usize,
) -> OmniStatus {
    run(|| {
        let bytes = handle(engine)?.snapshot()?;
        let len_slot = out(len_out, "len_out")?;
        let bytes_slot = out(bytes_out, "bytes_out")?;
        let (ptr, len) = owned_bytes(bytes);
        *bytes_slot = ptr;
        *len_slot = len;
        Ok(())
    })
}

/// Restores an engine from bytes written by [`omni_engine_snapshot`].
/// `OMNI_STATUS_INVALID_SNAPSHOT` for foreign or corrupted bytes; nothing is half-loaded.
///
/// # Safety
/// `bytes` must point to `len` readable bytes; `engine_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_engine_restore(
    bytes: *const u8,
    len: usize,
    engine_out: *mut *mut OmniEngine,
) -> OmniStatus {
    run(|| {
        let data = unsafe { crate::boundary::bytes(bytes, len, "bytes") }?;
        let engine = Engine::restore(data)?;
        *out(engine_out, "engine_out")? = boxed(engine);
        Ok(())
    })
}
