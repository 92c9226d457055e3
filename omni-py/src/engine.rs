//! Python bindings for the customer 360 engine: the native engine (JSON in and out; the `omni`
//! package wraps it in `omni.Engine` with dicts and DataFrames). The GIL is released around
//! every core call; the engine locks itself, so Python threads can ingest in parallel.

use crate::to_py_err;
use omni_core::engine::{Engine, EngineConfig, Purpose};
use omni_core::message::parse_timestamp;
use omni_core::{Error, ErrorKind, Message};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Serialize;

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("omni values always serialise")
}

/// The native engine; use `omni.Engine`, which wraps it with dicts and DataFrames.
#[pyclass(module = "omni._omni", frozen)]
pub(crate) struct NativeEngine {
    inner: Engine,
}

impl NativeEngine {
    fn json<T: Serialize + Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Engine) -> Result<T, Error> + Send,
    ) -> PyResult<String> {
        py.detach(|| f(&self.inner).map(|v| to_json(&v)))
            .map_err(to_py_err)
    }
}

#[pymethods]
impl NativeEngine {
    #[new]
    #[pyo3(signature = (config_json = None))]
    fn new(py: Python<'_>, config_json: Option<String>) -> PyResult<Self> {
        let inner = py
            .detach(|| {
                let config = match config_json.as_deref() {
                    None => EngineConfig::default(),
                    Some(t) if t.trim().is_empty() => EngineConfig::default(),
                    Some(t) => EngineConfig::from_json(t)?,
                };
                Engine::new(config)
            })
            .map_err(to_py_err)?;
        Ok(NativeEngine { inner })
    }

    /// The configuration as JSON.
    fn config_json(&self) -> String {
        self.inner.config().to_json()
    }

    /// Ingests one message (JSON); the result as JSON.
    fn ingest_json(&self, py: Python<'_>, message_json: String) -> PyResult<String> {
        self.json(py, |e| e.ingest(Message::from_json(&message_json)?))
    }

    /// Ingests a batch (JSON array or lines); the result as JSON.
    fn ingest_many_json(&self, py: Python<'_>, messages_json: String) -> PyResult<String> {
        self.json(py, |e| e.ingest_json_many(&messages_json))
    }

    /// Applies a provider event (JSON, as the adapters write it); the customer id or None.
    fn apply_event_json(&self, py: Python<'_>, event_json: String) -> PyResult<Option<String>> {
        py.detach(|| {
            let event: omni_core::adapt::Event = serde_json::from_str(&event_json)
                .map_err(|e| Error::new(ErrorKind::InvalidJson, format!("event: {e}")))?;
            self.inner.apply_event(&event)
        })
        .map_err(to_py_err)
    }

    /// The 360 card as JSON.
    fn customer_json(&self, py: Python<'_>, id: String) -> PyResult<String> {
        self.json(py, |e| e.customer(&id))
    }

    /// The customer a message or former customer id belongs to, or None.
    fn customer_of(&self, py: Python<'_>, id: String) -> PyResult<Option<String>> {
        py.detach(|| self.inner.customer_of(&id)).map_err(to_py_err)
    }

    /// Every customer id, sorted.
    fn customer_ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        py.detach(|| self.inner.customer_ids()).map_err(to_py_err)
    }

    /// Customers found by an identifier in any format, as JSON.
    fn find_json(&self, py: Python<'_>, text: String) -> PyResult<String> {
        self.json(py, |e| e.find(&text))
    }

    /// A conversation with its messages, as JSON.
    fn conversation_json(&self, py: Python<'_>, id: String) -> PyResult<String> {
        self.json(py, |e| e.conversation(&id))
    }

    /// Every conversation, as JSON.
    fn conversations_json(&self, py: Python<'_>) -> PyResult<String> {
        self.json(py, |e| e.conversations())
    }

    /// A customer's timeline, as JSON.
    fn timeline_json(&self, py: Python<'_>, customer_id: String) -> PyResult<String> {
        self.json(py, |e| e.timeline(&customer_id))
    }

    /// Every lead with its customer, conversation, channel and time, as JSON.
    fn leads_json(&self, py: Python<'_>) -> PyResult<String> {
        self.json(py, |e| e.leads())
    }

    /// The analytics, as JSON.
    fn analytics_json(&self, py: Python<'_>) -> PyResult<String> {
        self.json(py, |e| e.analytics())
    }

    /// (customers, messages, conversations).
    fn counts(&self, py: Python<'_>) -> PyResult<(usize, usize, usize)> {
        py.detach(|| self.inner.counts()).map_err(to_py_err)
    }

    /// A route for an outbound message (purpose `marketing` or `transactional`; `now` as RFC
    /// 3339, None for the current time), as JSON.
    #[pyo3(signature = (customer_id, purpose, now = None))]
    fn route_json(
        &self,
        py: Python<'_>,
        customer_id: String,
        purpose: String,
        now: Option<String>,
    ) -> PyResult<String> {
        self.json(py, |e| {
            let p = Purpose::from_name(&purpose).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("purpose: {purpose:?} is not marketing or transactional"),
                )
            })?;
            let now = match now.as_deref() {
                None => chrono::Utc::now(),
                Some(t) => parse_timestamp(t).map_err(|e| e.at("now"))?,
            };
            e.route(&customer_id, p, now)
        })
    }

    /// Merges two customers; the event as JSON (`null` when already one).
    fn merge_json(&self, py: Python<'_>, a: String, b: String) -> PyResult<String> {
        self.json(py, |e| e.merge(&a, &b))
    }

    /// Marks two customers as never to be merged; the event as JSON.
    fn never_merge_json(&self, py: Python<'_>, a: String, b: String) -> PyResult<String> {
        self.json(py, |e| e.never_merge(&a, &b))
    }

    /// Splits records off a customer; the events as JSON.
    fn split_json(
        &self,
        py: Python<'_>,
        customer_id: String,
        record_ids: Vec<String>,
    ) -> PyResult<String> {
        self.json(py, |e| {
            let refs: Vec<&str> = record_ids.iter().map(String::as_str).collect();
            e.split(&customer_id, &refs)
        })
    }

    /// Erases a customer; the report as JSON.
    fn forget_json(&self, py: Python<'_>, customer_id: String) -> PyResult<String> {
        self.json(py, |e| e.forget(&customer_id))
    }

    /// Records a manual consent change; the entry as JSON.
    #[allow(clippy::too_many_arguments)]
    fn record_consent_json(
        &self,
        py: Python<'_>,
        customer_id: String,
        channel: String,
        purpose: String,
        action: String,
        at: String,
        basis: String,
    ) -> PyResult<String> {
        self.json(py, |e| {
            let p = Purpose::from_name(&purpose).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("purpose: {purpose:?} is not marketing or transactional"),
                )
            })?;
            let a = match action.as_str() {
                "opt_in" => omni_core::engine::ConsentAction::OptIn,
                "opt_out" => omni_core::engine::ConsentAction::OptOut,
                other => {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        format!("action: {other:?} is not opt_in or opt_out"),
                    ))
                }
            };
            let at = parse_timestamp(&at).map_err(|e| e.at("at"))?;
            e.record_consent(
                &customer_id,
                omni_core::Channel::from_name(&channel),
                p,
                a,
                at,
                &basis,
            )
        })
    }

    /// Sets a customer's UTC offset (`+05:00`).
    fn set_time_zone(&self, py: Python<'_>, customer_id: String, offset: String) -> PyResult<()> {
        py.detach(|| self.inner.set_time_zone(&customer_id, &offset))
            .map_err(to_py_err)
    }

    /// The whole engine as bytes.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py.detach(|| self.inner.snapshot()).map_err(to_py_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// An engine from snapshot bytes.
    #[staticmethod]
    fn restore(py: Python<'_>, data: Vec<u8>) -> PyResult<Self> {
        let inner = py.detach(|| Engine::restore(&data)).map_err(to_py_err)?;
        Ok(NativeEngine { inner })
    }
}
