//! `catdog train --train P.catdog`: the photos, labels and class names of a project the page
//! exported, trained on by the command line; a bad project file is exit code 2 with its reason.

use std::process::{Command, Output};

use catdog::data::dataset::Dataset;
use catdog::data::labels::Classes;
use catdog::data::project::{Project, ProjectSettings};
use catdog::features::FeatureKind;
use catdog::photo::PHOTO_BYTES;
use serde_json::Value;

fn catdog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_catdog")).args(args).output().expect("running catdog")
}

/// `n` warm photos striped across (label 0) and `n` cool ones striped down (label 1).
fn photos(n: usize) -> Dataset {
    let mut data = Dataset::new();
    for i in 0..n {
        for label in [0u8, 1] {
            let pixel = |p: usize| {
                let (x, y) = (p / 3 % 64, p / 3 / 64);
                let on = (if label == 0 { y } else { x } / (4 + i % 3)) % 2 == 0;
                let warm = [[220, 140, 60], [110, 60, 30]];
                let cool = [[60, 100, 220], [30, 40, 90]];
                (if label == 0 { warm } else { cool })[usize::from(!on)][p % 3]
            };
            let pixels: Vec<u8> = (0..PHOTO_BYTES).map(pixel).collect();
            data.push(&format!("webcam frame {i}"), &pixels, label).unwrap();
        }
    }
    data
}

fn settings() -> ProjectSettings {
    ProjectSettings::for_features(FeatureKind::HogColor)
}

#[test]
fn trains_on_a_project_with_its_class_names() {
    let dir = std::env::temp_dir().join(format!("catdog-project-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (file, model) = (dir.join("p.catdog"), dir.join("model.json"));
    let classes = Classes::new("noncat", "cat").unwrap();
    std::fs::write(&file, Project::write(&classes, &settings(), None, &photos(6)).unwrap()).unwrap();
    let out = catdog(&[
        "train",
        "--train",
        file.to_str().unwrap(),
        "--features",
        "hog",
        "--iterations",
        "50",
        "--validate",
        "0.25",
        "--model",
        model.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["train_count"].as_u64(), report["validation_count"].as_u64()), (Some(8), Some(4)));
    assert_eq!(report["validation_accuracy"].as_f64(), Some(100.0));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(saved["classes"], serde_json::json!(["noncat", "cat"]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rejects_a_bad_project_file_with_exit_code_2() {
    let dir = std::env::temp_dir().join(format!("catdog-project-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.catdog");
    let mut bytes = Project::write(&Classes::default(), &settings(), None, &photos(2)).unwrap();
    bytes.truncate(bytes.len() - 10);
    std::fs::write(&file, bytes).unwrap();
    let out = catdog(&["train", "--train", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.catdog: the file is cut short"), "{stderr}");
    std::fs::write(&file, b"not a project").unwrap();
    let out = catdog(&["train", "--train", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is not a catdog project file"));
    std::fs::remove_dir_all(&dir).unwrap();
}
