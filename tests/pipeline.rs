//! One pipeline, two front ends: `catdog train` and the page's session, given the same options
//! and the same photos, write the same model file to the byte, on each training path.

mod common;

use std::path::Path;
use std::process::Command;

use catdog::data::labels::Classes;
use catdog::session::{RunOptions, Session};
use catdog::train::plan::PathChoice;

/// Six cats and six dogs in PNG and JPEG, in a folder of their own.
fn folder(name: &str) -> std::path::PathBuf {
    let dir = common::temp_dir(name);
    for i in 0..6 {
        common::write_photo(&dir, &format!("cat.{i}.png"), 0, i);
        common::write_photo(&dir, &format!("dog.{i}.jpg"), 1, i);
    }
    dir
}

/// The model file `catdog train` writes with `flags`.
fn cli_model(dir: &Path, flags: &[&str]) -> String {
    let model = dir.join("model.json");
    let out = Command::new(env!("CARGO_BIN_EXE_catdog"))
        .args(["train", "--train", dir.to_str().unwrap(), "--model", model.to_str().unwrap(), "--cost-every", "1"])
        .args(flags)
        .output()
        .expect("running catdog");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(model).unwrap()
}

/// The model file the page's session writes after training the folder's photos (added in the
/// order the CLI reads them, nothing held out) with the options the CLI's `flags` mean.
fn session_model(dir: &Path, cli: &[&str]) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "png" || e == "jpg"));
    files.sort();
    let mut session = Session::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        session.add(name, &std::fs::read(path).unwrap(), None).unwrap();
    }
    assert_eq!(session.classes(), &Classes::default());
    let mut train = options_of(cli);
    // The page picks the kernel whenever it computes the same objective.
    train.path = PathChoice::Fastest;
    train.settings.record_every = 1;
    session.start(&RunOptions { train, test_share: 0.0, split_seed: 0 }).unwrap();
    session.steps(train.settings.iterations).unwrap();
    session.model_json().unwrap()
}

/// The training options of a CLI invocation, as the page would set them by hand.
fn options_of(flags: &[&str]) -> catdog::train::plan::TrainOptions {
    use catdog::features::{FeatureKind, FeatureSpec};
    let value = |flag: &str| flags.iter().position(|f| *f == flag).map(|i| flags[i + 1]);
    let kind = value("--features").map_or(FeatureKind::Raw, |k| k.parse().unwrap());
    let mut options = catdog::train::plan::TrainOptions::for_features(FeatureSpec::new(kind));
    if let Some(lr) = value("--learning-rate") {
        options.settings.learning_rate = lr.parse().unwrap();
    }
    if let Some(n) = value("--iterations") {
        options.settings.iterations = n.parse().unwrap();
    }
    if let Some(l2) = value("--l2") {
        options.l2 = l2.parse().unwrap();
    }
    options
}

#[test]
fn cli_and_page_write_the_same_model_file_on_the_float64_path() {
    let dir = folder("pipeline_raw_f64");
    // λ sends the page to the float64 reference, as the CLI goes without --fast.
    let flags = ["--learning-rate", "0.01", "--iterations", "40", "--l2", "0.5"];
    let (cli, page) = (cli_model(&dir, &flags), session_model(&dir, &flags));
    assert!(cli.contains("\"l2\":0.5"), "{cli}");
    assert_eq!(cli, page);
}

#[test]
fn cli_and_page_write_the_same_model_file_on_the_kernel() {
    let dir = folder("pipeline_raw_kernel");
    let flags = ["--fast", "--learning-rate", "0.01", "--iterations", "40"];
    assert_eq!(cli_model(&dir, &flags), session_model(&dir, &flags));
    // And the kernel's file is not the reference's: the two paths really differ.
    assert_ne!(cli_model(&dir, &flags[1..]), session_model(&dir, &flags));
}

#[test]
fn cli_and_page_write_the_same_model_file_for_hog_color() {
    let dir = folder("pipeline_hog_color");
    let flags = ["--features", "hog+color", "--iterations", "30"];
    let (cli, page) = (cli_model(&dir, &flags), session_model(&dir, &flags));
    assert!(cli.contains("\"features\":\"hog+color\"") && cli.contains("standardization"), "{cli}");
    assert_eq!(cli, page);
}

#[test]
fn cli_and_page_write_the_same_model_file_for_learned_features() {
    let dir = folder("pipeline_learned");
    let flags = ["--features", "learned", "--iterations", "30"];
    let (cli, page) = (cli_model(&dir, &flags), session_model(&dir, &flags));
    assert!(cli.contains("\"features\":\"learned\"") && cli.contains("\"dictionary\""), "{}", &cli[..200]);
    assert_eq!(cli, page);
}
