//! The one integration test binary of omni-core; one module per capability.

mod adapt;
mod classify;
mod email;
mod engine;
mod extract;
mod handle;
mod message;
mod name;
mod phone;
mod resolve;
mod smoke;
mod thread;
