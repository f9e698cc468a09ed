//! `catdog train --threads N` writes the same model file, byte for byte, for 1, 2 and 3 threads:
//! for raw pixels on the float64 reference and on the integer kernel, for hog+color, and for
//! learned+hog+color (its dictionary, features and mirrored copies too). The photos are enough
//! for several blocks of the fixed-order sum (600 photos, 540 trained on after 10 % is held out:
//! blocks of 256, 256 and 28, more with mirrored copies; two blocks would not do, as `a + b` is
//! `b + a`), so a sum whose order followed the threads shows in the last digits of the weights.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// 300 generated photos of each class, of varied sizes and noise, PNG and JPEG.
fn folder() -> PathBuf {
    let dir = common::temp_dir("threads_photos");
    for i in 0..300 {
        common::write_photo(&dir, &format!("cat.{i}.png"), 0, i);
        common::write_photo(&dir, &format!("dog.{i}.jpg"), 1, i);
    }
    dir
}

/// The model file `catdog train` writes on `threads` threads with `flags`.
fn model_file(dir: &Path, threads: usize, flags: &[&str]) -> Vec<u8> {
    let model = dir.with_file_name(format!("threads_model_{}_{threads}.json", flags.join("_").replace('+', "")));
    let threads = threads.to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_catdog"))
        .args(["train", "--train", dir.to_str().unwrap(), "--validate", "0.1", "--json", "--threads", &threads])
        // Every iteration's cost in the file: the kernel's weights come from exact integer sums,
        // so its float64 costs are what a wrong order would change.
        .args(["--cost-every", "1"])
        .args(flags)
        .arg("--model")
        .arg(&model)
        .output()
        .expect("running catdog");
    assert!(output.status.success(), "catdog failed: {}", String::from_utf8_lossy(&output.stderr));
    std::fs::read(&model).expect("the model file")
}

#[test]
fn every_kind_and_both_paths_write_the_same_model_on_1_2_and_3_threads() {
    let dir = folder();
    let runs: [&[&str]; 4] = [
        &["--features", "raw", "--iterations", "15"],
        &["--features", "raw", "--iterations", "15", "--fast"],
        &["--features", "hog+color", "--iterations", "30"],
        &["--features", "learned+hog+color", "--iterations", "30"],
    ];
    for flags in runs {
        let one = model_file(&dir, 1, flags);
        for threads in [2, 3] {
            assert!(model_file(&dir, threads, flags) == one, "{flags:?}: {threads} threads wrote another model");
        }
    }
}

#[test]
fn rejects_zero_threads() {
    let dir = common::temp_dir("threads_zero");
    common::write_photo(&dir, "cat.0.png", 0, 0);
    common::write_photo(&dir, "dog.0.png", 1, 0);
    let output = Command::new(env!("CARGO_BIN_EXE_catdog"))
        .args(["train", "--train", dir.to_str().unwrap(), "--threads", "0"])
        .output()
        .expect("running catdog");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("at least 1"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
