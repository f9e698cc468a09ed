//! `catdog train`: load the folders (or a project file the page exported), run the training
//! plan to the end, print and save.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use catdog::data::dataset::{load_folder_on, Dataset, Skipped, Split};
use catdog::data::labels::Classes;
use catdog::data::project::Project;
use catdog::threads::Threads;
use catdog::train::cache::FeatureCache;
use catdog::train::prepare::Preparation;
use catdog::Error;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::args::TrainArgs;

/// What `--json` prints.
#[derive(Serialize)]
struct Report<'a> {
    costs: &'a [f64],
    train_accuracy: f64,
    test_accuracy: Option<f64>,
    validation_accuracy: Option<f64>,
    train_count: usize,
    test_count: usize,
    validation_count: usize,
    features: &'static str,
    learning_rate: f64,
    iterations: usize,
    l2: f64,
    flip: bool,
    seconds: f64,
    skipped: Vec<SkippedFile<'a>>,
}

#[derive(Serialize)]
struct SkippedFile<'a> {
    file: &'a str,
    reason: &'a str,
}

pub fn run(args: &TrainArgs) -> catdog::Result<ExitCode> {
    let options = args.options();
    options.validate()?;
    let threads = args.threads()?;
    let (classes, data, mut skipped) = match args.train.is_file() {
        true => {
            let project = read_project(&args.train)?;
            (project.classes().clone(), project.dataset()?, Vec::new())
        }
        false => {
            let classes = Classes::parse(&args.classes)?;
            let (data, skipped) = load(&args.train, &classes, "train/", threads)?;
            (classes, data, skipped)
        }
    };
    data.check_trainable(&classes)?;
    let split = match args.validate {
        Some(share) => data.split_indices(share, args.split_seed)?,
        None => Split::all(&data),
    };
    let test = match &args.test {
        Some(dir) => {
            let (set, more) = load(dir, &classes, "test/", threads)?;
            skipped.extend(more);
            Some(set)
        }
        None => None,
    };
    if !args.json {
        skipped.iter().for_each(|s| eprintln!("skipped {}: {}", s.file, s.reason));
    }

    let started = Instant::now();
    let mut cache = FeatureCache::new();
    let preparation = Preparation::new(&options, &classes, &data, &split, &cache)?.on(threads);
    let mut plan = preparation.finish(&data, &mut cache)?;
    let bar = progress_bar(options.settings.iterations, !args.json);
    plan.run(|i, cost| {
        if !args.json && i % args.cost_every == 0 {
            bar.suspend(|| println!("Cost after iteration {i}: {cost:.6}"));
        }
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();

    let saved = plan.saved();
    let evaluation = plan.evaluate()?;
    let test_accuracy = test.as_ref().map(|t| saved.accuracy(t)).transpose()?;
    if let Some(path) = &args.model {
        std::fs::write(path, saved.to_json())
            .map_err(|source| Error::Io { path: path.display().to_string(), source })?;
    }
    if args.json {
        let report = Report {
            costs: &saved.costs,
            train_accuracy: evaluation.train_accuracy,
            test_accuracy,
            validation_accuracy: evaluation.held_out_accuracy,
            train_count: split.train.len(),
            test_count: test.as_ref().map_or(0, Dataset::len),
            validation_count: split.held_out.len(),
            features: options.features.kind.name(),
            learning_rate: options.settings.learning_rate,
            iterations: options.settings.iterations,
            l2: options.l2,
            flip: options.flip,
            seconds,
            skipped: skipped.iter().map(|s| SkippedFile { file: &s.file, reason: &s.reason }).collect(),
        };
        println!("{}", serde_json::to_string(&report).map_err(|e| Error::Setting(e.to_string()))?);
    } else {
        println!("train accuracy: {} %", evaluation.train_accuracy);
        if let Some(acc) = evaluation.held_out_accuracy {
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

/// Reads a project file the page exported.
fn read_project(path: &Path) -> catdog::Result<Project> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
    Project::read(bytes, &path.display().to_string())
}

/// Loads a folder; skipped files are named with `prefix` so train and test ones can be told apart.
fn load(dir: &Path, classes: &Classes, prefix: &str, threads: Threads) -> catdog::Result<(Dataset, Vec<Skipped>)> {
    let (data, skipped) = load_folder_on(dir, classes, threads)?;
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
