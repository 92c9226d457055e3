//! C functions for the channel adapters: one provider payload in, messages and events out as
//! JSON (schema in `docs/message-format.md` and README, "Channel adapters"), and a handle that
//! drops provider retries (`OmniSeenEvents`).

use crate::boundary::{bytes, out, owned_string, run, text, write_json};
use crate::status::OmniStatus;
use omni_core::adapt::{parse_payload_with, AdaptOptions, ParsedPayload, Provider, SeenEvents};
use omni_core::{Error, ErrorKind};
use serde::Serialize;
use std::ffi::c_char;
use std::sync::Mutex;

/// Reads one payload of a provider (`"whatsapp"`, `"telegram"`, `"viber"`, `"vk"`,
/// `"instagram"`, `"facebook"`, `"twilio"`, `"email"`, `"web_form"`, `"call"`): the body of a
/// webhook, or the bytes of an `.eml` file (any charset; the payload is not required to be
/// UTF-8). `options` is JSON (NULL/0 or `""` for the defaults): `received_at` (the time the
/// payload arrived, used when it carries none; defaults to now), `default_region` (`"RU"`),
/// `local_offset` (`"+03:00"`, for PBX local times), `email_rules`.
///
/// Writes `{"provider", "messages": [...], "events": [...], "problems": [...]}`: messages in the
/// documented message format, events tagged by `"type"` (`status`, `consent`,
/// `contact_change`, `call`, `edit`, `confirmation`, `ignored`). Errors name the provider, the
/// path and the reason. Thread-safe.
///
/// # Safety
/// `provider`, `payload` and `options` must point to their lengths of readable bytes (or be
/// NULL with length 0); `json_out` must be writable. Free the result with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_parse_payload(
    provider: *const u8,
    provider_len: usize,
    payload: *const u8,
    payload_len: usize,
    options: *const u8,
    options_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let provider = Provider::from_name(unsafe { text(provider, provider_len, "provider") }?)?;
        let payload = unsafe { bytes(payload, payload_len, "payload") }?;
        let mut options =
            AdaptOptions::from_json(unsafe { text(options, options_len, "options") }?)?;
        options.received_at.get_or_insert_with(chrono::Utc::now);
        let parsed = parse_payload_with(provider, payload, &options)?;
        write_json(&parsed, json_out)
    })
}

/// Provider retry de-duplication: the event ids seen most recently (see `SeenEvents` in
/// omni-core). Keep one per account (one bot, one WhatsApp number). Internally locked: calls
/// from several threads are safe and run one at a time.
pub struct OmniSeenEvents(Mutex<SeenEvents>);

fn seen_handle<'a>(seen: *const OmniSeenEvents) -> Result<&'a OmniSeenEvents, Error> {
    // SAFETY: a non-null handle comes from `omni_seen_events_new`/`_from_json` and is live.
    unsafe { seen.as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "seen events: NULL handle"))
}

fn with_seen<T>(
    seen: *const OmniSeenEvents,
    f: impl FnOnce(&mut SeenEvents) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut guard = seen_handle(seen)?.0.lock().map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            "seen events: a previous call panicked while changing it",
        )
    })?;
    f(&mut guard)
}

/// Creates an empty set remembering at most `capacity` event ids per handle (at least 1; the
/// oldest are forgotten first). On success `*seen_out` owns a handle to free with
/// [`omni_seen_events_free`].
///
/// # Safety
/// `seen_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_seen_events_new(
    capacity: usize,
    seen_out: *mut *mut OmniSeenEvents,
) -> OmniStatus {
    run(|| {
        *out(seen_out, "seen_out")? = Box::into_raw(Box::new(OmniSeenEvents(Mutex::new(
            SeenEvents::new(capacity),
        ))));
        Ok(())
    })
}

/// Frees a seen-events handle. Accepts NULL.
///
/// # Safety
/// `seen` must be NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn omni_seen_events_free(seen: *mut OmniSeenEvents) {
    if !seen.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(seen) });
    }
}

/// Records the event id `event_id` of `provider`: `*new_out` is true when it is new, false for
/// a duplicate (a provider retry).
///
/// # Safety
/// `seen` must be a live handle; `provider` and `event_id` must point to their lengths of
/// readable bytes; `new_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_seen_events_insert(
    seen: *mut OmniSeenEvents,
    provider: *const u8,
    provider_len: usize,
    event_id: *const u8,
    event_id_len: usize,
    new_out: *mut bool,
) -> OmniStatus {
    run(|| {
        let provider = Provider::from_name(unsafe { text(provider, provider_len, "provider") }?)?;
        let id = unsafe { text(event_id, event_id_len, "event_id") }?;
        let new_out = out(new_out, "new_out")?;
        *new_out = with_seen(seen, |s| Ok(s.insert(provider, id)))?;
        Ok(())
    })
}

/// Whether the event id `event_id` of `provider` was seen (and is still remembered), without
/// recording it.
///
/// # Safety
/// As [`omni_seen_events_insert`], with `seen_out` writable.
#[no_mangle]
pub unsafe extern "C" fn omni_seen_events_contains(
    seen: *const OmniSeenEvents,
    provider: *const u8,
    provider_len: usize,
    event_id: *const u8,
    event_id_len: usize,
    seen_out: *mut bool,
) -> OmniStatus {
    run(|| {
        let provider = Provider::from_name(unsafe { text(provider, provider_len, "provider") }?)?;
        let id = unsafe { text(event_id, event_id_len, "event_id") }?;
        let seen_out = out(seen_out, "seen_out")?;
        *seen_out = with_seen(seen, |s| Ok(s.contains(provider, id)))?;
        Ok(())
    })
}

/// How many event ids the handle remembers now (`*len_out`) and at most (`*capacity_out`).
///
/// # Safety
/// `seen` must be a live handle; `len_out` and `capacity_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_seen_events_len(
    seen: *const OmniSeenEvents,
    len_out: *mut usize,
    capacity_out: *mut usize,
) -> OmniStatus {
    run(|| {
        let (len, capacity) = with_seen(seen, |s| Ok((s.len(), s.capacity())))?;
        *out(len_out, "len_out")? = len;
        *out(capacity_out, "capacity_out")? = capacity;
        Ok(())
    })
}

/// Writes the handle as JSON, to save between runs: `{"capacity": 10000, "seen": [["telegram",
/// "1001"], ...]}`, oldest first.
///
/// # Safety
/// `seen` must be a live handle; `json_out` must be writable. Free the result with
/// `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_seen_events_to_json(
    seen: *const OmniSeenEvents,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let json = with_seen(seen, |s| {
            serde_json::to_string(&*s).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
        })?;
        *out(json_out, "json_out")? = owned_string(json);
        Ok(())
    })
}

/// Reads a handle from JSON written by [`omni_seen_events_to_json`]. On success `*seen_out`
/// owns a handle to free with [`omni_seen_events_free`].
///
/// # Safety
/// `json` must point to `json_len` readable bytes; `seen_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_seen_events_from_json(
    json: *const u8,
    json_len: usize,
    seen_out: *mut *mut OmniSeenEvents,
) -> OmniStatus {
    run(|| {
        let text = unsafe { text(json, json_len, "json") }?;
        let seen: SeenEvents = serde_json::from_str(text)
            .map_err(|e| Error::new(ErrorKind::InvalidJson, format!("seen events: {e}")))?;
        *out(seen_out, "seen_out")? = Box::into_raw(Box::new(OmniSeenEvents(Mutex::new(seen))));
        Ok(())
    })
}

/// The result of [`omni_parse_payload_seen`]: the parsed payload with one more key.
#[derive(Serialize)]
struct ParsedWithDuplicates<'a> {
    #[serde(flatten)]
    parsed: &'a ParsedPayload,
    duplicates: Vec<String>,
}

/// As [`omni_parse_payload`], then drops what `seen` has seen: every message and event whose
/// event id came in an earlier payload (a provider retry) is removed, the new ids are recorded,
/// and the result gets `"duplicates": [event ids]` (each once, in payload order; empty when the
/// payload is new). Items sharing an event id are kept or dropped together; items without one
/// are always kept. A payload that does not parse records nothing.
///
/// # Safety
/// `seen` must be a live handle; otherwise as [`omni_parse_payload`].
#[no_mangle]
pub unsafe extern "C" fn omni_parse_payload_seen(
    seen: *mut OmniSeenEvents,
    provider: *const u8,
    provider_len: usize,
    payload: *const u8,
    payload_len: usize,
    options: *const u8,
    options_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        seen_handle(seen)?;
        let provider = Provider::from_name(unsafe { text(provider, provider_len, "provider") }?)?;
        let payload = unsafe { bytes(payload, payload_len, "payload") }?;
        let mut options =
            AdaptOptions::from_json(unsafe { text(options, options_len, "options") }?)?;
        options.received_at.get_or_insert_with(chrono::Utc::now);
        let mut parsed = parse_payload_with(provider, payload, &options)?;
        let duplicates = with_seen(seen, |s| Ok(s.remove_duplicates(&mut parsed)))?;
        write_json(
            &ParsedWithDuplicates {
                parsed: &parsed,
                duplicates,
            },
            json_out,
        )
    })
}
