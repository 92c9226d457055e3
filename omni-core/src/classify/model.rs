//! The linear model behind triage: multinomial logistic regression over hashed features for the
//! kind, and one logistic head per intent; training, and a versioned, checksummed byte format.
//!
//! Training is AdaGrad SGD with L2 regularisation over shuffled examples (a seeded shuffle, so
//! the same data and options give the same model, byte for byte). Byte layout: the 8 bytes
//! `OMNICLSM`, the format version (u32 LE), a CRC-32 of the payload (u32 LE), then the payload in
//! MessagePack: the feature configuration, biases, and the non-zero weight rows, quantised to
//! 8 bits per weight with one scale per output.

use super::features::{analyze, FeatureConfig, Features};
use super::{ClassifyInput, Intent, Kind};
use crate::error::{Error, ErrorKind, Result};
use crate::ident::ContactExtractor;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, LazyLock};

/// The model byte format this build writes and reads.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// The version of the feature extraction: a model trained with another one is rejected, since
/// its weights would be read against different features.
const FEATURES_VERSION: u32 = 1;

/// The largest model accepted by [`Model::from_bytes`], in bytes.
pub const MAX_MODEL_BYTES: usize = 256 << 20;

const MAGIC: &[u8; 8] = b"OMNICLSM";

const N_KINDS: usize = Kind::ALL.len();
const N_INTENTS: usize = Intent::ALL.len();
pub(crate) const OUTPUTS: usize = N_KINDS + N_INTENTS;

/// How to train a [`Model`]. The defaults are those of the built-in model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainOptions {
    /// Passes over the examples.
    pub epochs: u32,
    /// AdaGrad step size.
    pub learning_rate: f32,
    /// L2 penalty per update.
    pub l2: f32,
    /// Features are hashed into `2^hash_bits` buckets (10 to 22).
    pub hash_bits: u8,
    /// Shortest character n-gram of a word (1 to 8; 0 turns n-grams off).
    pub char_ngram_min: u8,
    /// Longest character n-gram of a word (up to 8).
    pub char_ngram_max: u8,
    /// Whether pairs of neighbouring words are features.
    pub word_pairs: bool,
    /// Weigh kinds by the inverse of their frequency, so rare kinds are not ignored.
    pub balance_kinds: bool,
    /// Seed of the example shuffle.
    pub seed: u64,
    /// Region used to read national phone numbers when finding contacts.
    pub region: String,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 12,
            learning_rate: 0.3,
            l2: 1e-6,
            hash_bits: 16,
            char_ngram_min: 3,
            char_ngram_max: 4,
            word_pairs: true,
            balance_kinds: true,
            seed: 7,
            region: "RU".into(),
        }
    }
}

impl TrainOptions {
    fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::new(ErrorKind::InvalidArgument, m));
        if !(10..=22).contains(&self.hash_bits) {
            return bad(format!(
                "options.hash_bits: {} is outside 10..=22",
                self.hash_bits
            ));
        }
        if self.epochs == 0 || self.epochs > 1000 {
            return bad(format!(
                "options.epochs: {} is outside 1..=1000",
                self.epochs
            ));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!(
                "options.learning_rate: {} is not a positive number",
                self.learning_rate
            ));
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return bad(format!("options.l2: {} is not a number >= 0", self.l2));
        }
        if self.char_ngram_max > 8 || self.char_ngram_min > self.char_ngram_max {
            return bad(format!(
                "options.char_ngram_min/max: {}..={} must lie within 0..=8, min <= max",
                self.char_ngram_min, self.char_ngram_max
            ));
        }
        Ok(())
    }

    fn feature_config(&self) -> FeatureConfig {
        FeatureConfig {
            hash_bits: self.hash_bits,
            char_min: self.char_ngram_min,
            char_max: self.char_ngram_max,
            word_pairs: self.word_pairs,
        }
    }
}

/// One message with its true kind and, optionally, its true intents (training and evaluation
/// data). In JSON and TOML the input fields sit beside `kind` and `intents`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelledExample {
    /// The message and what is known about its sender.
    #[serde(flatten)]
    pub input: ClassifyInput,
    /// The kind it should get.
    pub kind: Kind,
    /// The intents it carries; `None` when not labelled (intent heads then learn nothing from
    /// it, and evaluation skips it for intents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intents: Option<Vec<Intent>>,
}

/// A trained triage model: weights for the kind and the intents, and how it reads text.
///
/// Cheap to share (wrap it in a [`Classifier`](super::Classifier)); immutable once built.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub(crate) features: FeatureConfig,
    /// `2^hash_bits` rows of [`OUTPUTS`] weights, 8 bits each; a weight is its value times
    /// the `scale` of its output. Kept quantised in memory: a row is 18 bytes, so a message's
    /// few hundred rows stay in cache.
    weights: Vec<i8>,
    scale: [f32; OUTPUTS],
    bias: [f32; OUTPUTS],
    intent_heads: bool,
    examples: u32,
    options: TrainOptions,
}

/// Probabilities from the model.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scores {
    pub kinds: [f32; N_KINDS],
    pub intents: [f32; N_INTENTS],
    pub intent_heads: bool,
}

static BUILTIN: LazyLock<Arc<Model>> = LazyLock::new(|| {
    Arc::new(
        Model::from_bytes(include_bytes!("builtin.model"))
            .expect("the built-in model loads (checked by a test)"),
    )
});

pub(crate) fn builtin_arc() -> Arc<Model> {
    Arc::clone(&BUILTIN)
}

impl Model {
    /// The model that ships with omni, trained on the project's own data
    /// (`tests/fixtures/classify/train.toml`).
    pub fn builtin() -> &'static Model {
        &BUILTIN
    }

    /// How many examples it was trained on.
    pub fn examples(&self) -> usize {
        self.examples as usize
    }

    /// The options it was trained with.
    pub fn options(&self) -> &TrainOptions {
        &self.options
    }

    /// Whether it has intent heads (it was trained on examples labelled with intents).
    pub fn has_intent_heads(&self) -> bool {
        self.intent_heads
    }

    pub(crate) fn scores(&self, f: &Features) -> Scores {
        let mut sum = [0f32; OUTPUTS];
        for &(bucket, x) in &f.buckets {
            let row = &self.weights[bucket as usize * OUTPUTS..(bucket as usize + 1) * OUTPUTS];
            for (a, w) in sum.iter_mut().zip(row) {
                *a += x * (*w as f32);
            }
        }
        let mut acc = self.bias;
        for ((a, s), scale) in acc.iter_mut().zip(sum).zip(self.scale) {
            *a += s * scale;
        }
        let mut kinds = [0f32; N_KINDS];
        kinds.copy_from_slice(&acc[..N_KINDS]);
        softmax(&mut kinds);
        let mut intents = [0f32; N_INTENTS];
        for (p, z) in intents.iter_mut().zip(&acc[N_KINDS..]) {
            *p = sigmoid(*z);
        }
        Scores {
            kinds,
            intents,
            intent_heads: self.intent_heads,
        }
    }

    /// The model as bytes; [`Model::from_bytes`] reads them back into an equal model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let file = ModelFile::from_model(self);
        let payload = rmp_serde::to_vec_named(&file).expect("a model always serialises");
        let mut out = Vec::with_capacity(payload.len() + 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&MODEL_FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidModel`] when the bytes are not an omni model, are corrupted
    /// (checksum) or do not decode; [`ErrorKind::UnsupportedVersion`] for a model written by a
    /// build with another format or feature version; [`ErrorKind::InputTooLarge`] above
    /// [`MAX_MODEL_BYTES`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        let bad = |why: String| Error::new(ErrorKind::InvalidModel, why);
        if bytes.len() > MAX_MODEL_BYTES {
            return Err(Error::too_large("model", bytes.len(), MAX_MODEL_BYTES));
        }
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err(bad("not an omni triage model (bad magic)".into()));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("four bytes"));
        if version != MODEL_FORMAT_VERSION {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!(
                    "model format version {version}; this build reads version {MODEL_FORMAT_VERSION}"
                ),
            ));
        }
        let crc = u32::from_le_bytes(bytes[12..16].try_into().expect("four bytes"));
        let payload = &bytes[16..];
        if crc32fast::hash(payload) != crc {
            return Err(bad("the model is corrupted (checksum mismatch)".into()));
        }
        let file: ModelFile = rmp_serde::from_slice(payload)
            .map_err(|e| bad(format!("the model does not decode: {e}")))?;
        file.into_model()
    }
}

fn softmax(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Bytes that serialise as a MessagePack `bin`, not an array of numbers.
#[derive(Clone, Debug, Default, PartialEq)]
struct Blob(Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Blob, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Blob;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> std::result::Result<Blob, E> {
                Ok(Blob(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(
                self,
                v: Vec<u8>,
            ) -> std::result::Result<Blob, E> {
                Ok(Blob(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Blob, A::Error> {
                let mut v = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    v.push(b);
                }
                Ok(Blob(v))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// The payload of a model file.
#[derive(Serialize, Deserialize)]
struct ModelFile {
    features_version: u32,
    features: FeatureConfig,
    kinds: Vec<String>,
    intents: Vec<String>,
    intent_heads: bool,
    bias: Vec<f32>,
    /// Per output: a weight is its 8-bit value times this.
    scale: Vec<f32>,
    /// Indices of the non-zero rows, as LEB128 deltas.
    rows: Blob,
    /// For each non-zero row, one signed byte per output.
    values: Blob,
    examples: u32,
    options: TrainOptions,
}

impl ModelFile {
    fn from_model(m: &Model) -> ModelFile {
        let mut rows = Vec::new();
        let mut values = Vec::new();
        let mut last = 0u64;
        for (i, q) in m.weights.chunks_exact(OUTPUTS).enumerate() {
            if q.iter().all(|v| *v == 0) {
                continue;
            }
            let mut delta = i as u64 - last;
            last = i as u64;
            loop {
                let byte = (delta & 0x7f) as u8;
                delta >>= 7;
                if delta == 0 {
                    rows.push(byte);
                    break;
                }
                rows.push(byte | 0x80);
            }
            values.extend(q.iter().map(|v| *v as u8));
        }
        ModelFile {
            features_version: FEATURES_VERSION,
            features: m.features,
            kinds: Kind::ALL.iter().map(|k| k.name().to_string()).collect(),
            intents: Intent::ALL.iter().map(|i| i.name().to_string()).collect(),
            intent_heads: m.intent_heads,
            bias: m.bias.to_vec(),
            scale: m.scale.to_vec(),
            rows: Blob(rows),
            values: Blob(values),
            examples: m.examples,
            options: m.options.clone(),
        }
    }

    fn into_model(self) -> Result<Model> {
        let bad = |why: String| Error::new(ErrorKind::InvalidModel, why);
        if self.features_version != FEATURES_VERSION {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!(
                    "model features version {}; this build reads version {FEATURES_VERSION}",
                    self.features_version
                ),
            ));
        }
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        let intents: Vec<&str> = Intent::ALL.iter().map(|i| i.name()).collect();
        if self.kinds != kinds || self.intents != intents {
            return Err(bad(format!(
                "the model's labels {:?} / {:?} are not this build's",
                self.kinds, self.intents
            )));
        }
        let f = self.features;
        if !(10..=22).contains(&f.hash_bits) || f.char_max > 8 || f.char_min > f.char_max {
            return Err(bad(format!(
                "the model's feature settings are invalid: {f:?}"
            )));
        }
        if self.bias.len() != OUTPUTS || self.scale.len() != OUTPUTS {
            return Err(bad("the model's bias or scale has the wrong length".into()));
        }
        if self.bias.iter().chain(&self.scale).any(|v| !v.is_finite()) {
            return Err(bad("the model holds a weight that is not a number".into()));
        }
        let n_rows = 1usize << f.hash_bits;
        let mut weights = vec![0i8; n_rows * OUTPUTS];
        let values = &self.values.0;
        if values.len() % OUTPUTS != 0 {
            return Err(bad("the model's weight table is cut short".into()));
        }
        let mut row = 0u64;
        let mut first = true;
        let mut pos = 0;
        let mut shift = 0u32;
        let mut delta = 0u64;
        let mut k = 0usize;
        for &byte in &self.rows.0 {
            if shift > 56 {
                return Err(bad("the model's row index does not decode".into()));
            }
            delta |= ((byte & 0x7f) as u64) << shift;
            shift += 7;
            if byte & 0x80 != 0 {
                continue;
            }
            row = if first { delta } else { row + delta };
            if !first && delta == 0 {
                return Err(bad("the model repeats a weight row".into()));
            }
            first = false;
            (delta, shift) = (0, 0);
            if row >= n_rows as u64 || pos + OUTPUTS > values.len() {
                return Err(bad("the model's weight rows do not fit its table".into()));
            }
            let r = row as usize * OUTPUTS;
            for j in 0..OUTPUTS {
                weights[r + j] = values[pos + j] as i8;
            }
            pos += OUTPUTS;
            k += 1;
        }
        if shift != 0 || pos != values.len() {
            return Err(bad(format!(
                "the model's weight table does not match its {k} row indices"
            )));
        }
        let mut bias = [0f32; OUTPUTS];
        bias.copy_from_slice(&self.bias);
        let mut scale = [0f32; OUTPUTS];
        scale.copy_from_slice(&self.scale);
        Ok(Model {
            features: f,
            weights,
            scale,
            bias,
            intent_heads: self.intent_heads,
            examples: self.examples,
            options: self.options,
        })
    }
}

/// A small deterministic generator for the shuffle (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Trains a model on labelled messages. The same data and options always give the same model.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for no examples or options out of range (naming the option).
///
/// # Example
/// ```
/// use omni_core::classify::{train, Classifier, ClassifyInput, Kind, LabelledExample, TrainOptions};
/// use omni_core::Channel;
///
/// let ex = |text: &str, kind| LabelledExample {
///     input: ClassifyInput::new(text, Channel::Whatsapp),
///     kind,
///     intents: None,
/// };
/// let data = vec![
///     ex("хочу купить диван", Kind::NewLead),
///     ex("сколько стоит доставка?", Kind::NewLead),
///     ex("заработок без вложений, переходи по ссылке", Kind::Spam),
///     ex("казино, ставки, бонус", Kind::Spam),
/// ];
/// let model = train(&data, &TrainOptions { hash_bits: 12, ..TrainOptions::default() }).unwrap();
/// let classifier = Classifier::with_model(model);
/// let a = classifier.classify(&ClassifyInput::new("хочу купить кресло", Channel::Whatsapp));
/// assert_eq!(a.kind, Kind::NewLead);
/// ```
pub fn train(examples: &[LabelledExample], options: &TrainOptions) -> Result<Model> {
    options.check()?;
    if examples.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "examples: no labelled examples to train on",
        ));
    }
    let config = options.feature_config();
    let extractor = ContactExtractor::new(&options.region).map_err(|e| e.at("options.region"))?;
    let data: Vec<(Features, usize, Option<[bool; N_INTENTS]>)> = examples
        .iter()
        .map(|ex| {
            let view = ex.input.view();
            let analysis = analyze(&view, &extractor);
            let f = config.features(&view, &analysis);
            let kind = Kind::ALL.iter().position(|k| *k == ex.kind).unwrap_or(0);
            let intents = ex.intents.as_ref().map(|list| {
                let mut y = [false; N_INTENTS];
                for i in list {
                    if let Some(p) = Intent::ALL.iter().position(|x| x == i) {
                        y[p] = true;
                    }
                }
                y
            });
            (f, kind, intents)
        })
        .collect();
    let intent_heads = data.iter().any(|d| d.2.is_some());

    let mut counts = [0usize; N_KINDS];
    for d in &data {
        counts[d.1] += 1;
    }
    let present = counts.iter().filter(|c| **c > 0).count().max(1);
    let class_weight: Vec<f32> = counts
        .iter()
        .map(|&c| {
            if !options.balance_kinds || c == 0 {
                1.0
            } else {
                (data.len() as f32 / (present as f32 * c as f32)).clamp(0.2, 5.0)
            }
        })
        .collect();

    let n_rows = 1usize << config.hash_bits;
    let mut weights = vec![0f32; n_rows * OUTPUTS];
    let mut grad_sq = vec![0f32; n_rows * OUTPUTS];
    let mut bias = [0f32; OUTPUTS];
    let mut bias_sq = [0f32; OUTPUTS];
    let lr = options.learning_rate;
    let eps = 1e-6f32;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = SplitMix(options.seed);
    for _ in 0..options.epochs {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &ix in &order {
            let (f, kind, intents) = &data[ix];
            // Forward.
            let mut z = bias;
            for &(b, x) in &f.buckets {
                let row = &weights[b as usize * OUTPUTS..(b as usize + 1) * OUTPUTS];
                for (a, w) in z.iter_mut().zip(row) {
                    *a += x * w;
                }
            }
            let mut g = [0f32; OUTPUTS];
            let mut p = [0f32; N_KINDS];
            p.copy_from_slice(&z[..N_KINDS]);
            softmax(&mut p);
            let cw = class_weight[*kind];
            for k in 0..N_KINDS {
                let y = if k == *kind { 1.0 } else { 0.0 };
                g[k] = (p[k] - y) * cw;
            }
            if let Some(y) = intents {
                for j in 0..N_INTENTS {
                    let t = if y[j] { 1.0 } else { 0.0 };
                    g[N_KINDS + j] = sigmoid(z[N_KINDS + j]) - t;
                }
            }
            // Backward (AdaGrad).
            for k in 0..OUTPUTS {
                if g[k] == 0.0 {
                    continue;
                }
                bias_sq[k] += g[k] * g[k];
                bias[k] -= lr * g[k] / (bias_sq[k].sqrt() + eps);
            }
            for &(b, x) in &f.buckets {
                let base = b as usize * OUTPUTS;
                for k in 0..OUTPUTS {
                    let w = weights[base + k];
                    let gk = g[k] * x + options.l2 * w;
                    if gk == 0.0 {
                        continue;
                    }
                    let s = &mut grad_sq[base + k];
                    *s += gk * gk;
                    weights[base + k] = w - lr * gk / (s.sqrt() + eps);
                }
            }
        }
    }
    // Quantise to 8 bits per weight, one scale per output.
    let mut scale = [0f32; OUTPUTS];
    for row in weights.chunks_exact(OUTPUTS) {
        for (s, w) in scale.iter_mut().zip(row) {
            *s = s.max(w.abs());
        }
    }
    for s in &mut scale {
        *s = if *s > 0.0 { *s / 127.0 } else { 1.0 };
    }
    let quantised = weights
        .chunks_exact(OUTPUTS)
        .flat_map(|row| {
            row.iter()
                .zip(scale)
                .map(|(w, s)| (w / s).round().clamp(-127.0, 127.0) as i8)
        })
        .collect();
    Ok(Model {
        features: config,
        weights: quantised,
        scale,
        bias,
        intent_heads,
        examples: data.len().min(u32::MAX as usize) as u32,
        options: options.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_model_loads_and_round_trips() {
        let m = Model::builtin();
        assert!(m.examples() > 500);
        assert!(m.has_intent_heads());
        let again = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(&again, m);
    }

    #[test]
    fn corrupted_or_foreign_bytes_are_typed_errors() {
        let bytes = Model::builtin().to_bytes();
        assert_eq!(
            Model::from_bytes(b"hello").unwrap_err().kind(),
            ErrorKind::InvalidModel
        );
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x55;
        let e = Model::from_bytes(&flipped).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidModel);
        assert!(e.message().contains("checksum"), "{e}");
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert_eq!(
            Model::from_bytes(&newer).unwrap_err().kind(),
            ErrorKind::UnsupportedVersion
        );
        assert_eq!(
            Model::from_bytes(&bytes[..bytes.len() / 2])
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidModel
        );
    }

    #[test]
    fn options_out_of_range_are_named() {
        let ex = vec![LabelledExample {
            input: ClassifyInput::new("hi", crate::Channel::Sms),
            kind: Kind::NotApplicable,
            intents: None,
        }];
        let e = train(
            &ex,
            &TrainOptions {
                hash_bits: 40,
                ..TrainOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("hash_bits"));
        let e = train(&[], &TrainOptions::default()).unwrap_err();
        assert!(e.message().contains("no labelled examples"));
    }

    #[test]
    fn training_is_deterministic() {
        let ex: Vec<LabelledExample> = ["хочу купить", "стоп", "казино бонус", "спасибо"]
            .iter()
            .zip([Kind::NewLead, Kind::OptOut, Kind::Spam, Kind::NotApplicable])
            .map(|(t, k)| LabelledExample {
                input: ClassifyInput::new(*t, crate::Channel::Telegram),
                kind: k,
                intents: None,
            })
            .collect();
        let o = TrainOptions {
            hash_bits: 12,
            ..TrainOptions::default()
        };
        assert_eq!(
            train(&ex, &o).unwrap().to_bytes(),
            train(&ex, &o).unwrap().to_bytes()
        );
    }
}
