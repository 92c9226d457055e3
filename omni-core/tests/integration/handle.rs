//! Integration tests: handle.
