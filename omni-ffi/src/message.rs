//! C functions for the channel message model and its JSON format.

use crate::boundary::{run, text, write_json, RejectionJson};
use crate::status::OmniStatus;
use omni_core::message::{parse_messages_lenient, Channel, Message};
use serde::Serialize;
use std::ffi::c_char;

/// Validates one message in omni's JSON format and writes it back in canonical form
/// (timestamps in UTC RFC 3339, channel aliases resolved, `"v": 1`).
///
/// # Safety
/// `json` must point to `len` readable bytes; `json_out` must be writable. Free the result
/// with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_message_parse(
    json: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(json, len, "json") }?;
        write_json(&Message::from_json(input)?, json_out)
    })
}

#[derive(Serialize)]
struct BatchJson<'a> {
    messages: &'a [Message],
    rejections: Vec<RejectionJson<'a>>,
}

/// Reads a batch of messages (a JSON array, an envelope `{"v":1,"messages":[...]}`, or JSON
/// lines) keeping every good one and reporting every bad one. Writes
/// `{"messages": [...], "rejections": [{"index", "id", "code", "kind", "message"}]}`: every
/// input record is in exactly one of the two lists.
///
/// # Safety
/// `json` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_messages_parse(
    json: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(json, len, "json") }?;
        let batch = parse_messages_lenient(input)?;
        let rejections = batch.rejections.iter().map(RejectionJson::from).collect();
        write_json(
            &BatchJson {
                messages: &batch.messages,
                rejections,
            },
            json_out,
        )
    })
}

#[derive(Serialize)]
struct ChannelJson<'a> {
    name: &'a str,
    #[serde(flatten)]
    properties: omni_core::message::ChannelProperties,
}

/// Writes what the channel named `name` can do as JSON:
/// `{"name", "two_way", "synchronous", "can_send", "identifiers": [...], "identifiers_expire"}`.
/// Aliases are accepted (`"call"`, `"form"`); an unknown name describes an `Other` channel.
///
/// # Safety
/// `name` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_channel_properties(
    name: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let name = unsafe { text(name, len, "name") }?;
        let channel = Channel::from_name(name);
        write_json(
            &ChannelJson {
                name: channel.name(),
                properties: channel.properties(),
            },
            json_out,
        )
    })
}
