//! C functions for the channel adapters: one provider payload in, messages and events out as
//! JSON (schema in `docs/message-format.md` and README, "Channel adapters").

use crate::boundary::{bytes, run, text, write_json};
use crate::status::OmniStatus;
use omni_core::adapt::{parse_payload_with, AdaptOptions, Provider};
use std::ffi::c_char;

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
