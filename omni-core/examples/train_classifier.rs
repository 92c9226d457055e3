//! Trains and evaluates triage models on TOML files of labelled messages (`[[case]]` tables, as
//! in `tests/fixtures/classify/`). This is how the built-in model is made:
//!
//! ```text
//! cargo run -p omni-core --release --example train_classifier -- \
//!     train tests/fixtures/classify/train.toml omni-core/src/classify/builtin.model
//! cargo run -p omni-core --release --example train_classifier -- \
//!     evaluate tests/fixtures/classify/eval.toml
//! ```
//!
//! `evaluate FILE [MODEL]` prints the report (the built-in model when no MODEL is given);
//! `mistakes FILE [MODEL]` lists every message whose kind or intents came out wrong.

use omni_core::classify::{evaluate, train, Classifier, LabelledExample, Model, TrainOptions};
use std::process::ExitCode;

#[derive(serde::Deserialize)]
struct File {
    case: Vec<LabelledExample>,
}

fn read(path: &str) -> Result<Vec<LabelledExample>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let file: File = toml::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    Ok(file.case)
}

fn classifier(model: Option<&String>) -> Result<Classifier, String> {
    match model {
        None => Ok(Classifier::new()),
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            let model = Model::from_bytes(&bytes).map_err(|e| format!("{path}: {e}"))?;
            Ok(Classifier::with_model(model))
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args {
        [cmd, data, out] if cmd == "train" => {
            let examples = read(data)?;
            let model = train(&examples, &TrainOptions::default()).map_err(|e| e.to_string())?;
            let bytes = model.to_bytes();
            std::fs::write(out, &bytes).map_err(|e| format!("{out}: {e}"))?;
            println!(
                "trained on {} examples; wrote {} bytes to {out}",
                examples.len(),
                bytes.len()
            );
            Ok(())
        }
        [cmd, data, rest @ ..] if cmd == "evaluate" && rest.len() <= 1 => {
            let examples = read(data)?;
            let report = evaluate(&classifier(rest.first())?, &examples);
            print!("{report}");
            Ok(())
        }
        [cmd, data, rest @ ..] if cmd == "mistakes" && rest.len() <= 1 => {
            let examples = read(data)?;
            let c = classifier(rest.first())?;
            for (i, ex) in examples.iter().enumerate() {
                let a = c.classify(&ex.input);
                let intents_wrong = ex.intents.as_ref().is_some_and(|t| {
                    let mut t = t.clone();
                    t.sort();
                    t != a.intents
                });
                if a.kind != ex.kind || intents_wrong {
                    println!(
                        "#{i} [{} {}{}] want {} {:?}, got {} {:?} ({:.2}): {:?}",
                        ex.input.channel,
                        if ex.input.known_customer { "known " } else { "" },
                        if ex.input.open_conversation { "open" } else { "" },
                        ex.kind,
                        ex.intents.as_deref().unwrap_or(&[]),
                        a.kind,
                        a.intents,
                        a.confidence,
                        ex.input.text.chars().take(90).collect::<String>()
                    );
                }
            }
            Ok(())
        }
        _ => Err(
            "usage: train_classifier train FILE MODEL_OUT | evaluate FILE [MODEL] | mistakes FILE [MODEL]"
                .into(),
        ),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
