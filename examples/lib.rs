//! Runnable examples of omni live in this package; see `examples/inbox_report.rs`.
