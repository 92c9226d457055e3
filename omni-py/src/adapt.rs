//! Python bindings for the channel adapters: the native entry point behind
//! `omni.parse_payload` (bytes in, JSON out; the `omni` package turns it into dicts).

use crate::to_py_err;
use omni_core::adapt::{
    parse_payload_with, AdaptOptions, ParsedPayload, Provider, SeenEvents as CoreSeenEvents,
};
use omni_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Serialize;
use std::sync::Mutex;

/// The parsed payload with the duplicates `seen` removed.
#[derive(Serialize)]
struct ParsedWithDuplicates<'a> {
    #[serde(flatten)]
    parsed: &'a ParsedPayload,
    duplicates: Vec<String>,
}

/// Reads one provider payload (bytes) and returns the result as JSON: `provider`, `messages`,
/// `events`, `problems`. `options_json` holds `received_at` (defaults to now),
/// `default_region`, `local_offset`, `email_rules`. With `seen`, what it has seen is dropped
/// (provider retries), the new event ids are recorded, and the JSON gets `duplicates`.
#[pyfunction]
#[pyo3(signature = (provider, payload, options_json = None, seen = None))]
pub(crate) fn parse_payload_json(
    py: Python<'_>,
    provider: &str,
    payload: &Bound<'_, PyBytes>,
    options_json: Option<String>,
    seen: Option<&Bound<'_, SeenEvents>>,
) -> PyResult<String> {
    let provider = Provider::from_name(provider).map_err(to_py_err)?;
    let mut options =
        AdaptOptions::from_json(options_json.as_deref().unwrap_or("")).map_err(to_py_err)?;
    options.received_at.get_or_insert_with(chrono::Utc::now);
    let payload = payload.as_bytes().to_vec();
    let mut parsed = py
        .detach(|| parse_payload_with(provider, &payload, &options))
        .map_err(to_py_err)?;
    let Some(seen) = seen else {
        return Ok(py.detach(|| parsed.to_json()));
    };
    let duplicates = seen.get().with(py, |s| s.remove_duplicates(&mut parsed))?;
    py.detach(|| {
        serde_json::to_string(&ParsedWithDuplicates {
            parsed: &parsed,
            duplicates,
        })
    })
    .map_err(|e| to_py_err(Error::new(ErrorKind::Internal, e.to_string())))
}

/// Provider retry de-duplication: remembers the most recent event ids (at most `capacity`,
/// the oldest forgotten first). Keep one per account and pass it as `seen=` to
/// `omni.parse_payload`; save it with `to_json` between runs.
///
/// >>> seen = omni.SeenEvents(10_000)
/// >>> seen.insert("telegram", "1001"), seen.insert("telegram", "1001")
/// (True, False)
#[pyclass(module = "omni._omni", frozen)]
pub(crate) struct SeenEvents {
    inner: Mutex<CoreSeenEvents>,
}

impl SeenEvents {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut CoreSeenEvents) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| {
            let mut guard = self.inner.lock().map_err(|_| {
                Error::new(
                    ErrorKind::Internal,
                    "seen events: a previous call panicked while changing it",
                )
            })?;
            Ok(f(&mut guard))
        })
        .map_err(to_py_err)
    }
}

#[pymethods]
impl SeenEvents {
    #[new]
    #[pyo3(signature = (capacity = 10_000))]
    fn new(capacity: usize) -> Self {
        SeenEvents {
            inner: Mutex::new(CoreSeenEvents::new(capacity)),
        }
    }

    /// Records an event id of a provider; True when it is new, False for a duplicate.
    fn insert(&self, py: Python<'_>, provider: &str, event_id: &str) -> PyResult<bool> {
        let provider = Provider::from_name(provider).map_err(to_py_err)?;
        self.with(py, |s| s.insert(provider, event_id))
    }

    /// Whether an event id of a provider was seen (and is still remembered).
    fn contains(&self, py: Python<'_>, provider: &str, event_id: &str) -> PyResult<bool> {
        let provider = Provider::from_name(provider).map_err(to_py_err)?;
        self.with(py, |s| s.contains(provider, event_id))
    }

    /// How many event ids it remembers at most.
    #[getter]
    fn capacity(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, |s| s.capacity())
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, |s| s.len())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |s| {
            format!("SeenEvents(capacity={}, len={})", s.capacity(), s.len())
        })
    }

    /// The set as JSON (`{"capacity": ..., "seen": [[provider, id], ...]}`, oldest first), to
    /// save between runs.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |s| serde_json::to_string(&*s))?
            .map_err(|e| to_py_err(Error::new(ErrorKind::Internal, e.to_string())))
    }

    /// A set read from JSON written by `to_json`.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Self> {
        let inner: CoreSeenEvents = serde_json::from_str(json).map_err(|e| {
            to_py_err(Error::new(
                ErrorKind::InvalidJson,
                format!("seen events: {e}"),
            ))
        })?;
        Ok(SeenEvents {
            inner: Mutex::new(inner),
        })
    }
}
