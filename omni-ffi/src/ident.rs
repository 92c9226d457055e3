//! C functions for identifier normalisation: phones, emails, handles, names, contact extraction.

use crate::boundary::{out, run, text, write_json};
use crate::status::OmniStatus;
use omni_core::{Error, ErrorKind, IdentifierKind, Phone, PhoneKind, PhoneNormalizer};
use std::ffi::c_char;

/// Line type of a phone number; the values are positions in omni's `PhoneKind` list.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OmniPhoneKind {
    /// Mobile.
    Mobile = 0,
    /// Fixed line.
    FixedLine = 1,
    /// Fixed line or mobile (the plan does not tell them apart).
    FixedLineOrMobile = 2,
    /// Toll free (`8-800`).
    TollFree = 3,
    /// Premium rate.
    PremiumRate = 4,
    /// Shared cost.
    SharedCost = 5,
    /// VoIP.
    Voip = 6,
    /// Personal number.
    PersonalNumber = 7,
    /// Pager.
    Pager = 8,
    /// Universal access number.
    Uan = 9,
    /// Voicemail.
    Voicemail = 10,
    /// Not known.
    Unknown = 11,
}

impl From<PhoneKind> for OmniPhoneKind {
    fn from(kind: PhoneKind) -> Self {
        match kind {
            PhoneKind::Mobile => OmniPhoneKind::Mobile,
            PhoneKind::FixedLine => OmniPhoneKind::FixedLine,
            PhoneKind::FixedLineOrMobile => OmniPhoneKind::FixedLineOrMobile,
            PhoneKind::TollFree => OmniPhoneKind::TollFree,
            PhoneKind::PremiumRate => OmniPhoneKind::PremiumRate,
            PhoneKind::SharedCost => OmniPhoneKind::SharedCost,
            PhoneKind::Voip => OmniPhoneKind::Voip,
            PhoneKind::PersonalNumber => OmniPhoneKind::PersonalNumber,
            PhoneKind::Pager => OmniPhoneKind::Pager,
            PhoneKind::Uan => OmniPhoneKind::Uan,
            PhoneKind::Voicemail => OmniPhoneKind::Voicemail,
            _ => OmniPhoneKind::Unknown,
        }
    }
}

/// Capacity of [`OmniPhone::e164`], including the terminating NUL.
pub const OMNI_PHONE_E164_CAP: usize = 24;
/// Capacity of [`OmniPhone::region`], including the terminating NUL.
pub const OMNI_PHONE_REGION_CAP: usize = 4;
/// Capacity of [`OmniPhone::extension`], including the terminating NUL.
pub const OMNI_PHONE_EXTENSION_CAP: usize = 40;

/// A normalised phone number, returned by value: no allocation, nothing to free.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OmniPhone {
    /// E.164 form, NUL-terminated (`"+79123456789"`).
    pub e164: [c_char; OMNI_PHONE_E164_CAP],
    /// ISO 3166 region (`"RU"`, `"KZ"`, `"001"` for non-geographic), or `""` when unknown.
    pub region: [c_char; OMNI_PHONE_REGION_CAP],
    /// The line type.
    pub kind: OmniPhoneKind,
    /// Whether the number is valid in its numbering plan.
    pub valid: bool,
    /// Extension digits, or `""` when none was given.
    pub extension: [c_char; OMNI_PHONE_EXTENSION_CAP],
}

fn fill<const N: usize>(dst: &mut [c_char; N], src: &str, what: &str) -> Result<(), Error> {
    if src.len() >= N {
        return Err(Error::new(
            ErrorKind::InvalidPhone,
            format!("{what} {src:?} is longer than {} bytes", N - 1),
        ));
    }
    *dst = [0; N];
    for (d, s) in dst.iter_mut().zip(src.bytes()) {
        *d = s as c_char;
    }
    Ok(())
}

fn to_c_phone(phone: &Phone) -> Result<OmniPhone, Error> {
    let mut c = OmniPhone {
        e164: [0; OMNI_PHONE_E164_CAP],
        region: [0; OMNI_PHONE_REGION_CAP],
        kind: phone.kind.into(),
        valid: phone.valid,
        extension: [0; OMNI_PHONE_EXTENSION_CAP],
    };
    fill(&mut c.e164, &phone.e164, "E.164 number")?;
    fill(
        &mut c.region,
        phone.region.as_deref().unwrap_or(""),
        "region",
    )?;
    fill(
        &mut c.extension,
        phone.extension.as_deref().unwrap_or(""),
        "extension",
    )?;
    Ok(c)
}

/// A phone normaliser with a fixed default region. Immutable; thread-safe.
pub struct OmniPhoneNormalizer(PhoneNormalizer);

/// Creates a phone normaliser reading national numbers as numbers of `region` (`"RU"`).
///
/// On success `*normalizer_out` owns a handle to free with [`omni_phone_normalizer_free`].
///
/// # Safety
/// `region` must point to `region_len` readable bytes (or be NULL with length 0, meaning `RU`);
/// `normalizer_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_phone_normalizer_new(
    region: *const u8,
    region_len: usize,
    normalizer_out: *mut *mut OmniPhoneNormalizer,
) -> OmniStatus {
    run(|| {
        let region = unsafe { text(region, region_len, "region") }?;
        let normalizer = if region.is_empty() {
            PhoneNormalizer::default()
        } else {
            PhoneNormalizer::new(region)?
        };
        *out(normalizer_out, "normalizer_out")? =
            Box::into_raw(Box::new(OmniPhoneNormalizer(normalizer)));
        Ok(())
    })
}

/// Frees a phone normaliser. Accepts NULL.
///
/// # Safety
/// `normalizer` must be NULL or a handle from [`omni_phone_normalizer_new`] not freed yet.
#[no_mangle]
pub unsafe extern "C" fn omni_phone_normalizer_free(normalizer: *mut OmniPhoneNormalizer) {
    if !normalizer.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(normalizer) });
    }
}

/// Normalises one phone number with a normaliser.
///
/// # Safety
/// `normalizer` must be a live handle; `text` must point to `len` readable bytes;
/// `phone_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_phone_normalizer_normalize(
    normalizer: *const OmniPhoneNormalizer,
    text_ptr: *const u8,
    len: usize,
    phone_out: *mut OmniPhone,
) -> OmniStatus {
    run(|| {
        let normalizer = unsafe { normalizer.as_ref() }
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "normalizer: NULL handle"))?;
        let input = unsafe { text(text_ptr, len, "text") }?;
        let phone = to_c_phone(&normalizer.0.normalize(input)?)?;
        *out(phone_out, "phone_out")? = phone;
        Ok(())
    })
}

/// Normalises one phone number with a normaliser and requires it to be valid in its numbering
/// plan: a number that parses but is not valid (`"8 912 34"`) is `OMNI_STATUS_INVALID_PHONE`
/// with the reason (`too short for RU: ...`).
///
/// # Safety
/// As [`omni_phone_normalizer_normalize`].
#[no_mangle]
pub unsafe extern "C" fn omni_phone_normalizer_normalize_valid(
    normalizer: *const OmniPhoneNormalizer,
    text_ptr: *const u8,
    len: usize,
    phone_out: *mut OmniPhone,
) -> OmniStatus {
    run(|| {
        let normalizer = unsafe { normalizer.as_ref() }
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "normalizer: NULL handle"))?;
        let input = unsafe { text(text_ptr, len, "text") }?;
        let phone = to_c_phone(&normalizer.0.normalize_valid(input)?)?;
        *out(phone_out, "phone_out")? = phone;
        Ok(())
    })
}

/// Normalises one phone number, reading national formats as numbers of `region`
/// (NULL/0 means `RU`). Convenience for one-off calls; use a normaliser for many numbers.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `phone_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_normalize_phone(
    text_ptr: *const u8,
    len: usize,
    region: *const u8,
    region_len: usize,
    phone_out: *mut OmniPhone,
) -> OmniStatus {
    run(|| {
        let region = unsafe { text(region, region_len, "region") }?;
        let normalizer = if region.is_empty() {
            PhoneNormalizer::default()
        } else {
            PhoneNormalizer::new(region)?
        };
        let input = unsafe { text(text_ptr, len, "text") }?;
        let phone = to_c_phone(&normalizer.normalize(input)?)?;
        *out(phone_out, "phone_out")? = phone;
        Ok(())
    })
}

/// A borrowed text: pointer and length in bytes (UTF-8, not NUL-terminated).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OmniStr {
    /// The bytes (may be NULL when `len` is 0).
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

/// Normalises `count` phone numbers. For each `i`, `statuses_out[i]` is its status and, when it
/// is `OMNI_STATUS_OK`, `phones_out[i]` its result (other entries are zeroed). The call itself
/// returns OK unless an argument is unusable; the message of a per-item failure is not kept
/// (normalise that item alone to get it).
///
/// # Safety
/// `texts` must point to `count` [`OmniStr`]; `phones_out` and `statuses_out` to `count`
/// writable elements each.
#[no_mangle]
pub unsafe extern "C" fn omni_phone_normalizer_normalize_many(
    normalizer: *const OmniPhoneNormalizer,
    texts: *const OmniStr,
    count: usize,
    phones_out: *mut OmniPhone,
    statuses_out: *mut OmniStatus,
) -> OmniStatus {
    run(|| {
        let normalizer = unsafe { normalizer.as_ref() }
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "normalizer: NULL handle"))?;
        if count == 0 {
            return Ok(());
        }
        if texts.is_null() || phones_out.is_null() || statuses_out.is_null() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "texts, phones_out and statuses_out must not be NULL",
            ));
        }
        // SAFETY: the caller guarantees `count` elements behind each pointer.
        let (texts, phones, statuses) = unsafe {
            (
                std::slice::from_raw_parts(texts, count),
                std::slice::from_raw_parts_mut(phones_out, count),
                std::slice::from_raw_parts_mut(statuses_out, count),
            )
        };
        for ((t, phone_slot), status_slot) in
            texts.iter().zip(phones.iter_mut()).zip(statuses.iter_mut())
        {
            let result = unsafe { text(t.ptr, t.len, "texts[i]") }
                .and_then(|s| normalizer.0.normalize(s))
                .and_then(|p| to_c_phone(&p));
            match result {
                Ok(p) => {
                    *phone_slot = p;
                    *status_slot = OmniStatus::Ok;
                }
                Err(e) => {
                    *phone_slot = OmniPhone {
                        e164: [0; OMNI_PHONE_E164_CAP],
                        region: [0; OMNI_PHONE_REGION_CAP],
                        kind: OmniPhoneKind::Unknown,
                        valid: false,
                        extension: [0; OMNI_PHONE_EXTENSION_CAP],
                    };
                    *status_slot = OmniStatus::from_kind(e.kind());
                }
            }
        }
        Ok(())
    })
}

/// Validates an email address under the default provider rules and writes its JSON form:
/// `{"original": "...", "canonical": "...", "provider": "gmail" | null}` (`original` is the bare
/// address as written, case kept, without a display name or `mailto:`).
///
/// # Safety
/// `text` must point to `len` readable bytes; `json_out` must be writable. Free the string
/// with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_normalize_email(
    text_ptr: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(text_ptr, len, "text") }?;
        write_json(&omni_core::normalize_email(input)?, json_out)
    })
}

/// Email provider rules (Gmail dots and tags, Yandex domains, ...). Immutable; thread-safe.
pub struct OmniEmailRules(omni_core::EmailRules);

/// Creates email provider rules from JSON (`{"providers": [{"name", "domains",
/// "canonical_domain", "dots": "keep"|"ignore"|"same_as_hyphen", "subaddress_separator"}]}`),
/// or the documented default table for NULL/0. Free with [`omni_email_rules_free`].
///
/// # Safety
/// `json` must point to `len` readable bytes; `rules_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_email_rules_new(
    json: *const u8,
    len: usize,
    rules_out: *mut *mut OmniEmailRules,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(json, len, "json") }?;
        let rules = if input.trim().is_empty() {
            omni_core::EmailRules::default()
        } else {
            omni_core::EmailRules::from_json(input)?
        };
        *out(rules_out, "rules_out")? = Box::into_raw(Box::new(OmniEmailRules(rules)));
        Ok(())
    })
}

/// Frees email rules. Accepts NULL.
///
/// # Safety
/// `rules` must be NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn omni_email_rules_free(rules: *mut OmniEmailRules) {
    if !rules.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(rules) });
    }
}

/// Writes the rules as JSON (the same shape [`omni_email_rules_new`] reads).
///
/// # Safety
/// `rules` must be a live handle; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_email_rules_to_json(
    rules: *const OmniEmailRules,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let rules = unsafe { rules.as_ref() }
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "rules: NULL handle"))?;
        *out(json_out, "json_out")? = crate::boundary::owned_string(rules.0.to_json());
        Ok(())
    })
}

/// Normalises an email address under these rules; writes the same JSON as
/// [`omni_normalize_email`].
///
/// # Safety
/// `rules` must be a live handle; `text` must point to `len` readable bytes; `json_out` must be
/// writable.
#[no_mangle]
pub unsafe extern "C" fn omni_email_rules_normalize(
    rules: *const OmniEmailRules,
    text_ptr: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let rules = unsafe { rules.as_ref() }
            .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "rules: NULL handle"))?;
        let input = unsafe { text(text_ptr, len, "text") }?;
        write_json(&rules.0.normalize(input)?, json_out)
    })
}

/// Normalises a handle of the identifier kind named `kind` (`"telegram_username"`, `"vk_id"`,
/// `"whatsapp"`, ...) and writes the identifiers it yields as a JSON array of
/// `{"kind": ..., "value": ...}` (a WhatsApp id yields its phone too).
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_normalize_handle(
    kind: *const u8,
    kind_len: usize,
    text_ptr: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let kind_name = unsafe { text(kind, kind_len, "kind") }?;
        let kind = IdentifierKind::from_name(kind_name).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("kind: unknown identifier kind {kind_name:?}"),
            )
        })?;
        let input = unsafe { text(text_ptr, len, "text") }?;
        write_json(&omni_core::normalize_handle(kind, input)?, json_out)
    })
}

/// Recognises a profile link or handle (`"t.me/name"`, `"vk.com/id1"`) and writes the
/// identifier as JSON `{"kind": ..., "value": ...}`.
///
/// # Safety
/// `text` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_parse_profile_link(
    text_ptr: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(text_ptr, len, "text") }?;
        write_json(&omni_core::parse_profile_link(input)?, json_out)
    })
}

/// Normalises a person name and writes it as JSON (`original`, `normalized`, and the parts omni
/// recognised).
///
/// # Safety
/// `text` must point to `len` readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_normalize_name(
    text_ptr: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = unsafe { text(text_ptr, len, "text") }?;
        write_json(&omni_core::normalize_name(input)?, json_out)
    })
}

/// Writes to `*similarity_out` how similar two person names are, from 0 to 1.
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `similarity_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_name_similarity(
    a: *const u8,
    a_len: usize,
    b: *const u8,
    b_len: usize,
    similarity_out: *mut f64,
) -> OmniStatus {
    run(|| {
        let a = unsafe { text(a, a_len, "a") }?;
        let b = unsafe { text(b, b_len, "b") }?;
        *out(similarity_out, "similarity_out")? = omni_core::name_similarity(a, b);
        Ok(())
    })
}

/// Finds phones, emails, handles and profile links in free text and writes them as a JSON
/// array of `{"kind", "value", "raw", "start", "end"}` (byte offsets into the input; phones
/// with an extension also have `"extension"`), reading
/// national phone numbers as numbers of `region` (NULL/0 means `RU`).
///
/// # Safety
/// Text arguments must point to their lengths of readable bytes; `json_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_extract_contacts(
    text_ptr: *const u8,
    len: usize,
    region: *const u8,
    region_len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let region = unsafe { text(region, region_len, "region") }?;
        let extractor = if region.is_empty() {
            omni_core::ContactExtractor::default()
        } else {
            omni_core::ContactExtractor::new(region)?
        };
        let input = unsafe { text(text_ptr, len, "text") }?;
        write_json(&extractor.extract(input), json_out)
    })
}
