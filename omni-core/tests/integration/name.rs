//! Integration tests: name.
