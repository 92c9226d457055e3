//! The panic boundary, the per-thread last error, and owned strings handed to C.

use crate::status::OmniStatus;
use omni_core::{Error, ErrorKind};
use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static LAST_ERROR: RefCell<Option<(u32, CString)>> = const { RefCell::new(None) };
}

fn set_last_error(code: u32, message: &str) {
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = Some((code, text)));
}

/// Runs `f` inside the panic boundary: records the error or panic as the thread's last error
/// and returns its status.
pub(crate) fn run(f: impl FnOnce() -> Result<(), Error>) -> OmniStatus {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => OmniStatus::Ok,
        Ok(Err(e)) => {
            set_last_error(e.code(), e.message());
            OmniStatus::from_kind(e.kind())
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            set_last_error(
                ErrorKind::Internal.code(),
                &format!("internal error (please report): {what}"),
            );
            OmniStatus::Internal
        }
    }
}

/// Reads a `(ptr, len)` text argument named `what` as UTF-8.
///
/// # Safety
/// `ptr` must be NULL or point to `len` readable bytes.
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        if len == 0 {
            return Ok("");
        }
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what}: NULL pointer with length {len}"),
        ));
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::InvalidUtf8,
            format!("{what}: invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })
}

/// Checks that an output pointer is not NULL.
pub(crate) fn out<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, Error> {
    // SAFETY: non-null output pointers are documented to point to writable storage of `T`.
    unsafe { ptr.as_mut() }.ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{what}: NULL output pointer"),
        )
    })
}

/// Hands an owned string to C.
pub(crate) fn owned_string(s: String) -> *mut c_char {
    // JSON and omni values never contain NUL; escape defensively rather than fail.
    match CString::new(s) {
        Ok(c) => c.into_raw(),
        Err(e) => {
            let fixed = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\\u0000");
            CString::new(fixed).unwrap_or_default().into_raw()
        }
    }
}

/// Reads a `(ptr, len)` byte argument named `what`.
///
/// # Safety
/// `ptr` must be NULL or point to `len` readable bytes.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], Error> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what}: NULL pointer with length {len}"),
        ));
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Hands an owned byte buffer to C as (pointer, length); freed with [`omni_bytes_free`].
pub(crate) fn owned_bytes(bytes: Vec<u8>) -> (*mut u8, usize) {
    let boxed = bytes.into_boxed_slice();
    let len = boxed.len();
    (Box::into_raw(boxed).cast::<u8>(), len)
}

/// Frees a byte buffer returned by omni (a snapshot). Accepts NULL.
///
/// # Safety
/// `bytes` must be NULL or a buffer returned by omni with its length `len`, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn omni_bytes_free(bytes: *mut u8, len: usize) {
    if !bytes.is_null() {
        // SAFETY: the buffer came from `owned_bytes` with this length and is freed once.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes, len)) });
    }
}

/// A rejected record as JSON: `{"index", "id", "code", "kind", "message"}`.
#[derive(serde::Serialize)]
pub(crate) struct RejectionJson<'a> {
    index: usize,
    id: Option<&'a str>,
    code: u32,
    kind: &'static str,
    message: &'a str,
}

impl<'a> From<&'a omni_core::message::Rejection> for RejectionJson<'a> {
    fn from(r: &'a omni_core::message::Rejection) -> Self {
        RejectionJson {
            index: r.index,
            id: r.id.as_deref(),
            code: r.error.code(),
            kind: r.error.kind().name(),
            message: r.error.message(),
        }
    }
}

/// Writes an owned JSON string to `out`.
pub(crate) fn write_json<T: serde::Serialize>(
    value: &T,
    out: *mut *mut c_char,
) -> Result<(), Error> {
    let slot = self::out(out, "json_out")?;
    let json =
        serde_json::to_string(value).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
    *slot = owned_string(json);
    Ok(())
}

/// The message of the last error on the calling thread, or NULL if there was none.
///
/// The string is owned by omni and valid until the next omni call on this thread.
#[no_mangle]
pub extern "C" fn omni_last_error_message() -> *const c_char {
    LAST_ERROR.with(|e| {
        e.borrow()
            .as_ref()
            .map_or(std::ptr::null(), |(_, m)| m.as_ptr())
    })
}

/// The status code of the last error on the calling thread, or 0 if there was none.
#[no_mangle]
pub extern "C" fn omni_last_error_code() -> u32 {
    LAST_ERROR.with(|e| e.borrow().as_ref().map_or(0, |(c, _)| *c))
}

/// The snake_case name of a status code (`"invalid_phone"`), `"ok"` for 0, or NULL for an
/// unknown code. The string is static.
#[no_mangle]
pub extern "C" fn omni_error_kind_name(code: u32) -> *const c_char {
    static NAMES: std::sync::OnceLock<Vec<(u32, CString)>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut v = vec![(0, CString::new("ok").unwrap_or_default())];
        v.extend(
            ErrorKind::ALL
                .iter()
                .map(|k| (k.code(), CString::new(k.name()).unwrap_or_default())),
        );
        v
    });
    names
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(std::ptr::null(), |(_, n)| n.as_ptr())
}

/// The library version, e.g. `"0.1.0"`. The string is static.
#[no_mangle]
pub extern "C" fn omni_version() -> *const c_char {
    static VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

/// Frees a string returned by omni. Accepts NULL.
///
/// # Safety
/// `s` must be NULL or a string returned by omni that has not been freed yet.
#[no_mangle]
pub unsafe extern "C" fn omni_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` came from `CString::into_raw` in `owned_string` and is freed once.
        drop(unsafe { CString::from_raw(s) });
    }
}
