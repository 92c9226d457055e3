//! Python bindings for the channel adapters: the native entry point behind
//! `omni.parse_payload` (bytes in, JSON out; the `omni` package turns it into dicts).

use crate::to_py_err;
use omni_core::adapt::{parse_payload_with, AdaptOptions, Provider};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Reads one provider payload (bytes) and returns the result as JSON: `provider`, `messages`,
/// `events`, `problems`. `options_json` holds `received_at` (defaults to now),
/// `default_region`, `local_offset`, `email_rules`.
#[pyfunction]
#[pyo3(signature = (provider, payload, options_json = None))]
pub(crate) fn parse_payload_json(
    py: Python<'_>,
    provider: &str,
    payload: &Bound<'_, PyBytes>,
    options_json: Option<String>,
) -> PyResult<String> {
    let provider = Provider::from_name(provider).map_err(to_py_err)?;
    let mut options =
        AdaptOptions::from_json(options_json.as_deref().unwrap_or("")).map_err(to_py_err)?;
    options.received_at.get_or_insert_with(chrono::Utc::now);
    let payload = payload.as_bytes().to_vec();
    py.detach(|| parse_payload_with(provider, &payload, &options).map(|p| p.to_json()))
        .map_err(to_py_err)
}
