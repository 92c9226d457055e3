//! Measuring a classifier on labelled messages: per-kind and per-intent precision, recall and
//! F1, macro-F1, lead/not-lead accuracy, opt-out recall and the confusion matrix.

use super::{Classifier, Intent, Kind, LabelledExample};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Precision, recall and F1 of one label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelMetrics {
    /// The kind or intent, snake_case.
    pub label: String,
    /// Of the messages given this label, the share that truly have it (0 when none were).
    pub precision: f64,
    /// Of the messages that truly have it, the share given it (0 when none have it).
    pub recall: f64,
    /// The harmonic mean of precision and recall.
    pub f1: f64,
    /// How many messages truly have it.
    pub support: usize,
    /// How many messages were given it.
    pub predicted: usize,
}

/// A message whose kind came out wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mistake {
    /// Its position among the examples.
    pub index: usize,
    /// The true kind.
    pub expected: Kind,
    /// The kind given.
    pub predicted: Kind,
}

/// How a classifier did on labelled messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// How many examples were classified.
    pub examples: usize,
    /// Share of examples whose kind is right.
    pub accuracy: f64,
    /// Mean F1 over the kinds that occur (truly or as predictions).
    pub macro_f1: f64,
    /// Per kind, in [`Kind::ALL`] order.
    pub kinds: Vec<LabelMetrics>,
    /// Share of examples right on "is it a new lead or not".
    pub lead_accuracy: f64,
    /// Share of true opt-outs classified as opt-outs; `None` without any.
    pub opt_out_recall: Option<f64>,
    /// `confusion[true][predicted]` counts, rows and columns in [`Kind::ALL`] order.
    pub confusion: Vec<Vec<usize>>,
    /// How many examples carry intent labels.
    pub intent_examples: usize,
    /// Per intent over the examples with intent labels, in [`Intent::ALL`] order.
    pub intents: Vec<LabelMetrics>,
    /// Mean F1 over the intents that occur.
    pub intent_macro_f1: f64,
    /// The examples whose kind is wrong.
    pub mistakes: Vec<Mistake>,
}

fn metrics(label: &str, tp: usize, predicted: usize, support: usize) -> LabelMetrics {
    let precision = if predicted > 0 {
        tp as f64 / predicted as f64
    } else {
        0.0
    };
    let recall = if support > 0 {
        tp as f64 / support as f64
    } else {
        0.0
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    LabelMetrics {
        label: label.to_string(),
        precision,
        recall,
        f1,
        support,
        predicted,
    }
}

fn mean_f1(list: &[LabelMetrics]) -> f64 {
    let used: Vec<f64> = list
        .iter()
        .filter(|m| m.support > 0 || m.predicted > 0)
        .map(|m| m.f1)
        .collect();
    if used.is_empty() {
        0.0
    } else {
        used.iter().sum::<f64>() / used.len() as f64
    }
}

/// Classifies every example and compares with its labels.
///
/// # Example
/// ```
/// use omni_core::classify::{evaluate, Classifier, ClassifyInput, Kind, LabelledExample};
/// use omni_core::Channel;
///
/// let data = vec![LabelledExample {
///     input: ClassifyInput::new("отпишите меня", Channel::Sms),
///     kind: Kind::OptOut,
///     intents: None,
/// }];
/// let report = evaluate(&Classifier::new(), &data);
/// assert_eq!(report.opt_out_recall, Some(1.0));
/// ```
pub fn evaluate(classifier: &Classifier, examples: &[LabelledExample]) -> Report {
    let nk = Kind::ALL.len();
    let ni = Intent::ALL.len();
    let kpos = |k: Kind| Kind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    let ipos = |i: Intent| Intent::ALL.iter().position(|x| *x == i).unwrap_or(0);
    let mut confusion = vec![vec![0usize; nk]; nk];
    let mut lead_right = 0;
    let mut mistakes = Vec::new();
    let (mut itp, mut ipred, mut isup) = (vec![0; ni], vec![0; ni], vec![0; ni]);
    let mut intent_examples = 0;
    for (index, ex) in examples.iter().enumerate() {
        let a = classifier.classify(&ex.input);
        confusion[kpos(ex.kind)][kpos(a.kind)] += 1;
        if (ex.kind == Kind::NewLead) == (a.kind == Kind::NewLead) {
            lead_right += 1;
        }
        if ex.kind != a.kind {
            mistakes.push(Mistake {
                index,
                expected: ex.kind,
                predicted: a.kind,
            });
        }
        if let Some(truth) = &ex.intents {
            intent_examples += 1;
            for i in Intent::ALL {
                let t = truth.contains(i);
                let p = a.intents.contains(i);
                let j = ipos(*i);
                isup[j] += t as usize;
                ipred[j] += p as usize;
                itp[j] += (t && p) as usize;
            }
        }
    }
    let kinds: Vec<LabelMetrics> = Kind::ALL
        .iter()
        .enumerate()
        .map(|(j, k)| {
            let support = confusion[j].iter().sum();
            let predicted = confusion.iter().map(|row| row[j]).sum();
            metrics(k.name(), confusion[j][j], predicted, support)
        })
        .collect();
    let intents: Vec<LabelMetrics> = Intent::ALL
        .iter()
        .enumerate()
        .map(|(j, i)| metrics(i.name(), itp[j], ipred[j], isup[j]))
        .collect();
    let n = examples.len();
    let right: usize = (0..nk).map(|j| confusion[j][j]).sum();
    let share = |a: usize| if n > 0 { a as f64 / n as f64 } else { 0.0 };
    let opt = kpos(Kind::OptOut);
    let opt_out_recall = (kinds[opt].support > 0).then(|| kinds[opt].recall);
    Report {
        examples: n,
        accuracy: share(right),
        macro_f1: mean_f1(&kinds),
        lead_accuracy: share(lead_right),
        opt_out_recall,
        confusion,
        intent_examples,
        intent_macro_f1: mean_f1(&intents),
        kinds,
        intents,
        mistakes,
    }
}

impl fmt::Display for Report {
    /// A plain-text table: the summary, per-kind and per-intent figures, the confusion matrix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "examples {}  accuracy {:.3}  macro-F1 {:.3}  lead/not-lead accuracy {:.3}  opt-out recall {}",
            self.examples,
            self.accuracy,
            self.macro_f1,
            self.lead_accuracy,
            self.opt_out_recall
                .map_or("n/a".to_string(), |r| format!("{r:.3}"))
        )?;
        writeln!(
            f,
            "\n| kind | precision | recall | F1 | support |\n|---|---|---|---|---|"
        )?;
        for m in &self.kinds {
            writeln!(
                f,
                "| {} | {:.3} | {:.3} | {:.3} | {} |",
                m.label, m.precision, m.recall, m.f1, m.support
            )?;
        }
        if self.intent_examples > 0 {
            writeln!(
                f,
                "\nintents on {} examples, macro-F1 {:.3}\n\n| intent | precision | recall | F1 | support |\n|---|---|---|---|---|",
                self.intent_examples, self.intent_macro_f1
            )?;
            for m in &self.intents {
                writeln!(
                    f,
                    "| {} | {:.3} | {:.3} | {:.3} | {} |",
                    m.label, m.precision, m.recall, m.f1, m.support
                )?;
            }
        }
        writeln!(f, "\nconfusion (rows: true, columns: predicted)")?;
        write!(f, "{:>16}", "")?;
        for k in Kind::ALL {
            write!(f, " {:>8}", &k.name()[..k.name().len().min(8)])?;
        }
        writeln!(f)?;
        for (k, row) in Kind::ALL.iter().zip(&self.confusion) {
            write!(f, "{:>16}", k.name())?;
            for c in row {
                write!(f, " {c:>8}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
