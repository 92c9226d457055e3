//! Python bindings for lead triage: the native classifier (the `omni` package wraps it in
//! `omni.Classifier`, `omni.classify` and `omni.classify_many`) and the assessment objects.

use crate::{to_py_err, PyResultOmni};
use omni_core::classify::{
    evaluate, parse_examples, train, Assessment as CoreAssessment, Classifier, ClassifyInput,
    Model, TrainOptions,
};
use omni_core::{Channel, Direction, Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::collections::BTreeMap;

fn invalid(message: String) -> PyErr {
    to_py_err(Error::new(ErrorKind::InvalidArgument, message))
}

fn direction_of(name: &str) -> PyResultOmni<Direction> {
    match name.trim().to_ascii_lowercase().as_str() {
        "inbound" | "in" => Ok(Direction::Inbound),
        "outbound" | "out" => Ok(Direction::Outbound),
        other => Err(invalid(format!(
            "direction: {other:?} is neither \"inbound\" nor \"outbound\""
        ))),
    }
}

/// One reason behind an assessment: what it is, the text or value it rests on, and the points
/// it adds to the score.
#[pyclass(module = "omni", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct Signal {
    /// "channel", "purchase_phrase", "contact", "urgency", "money", "model", ...
    #[pyo3(get)]
    name: &'static str,
    /// The text or value as it stood in the message.
    #[pyo3(get)]
    evidence: String,
    /// Points added to (or taken from) the score.
    #[pyo3(get)]
    contribution: i32,
}

#[pymethods]
impl Signal {
    fn __repr__(&self) -> String {
        format!(
            "Signal(name={:?}, evidence={:?}, contribution={})",
            self.name, self.evidence, self.contribution
        )
    }
}

/// A contact detail found in a message. `source` is "text", "subject" or
/// "form_fields.<name>"; `start` and `end` are character offsets into that value.
#[pyclass(module = "omni", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct LeftContact {
    /// Where it was found.
    #[pyo3(get)]
    source: String,
    /// The identifier kind: "phone", "email", "telegram_username", ...
    #[pyo3(get)]
    kind: &'static str,
    /// The normalised value.
    #[pyo3(get)]
    value: String,
    /// The text as it stood.
    #[pyo3(get)]
    raw: String,
    /// Character offset where it starts in its source.
    #[pyo3(get)]
    start: usize,
    /// Character offset just past its end.
    #[pyo3(get)]
    end: usize,
}

#[pymethods]
impl LeftContact {
    fn __repr__(&self) -> String {
        format!(
            "LeftContact(source={:?}, kind={:?}, value={:?}, raw={:?}, start={}, end={})",
            self.source, self.kind, self.value, self.raw, self.start, self.end
        )
    }
}

/// The verdict on one message: kind, intents, score and temperature, the signals behind them,
/// contacts left, the channel an opt-out revokes, and whether a sale is possible.
#[pyclass(module = "omni", frozen)]
pub(crate) struct Assessment {
    /// "new_lead", "existing_customer", "support", "spam", "opt_out", "auto_reply",
    /// "not_applicable".
    #[pyo3(get)]
    kind: &'static str,
    /// What the sender wants: "purchase", "price", "callback", "booking", "order_status",
    /// "payment", "complaint", "cancellation", "opt_out", "greeting", "other".
    #[pyo3(get)]
    intents: Vec<&'static str>,
    /// How promising a sale it is, 0 to 100.
    #[pyo3(get)]
    score: u8,
    /// "hot", "warm" or "cold".
    #[pyo3(get)]
    temperature: &'static str,
    /// The reasons, in the order found.
    #[pyo3(get)]
    signals: Vec<Signal>,
    /// Contact details found in the message.
    #[pyo3(get)]
    contacts: Vec<LeftContact>,
    /// For an opt-out, the channel whose consent it revokes; else None.
    #[pyo3(get)]
    opt_out_channel: Option<String>,
    /// A new lead, or an existing customer asking to buy, for a price or to book.
    #[pyo3(get)]
    sales_opportunity: bool,
    /// The model's probability of the kind (1.0 when a rule decided).
    #[pyo3(get)]
    confidence: f32,
    /// Only a prefix of an over-long message was read.
    #[pyo3(get)]
    truncated: bool,
}

/// Character offset of byte `b` in `s` (the end when `b` is out of range).
fn char_offset(s: &str, b: usize) -> usize {
    s.get(..b)
        .map_or_else(|| s.chars().count(), |p| p.chars().count())
}

impl Assessment {
    fn from_core(a: CoreAssessment, input: &ClassifyInput) -> Self {
        let contacts = a
            .contacts
            .into_iter()
            .map(|c| {
                let source_text: &str = match c.source.as_str() {
                    "text" => &input.text,
                    "subject" => input.subject.as_deref().unwrap_or(""),
                    other => other
                        .strip_prefix("form_fields.")
                        .and_then(|name| input.form_fields.get(name))
                        .map_or("", String::as_str),
                };
                LeftContact {
                    kind: c.contact.kind.name(),
                    start: char_offset(source_text, c.contact.start),
                    end: char_offset(source_text, c.contact.end),
                    value: c.contact.value,
                    raw: c.contact.raw,
                    source: c.source,
                }
            })
            .collect();
        Assessment {
            kind: a.kind.name(),
            intents: a.intents.iter().map(|i| i.name()).collect(),
            score: a.score,
            temperature: a.temperature.name(),
            signals: a
                .signals
                .into_iter()
                .map(|s| Signal {
                    name: s.name.name(),
                    evidence: s.evidence,
                    contribution: s.contribution,
                })
                .collect(),
            contacts,
            opt_out_channel: a.opt_out_channel.map(|c| c.name().to_string()),
            sales_opportunity: a.sales_opportunity,
            confidence: a.confidence,
            truncated: a.truncated,
        }
    }
}

#[pymethods]
impl Assessment {
    fn __repr__(&self) -> String {
        format!(
            "Assessment(kind={:?}, intents={:?}, score={}, temperature={:?}, opt_out_channel={}, sales_opportunity={})",
            self.kind,
            self.intents,
            self.score,
            self.temperature,
            self.opt_out_channel
                .as_deref()
                .map_or("None".into(), |c| format!("{c:?}")),
            if self.sales_opportunity { "True" } else { "False" },
        )
    }

    /// The assessment as a dict (signals and contacts as dicts too).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.kind)?;
        d.set_item("intents", &self.intents)?;
        d.set_item("score", self.score)?;
        d.set_item("temperature", self.temperature)?;
        let signals: Vec<Bound<'py, PyDict>> = self
            .signals
            .iter()
            .map(|s| {
                let x = PyDict::new(py);
                x.set_item("name", s.name)?;
                x.set_item("evidence", &s.evidence)?;
                x.set_item("contribution", s.contribution)?;
                Ok(x)
            })
            .collect::<PyResult<_>>()?;
        d.set_item("signals", signals)?;
        let contacts: Vec<Bound<'py, PyDict>> = self
            .contacts
            .iter()
            .map(|c| {
                let x = PyDict::new(py);
                x.set_item("source", &c.source)?;
                x.set_item("kind", c.kind)?;
                x.set_item("value", &c.value)?;
                x.set_item("raw", &c.raw)?;
                x.set_item("start", c.start)?;
                x.set_item("end", c.end)?;
                Ok(x)
            })
            .collect::<PyResult<_>>()?;
        d.set_item("contacts", contacts)?;
        d.set_item("opt_out_channel", &self.opt_out_channel)?;
        d.set_item("sales_opportunity", self.sales_opportunity)?;
        d.set_item("confidence", self.confidence)?;
        d.set_item("truncated", self.truncated)?;
        Ok(d)
    }
}

/// The native classifier; use `omni.Classifier`, which wraps it.
#[pyclass(module = "omni._omni", frozen)]
pub(crate) struct NativeClassifier {
    inner: Classifier,
}

#[allow(clippy::too_many_arguments)]
fn input_of(
    text: Option<String>,
    channel: &str,
    direction: &str,
    known_customer: bool,
    open_conversation: bool,
    subject: Option<String>,
    form_fields: Option<BTreeMap<String, String>>,
    call_status: Option<String>,
    duration_s: Option<f64>,
) -> PyResultOmni<ClassifyInput> {
    let mut input = ClassifyInput::new(text.unwrap_or_default(), Channel::from_name(channel));
    input.direction = direction_of(direction)?;
    input.known_customer = known_customer;
    input.open_conversation = open_conversation;
    input.subject = subject;
    input.form_fields = form_fields.unwrap_or_default();
    input.call_status = call_status;
    input.duration_s = duration_s;
    Ok(input)
}

fn same_length<T>(name: &str, v: &[T], n: usize) -> PyResultOmni<()> {
    if v.len() == n {
        Ok(())
    } else {
        Err(invalid(format!(
            "{name}: {} values for {n} texts; give one per text",
            v.len()
        )))
    }
}

#[pymethods]
impl NativeClassifier {
    /// A classifier with the built-in model, reading phone numbers as numbers of `region`.
    #[new]
    #[pyo3(signature = (region = "RU"))]
    fn new(region: &str) -> PyResult<Self> {
        let inner = Classifier::new().with_region(region).map_err(to_py_err)?;
        Ok(NativeClassifier { inner })
    }

    /// A classifier from model bytes (`model_bytes()` of another). Raises InvalidModelError.
    #[staticmethod]
    fn from_model(py: Python<'_>, data: Vec<u8>) -> PyResult<Self> {
        let model = py.detach(|| Model::from_bytes(&data)).map_err(to_py_err)?;
        Ok(NativeClassifier {
            inner: Classifier::with_model(model),
        })
    }

    /// Trains a model on labelled examples (JSON array or lines) with options (JSON or None).
    #[staticmethod]
    #[pyo3(signature = (examples_json, options_json = None))]
    fn train(
        py: Python<'_>,
        examples_json: String,
        options_json: Option<String>,
    ) -> PyResult<Self> {
        let options: TrainOptions = match options_json.as_deref() {
            None => TrainOptions::default(),
            Some(text) => {
                serde_json::from_str(text).map_err(|e| invalid(format!("options: {e}")))?
            }
        };
        let model = py
            .detach(|| {
                let examples = parse_examples(&examples_json)?;
                train(&examples, &options)
            })
            .map_err(to_py_err)?;
        Ok(NativeClassifier {
            inner: Classifier::with_model(model),
        })
    }

    /// The model as bytes (versioned, checksummed).
    fn model_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let bytes = py.detach(|| self.inner.model().to_bytes());
        PyBytes::new(py, &bytes)
    }

    /// How many examples the model was trained on.
    fn model_examples(&self) -> usize {
        self.inner.model().examples()
    }

    /// Assesses one message.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (text, channel = "whatsapp", direction = "inbound", known_customer = false,
        open_conversation = false, subject = None, form_fields = None, call_status = None,
        duration_s = None))]
    fn classify(
        &self,
        py: Python<'_>,
        text: Option<String>,
        channel: &str,
        direction: &str,
        known_customer: bool,
        open_conversation: bool,
        subject: Option<String>,
        form_fields: Option<BTreeMap<String, String>>,
        call_status: Option<String>,
        duration_s: Option<f64>,
    ) -> PyResult<Assessment> {
        let input = input_of(
            text,
            channel,
            direction,
            known_customer,
            open_conversation,
            subject,
            form_fields,
            call_status,
            duration_s,
        )?;
        let a = py.detach(|| self.inner.classify(&input));
        Ok(Assessment::from_core(a, &input))
    }

    /// Assesses many messages without holding the GIL: one value per text in every list.
    #[allow(clippy::too_many_arguments)]
    fn classify_many(
        &self,
        py: Python<'_>,
        texts: Vec<Option<String>>,
        channels: Vec<String>,
        directions: Vec<String>,
        known_customers: Vec<bool>,
        open_conversations: Vec<bool>,
        subjects: Vec<Option<String>>,
        call_statuses: Vec<Option<String>>,
    ) -> PyResult<Vec<Assessment>> {
        let n = texts.len();
        same_length("channel", &channels, n)?;
        same_length("direction", &directions, n)?;
        same_length("known_customer", &known_customers, n)?;
        same_length("open_conversation", &open_conversations, n)?;
        same_length("subject", &subjects, n)?;
        same_length("call_status", &call_statuses, n)?;
        let mut inputs = Vec::with_capacity(n);
        for (i, text) in texts.into_iter().enumerate() {
            inputs.push(input_of(
                text,
                &channels[i],
                &directions[i],
                known_customers[i],
                open_conversations[i],
                subjects[i].clone(),
                None,
                call_statuses[i].clone(),
                None,
            )?);
        }
        let results: Vec<CoreAssessment> =
            py.detach(|| inputs.iter().map(|i| self.inner.classify(i)).collect());
        Ok(results
            .into_iter()
            .zip(&inputs)
            .map(|(a, i)| Assessment::from_core(a, i))
            .collect())
    }

    /// Assesses inputs given as JSON (array or lines); returns assessments as JSON.
    fn classify_json(&self, py: Python<'_>, inputs_json: String) -> PyResult<String> {
        py.detach(|| {
            let inputs = omni_core::classify::parse_inputs(&inputs_json)?;
            let results: Vec<CoreAssessment> =
                inputs.iter().map(|i| self.inner.classify(i)).collect();
            serde_json::to_string(&results)
                .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
        })
        .map_err(to_py_err)
    }

    /// Evaluates on labelled examples (JSON); returns the report as JSON.
    fn evaluate_json(&self, py: Python<'_>, examples_json: String) -> PyResult<String> {
        py.detach(|| {
            let examples = parse_examples(&examples_json)?;
            let report = evaluate(&self.inner, &examples);
            serde_json::to_string(&report)
                .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))
        })
        .map_err(to_py_err)
    }
}
