//! Integration tests: phone.
