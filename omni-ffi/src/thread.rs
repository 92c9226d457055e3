//! C functions for conversation threading: a threader handle, messages in as JSON, conversations,
//! follow-up checks and snapshots out as JSON, and one-call batch threading.

use crate::boundary::{out, owned_bytes, owned_string, run, text, write_json, RejectionJson};
use crate::status::OmniStatus;
use omni_core::message::{parse_messages_lenient, parse_timestamp, Message};
use omni_core::resolve::ResolverConfig;
use omni_core::thread::{
    thread_messages_json, ConversationChange, Reassign, ThreadConfig, Threader,
};
use omni_core::{Error, ErrorKind};
use serde::Serialize;
use std::ffi::c_char;
use std::sync::RwLock;

/// A threader: messages in, conversations out. Internally locked: calls from several threads are
/// safe (changes run one at a time, queries in parallel).
pub struct OmniThreader(RwLock<Threader>);

fn handle<'a>(t: *const OmniThreader) -> Result<&'a OmniThreader, Error> {
    // SAFETY: a non-null handle comes from `omni_threader_new`/`_restore` and is live.
    unsafe { t.as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "threader: NULL handle"))
}

fn poisoned() -> Error {
    Error::new(
        ErrorKind::Internal,
        "threader: a previous call panicked while changing it",
    )
}

fn read<T>(
    t: *const OmniThreader,
    f: impl FnOnce(&Threader) -> Result<T, Error>,
) -> Result<T, Error> {
    let guard = handle(t)?.0.read().map_err(|_| poisoned())?;
    f(&guard)
}

fn write<T>(
    t: *const OmniThreader,
    f: impl FnOnce(&mut Threader) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut guard = handle(t)?.0.write().map_err(|_| poisoned())?;
    f(&mut guard)
}

fn json_arg<T: serde::de::DeserializeOwned + Default>(json: &str, what: &str) -> Result<T, Error> {
    if json.trim().is_empty() {
        return Ok(T::default());
    }
    serde_json::from_str(json)
        .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("{what}: {e}")))
}

fn not_found(what: &str, id: &str) -> Error {
    Error::new(ErrorKind::NotFound, format!("{what}: no such id {id:?}"))
}

/// Creates a threader from a JSON configuration (NULL/0 or `""` for the defaults:
/// `inactivity_gap_secs`, `channel_gaps_secs`, `subject_window_secs`, `not_before`,
/// `not_after`). On success `*threader_out` owns a handle to free with [`omni_threader_free`].
///
/// # Safety
/// `config` must point to `config_len` readable bytes; `threader_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_new(
    config: *const u8,
    config_len: usize,
    threader_out: *mut *mut OmniThreader,
) -> OmniStatus {
    run(|| {
        let config: ThreadConfig =
            json_arg(unsafe { text(config, config_len, "config") }?, "config")?;
        let threader = Threader::new(config)?;
        *out(threader_out, "threader_out")? =
            Box::into_raw(Box::new(OmniThreader(RwLock::new(threader))));
        Ok(())
    })
}

/// Frees a threader. Accepts NULL.
///
/// # Safety
/// `threader` must be NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_free(threader: *mut OmniThreader) {
    if !threader.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(threader) });
    }
}

/// Adds one message (omni's message JSON) of customer `customer_id` (NULL/0: none known; the
/// message is its own customer, recorded as a problem). Writes the outcome: `{"message_id",
/// "customer_id", "conversation_id", "status": "added"|"duplicate"|"updated", "changed":
/// [{"conversation_id", "previous"}], "retired": [...], "problems": [{"kind", "detail"}]}`.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
/// Free the result with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_add(
    threader: *mut OmniThreader,
    message: *const u8,
    message_len: usize,
    customer_id: *const u8,
    customer_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let message = Message::from_json(unsafe { text(message, message_len, "message") }?)?;
        let customer = unsafe { text(customer_id, customer_len, "customer_id") }?;
        let outcome = write(threader, |t| t.add(&message, customer))?;
        write_json(&outcome, json_out)
    })
}

#[derive(Serialize)]
struct BatchJson<'a> {
    conversation_ids: Vec<Option<&'a str>>,
    rejections: Vec<RejectionJson<'a>>,
    added: usize,
    duplicates: usize,
    updated: usize,
    changed: &'a [ConversationChange],
    retired: &'a [String],
}

/// Adds many messages: a JSON array, `{"v": 1, "messages": [...]}`, or JSON lines, with
/// `customer_ids` a JSON array of strings, one per input record (`""` for none). Every record is
/// added or rejected. Writes `{"conversation_ids": [id or null per record], "rejections":
/// [{"index", "id", "code", "kind", "message"}], "added", "duplicates", "updated", "changed",
/// "retired"}`.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_add_many(
    threader: *mut OmniThreader,
    messages: *const u8,
    messages_len: usize,
    customer_ids: *const u8,
    customer_ids_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let batch = parse_messages_lenient(unsafe { text(messages, messages_len, "messages") }?)?;
        let ids: Vec<String> =
            serde_json::from_str(unsafe { text(customer_ids, customer_ids_len, "customer_ids") }?)
                .map_err(|e| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        format!("customer_ids: not a JSON array of strings: {e}"),
                    )
                })?;
        let total = batch.messages.len() + batch.rejections.len();
        if ids.len() != total {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{total} messages but {} customer ids", ids.len()),
            ));
        }
        let rejected: std::collections::HashSet<usize> =
            batch.rejections.iter().map(|r| r.index).collect();
        let positions: Vec<usize> = (0..total).filter(|i| !rejected.contains(i)).collect();
        let good_ids: Vec<&str> = positions.iter().map(|&p| ids[p].as_str()).collect();
        let mut rejections = batch.rejections;
        add_batch(
            threader,
            &batch.messages,
            &good_ids,
            &positions,
            total,
            &mut rejections,
            json_out,
        )
    })
}

/// Adds the readable records and writes the batch outcome by input position.
fn add_batch(
    threader: *mut OmniThreader,
    messages: &[Message],
    customer_ids: &[&str],
    positions: &[usize],
    total: usize,
    rejections: &mut Vec<omni_core::message::Rejection>,
    json_out: *mut *mut c_char,
) -> Result<(), Error> {
    write(threader, |t| {
        let outcome = t.add_many(messages, customer_ids)?;
        let bad: std::collections::HashSet<usize> =
            outcome.rejections.iter().map(|r| r.index).collect();
        for mut r in outcome.rejections.clone() {
            r.index = positions[r.index];
            rejections.push(r);
        }
        rejections.sort_by_key(|r| r.index);
        let mut conversation_ids: Vec<Option<&str>> = vec![None; total];
        for (k, (m, &p)) in messages.iter().zip(positions).enumerate() {
            if !bad.contains(&k) {
                conversation_ids[p] = t.conversation_of(&m.id);
            }
        }
        write_json(
            &BatchJson {
                conversation_ids,
                rejections: rejections.iter().map(RejectionJson::from).collect(),
                added: outcome.added,
                duplicates: outcome.duplicates,
                updated: outcome.updated,
                changed: &outcome.changed,
                retired: &outcome.retired,
            },
            json_out,
        )
    })
}

/// Writes the conversation with id `id` (a retired id, or any message id, finds the
/// conversation holding that message): `{"id", "customer_id", "message_ids", "messages":
/// [{"id", "channel", "direction", "timestamp", "joined_by": {"via", "with", "key"},
/// "problems"}], "channels", "state": "open"|"waiting_for_us"|"waiting_for_customer"|"resolved",
/// "resolved_by", "started", "last_activity", "first_inbound", "last_inbound",
/// "first_outbound", "last_outbound", "first_response_secs", "topic", "references"}`.
/// `OMNI_STATUS_NOT_FOUND` for an unknown id.
///
/// # Safety
/// `id` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_conversation(
    threader: *const OmniThreader,
    id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let id = unsafe { text(id, len, "id") }?;
        let conv = read(threader, |t| {
            t.conversation(id).ok_or_else(|| not_found("id", id))
        })?;
        write_json(&conv, json_out)
    })
}

/// Writes the id of the conversation a message is in, as a plain NUL-terminated string.
/// `OMNI_STATUS_NOT_FOUND` for an unknown message.
///
/// # Safety
/// `message_id` must point to `len` readable bytes; `conversation_id_out` must be writable.
/// Free the result with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_conversation_of(
    threader: *const OmniThreader,
    message_id: *const u8,
    len: usize,
    conversation_id_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let id = unsafe { text(message_id, len, "message_id") }?;
        let conv = read(threader, |t| {
            t.conversation_of(id)
                .map(str::to_string)
                .ok_or_else(|| not_found("message_id", id))
        })?;
        *out(conversation_id_out, "conversation_id_out")? = owned_string(conv);
        Ok(())
    })
}

/// Writes a customer's conversations, oldest first, as a JSON array (see
/// [`omni_threader_conversation`]); `[]` for an unknown customer.
///
/// # Safety
/// `customer_id` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_conversations_of(
    threader: *const OmniThreader,
    customer_id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let id = unsafe { text(customer_id, len, "customer_id") }?;
        let convs = read(threader, |t| Ok(t.conversations_of(id)))?;
        write_json(&convs, json_out)
    })
}

/// Moves messages to another customer when identity resolution merges or splits customers:
/// `{"customer": "old", "to": "new"}` moves every message of a customer, `{"messages": [ids],
/// "to": "new"}` those messages. Writes `{"messages", "changed", "retired"}`.
///
/// # Safety
/// `json` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_reassign(
    threader: *mut OmniThreader,
    json: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let what: Reassign =
            serde_json::from_str(unsafe { text(json, len, "json") }?).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "json: expected {{\"customer\", \"to\"}} or {{\"messages\", \"to\"}}: {e}"
                    ),
                )
            })?;
        let outcome = write(threader, |t| t.reassign(what))?;
        write_json(&outcome, json_out)
    })
}

/// Removes a customer with every message and conversation (erasure). Writes `{"messages",
/// "changed", "retired"}`. `OMNI_STATUS_NOT_FOUND` for an unknown customer.
///
/// # Safety
/// `customer_id` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_remove_customer(
    threader: *mut OmniThreader,
    customer_id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let id = unsafe { text(customer_id, len, "customer_id") }?;
        let outcome = write(threader, |t| t.remove_customer(id))?;
        write_json(&outcome, json_out)
    })
}

/// Checks a planned follow-up about a conversation (or any message in it) against what the
/// customer did since `since` (RFC 3339 or Unix seconds; NULL/0: our last message in the
/// conversation). Writes `{"conversation_id", "customer_id", "since", "moved_on", "reasons":
/// [{"kind", "message_id", "conversation_id", "channel", "at", "detail"}]}`; kinds:
/// `conversation_resolved`, `resolved_elsewhere`, `payment_received`, `order_placed`,
/// `payment_claimed` (decisive), `customer_wrote`, `already_followed_up`.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_check_follow_up(
    threader: *const OmniThreader,
    conversation_id: *const u8,
    conversation_len: usize,
    since: *const u8,
    since_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let id = unsafe { text(conversation_id, conversation_len, "conversation_id") }?;
        let since = unsafe { text(since, since_len, "since") }?;
        let since = if since.trim().is_empty() {
            None
        } else {
            Some(parse_timestamp(since).map_err(|e| e.at("since"))?)
        };
        let check = read(threader, |t| t.check_follow_up(id, since))?;
        write_json(&check, json_out)
    })
}

/// Writes how many messages, customers and conversations the threader holds.
///
/// # Safety
/// The outputs must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_counts(
    threader: *const OmniThreader,
    messages_out: *mut usize,
    customers_out: *mut usize,
    conversations_out: *mut usize,
) -> OmniStatus {
    run(|| {
        let (m, c, v) = read(threader, |t| {
            Ok((
                t.message_count(),
                t.customer_count(),
                t.conversation_count(),
            ))
        })?;
        *out(messages_out, "messages_out")? = m;
        *out(customers_out, "customers_out")? = c;
        *out(conversations_out, "conversations_out")? = v;
        Ok(())
    })
}

/// Saves the threader to bytes. On success `*bytes_out` and `*len_out` hold a buffer to free
/// with `omni_bytes_free`.
///
/// # Safety
/// Both outputs must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_snapshot(
    threader: *const OmniThreader,
    bytes_out: *mut *mut u8,
    len_out: *mut usize,
) -> OmniStatus {
    run(|| {
        let bytes = read(threader, |t| Ok(t.snapshot()))?;
        let len_slot = out(len_out, "len_out")?;
        let bytes_slot = out(bytes_out, "bytes_out")?;
        let (ptr, len) = owned_bytes(bytes);
        *bytes_slot = ptr;
        *len_slot = len;
        Ok(())
    })
}

/// Restores a threader from bytes written by [`omni_threader_snapshot`].
/// `OMNI_STATUS_INVALID_SNAPSHOT` for foreign or corrupted bytes.
///
/// # Safety
/// `bytes` must point to `len` readable bytes; `threader_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_threader_restore(
    bytes: *const u8,
    len: usize,
    threader_out: *mut *mut OmniThreader,
) -> OmniStatus {
    run(|| {
        let data = unsafe { crate::boundary::bytes(bytes, len, "bytes") }?;
        let threader = Threader::restore(data)?;
        *out(threader_out, "threader_out")? =
            Box::into_raw(Box::new(OmniThreader(RwLock::new(threader))));
        Ok(())
    })
}

#[derive(Serialize)]
struct ThreadingJson<'a> {
    conversations: Vec<omni_core::thread::Conversation>,
    conversation_ids: &'a [Option<String>],
    customer_ids: &'a [String],
    rejections: Vec<RejectionJson<'a>>,
    notes: Vec<NoteJson<'a>>,
}

#[derive(Serialize)]
struct NoteJson<'a> {
    index: usize,
    note: &'a str,
}

/// Threads a batch of messages in one call (a JSON array, envelope or JSON lines). With
/// `customer_ids` (a JSON array of strings, one per record) they are used as given; with
/// NULL/0 customers are resolved from each message's sender first. `config` is the threading
/// configuration (NULL/0 for the defaults), `resolver_config` the identity-resolution one.
/// Writes `{"conversations": [...], "conversation_ids": [per record], "customer_ids": [per
/// record], "rejections": [...], "notes": [{"index", "note"}]}`.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_thread_messages(
    messages: *const u8,
    messages_len: usize,
    customer_ids: *const u8,
    customer_ids_len: usize,
    config: *const u8,
    config_len: usize,
    resolver_config: *const u8,
    resolver_config_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(messages, messages_len, "messages") }?;
        let ids = unsafe { text(customer_ids, customer_ids_len, "customer_ids") }?;
        let ids: Option<Vec<String>> = if ids.trim().is_empty() {
            None
        } else {
            Some(json_arg(ids, "customer_ids")?)
        };
        let config: ThreadConfig =
            json_arg(unsafe { text(config, config_len, "config") }?, "config")?;
        let resolver_config: ResolverConfig = json_arg(
            unsafe { text(resolver_config, resolver_config_len, "resolver_config") }?,
            "resolver_config",
        )?;
        let t = thread_messages_json(input, ids, config, resolver_config)?;
        write_json(
            &ThreadingJson {
                conversations: t.threader.conversations(),
                conversation_ids: &t.conversation_ids,
                customer_ids: &t.customer_ids,
                rejections: t.rejections.iter().map(RejectionJson::from).collect(),
                notes: t
                    .notes
                    .iter()
                    .map(|(index, note)| NoteJson {
                        index: *index,
                        note,
                    })
                    .collect(),
            },
            json_out,
        )
    })
}
