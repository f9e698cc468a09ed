//! `catdog predict`: classify photo files with a model file, one line (or JSON object) each.

use std::path::Path;
use std::process::ExitCode;

use catdog::decode::prepare_bytes;
use catdog::model::file::SavedModel;
use catdog::photo::Prediction;
use catdog::Error;
use serde::Serialize;

use crate::args::PredictArgs;

/// One photo's line of `--json`.
#[derive(Serialize)]
struct Classified<'a> {
    file: &'a str,
    class: &'a str,
    label: u8,
    /// The probability of the predicted class.
    probability: f64,
}

pub fn run(args: &PredictArgs) -> catdog::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.model)
        .map_err(|source| Error::Io { path: args.model.display().to_string(), source })?;
    let saved = SavedModel::from_json(&text)?;
    let mut failed = 0;
    let mut results = Vec::new();
    let names: Vec<String> = args.images.iter().map(|p| p.display().to_string()).collect();
    for (path, name) in args.images.iter().zip(&names) {
        match classify(&saved, path, name) {
            Ok(prediction) => {
                let class = saved.classes.name(prediction.label.value());
                let line = Classified {
                    file: name,
                    class,
                    label: prediction.label.value(),
                    probability: prediction.confidence(),
                };
                if !args.json {
                    println!("{name}\t{class}\t{:.1}%", line.probability * 100.0);
                }
                results.push(line);
            }
            Err(Error::Image { problem, .. }) => {
                failed += 1;
                eprintln!("skipped {name}: {problem}");
            }
            Err(err) => {
                failed += 1;
                eprintln!("skipped {name}: {err}");
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string(&results).map_err(|e| Error::Setting(e.to_string()))?);
    }
    Ok(if failed > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// The model's answer for one photo file.
fn classify(saved: &SavedModel, path: &Path, name: &str) -> catdog::Result<Prediction> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: name.to_string(), source })?;
    Ok(Prediction::from_probability(saved.probability(&prepare_bytes(&bytes, name)?)?))
}
