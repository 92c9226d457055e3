//! Python bindings for conversation threading: the native threader (JSON in and out; the `omni`
//! package wraps it in `omni.Threader`) and the batch entry point behind `omni.thread`.

use crate::resolve::{rejection_tuple, RejectionTuple};
use crate::{to_py_err, PyResultOmni};
use omni_core::message::{parse_messages_lenient, parse_timestamp, Message};
use omni_core::resolve::ResolverConfig;
use omni_core::thread::{thread_messages_json, Reassign, ThreadConfig, Threader};
use omni_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Serialize;
use std::sync::Mutex;

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("omni values always serialise")
}

fn from_json<T: serde::de::DeserializeOwned + Default>(
    json: Option<&str>,
    what: &str,
) -> PyResultOmni<T> {
    match json {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            to_py_err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{what}: {e}"),
            ))
        }),
    }
}

/// The native threader; use `omni.Threader`, which wraps it with dicts.
#[pyclass(module = "omni._omni", frozen)]
pub(crate) struct NativeThreader {
    inner: Mutex<Threader>,
}

impl NativeThreader {
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&mut Threader) -> T + Send) -> PyResult<T>
    where
        T: Send,
    {
        py.detach(|| {
            let mut guard = self.inner.lock().map_err(|_| {
                Error::new(
                    ErrorKind::Internal,
                    "threader: a previous call panicked while changing it",
                )
            })?;
            Ok(f(&mut guard))
        })
        .map_err(to_py_err)
    }
}

#[pymethods]
impl NativeThreader {
    #[new]
    #[pyo3(signature = (config_json = None))]
    fn new(config_json: Option<&str>) -> PyResult<Self> {
        let config: ThreadConfig = from_json(config_json, "config")?;
        let threader = Threader::new(config).map_err(to_py_err)?;
        Ok(NativeThreader {
            inner: Mutex::new(threader),
        })
    }

    /// Adds one message (JSON) of a customer (None: none known); the outcome as JSON.
    #[pyo3(signature = (message_json, customer_id = None))]
    fn add_json(
        &self,
        py: Python<'_>,
        message_json: String,
        customer_id: Option<String>,
    ) -> PyResult<String> {
        let message = py
            .detach(|| Message::from_json(&message_json))
            .map_err(to_py_err)?;
        let customer = customer_id.unwrap_or_default();
        self.with(py, |t| t.add(&message, &customer).map(|o| to_json(&o)))?
            .map_err(to_py_err)
    }

    /// Adds many messages (JSON array or lines) with one customer id per record; returns
    /// (outcome JSON, conversation id per record, rejections).
    #[allow(clippy::type_complexity)]
    fn add_many_json(
        &self,
        py: Python<'_>,
        messages_json: String,
        customer_ids: Vec<String>,
    ) -> PyResult<(String, Vec<Option<String>>, Vec<RejectionTuple>)> {
        let batch = py
            .detach(|| parse_messages_lenient(&messages_json))
            .map_err(to_py_err)?;
        let total = batch.messages.len() + batch.rejections.len();
        if customer_ids.len() != total {
            return Err(to_py_err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{total} messages but {} customer ids", customer_ids.len()),
            )));
        }
        let rejected: std::collections::HashSet<usize> =
            batch.rejections.iter().map(|r| r.index).collect();
        let positions: Vec<usize> = (0..total).filter(|i| !rejected.contains(i)).collect();
        let ids: Vec<&str> = positions
            .iter()
            .map(|&p| customer_ids[p].as_str())
            .collect();
        let mut rejections = batch.rejections;
        let messages = batch.messages;
        let (summary, conversation_ids) = self
            .with(py, |t| {
                let outcome = t.add_many(&messages, &ids)?;
                let bad: std::collections::HashSet<usize> =
                    outcome.rejections.iter().map(|r| r.index).collect();
                let mut conversation_ids = vec![None; total];
                for (k, (m, &p)) in messages.iter().zip(&positions).enumerate() {
                    if !bad.contains(&k) {
                        conversation_ids[p] = t.conversation_of(&m.id).map(str::to_string);
                    }
                }
                for mut r in outcome.rejections.clone() {
                    r.index = positions[r.index];
                    rejections.push(r);
                }
                Ok::<_, Error>((to_json(&outcome), conversation_ids))
            })?
            .map_err(to_py_err)?;
        rejections.sort_by_key(|r| r.index);
        Ok((
            summary,
            conversation_ids,
            rejections.iter().map(rejection_tuple).collect(),
        ))
    }

    /// The conversation (by id, retired id or message id) as JSON, or None.
    fn conversation_json(&self, py: Python<'_>, id: String) -> PyResult<Option<String>> {
        self.with(py, |t| t.conversation(&id).map(|c| to_json(&c)))
    }

    /// The id of the conversation a message is in, or None.
    fn conversation_of(&self, py: Python<'_>, message_id: String) -> PyResult<Option<String>> {
        self.with(py, |t| t.conversation_of(&message_id).map(str::to_string))
    }

    /// The customer a message belongs to, or None.
    fn customer_of(&self, py: Python<'_>, message_id: String) -> PyResult<Option<String>> {
        self.with(py, |t| t.customer_of(&message_id).map(str::to_string))
    }

    /// A customer's conversations as a JSON array.
    fn conversations_of_json(&self, py: Python<'_>, customer_id: String) -> PyResult<String> {
        self.with(py, |t| to_json(&t.conversations_of(&customer_id)))
    }

    /// Every conversation as a JSON array.
    fn conversations_json(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |t| to_json(&t.conversations()))
    }

    /// Every customer id, sorted.
    fn customer_ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, |t| {
            t.customer_ids().into_iter().map(str::to_string).collect()
        })
    }

    /// Moves messages to another customer ({"customer", "to"} or {"messages", "to"}); the
    /// outcome as JSON.
    fn reassign_json(&self, py: Python<'_>, json: String) -> PyResult<String> {
        let what: Reassign = serde_json::from_str(&json).map_err(|e| {
            to_py_err(Error::new(
                ErrorKind::InvalidArgument,
                format!("expected {{\"customer\", \"to\"}} or {{\"messages\", \"to\"}}: {e}"),
            ))
        })?;
        self.with(py, |t| t.reassign(what).map(|o| to_json(&o)))?
            .map_err(to_py_err)
    }

    /// Removes a customer and everything of theirs; the outcome as JSON.
    fn remove_customer_json(&self, py: Python<'_>, customer_id: String) -> PyResult<String> {
        self.with(py, |t| t.remove_customer(&customer_id).map(|o| to_json(&o)))?
            .map_err(to_py_err)
    }

    /// Checks a planned follow-up; the check as JSON.
    #[pyo3(signature = (conversation_id, since = None))]
    fn check_follow_up_json(
        &self,
        py: Python<'_>,
        conversation_id: String,
        since: Option<String>,
    ) -> PyResult<String> {
        let since = since
            .map(|s| parse_timestamp(&s).map_err(|e| to_py_err(e.at("since"))))
            .transpose()?;
        self.with(py, |t| {
            t.check_follow_up(&conversation_id, since)
                .map(|c| to_json(&c))
        })?
        .map_err(to_py_err)
    }

    /// (messages, customers, conversations).
    fn counts(&self, py: Python<'_>) -> PyResult<(usize, usize, usize)> {
        self.with(py, |t| {
            (
                t.message_count(),
                t.customer_count(),
                t.conversation_count(),
            )
        })
    }

    /// The whole threader as bytes.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.with(py, |t| t.snapshot())?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// A threader from snapshot bytes.
    #[staticmethod]
    fn restore(py: Python<'_>, data: Vec<u8>) -> PyResult<Self> {
        let threader = py.detach(|| Threader::restore(&data)).map_err(to_py_err)?;
        Ok(NativeThreader {
            inner: Mutex::new(threader),
        })
    }
}

/// Threads a batch (JSON array or lines), resolving customers from senders when
/// `customer_ids` is None. Returns (the native threader, conversations JSON, conversation id
/// per record, customer id per record, rejections, notes).
#[pyfunction]
#[pyo3(signature = (messages_json, customer_ids = None, config_json = None, resolver_config_json = None))]
#[allow(clippy::type_complexity)]
pub(crate) fn thread_messages_json_batch(
    py: Python<'_>,
    messages_json: String,
    customer_ids: Option<Vec<String>>,
    config_json: Option<&str>,
    resolver_config_json: Option<&str>,
) -> PyResult<(
    NativeThreader,
    String,
    Vec<Option<String>>,
    Vec<String>,
    Vec<RejectionTuple>,
    Vec<(usize, String)>,
)> {
    let config: ThreadConfig = from_json(config_json, "config")?;
    let resolver_config: ResolverConfig = from_json(resolver_config_json, "resolver_config")?;
    let (t, conversations) = py
        .detach(|| {
            let t = thread_messages_json(&messages_json, customer_ids, config, resolver_config)?;
            let conversations = to_json(&t.threader.conversations());
            Ok::<_, Error>((t, conversations))
        })
        .map_err(to_py_err)?;
    let rejections = t.rejections.iter().map(rejection_tuple).collect();
    Ok((
        NativeThreader {
            inner: Mutex::new(t.threader),
        },
        conversations,
        t.conversation_ids,
        t.customer_ids,
        rejections,
        t.notes,
    ))
}
