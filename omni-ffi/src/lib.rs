//! C ABI for omni.
