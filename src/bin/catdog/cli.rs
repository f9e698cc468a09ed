//! Arguments, output and exit codes of `catdog train` and `catdog predict`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use catdog::dataset::{load_folder, Dataset, Skipped};
use catdog::image_prep::{prepare_bytes, FEATURES};
use catdog::kernel::FastObjective;
use catdog::labels::Classes;
use catdog::metrics::accuracy;
use catdog::model::Model;
use catdog::model_file::{SavedModel, TrainingInfo};
use catdog::train::{optimize, F64Objective, Init, Objective, Settings};
use catdog::Error;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

/// Logistic regression on 64x64 photos, as in the tutorials.
#[derive(Parser)]
#[command(name = "catdog", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train on a folder of labelled photos (labels from file and folder names).
    Train(TrainArgs),
    /// Classify photos with a trained model.
    Predict(PredictArgs),
}

#[derive(Parser)]
struct TrainArgs {
    /// Folder of training photos.
    #[arg(long)]
    train: PathBuf,
    /// Folder of test photos.
    #[arg(long)]
    test: Option<PathBuf>,
    /// Class names for label 0 and label 1, as words in file or folder names.
    #[arg(long, default_value = "cat,dog")]
    classes: String,
    /// Gradient-descent step size.
    #[arg(long, default_value_t = 0.005, allow_negative_numbers = true)]
    learning_rate: f64,
    /// Gradient-descent steps.
    #[arg(long, default_value_t = 2000)]
    iterations: usize,
    /// How the weights start.
    #[arg(long, value_enum, default_value_t = InitArg::Zeros)]
    init: InitArg,
    /// Seed of the random initialisation (numpy's np.random.seed).
    #[arg(long, default_value_t = 1)]
    seed: u32,
    /// Record and print the cost every N iterations.
    #[arg(long, default_value_t = 100)]
    cost_every: usize,
    /// Write the trained model to this file.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Train with the fast float32 kernel: several times quicker, but the last printed digits of
    /// the costs may differ from the tutorial's float64 numbers (agreement is tested to 1e-4).
    #[arg(long)]
    fast: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum InitArg {
    Zeros,
    Random,
}

#[derive(Parser)]
struct PredictArgs {
    /// A model file written by `catdog train --model`.
    #[arg(long)]
    model: PathBuf,
    /// Photos to classify.
    #[arg(required = true)]
    images: Vec<PathBuf>,
    /// Print one JSON array instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the command; exit code 2 for bad input, 1 for a failure while working.
pub fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Train(args) => train(&args),
        Command::Predict(args) => predict(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            match err {
                Error::Diverged { .. } | Error::Chart(_) => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

fn train(args: &TrainArgs) -> catdog::Result<ExitCode> {
    let classes = Classes::parse(&args.classes)?;
    let settings = Settings { learning_rate: args.learning_rate, iterations: args.iterations, record_every: args.cost_every };
    settings.validate()?;
    let init = match args.init {
        InitArg::Zeros => Init::Zeros,
        InitArg::Random => Init::Random { seed: args.seed },
    };
    let (train_set, mut skipped) = load(&args.train, &classes, "train/")?;
    train_set.check_trainable(&classes)?;
    let test_set = match &args.test {
        Some(dir) => {
            let (set, more) = load(dir, &classes, "test/")?;
            skipped.extend(more);
            Some(set)
        }
        None => None,
    };
    if !args.json {
        skipped.iter().for_each(|s| eprintln!("skipped {}: {}", s.file, s.reason));
    }

    let objective: Box<dyn Objective> = if args.fast {
        Box::new(FastObjective::new(&train_set)?)
    } else {
        Box::new(F64Objective::new(train_set.features_f64(), train_set.labels_f64())?)
    };
    let bar = progress_bar(args.iterations, !args.json);
    let trained = optimize(objective, init.model(FEATURES), settings, |i, cost| {
        if !args.json && i % args.cost_every == 0 {
            bar.suspend(|| println!("Cost after iteration {i}: {cost:.6}"));
        }
        bar.inc(1);
    })?;
    bar.finish_and_clear();

    let train_accuracy = accuracy(&predict_all(&trained.model, &train_set, args.fast)?, train_set.labels());
    let test_accuracy = match &test_set {
        Some(t) => Some(accuracy(&predict_all(&trained.model, t, args.fast)?, t.labels())),
        None => None,
    };
    if let Some(path) = &args.model {
        let saved = SavedModel {
            classes: classes.clone(),
            model: trained.model.clone(),
            training: TrainingInfo::new(&settings, init, train_set.len()),
            costs: trained.costs.clone(),
        };
        std::fs::write(path, saved.to_json()).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
    }
    if args.json {
        let report = json!({
            "costs": trained.costs,
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
            "train_count": train_set.len(),
            "test_count": test_set.as_ref().map_or(0, Dataset::len),
            "skipped": skipped.iter().map(|s| json!({"file": s.file, "reason": s.reason})).collect::<Vec<_>>(),
        });
        println!("{report}");
    } else {
        println!("train accuracy: {train_accuracy} %");
        if let Some(acc) = test_accuracy {
            println!("test accuracy: {acc} %");
        }
        if !skipped.is_empty() {
            eprintln!("{} files skipped", skipped.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Predicted labels of a data set, with the kernel the model was trained with.
fn predict_all(model: &Model, data: &Dataset, fast: bool) -> catdog::Result<Vec<u8>> {
    if fast {
        return FastObjective::new(data)?.predict(model);
    }
    Ok(model.predict(data.features_f64().view()))
}

/// Loads a folder; skipped files are named with `prefix` so train and test ones can be told apart.
fn load(dir: &Path, classes: &Classes, prefix: &str) -> catdog::Result<(Dataset, Vec<Skipped>)> {
    let (data, skipped) = load_folder(dir, classes)?;
    let skipped = skipped.into_iter().map(|s| Skipped { file: format!("{prefix}{}", s.file), ..s }).collect();
    Ok((data, skipped))
}

/// A bar on a terminal for long work; hidden when output goes to a file or a pipe.
fn progress_bar(len: usize, wanted: bool) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} iterations, {per_sec}, {eta} left") {
        bar.set_style(style);
    }
    bar
}

fn predict(args: &PredictArgs) -> catdog::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.model).map_err(|source| Error::Io { path: args.model.display().to_string(), source })?;
    let saved = SavedModel::from_json(&text)?;
    let mut failed = 0;
    let mut results = Vec::new();
    for path in &args.images {
        let name = path.display().to_string();
        match classify(&saved.model, path, &name) {
            Ok(p) => {
                let label = u8::from(p > 0.5);
                let class = saved.classes.name(label);
                let confidence = if label == 1 { p } else { 1.0 - p };
                if args.json {
                    results.push(json!({"file": name, "class": class, "label": label, "probability": confidence}));
                } else {
                    println!("{name}\t{class}\t{:.1}%", confidence * 100.0);
                }
            }
            Err(err) => {
                failed += 1;
                eprintln!("skipped {name}: {err}");
            }
        }
    }
    if args.json {
        println!("{}", serde_json::Value::Array(results));
    }
    Ok(if failed > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// Probability of label 1 for one photo file.
fn classify(model: &Model, path: &Path, name: &str) -> catdog::Result<f64> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: name.to_string(), source })?;
    let mut one = Dataset::new();
    one.push(name, &prepare_bytes(&bytes, name)?, 0)?;
    Ok(model.probability(one.features_f64().row(0)))
}
