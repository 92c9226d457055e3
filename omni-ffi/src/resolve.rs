//! C functions for identity resolution: a resolver handle, records in as JSON, customers,
//! cards, evidence and history out as JSON (schemas in README, "Identity resolution from C").

use crate::boundary::{out, run, text, write_json, RejectionJson};
use crate::status::OmniStatus;
use omni_core::resolve::{
    estimate_model, parse_observation, parse_observations, Resolver, ResolverConfig,
};
use omni_core::{Error, ErrorKind};
use serde::Serialize;
use std::ffi::c_char;
use std::sync::RwLock;

/// A resolver: records in, customers out. Internally locked: calls from several threads are
/// safe (changes run one at a time, queries in parallel).
pub struct OmniResolver(RwLock<Resolver>);

fn handle<'a>(r: *const OmniResolver) -> Result<&'a OmniResolver, Error> {
    // SAFETY: a non-null handle comes from `omni_resolver_new`/`_restore` and is live.
    unsafe { r.as_ref() }
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "resolver: NULL handle"))
}

fn poisoned() -> Error {
    Error::new(
        ErrorKind::Internal,
        "resolver: a previous call panicked while changing it",
    )
}

fn read<T>(
    r: *const OmniResolver,
    f: impl FnOnce(&Resolver) -> Result<T, Error>,
) -> Result<T, Error> {
    let guard = handle(r)?.0.read().map_err(|_| poisoned())?;
    f(&guard)
}

fn write<T>(
    r: *const OmniResolver,
    f: impl FnOnce(&mut Resolver) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut guard = handle(r)?.0.write().map_err(|_| poisoned())?;
    f(&mut guard)
}

fn config_from(json: &str) -> Result<ResolverConfig, Error> {
    if json.trim().is_empty() {
        return Ok(ResolverConfig::default());
    }
    serde_json::from_str(json)
        .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("config: {e}")))
}

fn time_from(at: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
    if at.trim().is_empty() {
        return Ok(None);
    }
    omni_core::message::parse_timestamp(at)
        .map(Some)
        .map_err(|e| e.at("at"))
}

fn not_found(what: &str, id: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("{what}: no customer or record {id:?}"),
    )
}

/// Creates a resolver from a JSON configuration (NULL/0 or `""` for the defaults; see
/// `ResolverConfig`: `default_region`, `fields`, `model`, `max_people_per_identifier`,
/// `max_records_per_identifier`, `max_block_size`, `placeholders`, `survivorship`).
/// On success `*resolver_out` owns a handle to free with [`omni_resolver_free`].
///
/// # Safety
/// `config` must point to `config_len` readable bytes; `resolver_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_new(
    config: *const u8,
    config_len: usize,
    resolver_out: *mut *mut OmniResolver,
) -> OmniStatus {
    run(|| {
        let config = config_from(unsafe { text(config, config_len, "config") }?)?;
        let resolver = Resolver::new(config)?;
        *out(resolver_out, "resolver_out")? =
            Box::into_raw(Box::new(OmniResolver(RwLock::new(resolver))));
        Ok(())
    })
}

/// Frees a resolver. Accepts NULL.
///
/// # Safety
/// `resolver` must be NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_free(resolver: *mut OmniResolver) {
    if !resolver.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(resolver) });
    }
}

/// Adds one record (an observation in JSON: `record_id` required; `channel`, `seen_at`, `name`,
/// `phones`, `emails`, `handles`, `identifiers`, `company`, `city`, `birthday`, `address`,
/// `fields` optional). Writes the outcome: `{"record_id", "customer_id", "status":
/// "added"|"unchanged"|"updated", "events": [...], "conflicts": [...], "problems": [...]}`.
///
/// # Safety
/// `record` must point to `len` readable bytes; `json_out` must be writable. Free the result
/// with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_add(
    resolver: *mut OmniResolver,
    record: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(record, len, "record") }?;
        let obs = parse_observation(input)?;
        let outcome = write(resolver, |r| r.add(obs))?;
        write_json(&outcome, json_out)
    })
}

#[derive(Serialize)]
struct BatchJson<'a> {
    assignments: &'a [(String, String)],
    rejections: Vec<RejectionJson<'a>>,
    added: usize,
    unchanged: usize,
    updated: usize,
    customers: usize,
    events: usize,
}

/// Adds many records: a JSON array, `{"v": 1, "records": [...]}`, or JSON lines. Every record
/// is added or rejected. Writes `{"assignments": [[record_id, customer_id], ...], "rejections":
/// [{"index", "id", "code", "kind", "message"}], "added", "unchanged", "updated", "customers",
/// "events"}`.
///
/// # Safety
/// `records` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_add_many(
    resolver: *mut OmniResolver,
    records: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(records, len, "records") }?;
        let (good, mut rejected) = parse_observations(input)?;
        // Positions in `good` map back to input positions past the rejected ones.
        let mut positions = Vec::with_capacity(good.len());
        let mut skip = rejected.iter().map(|r| r.index).peekable();
        let mut i = 0;
        while positions.len() < good.len() {
            if skip.peek() == Some(&i) {
                skip.next();
            } else {
                positions.push(i);
            }
            i += 1;
        }
        let outcome = write(resolver, |r| r.add_many(good))?;
        for mut r in outcome.rejections.clone() {
            r.index = positions[r.index];
            rejected.push(r);
        }
        rejected.sort_by_key(|r| r.index);
        write_json(
            &BatchJson {
                assignments: &outcome.assignments,
                rejections: rejected.iter().map(RejectionJson::from).collect(),
                added: outcome.added,
                unchanged: outcome.unchanged,
                updated: outcome.updated,
                customers: outcome.customers,
                events: outcome.events,
            },
            json_out,
        )
    })
}

/// Writes the id of the customer a record (or a former customer id) belongs to, as a plain
/// NUL-terminated string. `OMNI_STATUS_NOT_FOUND` for an unknown id.
///
/// # Safety
/// `id` must point to `len` readable bytes; `customer_id_out` must be writable. Free the
/// result with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_customer_of(
    resolver: *const OmniResolver,
    id: *const u8,
    len: usize,
    customer_id_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let id = unsafe { text(id, len, "id") }?;
        let customer = read(resolver, |r| {
            r.customer_of(id)
                .map(str::to_string)
                .ok_or_else(|| not_found("id", id))
        })?;
        *out(customer_id_out, "customer_id_out")? = crate::boundary::owned_string(customer);
        Ok(())
    })
}

/// Runs a query by customer or record id and writes its result, already JSON.
unsafe fn query_by_id(
    resolver: *const OmniResolver,
    id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
    query: impl FnOnce(&Resolver, &str) -> Option<String>,
) -> OmniStatus {
    run(|| {
        let id = unsafe { text(id, len, "id") }?;
        let json = read(resolver, |r| {
            query(r, id).ok_or_else(|| not_found("id", id))
        })?;
        *out(json_out, "json_out")? = crate::boundary::owned_string(json);
        Ok(())
    })
}

fn json<T: Serialize>(value: Option<T>) -> Option<String> {
    value.map(|v| serde_json::to_string(&v).expect("omni values always serialise"))
}

/// Writes the customer card of a customer (by id, former id or any of its record ids):
/// `{"customer_id", "aliases", "name", "city", "company", "birthday", "address", "fields",
/// "identities": [{"kind", "value", "shared", "seen": [{"record_id", "channel", "seen_at"}]}],
/// "records", "first_seen", "last_seen", "channels", "problems", "conflicts"}`.
/// `OMNI_STATUS_NOT_FOUND` for an unknown id.
///
/// # Safety
/// `id` must point to `len` readable bytes; `json_out` must be writable. Free the result with
/// `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_customer(
    resolver: *const OmniResolver,
    id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe { query_by_id(resolver, id, len, json_out, |r, id| json(r.customer(id))) }
}

/// Writes the records of a customer as a JSON array of observations, oldest first.
///
/// # Safety
/// As [`omni_resolver_customer`].
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_records(
    resolver: *const OmniResolver,
    id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe { query_by_id(resolver, id, len, json_out, |r, id| json(r.records(id))) }
}

/// Writes the merge history of a customer: a JSON array of events `{"seq", "at", "kind":
/// "merge"|"split"|"never_merge", "by": "rule"|"hand", "customer_id", "others", "links",
/// "reason"}`, oldest first.
///
/// # Safety
/// As [`omni_resolver_customer`].
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_history(
    resolver: *const OmniResolver,
    id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe { query_by_id(resolver, id, len, json_out, |r, id| json(r.history(id))) }
}

/// Writes the evidence of every link inside a customer (a JSON array; see
/// [`omni_resolver_explain`]).
///
/// # Safety
/// As [`omni_resolver_customer`].
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_links(
    resolver: *const OmniResolver,
    id: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    unsafe { query_by_id(resolver, id, len, json_out, |r, id| json(r.links(id))) }
}

/// Writes why two records are, or are not, one customer: `{"record_a", "record_b",
/// "decision": "identifier"|"score"|"conflict"|"none", "comparisons": [{"field", "level",
/// "values": [a, b], "weight"}], "total", "threshold", "reason"}`.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_explain(
    resolver: *const OmniResolver,
    record_a: *const u8,
    a_len: usize,
    record_b: *const u8,
    b_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let a = unsafe { text(record_a, a_len, "record_a") }?;
        let b = unsafe { text(record_b, b_len, "record_b") }?;
        let evidence = read(resolver, |r| r.explain(a, b))?;
        write_json(&evidence, json_out)
    })
}

/// Writes every current customer id, sorted, as a JSON array of strings.
///
/// # Safety
/// `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_customer_ids(
    resolver: *const OmniResolver,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| read(resolver, |r| write_json(&r.customer_ids(), json_out)))
}

/// Writes how many records and customers the resolver holds.
///
/// # Safety
/// Both outputs must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_counts(
    resolver: *const OmniResolver,
    records_out: *mut usize,
    customers_out: *mut usize,
) -> OmniStatus {
    run(|| {
        let (records, customers) = read(resolver, |r| Ok((r.record_count(), r.customer_count())))?;
        *out(records_out, "records_out")? = records;
        *out(customers_out, "customers_out")? = customers;
        Ok(())
    })
}

/// Merges two customers by hand at time `at` (RFC 3339 or Unix seconds; NULL/0 for none).
/// Writes the merge event, or `null` when they already were one customer.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_merge(
    resolver: *mut OmniResolver,
    a: *const u8,
    a_len: usize,
    b: *const u8,
    b_len: usize,
    at: *const u8,
    at_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let (a, b) = (unsafe { text(a, a_len, "a") }?, unsafe {
            text(b, b_len, "b")
        }?);
        let at = time_from(unsafe { text(at, at_len, "at") }?)?;
        let event = write(resolver, |r| r.merge(a, b, at))?;
        write_json(&event, json_out)
    })
}

/// Marks two customers as never to be merged. Writes the event.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_never_merge(
    resolver: *mut OmniResolver,
    a: *const u8,
    a_len: usize,
    b: *const u8,
    b_len: usize,
    at: *const u8,
    at_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let (a, b) = (unsafe { text(a, a_len, "a") }?, unsafe {
            text(b, b_len, "b")
        }?);
        let at = time_from(unsafe { text(at, at_len, "at") }?)?;
        let event = write(resolver, |r| r.never_merge(a, b, at))?;
        write_json(&event, json_out)
    })
}

/// Splits the records listed in `record_ids` (a JSON array of strings) off a customer. Writes
/// the events as a JSON array.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_split(
    resolver: *mut OmniResolver,
    customer_id: *const u8,
    customer_len: usize,
    record_ids: *const u8,
    record_ids_len: usize,
    at: *const u8,
    at_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let customer = unsafe { text(customer_id, customer_len, "customer_id") }?;
        let ids_json = unsafe { text(record_ids, record_ids_len, "record_ids") }?;
        let ids: Vec<String> = serde_json::from_str(ids_json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("record_ids: not a JSON array of strings: {e}"),
            )
        })?;
        let at = time_from(unsafe { text(at, at_len, "at") }?)?;
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let events = write(resolver, |r| r.split(customer, &refs, at))?;
        write_json(&events, json_out)
    })
}

/// Undoes the merge event `seq`. Writes the events as a JSON array.
///
/// # Safety
/// `at` must point to `at_len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_unmerge(
    resolver: *mut OmniResolver,
    seq: u64,
    at: *const u8,
    at_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let at = time_from(unsafe { text(at, at_len, "at") }?)?;
        let events = write(resolver, |r| r.unmerge(seq, at))?;
        write_json(&events, json_out)
    })
}

/// Saves the resolver to bytes. On success `*bytes_out` and `*len_out` hold a buffer to free
/// with `omni_bytes_free`.
///
/// # Safety
/// Both outputs must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_snapshot(
    resolver: *const OmniResolver,
    bytes_out: *mut *mut u8,
    len_out: *mut usize,
) -> OmniStatus {
    run(|| {
        let bytes = read(resolver, |r| Ok(r.snapshot()))?;
        let len_slot = out(len_out, "len_out")?;
        let bytes_slot = out(bytes_out, "bytes_out")?;
        let (ptr, len) = crate::boundary::owned_bytes(bytes);
        *bytes_slot = ptr;
        *len_slot = len;
        Ok(())
    })
}

/// Restores a resolver from bytes written by [`omni_resolver_snapshot`].
/// `OMNI_STATUS_INVALID_SNAPSHOT` for foreign or corrupted bytes.
///
/// # Safety
/// `bytes` must point to `len` readable bytes; `resolver_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_resolver_restore(
    bytes: *const u8,
    len: usize,
    resolver_out: *mut *mut OmniResolver,
) -> OmniStatus {
    run(|| {
        let data = unsafe { crate::boundary::bytes(bytes, len, "bytes") }?;
        let resolver = Resolver::restore(data)?;
        *out(resolver_out, "resolver_out")? =
            Box::into_raw(Box::new(OmniResolver(RwLock::new(resolver))));
        Ok(())
    })
}

/// Estimates the match model from records (JSON as for [`omni_resolver_add_many`]) under a
/// configuration (NULL/0 for the defaults). Writes `{"model", "match_share",
/// "suggested_threshold", "candidate_pairs", "random_pairs", "iterations", "converged"}`; pass
/// `model` in a configuration's `"model"` to use it.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_estimate_model(
    records: *const u8,
    records_len: usize,
    config: *const u8,
    config_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let (good, _) = parse_observations(unsafe { text(records, records_len, "records") }?)?;
        let config = config_from(unsafe { text(config, config_len, "config") }?)?;
        write_json(&estimate_model(&good, &config)?, json_out)
    })
}
