//! The C ABI of omni: a thin layer that converts C arguments, calls `omni-core`, and converts
//! the result back. No behaviour lives here.
//!
//! Conventions (see README, "C API conventions"):
//! - Every function returns an [`OmniStatus`]; `OMNI_STATUS_OK` (0) is success, any other value
//!   is the stable code of an omni error kind. After a failure, [`omni_last_error_message`] gives
//!   the full message for the calling thread.
//! - Text inputs are `(const uint8_t *ptr, size_t len)` and must be UTF-8 (`NULL, 0` is the empty
//!   string). Invalid UTF-8 gives `OMNI_STATUS_INVALID_UTF8` with the byte offset.
//! - Outputs come last, named `*_out`, and are written only on success.
//! - Strings returned through `char **` are NUL-terminated UTF-8 owned by the caller and freed
//!   with [`omni_string_free`]; handles are freed with their `_free` function. Every `_free`
//!   accepts NULL.
//! - No panic crosses the boundary: a panic becomes `OMNI_STATUS_INTERNAL`.
//! - Functions without a handle are thread-safe. Handles are immutable after creation and may be
//!   shared between threads unless their documentation says otherwise.

#![allow(clippy::missing_safety_doc)]

mod adapt;
mod boundary;
mod classify;
mod engine;
mod ident;
mod message;
mod resolve;
mod status;
mod thread;

pub use adapt::*;
pub use boundary::{
    omni_bytes_free, omni_error_kind_name, omni_last_error_code, omni_last_error_message,
    omni_string_free, omni_version,
};
pub use classify::*;
pub use engine::*;
pub use ident::*;
pub use message::*;
pub use resolve::*;
pub use status::OmniStatus;
pub use thread::*;
