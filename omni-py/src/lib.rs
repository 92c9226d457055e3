//! Python bindings for omni: the native module `omni._omni`. Converts Python arguments into owned
//! Rust values, releases the GIL around each core call, converts the result back. No behaviour
//! lives here; the pure-Python package `omni` adds DataFrame conveniences on top.

use omni_core::{ErrorKind, IdentifierKind, PhoneNormalizer};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

mod adapt;
mod classify;
mod engine;
mod resolve;
mod thread;

mod errors {
    use super::*;
    create_exception!(
        omni,
        OmniError,
        PyException,
        "Base class of every omni error; has `.code` and `.kind`."
    );
    create_exception!(omni, InternalError, OmniError, "A bug inside omni.");
    create_exception!(
        omni,
        InvalidArgumentError,
        OmniError,
        "An argument outside what the function accepts."
    );
    create_exception!(
        omni,
        InputTooLargeError,
        OmniError,
        "Input larger than the documented limit."
    );
    create_exception!(
        omni,
        InvalidUtf8Error,
        OmniError,
        "Bytes that are not UTF-8."
    );
    create_exception!(
        omni,
        InvalidPhoneError,
        OmniError,
        "A phone number that cannot be used."
    );
    create_exception!(
        omni,
        InvalidEmailError,
        OmniError,
        "An email address that is not valid."
    );
    create_exception!(
        omni,
        InvalidHandleError,
        OmniError,
        "A messenger or social handle that is not valid."
    );
    create_exception!(
        omni,
        InvalidNameError,
        OmniError,
        "A person name with nothing usable in it."
    );
    create_exception!(
        omni,
        InvalidJsonError,
        OmniError,
        "Text that is not well-formed JSON."
    );
    create_exception!(
        omni,
        FieldMissingError,
        OmniError,
        "A required field is missing."
    );
    create_exception!(
        omni,
        InvalidFieldError,
        OmniError,
        "A field has an unacceptable value."
    );
    create_exception!(
        omni,
        UnsupportedVersionError,
        OmniError,
        "A format version this build does not read."
    );
    create_exception!(
        omni,
        NotFoundError,
        OmniError,
        "No customer, record, conversation or event with that id."
    );
    create_exception!(
        omni,
        InvalidSnapshotError,
        OmniError,
        "Bytes that are not an omni snapshot, or a corrupted one."
    );
    create_exception!(
        omni,
        InvalidModelError,
        OmniError,
        "Bytes that are not an omni triage model, or a corrupted one."
    );

    /// The exception class for an error kind, with its Python name.
    pub(crate) fn class_of(
        py: Python<'_>,
        kind: ErrorKind,
    ) -> (&'static str, Bound<'_, pyo3::types::PyType>) {
        match kind {
            ErrorKind::Internal => ("InternalError", py.get_type::<InternalError>()),
            ErrorKind::InvalidArgument => (
                "InvalidArgumentError",
                py.get_type::<InvalidArgumentError>(),
            ),
            ErrorKind::InputTooLarge => ("InputTooLargeError", py.get_type::<InputTooLargeError>()),
            ErrorKind::InvalidUtf8 => ("InvalidUtf8Error", py.get_type::<InvalidUtf8Error>()),
            ErrorKind::InvalidPhone => ("InvalidPhoneError", py.get_type::<InvalidPhoneError>()),
            ErrorKind::InvalidEmail => ("InvalidEmailError", py.get_type::<InvalidEmailError>()),
            ErrorKind::InvalidHandle => ("InvalidHandleError", py.get_type::<InvalidHandleError>()),
            ErrorKind::InvalidName => ("InvalidNameError", py.get_type::<InvalidNameError>()),
            ErrorKind::InvalidJson => ("InvalidJsonError", py.get_type::<InvalidJsonError>()),
            ErrorKind::FieldMissing => ("FieldMissingError", py.get_type::<FieldMissingError>()),
            ErrorKind::InvalidField => ("InvalidFieldError", py.get_type::<InvalidFieldError>()),
            ErrorKind::UnsupportedVersion => (
                "UnsupportedVersionError",
                py.get_type::<UnsupportedVersionError>(),
            ),
            ErrorKind::NotFound => ("NotFoundError", py.get_type::<NotFoundError>()),
            ErrorKind::InvalidSnapshot => (
                "InvalidSnapshotError",
                py.get_type::<InvalidSnapshotError>(),
            ),
            ErrorKind::InvalidModel => ("InvalidModelError", py.get_type::<InvalidModelError>()),
            _ => ("OmniError", py.get_type::<OmniError>()),
        }
    }
}

/// Converts an omni error into the Python exception of its kind, with `.code` and `.kind` set.
pub(crate) fn to_py_err(e: omni_core::Error) -> PyErr {
    Python::attach(|py| {
        let (_, class) = errors::class_of(py, e.kind());
        let err = PyErr::from_type(class, e.message().to_string());
        let value = err.value(py);
        // Setting attributes on a fresh exception instance cannot fail in practice; if it did,
        // the exception still carries its class and message.
        let _ = value.setattr("code", e.code());
        let _ = value.setattr("kind", e.kind().name());
        err
    })
}

pub(crate) type PyResultOmni<T> = Result<T, PyErr>;

fn phone_normalizer(region: &str) -> PyResultOmni<PhoneNormalizer> {
    PhoneNormalizer::new(region).map_err(to_py_err)
}

/// A normalised phone number.
#[pyclass(module = "omni", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
struct Phone {
    /// E.164 form, e.g. "+79123456789".
    #[pyo3(get)]
    e164: String,
    /// ISO 3166 region ("RU", "KZ", "001" for non-geographic), or None.
    #[pyo3(get)]
    region: Option<String>,
    /// Line type: "mobile", "fixed_line", "toll_free", ... or "unknown".
    #[pyo3(get)]
    kind: &'static str,
    /// Whether the number is valid in its numbering plan.
    #[pyo3(get)]
    valid: bool,
    /// Extension digits, or None.
    #[pyo3(get)]
    extension: Option<String>,
}

impl From<omni_core::Phone> for Phone {
    fn from(p: omni_core::Phone) -> Self {
        Phone {
            e164: p.e164,
            region: p.region,
            kind: p.kind.name(),
            valid: p.valid,
            extension: p.extension,
        }
    }
}

#[pymethods]
impl Phone {
    fn __repr__(&self) -> String {
        format!(
            "Phone(e164={:?}, region={}, kind={:?}, valid={}, extension={})",
            self.e164,
            self.region
                .as_deref()
                .map_or("None".into(), |r| format!("{r:?}")),
            self.kind,
            if self.valid { "True" } else { "False" },
            self.extension
                .as_deref()
                .map_or("None".into(), |x| format!("{x:?}")),
        )
    }

    fn __str__(&self) -> String {
        self.e164.clone()
    }

    /// The fields as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        d.set_item("e164", &self.e164)?;
        d.set_item("region", &self.region)?;
        d.set_item("kind", self.kind)?;
        d.set_item("valid", self.valid)?;
        d.set_item("extension", &self.extension)?;
        Ok(d)
    }
}

/// Normalises one phone number to E.164 with region, line type, validity and extension.
/// National formats are read as numbers of `region`. With `strict=True` a number that parses
/// but is not valid in its numbering plan raises too, with the reason.
///
/// >>> omni.normalize_phone("8 (912) 345-67-89").e164
/// '+79123456789'
///
/// Raises InvalidPhoneError (a subclass of OmniError) on unusable input.
#[pyfunction]
#[pyo3(signature = (text, region = "RU", strict = false))]
fn normalize_phone(py: Python<'_>, text: String, region: &str, strict: bool) -> PyResult<Phone> {
    let normalizer = phone_normalizer(region)?;
    py.detach(|| {
        if strict {
            normalizer.normalize_valid(&text)
        } else {
            normalizer.normalize(&text)
        }
    })
    .map(Phone::from)
    .map_err(to_py_err)
}

/// Normalises many phone numbers without holding the GIL. Returns a list of the same length
/// with None where an input is unusable (or is None; with `strict=True`, also not valid).
#[pyfunction]
#[pyo3(signature = (texts, region = "RU", strict = false))]
fn normalize_phones(
    py: Python<'_>,
    texts: Vec<Option<String>>,
    region: &str,
    strict: bool,
) -> PyResult<Vec<Option<Phone>>> {
    let normalizer = phone_normalizer(region)?;
    let results: Vec<Option<omni_core::Phone>> = py.detach(|| {
        texts
            .iter()
            .map(|t| {
                t.as_deref().and_then(|t| {
                    if strict {
                        normalizer.normalize_valid(t).ok()
                    } else {
                        normalizer.normalize(t).ok()
                    }
                })
            })
            .collect()
    });
    Ok(results.into_iter().map(|p| p.map(Phone::from)).collect())
}

/// Like normalize_phones but returns only the E.164 strings (None where unusable): the fastest
/// form for filling a DataFrame column.
#[pyfunction]
#[pyo3(signature = (texts, region = "RU"))]
fn normalize_phones_e164(
    py: Python<'_>,
    texts: Vec<Option<String>>,
    region: &str,
) -> PyResult<Vec<Option<String>>> {
    let normalizer = phone_normalizer(region)?;
    Ok(py.detach(|| {
        texts
            .iter()
            .map(|t| {
                t.as_deref()
                    .and_then(|t| normalizer.normalize(t).ok())
                    .map(|p| p.e164)
            })
            .collect()
    }))
}

/// A validated email address with its canonical matching key.
#[pyclass(module = "omni", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
struct Email {
    /// The bare address as written (case kept), without a display name or mailto:.
    #[pyo3(get)]
    original: String,
    /// The canonical matching key (provider rules applied).
    #[pyo3(get)]
    canonical: String,
    /// The provider family whose rules applied ("gmail", "yandex", ...), or None.
    #[pyo3(get)]
    provider: Option<String>,
}

impl From<omni_core::Email> for Email {
    fn from(e: omni_core::Email) -> Self {
        Email {
            original: e.original,
            canonical: e.canonical,
            provider: e.provider,
        }
    }
}

#[pymethods]
impl Email {
    fn __repr__(&self) -> String {
        format!(
            "Email(original={:?}, canonical={:?}, provider={})",
            self.original,
            self.canonical,
            self.provider
                .as_deref()
                .map_or("None".into(), |p| format!("{p:?}"))
        )
    }

    fn __str__(&self) -> String {
        self.canonical.clone()
    }
}

/// Validates an email address and computes its canonical matching key under the provider rules
/// (Gmail dots and +tags, Yandex domains, ...), keeping the original for display.
///
/// >>> omni.normalize_email("Ivan.Petrov+shop@GMAIL.com").canonical
/// 'ivanpetrov@gmail.com'
///
/// Raises InvalidEmailError on an invalid address.
#[pyfunction]
fn normalize_email(py: Python<'_>, text: String) -> PyResult<Email> {
    py.detach(|| omni_core::normalize_email(&text))
        .map(Email::from)
        .map_err(to_py_err)
}

/// Email provider rules: which providers ignore dots, drop +tags or share one mailbox across
/// domains. `EmailRules()` is the documented default table; pass JSON text or a dict of the same
/// shape (`{"providers": [...]}`) for your own; `EmailRules.empty()` has no rules.
#[pyclass(module = "omni", frozen, name = "EmailRules")]
struct PyEmailRules {
    inner: omni_core::EmailRules,
}

#[pymethods]
impl PyEmailRules {
    #[new]
    #[pyo3(signature = (rules = None))]
    fn new(rules: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let inner = match rules {
            None => omni_core::EmailRules::default(),
            Some(value) => {
                let text: String = if let Ok(s) = value.extract::<String>() {
                    s
                } else {
                    let json = value.py().import("json")?;
                    json.call_method1("dumps", (value,))?.extract()?
                };
                omni_core::EmailRules::from_json(&text).map_err(to_py_err)?
            }
        };
        Ok(PyEmailRules { inner })
    }

    /// Rules with no provider: only lower-casing.
    #[staticmethod]
    fn empty() -> Self {
        PyEmailRules {
            inner: omni_core::EmailRules::empty(),
        }
    }

    /// The rules as JSON text (the shape the constructor reads).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Normalises one address under these rules. Raises InvalidEmailError.
    fn normalize(&self, py: Python<'_>, text: String) -> PyResult<Email> {
        py.detach(|| self.inner.normalize(&text))
            .map(Email::from)
            .map_err(to_py_err)
    }

    /// Normalises many addresses without holding the GIL; None where invalid.
    fn normalize_many(&self, py: Python<'_>, texts: Vec<Option<String>>) -> Vec<Option<Email>> {
        let results: Vec<Option<omni_core::Email>> = py.detach(|| {
            texts
                .iter()
                .map(|t| t.as_deref().and_then(|t| self.inner.normalize(t).ok()))
                .collect()
        });
        results.into_iter().map(|e| e.map(Email::from)).collect()
    }
}

/// Normalises many email addresses without holding the GIL; None where an input is invalid.
#[pyfunction]
fn normalize_emails(py: Python<'_>, texts: Vec<Option<String>>) -> Vec<Option<Email>> {
    let rules = omni_core::EmailRules::default();
    let results: Vec<Option<omni_core::Email>> = py.detach(|| {
        texts
            .iter()
            .map(|t| t.as_deref().and_then(|t| rules.normalize(t).ok()))
            .collect()
    });
    results.into_iter().map(|e| e.map(Email::from)).collect()
}

/// A normalised identifier: a kind ("phone", "telegram_username", ...) and a canonical value.
#[pyclass(module = "omni", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
struct Identifier {
    /// The identifier kind, snake_case.
    #[pyo3(get)]
    kind: &'static str,
    /// The canonical value.
    #[pyo3(get)]
    value: String,
}

impl From<omni_core::Identifier> for Identifier {
    fn from(i: omni_core::Identifier) -> Self {
        Identifier {
            kind: i.kind.name(),
            value: i.value,
        }
    }
}

#[pymethods]
impl Identifier {
    fn __repr__(&self) -> String {
        format!("Identifier(kind={:?}, value={:?})", self.kind, self.value)
    }
}

/// Normalises a messenger or social handle of the given identifier kind ("telegram_username",
/// "whatsapp", "vk_id", "instagram", ...) into its identifiers (a WhatsApp id yields its phone too).
/// Raises InvalidHandleError, or InvalidArgumentError for an unknown kind.
#[pyfunction]
fn normalize_handle(py: Python<'_>, kind: &str, text: String) -> PyResult<Vec<Identifier>> {
    let kind = IdentifierKind::from_name(kind).ok_or_else(|| {
        to_py_err(omni_core::Error::new(
            ErrorKind::InvalidArgument,
            format!("kind: unknown identifier kind {kind:?}"),
        ))
    })?;
    let ids = py
        .detach(|| omni_core::normalize_handle(kind, &text))
        .map_err(to_py_err)?;
    Ok(ids.into_iter().map(Identifier::from).collect())
}

/// Recognises a profile link or handle ("t.me/name", "vk.com/id1", "instagram.com/name") and
/// returns its identifier. Raises InvalidHandleError.
#[pyfunction]
fn parse_profile_link(py: Python<'_>, text: String) -> PyResult<Identifier> {
    py.detach(|| omni_core::parse_profile_link(&text))
        .map(Identifier::from)
        .map_err(to_py_err)
}

/// The normalised person name as JSON (the `omni.normalize_name` wrapper returns a dict).
#[pyfunction]
fn normalize_name_json(py: Python<'_>, text: String) -> PyResult<String> {
    let name = py
        .detach(|| omni_core::normalize_name(&text))
        .map_err(to_py_err)?;
    serde_json::to_string(&name)
        .map_err(|e| to_py_err(omni_core::Error::new(ErrorKind::Internal, e.to_string())))
}

/// How similar two person names are, from 0.0 to 1.0, across scripts, nicknames and word order.
///
/// >>> omni.name_similarity("Иванов Иван", "Ivan Ivanov") > 0.9
/// True
#[pyfunction]
fn name_similarity(a: &str, b: &str) -> f64 {
    omni_core::name_similarity(a, b)
}

/// A contact detail found in text. `start` and `end` are character offsets into the Python
/// string, so `text[c.start:c.end] == c.raw`.
#[pyclass(module = "omni", frozen, eq)]
#[derive(Clone, PartialEq)]
struct Contact {
    /// The identifier kind: "phone", "email", "telegram_username", ...
    #[pyo3(get)]
    kind: &'static str,
    /// The normalised value.
    #[pyo3(get)]
    value: String,
    /// The text as it stood.
    #[pyo3(get)]
    raw: String,
    /// Character offset where it starts.
    #[pyo3(get)]
    start: usize,
    /// Character offset just past its end.
    #[pyo3(get)]
    end: usize,
    /// A phone's extension digits, or None.
    #[pyo3(get)]
    extension: Option<String>,
}

#[pymethods]
impl Contact {
    fn __repr__(&self) -> String {
        let extension = self
            .extension
            .as_deref()
            .map_or(String::new(), |x| format!(", extension={x:?}"));
        format!(
            "Contact(kind={:?}, value={:?}, raw={:?}, start={}, end={}{extension})",
            self.kind, self.value, self.raw, self.start, self.end
        )
    }
}

/// Converts byte-offset contacts to Python character offsets.
fn contacts_with_char_offsets(text: &str, found: Vec<omni_core::FoundContact>) -> Vec<Contact> {
    let mut chars_before = 0usize;
    let mut last_byte = 0usize;
    let mut char_at = |byte: usize| {
        if byte >= last_byte {
            chars_before += text[last_byte..byte].chars().count();
        } else {
            chars_before = text[..byte].chars().count();
        }
        last_byte = byte;
        chars_before
    };
    found
        .into_iter()
        .map(|c| {
            let start = char_at(c.start);
            let end = char_at(c.end);
            Contact {
                kind: c.kind.name(),
                value: c.value,
                raw: c.raw,
                start,
                end,
                extension: c.extension,
            }
        })
        .collect()
}

/// Finds phones, emails, messenger handles and profile links in free text, in order.
///
/// >>> [c.value for c in omni.extract_contacts("мой номер 8 912 345-67-89")]
/// ['+79123456789']
#[pyfunction]
#[pyo3(signature = (text, region = "RU"))]
fn extract_contacts(py: Python<'_>, text: String, region: &str) -> PyResult<Vec<Contact>> {
    let extractor = omni_core::ContactExtractor::new(region).map_err(to_py_err)?;
    Ok(py.detach(|| contacts_with_char_offsets(&text, extractor.extract(&text))))
}

/// extract_contacts over a list of texts without holding the GIL; None inputs give [].
#[pyfunction]
#[pyo3(signature = (texts, region = "RU"))]
fn extract_contacts_many(
    py: Python<'_>,
    texts: Vec<Option<String>>,
    region: &str,
) -> PyResult<Vec<Vec<Contact>>> {
    let extractor = omni_core::ContactExtractor::new(region).map_err(to_py_err)?;
    Ok(py.detach(|| {
        texts
            .iter()
            .map(|t| {
                t.as_deref().map_or_else(Vec::new, |t| {
                    contacts_with_char_offsets(t, extractor.extract(t))
                })
            })
            .collect()
    }))
}

/// Validates one message in omni's JSON format and returns it in canonical JSON form.
#[pyfunction]
fn parse_message_json(py: Python<'_>, text: String) -> PyResult<String> {
    py.detach(|| omni_core::Message::from_json(&text).map(|m| m.to_json()))
        .map_err(to_py_err)
}

/// Reads a batch (JSON array, envelope or JSON lines) leniently. Returns (messages as JSON lines,
/// rejections as a list of (index, id, code, kind, message)).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn parse_messages_json(
    py: Python<'_>,
    text: String,
) -> PyResult<(
    String,
    Vec<(usize, Option<String>, u32, &'static str, String)>,
)> {
    let batch = py
        .detach(|| omni_core::message::parse_messages_lenient(&text))
        .map_err(to_py_err)?;
    let rejections = batch
        .rejections
        .into_iter()
        .map(|r| {
            (
                r.index,
                r.id,
                r.error.code(),
                r.error.kind().name(),
                r.error.message().to_string(),
            )
        })
        .collect();
    Ok((
        omni_core::message::messages_to_json(&batch.messages),
        rejections,
    ))
}

/// What a channel can do, as JSON (the `omni.channel_properties` wrapper returns a dict).
#[pyfunction]
fn channel_properties_json(name: &str) -> PyResult<String> {
    #[derive(serde::Serialize)]
    struct ChannelJson<'a> {
        name: &'a str,
        #[serde(flatten)]
        properties: omni_core::message::ChannelProperties,
    }
    let channel = omni_core::Channel::from_name(name);
    serde_json::to_string(&ChannelJson {
        name: channel.name(),
        properties: channel.properties(),
    })
    .map_err(|e| to_py_err(omni_core::Error::new(ErrorKind::Internal, e.to_string())))
}

/// Every error kind as (code, kind name, exception class name), in code order.
#[pyfunction]
fn error_catalogue(py: Python<'_>) -> Vec<(u32, &'static str, &'static str)> {
    ErrorKind::ALL
        .iter()
        .map(|k| (k.code(), k.name(), errors::class_of(py, *k).0))
        .collect()
}

/// The native part of the `omni` package.
#[pymodule]
fn _omni(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("OmniError", py.get_type::<errors::OmniError>())?;
    for kind in ErrorKind::ALL {
        let (name, class) = errors::class_of(py, *kind);
        class.setattr("code", kind.code())?;
        class.setattr("kind", kind.name())?;
        m.add(name, class)?;
    }
    m.add_class::<Phone>()?;
    m.add_class::<Email>()?;
    m.add_class::<Identifier>()?;
    m.add_class::<Contact>()?;
    m.add_class::<PyEmailRules>()?;
    m.add_function(wrap_pyfunction!(normalize_phone, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_phones, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_phones_e164, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_email, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_emails, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_handle, m)?)?;
    m.add_function(wrap_pyfunction!(parse_profile_link, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_name_json, m)?)?;
    m.add_function(wrap_pyfunction!(name_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(extract_contacts, m)?)?;
    m.add_function(wrap_pyfunction!(extract_contacts_many, m)?)?;
    m.add_function(wrap_pyfunction!(parse_message_json, m)?)?;
    m.add_function(wrap_pyfunction!(parse_messages_json, m)?)?;
    m.add_function(wrap_pyfunction!(channel_properties_json, m)?)?;
    m.add_function(wrap_pyfunction!(error_catalogue, m)?)?;
    m.add_function(wrap_pyfunction!(adapt::parse_payload_json, m)?)?;
    m.add_class::<adapt::SeenEvents>()?;
    m.add_class::<resolve::NativeResolver>()?;
    m.add_class::<classify::NativeClassifier>()?;
    m.add_class::<classify::Assessment>()?;
    m.add_class::<classify::Signal>()?;
    m.add_class::<classify::LeftContact>()?;
    m.add_function(wrap_pyfunction!(resolve::dedupe_columns, m)?)?;
    m.add_function(wrap_pyfunction!(resolve::estimate_model_json, m)?)?;
    m.add_class::<thread::NativeThreader>()?;
    m.add_class::<engine::NativeEngine>()?;
    m.add_function(wrap_pyfunction!(thread::thread_messages_json_batch, m)?)?;
    Ok(())
}
