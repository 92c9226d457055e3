//! No bytes passed through the C ABI make omni panic: every text-taking function, fed arbitrary
//! byte strings (mostly invalid UTF-8, some valid text), returns OK or a typed error, never
//! `OMNI_STATUS_INTERNAL`, and every returned string can be freed.

use omni::*;
use proptest::prelude::*;
use std::ffi::c_char;
use std::ptr;

fn no_panic(status: OmniStatus, what: &str, input: &[u8]) {
    assert_ne!(status, OmniStatus::Internal, "{what} panicked on {input:?}");
}

unsafe fn free(json: *mut c_char) {
    unsafe { omni_string_free(json) };
}

fn bytes_and_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        ".{0,120}".prop_map(|s: String| s.into_bytes()),
        "[0-9 ()+#.x-]{0,40}( доб\\. [0-9]{1,6})?".prop_map(|s: String| s.into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_text_function_returns_a_status(input in bytes_and_text()) {
        let (p, n) = (input.as_ptr(), input.len());
        unsafe {
            let mut phone = std::mem::MaybeUninit::<OmniPhone>::uninit();
            no_panic(omni_normalize_phone(p, n, ptr::null(), 0, phone.as_mut_ptr()), "normalize_phone", &input);
            no_panic(omni_normalize_phone(b"89123456789".as_ptr(), 11, p, n, phone.as_mut_ptr()), "normalize_phone(region)", &input);

            for (name, f) in [
                ("normalize_email", omni_normalize_email as unsafe extern "C" fn(*const u8, usize, *mut *mut c_char) -> OmniStatus),
                ("parse_profile_link", omni_parse_profile_link),
                ("normalize_name", omni_normalize_name),
                ("message_parse", omni_message_parse),
                ("messages_parse", omni_messages_parse),
                ("channel_properties", omni_channel_properties),
            ] {
                let mut json: *mut c_char = ptr::null_mut();
                let status = f(p, n, &mut json);
                no_panic(status, name, &input);
                prop_assert_eq!(status == OmniStatus::Ok, !json.is_null(), "{} writes its output exactly on success", name);
                free(json);
            }
            let mut json: *mut c_char = ptr::null_mut();
            no_panic(omni_normalize_handle(b"telegram_username".as_ptr(), 17, p, n, &mut json), "normalize_handle", &input);
            free(json);
            json = ptr::null_mut();
            no_panic(omni_extract_contacts(p, n, ptr::null(), 0, &mut json), "extract_contacts", &input);
            free(json);
            for (name, f) in [
                ("classify", omni_classify as unsafe extern "C" fn(*const OmniClassifier, *const u8, usize, *mut *mut c_char) -> OmniStatus),
                ("classify_many", omni_classify_many),
                ("classifier_evaluate", omni_classifier_evaluate),
            ] {
                let mut json: *mut c_char = ptr::null_mut();
                let status = f(ptr::null(), p, n, &mut json);
                no_panic(status, name, &input);
                prop_assert_eq!(status == OmniStatus::Ok, !json.is_null(), "{} writes its output exactly on success", name);
                free(json);
            }
            let mut json: *mut c_char = ptr::null_mut();
            let status = omni_classify_text(ptr::null(), p, n, b"sms".as_ptr(), 3, false, &mut json);
            no_panic(status, "classify_text", &input);
            prop_assert_eq!(status == OmniStatus::Ok, std::str::from_utf8(&input).is_ok());
            free(json);
            let mut classifier: *mut OmniClassifier = ptr::null_mut();
            let status = omni_classifier_from_model(p, n, &mut classifier);
            no_panic(status, "classifier_from_model", &input);
            omni_classifier_free(classifier);
            for provider in ["whatsapp", "telegram", "viber", "vk", "instagram", "facebook", "twilio", "email", "web_form", "call"] {
                let mut json: *mut c_char = ptr::null_mut();
                let status = omni_parse_payload(provider.as_ptr(), provider.len(), p, n, ptr::null(), 0, &mut json);
                no_panic(status, "parse_payload", &input);
                prop_assert_eq!(status == OmniStatus::Ok, !json.is_null(), "parse_payload writes its output exactly on success");
                free(json);
            }
            let mut json: *mut c_char = ptr::null_mut();
            no_panic(omni_parse_payload(p, n, b"{}".as_ptr(), 2, ptr::null(), 0, &mut json), "parse_payload(provider)", &input);
            free(json);
            json = ptr::null_mut();
            no_panic(omni_parse_payload(b"call".as_ptr(), 4, b"{}".as_ptr(), 2, p, n, &mut json), "parse_payload(options)", &input);
            free(json);
            let mut similarity = 0.0;
            let status = omni_name_similarity(p, n, b"Ivan Petrov".as_ptr(), 11, &mut similarity);
            no_panic(status, "name_similarity", &input);
            if status == OmniStatus::Ok {
                prop_assert!((0.0..=1.0).contains(&similarity));
            }
        }
    }
}

#[test]
fn invalid_utf8_is_reported_with_its_offset() {
    let input = [b'a', b'b', 0xc3, 0x28];
    let mut json: *mut c_char = ptr::null_mut();
    let status = unsafe { omni_normalize_email(input.as_ptr(), input.len(), &mut json) };
    assert_eq!(status, OmniStatus::InvalidUtf8);
    assert!(json.is_null());
    let message = unsafe { std::ffi::CStr::from_ptr(omni_last_error_message()) }
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(message, "text: invalid UTF-8 at byte 2");
    assert_eq!(omni_last_error_code(), 4);
}
