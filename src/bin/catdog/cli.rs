//! Arguments, output and exit codes of `catdog train` and `catdog predict`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant;

use catdog::dataset::{load_folder, Dataset, Skipped};
use catdog::features::{self, FeatureKind, FeatureSpec};
use catdog::image_prep::prepare_bytes;
use catdog::kernel::FastObjective;
use catdog::labels::Classes;
use catdog::metrics::accuracy;
use catdog::model_file::{SavedModel, TrainingInfo};
use catdog::scored::SharedBytes;
use catdog::standardize::Standardizer;
use catdog::train::{optimize, Init, Objective, Settings};
use ndarray::{s, Array1, Array2};
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
    /// What the model sees: raw pixels (the tutorial), HOG, or HOG plus a colour histogram.
    #[arg(long, value_enum, default_value_t = FeaturesArg::Raw)]
    features: FeaturesArg,
    /// HOG cell side in pixels (a divisor of 64) [default: 16]; blocks are 2x2 cells, 9 orientation bins.
    #[arg(long)]
    hog_cell: Option<usize>,
    /// Gradient-descent step size [default: 0.005 for raw, 0.01 for hog and hog+color].
    #[arg(long, allow_negative_numbers = true)]
    learning_rate: Option<f64>,
    /// Gradient-descent steps [default: 2000 for raw, 300 for hog and hog+color].
    #[arg(long)]
    iterations: Option<usize>,
    /// L2 penalty λ: cost + λ/(2m)·‖w‖² [default: 0 for raw, 1000 for hog and hog+color].
    #[arg(long, allow_negative_numbers = true)]
    l2: Option<f64>,
    /// Also train on the photos mirrored left to right; `--flip false` turns it off
    /// [default: off].
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    flip: Option<bool>,
    /// Hold out this share (0 to 1) of the training photos, per class, to report a validation
    /// accuracy on; training uses the rest. For choosing settings without the test photos.
    #[arg(long)]
    validate: Option<f64>,
    /// Seed of the validation split.
    #[arg(long, default_value_t = 0)]
    split_seed: u32,
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
    /// Train with the fast integer kernel: several times quicker, but the last printed digits of
    /// the costs may differ from the tutorial's float64 numbers (agreement is tested to 1e-4).
    #[arg(long)]
    fast: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum FeaturesArg {
    Raw,
    Hog,
    #[value(name = "hog+color")]
    HogColor,
}

impl FeaturesArg {
    fn kind(self) -> FeatureKind {
        match self {
            FeaturesArg::Raw => FeatureKind::Raw,
            FeaturesArg::Hog => FeatureKind::Hog,
            FeaturesArg::HogColor => FeatureKind::HogColor,
        }
    }
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

/// The training photos as the training accuracy reads them: float rows, or the fast path's bytes.
enum TrainRows {
    Floats(Array2<f64>),
    Bytes(Rc<FastObjective>),
}

fn train(args: &TrainArgs) -> catdog::Result<ExitCode> {
    let classes = Classes::parse(&args.classes)?;
    let kind = args.features.kind();
    let defaults = kind.defaults();
    let settings = Settings {
        learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate),
        iterations: args.iterations.unwrap_or(defaults.iterations),
        record_every: args.cost_every,
    };
    settings.validate()?;
    let mut spec = FeatureSpec::new(kind);
    spec.hog.cell = args.hog_cell.unwrap_or(spec.hog.cell);
    spec.validate()?;
    let (l2, flip) = (args.l2.unwrap_or(defaults.l2), args.flip.unwrap_or(defaults.flip));
    catdog::penalty::validate_lambda(l2)?;
    let init = match args.init {
        InitArg::Zeros => Init::Zeros,
        InitArg::Random => Init::Random { seed: args.seed },
    };
    let (all_train, mut skipped) = load(&args.train, &classes, "train/")?;
    all_train.check_trainable(&classes)?;
    let (train_set, validation_set) = match args.validate {
        Some(share) => {
            let (fit, held_out) = all_train.split(share, args.split_seed)?;
            (fit, Some(held_out))
        }
        None => (all_train, None),
    };
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

    let started = Instant::now();
    let (objective, rows, standardizer) = if args.fast {
        check_fast(kind, l2, flip)?;
        // Shared by the trainer and the training accuracy, not built twice.
        let bytes = Rc::new(FastObjective::new(&train_set)?);
        (Box::new(SharedBytes(bytes.clone())) as Box<dyn Objective>, TrainRows::Bytes(bytes), None)
    } else {
        let (x, y, standardizer) = training_matrix(&spec, &train_set, flip)?;
        (catdog::penalty::objective(x.clone(), y, l2)?, TrainRows::Floats(x), standardizer)
    };
    let bar = progress_bar(settings.iterations, !args.json);
    let trained = optimize(objective, init.model(spec.features()), settings, |i, cost| {
        if !args.json && i % args.cost_every == 0 {
            bar.suspend(|| println!("Cost after iteration {i}: {cost:.6}"));
        }
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();

    let mut training = TrainingInfo::new(&settings, init, train_set.len());
    (training.l2, training.flip) = (l2, flip);
    let saved = SavedModel { classes: classes.clone(), model: trained.model, features: spec, standardizer, training, costs: trained.costs };
    let train_predictions = match &rows {
        // The first rows are the photos themselves; flipped copies follow.
        TrainRows::Floats(x) => saved.model.predict(x.slice(s![..train_set.len(), ..])),
        TrainRows::Bytes(bytes) => bytes.predict(&saved.model)?,
    };
    let train_accuracy = accuracy(&train_predictions, train_set.labels());
    let validation_accuracy = validation_set.as_ref().map(|v| evaluate(&saved, v)).transpose()?;
    let test_accuracy = test_set.as_ref().map(|t| evaluate(&saved, t)).transpose()?;
    if let Some(path) = &args.model {
        std::fs::write(path, saved.to_json()).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
    }
    if args.json {
        let report = json!({
            "costs": saved.costs,
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
            "validation_accuracy": validation_accuracy,
            "train_count": train_set.len(),
            "test_count": test_set.as_ref().map_or(0, Dataset::len),
            "validation_count": validation_set.as_ref().map_or(0, Dataset::len),
            "features": kind.name(),
            "learning_rate": settings.learning_rate,
            "iterations": settings.iterations,
            "l2": l2,
            "flip": flip,
            "seconds": seconds,
            "skipped": skipped.iter().map(|s| json!({"file": s.file, "reason": s.reason})).collect::<Vec<_>>(),
        });
        println!("{report}");
    } else {
        println!("train accuracy: {train_accuracy} %");
        if let Some(acc) = validation_accuracy {
            println!("validation accuracy: {acc} %");
        }
        if let Some(acc) = test_accuracy {
            println!("test accuracy: {acc} %");
        }
        if !skipped.is_empty() {
            eprintln!("{} files skipped", skipped.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The training rows (with flipped copies after the photos if asked), their labels, and for
/// every kind but the tutorial's raw pixels the standardisation fitted on them and applied.
fn training_matrix(spec: &FeatureSpec, data: &Dataset, flip: bool) -> catdog::Result<(Array2<f64>, Array1<f64>, Option<Standardizer>)> {
    let mut x = spec.matrix(data, flip)?;
    let y = features::labels_f64(data, flip);
    let standardizer = catdog::standardize::fit_apply(spec.kind, &mut x)?;
    Ok((x, y, standardizer))
}

/// Accuracy of a trained model on photos it has not seen, through the model file's own path.
fn evaluate(saved: &SavedModel, data: &Dataset) -> catdog::Result<f64> {
    let predictions = (0..data.len()).map(|i| saved.probability(data.photo(i)).map(|p| u8::from(p > 0.5))).collect::<catdog::Result<Vec<u8>>>()?;
    Ok(accuracy(&predictions, data.labels()))
}

/// The integer kernel reads the raw bytes of the photos themselves, so it trains only the
/// tutorial's model: raw pixels, no flipped copies, no penalty.
fn check_fast(kind: FeatureKind, l2: f64, flip: bool) -> catdog::Result<()> {
    if !features::trains_on_bytes(kind, l2, flip) {
        return Err(Error::Setting("--fast trains raw pixels only, without --l2 or --flip".into()));
    }
    Ok(())
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
        match classify(&saved, path, &name) {
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
fn classify(saved: &SavedModel, path: &Path, name: &str) -> catdog::Result<f64> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: name.to_string(), source })?;
    saved.probability(&prepare_bytes(&bytes, name)?)
}
