//! Python bindings for identity resolution: the native resolver (JSON in and out; the `omni`
//! package wraps it in `omni.Resolver`) and the column-table entry point behind `omni.dedupe`.

use crate::{to_py_err, PyResultOmni};
use omni_core::resolve::{
    dedupe_table, estimate_model, observations_from_columns, parse_observation, parse_observations,
    Cell, Resolver, ResolverConfig,
};
use omni_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyList, PyString, PyTuple};
use serde::Serialize;
use std::sync::Mutex;

fn config_from(json: Option<&str>) -> PyResultOmni<ResolverConfig> {
    match json {
        None => Ok(ResolverConfig::default()),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            to_py_err(Error::new(
                ErrorKind::InvalidArgument,
                format!("config: {e}"),
            ))
        }),
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("omni values always serialise")
}

fn time_from(at: Option<&str>) -> PyResultOmni<Option<chrono::DateTime<chrono::Utc>>> {
    at.map(|t| omni_core::message::parse_timestamp(t).map_err(|e| to_py_err(e.at("at"))))
        .transpose()
}

/// A batch outcome without its rejections (they travel as tuples), as JSON.
fn summary_json(outcome: &omni_core::resolve::BatchOutcome) -> String {
    #[derive(Serialize)]
    struct Summary<'a> {
        assignments: &'a [(String, String)],
        added: usize,
        unchanged: usize,
        updated: usize,
        customers: usize,
        events: usize,
    }
    to_json(&Summary {
        assignments: &outcome.assignments,
        added: outcome.added,
        unchanged: outcome.unchanged,
        updated: outcome.updated,
        customers: outcome.customers,
        events: outcome.events,
    })
}

/// Reads column value lists into table cells.
fn read_table(
    names: Vec<String>,
    columns: Vec<Bound<'_, PyAny>>,
) -> PyResult<Vec<(String, Vec<Option<Cell>>)>> {
    if names.len() != columns.len() {
        return Err(to_py_err(Error::new(
            ErrorKind::InvalidArgument,
            "names and columns must have the same length",
        )));
    }
    let mut table = Vec::with_capacity(names.len());
    for (name, column) in names.into_iter().zip(columns) {
        let mut cells = Vec::new();
        for value in column.try_iter()? {
            cells.push(cell_from(&value?)?);
        }
        table.push((name, cells));
    }
    Ok(table)
}

/// A rejection as (index, id, code, kind, message).
pub(crate) type RejectionTuple = (usize, Option<String>, u32, &'static str, String);

pub(crate) fn rejection_tuple(r: &omni_core::message::Rejection) -> RejectionTuple {
    (
        r.index,
        r.id.clone(),
        r.error.code(),
        r.error.kind().name(),
        r.error.message().to_string(),
    )
}

/// The native resolver; use `omni.Resolver`, which wraps it with dicts.
#[pyclass(module = "omni._omni", frozen)]
pub(crate) struct NativeResolver {
    inner: Mutex<Resolver>,
}

impl NativeResolver {
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&mut Resolver) -> T + Send) -> PyResult<T>
    where
        T: Send,
    {
        py.detach(|| {
            let mut guard = self.inner.lock().map_err(|_| {
                Error::new(
                    ErrorKind::Internal,
                    "resolver: a previous call panicked while changing it",
                )
            })?;
            Ok(f(&mut guard))
        })
        .map_err(to_py_err)
    }
}

#[pymethods]
impl NativeResolver {
    #[new]
    #[pyo3(signature = (config_json = None))]
    fn new(config_json: Option<&str>) -> PyResult<Self> {
        let resolver = Resolver::new(config_from(config_json)?).map_err(to_py_err)?;
        Ok(NativeResolver {
            inner: Mutex::new(resolver),
        })
    }

    /// Adds one record (JSON); returns the outcome as JSON.
    fn add_json(&self, py: Python<'_>, record_json: String) -> PyResult<String> {
        let obs = parse_observation(&record_json).map_err(to_py_err)?;
        self.with(py, |r| r.add(obs).map(|o| to_json(&o)))?
            .map_err(to_py_err)
    }

    /// Adds many records (JSON array or lines); returns (outcome JSON, rejections).
    fn add_many_json(
        &self,
        py: Python<'_>,
        records_json: String,
    ) -> PyResult<(String, Vec<RejectionTuple>)> {
        let (good, mut rejected) = parse_observations(&records_json).map_err(to_py_err)?;
        let mut positions = Vec::with_capacity(good.len());
        let mut skip = rejected.iter().map(|r| r.index).peekable();
        let mut i = 0;
        while positions.len() < good.len() {
            if skip.peek() == Some(&i) {
                skip.next();
            } else {
                positions.push(i);
            }
            i += 1;
        }
        let outcome = self.with(py, |r| r.add_many(good))?.map_err(to_py_err)?;
        for mut r in outcome.rejections.clone() {
            r.index = positions[r.index];
            rejected.push(r);
        }
        rejected.sort_by_key(|r| r.index);
        Ok((
            summary_json(&outcome),
            rejected.iter().map(rejection_tuple).collect(),
        ))
    }

    /// Adds the rows of a table (column names and value lists, roles as in `dedupe`); returns
    /// (outcome JSON, rejections by row).
    fn add_many_columns(
        &self,
        py: Python<'_>,
        names: Vec<String>,
        columns: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<(String, Vec<RejectionTuple>)> {
        let table = read_table(names, columns)?;
        let fields = self.with(py, |r| r.config().fields.clone())?;
        let (good, mut rejected) = py
            .detach(|| observations_from_columns(&table, &fields))
            .map_err(to_py_err)?;
        let rows: Vec<usize> = {
            let skip: std::collections::HashSet<usize> = rejected.iter().map(|r| r.index).collect();
            (0..table.first().map_or(0, |(_, v)| v.len()))
                .filter(|i| !skip.contains(i))
                .collect()
        };
        let outcome = self.with(py, |r| r.add_many(good))?.map_err(to_py_err)?;
        for mut r in outcome.rejections.clone() {
            r.index = rows[r.index];
            rejected.push(r);
        }
        rejected.sort_by_key(|r| r.index);
        Ok((
            summary_json(&outcome),
            rejected.iter().map(rejection_tuple).collect(),
        ))
    }

    /// The customer id of a record or former customer id, or None.
    fn customer_of(&self, py: Python<'_>, id: String) -> PyResult<Option<String>> {
        self.with(py, |r| r.customer_of(&id).map(str::to_string))
    }

    /// The customer card as JSON, or None.
    fn customer_json(&self, py: Python<'_>, id: String) -> PyResult<Option<String>> {
        self.with(py, |r| r.customer(&id).map(|c| to_json(&c)))
    }

    /// The customer's records as JSON, or None.
    fn records_json(&self, py: Python<'_>, id: String) -> PyResult<Option<String>> {
        self.with(py, |r| r.records(&id).map(|c| to_json(&c)))
    }

    /// The customer's history as JSON, or None.
    fn history_json(&self, py: Python<'_>, id: String) -> PyResult<Option<String>> {
        self.with(py, |r| r.history(&id).map(|c| to_json(&c)))
    }

    /// The evidence of the links inside a customer as JSON, or None.
    fn links_json(&self, py: Python<'_>, id: String) -> PyResult<Option<String>> {
        self.with(py, |r| r.links(&id).map(|c| to_json(&c)))
    }

    /// Why two records are, or are not, one customer, as JSON.
    fn explain_json(&self, py: Python<'_>, a: String, b: String) -> PyResult<String> {
        self.with(py, |r| r.explain(&a, &b).map(|e| to_json(&e)))?
            .map_err(to_py_err)
    }

    /// Every current customer id, sorted.
    fn customer_ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, |r| {
            r.customer_ids().into_iter().map(str::to_string).collect()
        })
    }

    /// (records, customers).
    fn counts(&self, py: Python<'_>) -> PyResult<(usize, usize)> {
        self.with(py, |r| (r.record_count(), r.customer_count()))
    }

    /// Every record's customer as (record_id, customer_id) pairs.
    fn assignments(&self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        self.with(py, |r| {
            let mut out = Vec::new();
            for c in r.customer_ids() {
                for o in r.records(c).unwrap_or_default() {
                    out.push((o.record_id.clone(), c.to_string()));
                }
            }
            out
        })
    }

    /// The evidence of every link, flattened to rows: (record_a, record_b, customer_id,
    /// decision, total, threshold, field, level, value_a, value_b, weight).
    #[allow(clippy::type_complexity)]
    fn evidence_rows(
        &self,
        py: Python<'_>,
    ) -> PyResult<
        Vec<(
            String,
            String,
            String,
            &'static str,
            f64,
            f64,
            String,
            String,
            String,
            String,
            f64,
        )>,
    > {
        self.with(py, |r| {
            let mut rows = Vec::new();
            for (a, b, _, _) in r.all_links() {
                let Ok(e) = r.explain(a, b) else { continue };
                let customer = r.customer_of(a).unwrap_or_default().to_string();
                let decision = match e.decision {
                    omni_core::resolve::PairDecision::Identifier => "identifier",
                    omni_core::resolve::PairDecision::Score => "score",
                    omni_core::resolve::PairDecision::Conflict => "conflict",
                    omni_core::resolve::PairDecision::None => "none",
                };
                for c in &e.comparisons {
                    rows.push((
                        e.record_a.clone(),
                        e.record_b.clone(),
                        customer.clone(),
                        decision,
                        e.total,
                        e.threshold,
                        c.field.clone(),
                        c.level.clone(),
                        c.values.0.clone(),
                        c.values.1.clone(),
                        c.weight,
                    ));
                }
            }
            rows
        })
    }

    /// Merges two customers by hand; the event as JSON ("null" when already one).
    #[pyo3(signature = (a, b, at = None))]
    fn merge_json(
        &self,
        py: Python<'_>,
        a: String,
        b: String,
        at: Option<String>,
    ) -> PyResult<String> {
        let at = time_from(at.as_deref())?;
        self.with(py, |r| r.merge(&a, &b, at).map(|e| to_json(&e)))?
            .map_err(to_py_err)
    }

    /// Marks two customers as never to be merged; the event as JSON.
    #[pyo3(signature = (a, b, at = None))]
    fn never_merge_json(
        &self,
        py: Python<'_>,
        a: String,
        b: String,
        at: Option<String>,
    ) -> PyResult<String> {
        let at = time_from(at.as_deref())?;
        self.with(py, |r| r.never_merge(&a, &b, at).map(|e| to_json(&e)))?
            .map_err(to_py_err)
    }

    /// Splits records off a customer; the events as JSON.
    #[pyo3(signature = (customer_id, record_ids, at = None))]
    fn split_json(
        &self,
        py: Python<'_>,
        customer_id: String,
        record_ids: Vec<String>,
        at: Option<String>,
    ) -> PyResult<String> {
        let at = time_from(at.as_deref())?;
        self.with(py, |r| {
            let ids: Vec<&str> = record_ids.iter().map(String::as_str).collect();
            r.split(&customer_id, &ids, at).map(|e| to_json(&e))
        })?
        .map_err(to_py_err)
    }

    /// Undoes a merge event; the events as JSON.
    #[pyo3(signature = (seq, at = None))]
    fn unmerge_json(&self, py: Python<'_>, seq: u64, at: Option<String>) -> PyResult<String> {
        let at = time_from(at.as_deref())?;
        self.with(py, |r| r.unmerge(seq, at).map(|e| to_json(&e)))?
            .map_err(to_py_err)
    }

    /// The whole resolver as bytes.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.with(py, |r| r.snapshot())?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// A resolver from snapshot bytes.
    #[staticmethod]
    fn restore(py: Python<'_>, data: Vec<u8>) -> PyResult<Self> {
        let resolver = py.detach(|| Resolver::restore(&data)).map_err(to_py_err)?;
        Ok(NativeResolver {
            inner: Mutex::new(resolver),
        })
    }
}

/// Reads one table cell: None, text, a list of texts, a number (phones stored as floats keep
/// their digits), a date or time (ISO 8601).
fn cell_from(value: &Bound<'_, PyAny>) -> PyResult<Option<Cell>> {
    if value.is_none() {
        return Ok(None);
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Some(Cell::Text(s.to_cow()?.into_owned())));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        let x = f.value();
        return Ok(if x.is_nan() {
            None
        } else if x.fract() == 0.0 && x.abs() < 1e16 {
            Some(Cell::Text(format!("{}", x as i64)))
        } else {
            Some(Cell::Text(x.to_string()))
        });
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in value.try_iter()? {
            if let Some(c) = cell_from(&item?)? {
                match c {
                    Cell::Text(t) => items.push(t),
                    Cell::List(l) => items.extend(l),
                }
            }
        }
        return Ok(Some(Cell::List(items)));
    }
    if value.hasattr("isoformat")? {
        let text: String = value.call_method0("isoformat")?.extract()?;
        return Ok(Some(Cell::Text(text)));
    }
    if value.hasattr("tolist")? {
        return cell_from(&value.call_method0("tolist")?);
    }
    Ok(Some(Cell::Text(value.str()?.to_cow()?.into_owned())))
}

/// Deduplicates a table given as column names and column value lists. Returns (the native
/// resolver, each row's customer id or None, rejections, the estimation as JSON or None).
#[pyfunction]
#[pyo3(signature = (names, columns, config_json = None, estimate = false))]
#[allow(clippy::type_complexity)]
pub(crate) fn dedupe_columns(
    py: Python<'_>,
    names: Vec<String>,
    columns: Vec<Bound<'_, PyAny>>,
    config_json: Option<&str>,
    estimate: bool,
) -> PyResult<(
    NativeResolver,
    Vec<Option<String>>,
    Vec<RejectionTuple>,
    Option<String>,
)> {
    let config = config_from(config_json)?;
    let table = read_table(names, columns)?;
    let resolution = py
        .detach(|| dedupe_table(&table, config, estimate))
        .map_err(to_py_err)?;
    let rejections = resolution.rejections.iter().map(rejection_tuple).collect();
    let estimation = resolution.estimation.as_ref().map(to_json);
    Ok((
        NativeResolver {
            inner: Mutex::new(resolution.resolver),
        },
        resolution.customer_ids,
        rejections,
        estimation,
    ))
}

/// Estimates the match model from records (JSON array or lines); the estimation as JSON.
#[pyfunction]
#[pyo3(signature = (records_json, config_json = None))]
pub(crate) fn estimate_model_json(
    py: Python<'_>,
    records_json: String,
    config_json: Option<&str>,
) -> PyResult<String> {
    let config = config_from(config_json)?;
    py.detach(|| {
        let (good, _) = parse_observations(&records_json)?;
        estimate_model(&good, &config).map(|e| to_json(&e))
    })
    .map_err(to_py_err)
}
