//! C functions for lead triage: a classifier handle (built-in model, or one trained or loaded),
//! messages in as text or JSON, assessments and evaluation reports out as JSON.
//!
//! An assessment is `{"kind", "intents", "score", "temperature", "signals": [{"name",
//! "evidence", "contribution"}], "contacts": [{"source", "kind", "value", "raw", "start",
//! "end"}], "opt_out_channel", "sales_opportunity", "confidence", "truncated"}`.

use crate::boundary::{bytes, out, owned_bytes, run, text, write_json};
use crate::status::OmniStatus;
use omni_core::classify::{
    evaluate, parse_examples, parse_inputs, train, Classifier, ClassifyInput, Model, TrainOptions,
};
use omni_core::{Channel, Error, ErrorKind};
use std::ffi::c_char;
use std::sync::LazyLock;

/// A classifier: a triage model and a contact extractor. Immutable; share it between threads.
pub struct OmniClassifier(Classifier);

static DEFAULT: LazyLock<Classifier> = LazyLock::new(Classifier::new);

/// The classifier behind a handle, or the built-in one for NULL.
fn classifier<'a>(c: *const OmniClassifier) -> &'a Classifier {
    // SAFETY: a non-null handle comes from an `omni_classifier_*` constructor and is live.
    match unsafe { c.as_ref() } {
        Some(h) => &h.0,
        None => &DEFAULT,
    }
}

fn region_of(region: &str) -> Result<Classifier, Error> {
    let c = Classifier::new();
    if region.trim().is_empty() {
        Ok(c)
    } else {
        c.with_region(region).map_err(|e| e.at("region"))
    }
}

fn hand_out(c: Classifier, classifier_out: *mut *mut OmniClassifier) -> Result<(), Error> {
    *out(classifier_out, "classifier_out")? = Box::into_raw(Box::new(OmniClassifier(c)));
    Ok(())
}

/// Creates a classifier with the built-in model, reading national phone numbers in text as
/// numbers of `region` (NULL/0 for `RU`). Free it with [`omni_classifier_free`].
///
/// # Safety
/// `region` must point to `region_len` readable bytes; `classifier_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_classifier_new(
    region: *const u8,
    region_len: usize,
    classifier_out: *mut *mut OmniClassifier,
) -> OmniStatus {
    run(|| {
        let region = unsafe { text(region, region_len, "region") }?;
        hand_out(region_of(region)?, classifier_out)
    })
}

/// Creates a classifier from model bytes saved by [`omni_classifier_model_bytes`].
/// `OMNI_STATUS_INVALID_MODEL` for bytes that are not a model or are corrupted,
/// `OMNI_STATUS_UNSUPPORTED_VERSION` for a model of another format version.
///
/// # Safety
/// `model` must point to `len` readable bytes; `classifier_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_classifier_from_model(
    model: *const u8,
    len: usize,
    classifier_out: *mut *mut OmniClassifier,
) -> OmniStatus {
    run(|| {
        let data = unsafe { bytes(model, len, "model") }?;
        let model = Model::from_bytes(data)?;
        hand_out(Classifier::with_model(model), classifier_out)
    })
}

/// Trains a model on labelled examples and creates a classifier with it. `examples` is a JSON
/// array (or JSON lines) of inputs with `kind` and optionally `intents`; `options` is JSON
/// (NULL/0 or `""` for the defaults: `epochs`, `learning_rate`, `l2`, `hash_bits`,
/// `char_ngram_min`, `char_ngram_max`, `word_pairs`, `balance_kinds`, `seed`, `region`).
///
/// # Safety
/// `examples` and `options` must point to their lengths of readable bytes; `classifier_out`
/// must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_classifier_train(
    examples: *const u8,
    examples_len: usize,
    options: *const u8,
    options_len: usize,
    classifier_out: *mut *mut OmniClassifier,
) -> OmniStatus {
    run(|| {
        let examples = parse_examples(unsafe { text(examples, examples_len, "examples") }?)?;
        let options = unsafe { text(options, options_len, "options") }?;
        let options: TrainOptions = if options.trim().is_empty() {
            TrainOptions::default()
        } else {
            serde_json::from_str(options)
                .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("options: {e}")))?
        };
        let model = train(&examples, &options)?;
        hand_out(Classifier::with_model(model), classifier_out)
    })
}

/// Writes the classifier's model as bytes (to save it, and load it with
/// [`omni_classifier_from_model`]). Free them with `omni_bytes_free(bytes, len)`. NULL is the
/// built-in model.
///
/// # Safety
/// `bytes_out` and `len_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn omni_classifier_model_bytes(
    classifier: *const OmniClassifier,
    bytes_out: *mut *mut u8,
    len_out: *mut usize,
) -> OmniStatus {
    run(|| {
        let slot = out(bytes_out, "bytes_out")?;
        let len_slot = out(len_out, "len_out")?;
        let (p, n) = owned_bytes(self::classifier(classifier).model().to_bytes());
        *slot = p;
        *len_slot = n;
        Ok(())
    })
}

/// Frees a classifier. Accepts NULL.
///
/// # Safety
/// `classifier` must be NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn omni_classifier_free(classifier: *mut OmniClassifier) {
    if !classifier.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(classifier) });
    }
}

/// Assesses one inbound message given as text on a channel (`whatsapp`, `web_form`, ...), from
/// a known customer or not. Writes the assessment as JSON. NULL `classifier` uses the built-in
/// model. Text longer than the classifier reads is assessed on its prefix (`"truncated": true`).
///
/// # Safety
/// `text` and `channel` must point to their lengths of readable bytes; `json_out` must be
/// writable. Free the result with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_classify_text(
    classifier: *const OmniClassifier,
    text: *const u8,
    text_len: usize,
    channel: *const u8,
    channel_len: usize,
    known_customer: bool,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let body = unsafe { crate::boundary::text(text, text_len, "text") }?;
        let channel = unsafe { crate::boundary::text(channel, channel_len, "channel") }?;
        let mut input = ClassifyInput::new(body, Channel::from_name(channel));
        input.known_customer = known_customer;
        write_json(&self::classifier(classifier).classify(&input), json_out)
    })
}

/// Assesses one message given as JSON: `{"text", "subject", "form_fields", "channel",
/// "direction", "known_customer", "open_conversation", "call_status", "duration_s"}` (all
/// optional). Writes the assessment as JSON.
///
/// # Safety
/// `input` must point to `len` readable bytes; `json_out` must be writable. Free the result
/// with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_classify(
    classifier: *const OmniClassifier,
    input: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let input = ClassifyInput::from_json(unsafe { text(input, len, "input") }?)?;
        write_json(&self::classifier(classifier).classify(&input), json_out)
    })
}

/// Assesses many messages: a JSON array (or JSON lines) of inputs as for [`omni_classify`].
/// Writes a JSON array of assessments in the same order. A record that cannot be read fails
/// the call with its path (`inputs[3].channel: ...`).
///
/// # Safety
/// `inputs` must point to `len` readable bytes; `json_out` must be writable. Free the result
/// with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_classify_many(
    classifier: *const OmniClassifier,
    inputs: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let inputs = parse_inputs(unsafe { text(inputs, len, "inputs") }?)?;
        let c = self::classifier(classifier);
        let results: Vec<_> = inputs.iter().map(|i| c.classify(i)).collect();
        write_json(&results, json_out)
    })
}

/// Evaluates the classifier on labelled examples (as for [`omni_classifier_train`]) and writes
/// the report as JSON: `{"examples", "accuracy", "macro_f1", "kinds": [{"label", "precision",
/// "recall", "f1", "support", "predicted"}], "lead_accuracy", "opt_out_recall", "confusion",
/// "intent_examples", "intents", "intent_macro_f1", "mistakes": [{"index", "expected",
/// "predicted"}]}`.
///
/// # Safety
/// `examples` must point to `len` readable bytes; `json_out` must be writable. Free the result
/// with `omni_string_free`.
#[no_mangle]
pub unsafe extern "C" fn omni_classifier_evaluate(
    classifier: *const OmniClassifier,
    examples: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
) -> OmniStatus {
    run(|| {
        let examples = parse_examples(unsafe { text(examples, len, "examples") }?)?;
        write_json(&evaluate(self::classifier(classifier), &examples), json_out)
    })
}
