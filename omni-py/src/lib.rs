//! Python bindings for omni.
