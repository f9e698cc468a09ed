//! The `catdog` command as a user runs it: the published cat-vs-non-cat numbers, then what it does
//! with folders that are missing, empty, one-sided or full of things that are not photos.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn catdog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_catdog")).args(args).output().expect("running catdog")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(output: &Output) -> Value {
    assert!(output.status.success(), "catdog failed: {}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

/// The numbers the course publishes for its cat/non-cat set (../shared/data/README.md).
#[test]
fn catvnoncat_reproduces_the_published_costs_and_accuracies() {
    let Some(data) = common::shared("data/catvnoncat") else { return };
    let (train, test) = (data.join("train"), data.join("test"));
    let out = json(&catdog(&[
        "train",
        "--train",
        train.to_str().unwrap(),
        "--test",
        test.to_str().unwrap(),
        "--classes",
        "noncat,cat",
        "--learning-rate",
        "0.005",
        "--iterations",
        "2000",
        "--json",
    ]));
    let costs: Vec<String> =
        out["costs"].as_array().unwrap().iter().map(|c| format!("{:.6}", c.as_f64().unwrap())).collect();
    let expected: Vec<String> = common::PUBLISHED_CATVNONCAT_COSTS.iter().map(|c| format!("{c:.6}")).collect();
    assert_eq!(costs, expected);
    assert_eq!(out["train_accuracy"].as_f64(), Some(99.04306220095694));
    assert_eq!(out["test_accuracy"].as_f64(), Some(70.0));
    assert_eq!((out["train_count"].as_u64(), out["test_count"].as_u64()), (Some(209), Some(50)));
    assert_eq!(out["skipped"], serde_json::json!([]));
}

fn small_folder(name: &str) -> std::path::PathBuf {
    let dir = common::temp_dir(name);
    for i in 0..6 {
        common::write_photo(&dir, &format!("cat.{i}.png"), 0, i);
        common::write_photo(&dir, &format!("dog.{i}.jpg"), 1, i);
    }
    dir
}

#[test]
fn trains_prints_the_tutorials_lines_and_saves_a_model_that_predicts() {
    let dir = small_folder("cli_train");
    let model = dir.join("model.json");
    let out =
        catdog(&["train", "--train", dir.to_str().unwrap(), "--iterations", "300", "--model", model.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.starts_with("Cost after iteration 0: 0.693147\nCost after iteration 100: "), "{stdout}");
    assert!(stdout.contains("train accuracy: 100 %"), "{stdout}");
    let dog = dir.join("dog.3.jpg");
    let cat = dir.join("cat.2.png");
    let out = catdog(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        dog.to_str().unwrap(),
        cat.to_str().unwrap(),
        "--json",
    ]);
    let predictions = json(&out);
    assert_eq!(predictions[0]["class"], "dog");
    assert_eq!(predictions[1]["class"], "cat");
    assert!(predictions[0]["probability"].as_f64().unwrap() > 0.5);
}

#[test]
fn json_output_has_every_field_and_names_skipped_files() {
    let dir = small_folder("cli_json");
    std::fs::write(dir.join("dog.notes.txt"), "not a photo").unwrap();
    std::fs::write(dir.join("holiday.png"), "no class in the name").unwrap();
    let out = json(&catdog(&[
        "train",
        "--train",
        dir.to_str().unwrap(),
        "--iterations",
        "150",
        "--json",
        "--init",
        "random",
        "--seed",
        "3",
    ]));
    assert_eq!(out["costs"].as_array().unwrap().len(), 2);
    assert_eq!(out["train_count"], 12);
    assert_eq!(out["test_count"], 0);
    assert!(out["test_accuracy"].is_null());
    let skipped = out["skipped"].as_array().unwrap();
    let files: Vec<&str> = skipped.iter().map(|s| s["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["train/holiday.png", "train/dog.notes.txt"]);
    assert!(skipped.iter().all(|s| !s["reason"].as_str().unwrap().is_empty()));
}

#[test]
fn unreadable_files_are_skipped_with_one_line_each() {
    let dir = small_folder("cli_skip");
    std::fs::write(dir.join("cat.broken.jpg"), [0xff, 0xd8, 0xff, 0x00]).unwrap();
    let out = catdog(&["train", "--train", dir.to_str().unwrap(), "--iterations", "10"]);
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().filter(|l| l.starts_with("skipped train/cat.broken.jpg")).count(), 1, "{stderr}");
    assert!(stderr.contains("1 files skipped"));
}

fn assert_bad_input(args: &[&str], message: &str) {
    let out = catdog(args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(message), "{args:?}: expected {message:?} in {stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn rejects_missing_empty_and_one_class_folders_with_exit_code_2() {
    let empty = common::temp_dir("cli_empty");
    let one = common::temp_dir("cli_one_class");
    common::write_photo(&one, "cat.1.png", 0, 1);
    common::write_photo(&one, "cat.2.png", 0, 2);
    let junk = common::temp_dir("cli_junk");
    std::fs::write(junk.join("cat.txt"), "text").unwrap();
    assert_bad_input(&["train", "--train", "/no/such/folder"], "is not a folder");
    assert_bad_input(&["train", "--train", empty.to_str().unwrap()], "holds no usable photos");
    assert_bad_input(&["train", "--train", junk.to_str().unwrap()], "holds no usable photos (1 files skipped)");
    assert_bad_input(&["train", "--train", one.to_str().unwrap()], "all 2 photos are 'cat'");
    let good = small_folder("cli_bad_settings");
    assert_bad_input(
        &["train", "--train", good.to_str().unwrap(), "--test", empty.to_str().unwrap()],
        "holds no usable photos",
    );
    assert_bad_input(&["train", "--train", good.to_str().unwrap(), "--classes", "cat"], "class names");
    assert_bad_input(&["train", "--train", good.to_str().unwrap(), "--learning-rate", "-1"], "learning rate");
    assert_bad_input(&["train", "--train", good.to_str().unwrap(), "--iterations", "many"], "invalid value");
}

#[test]
fn predict_rejects_bad_models_and_skips_bad_photos() {
    let dir = common::temp_dir("cli_predict");
    let model = dir.join("model.json");
    std::fs::write(&model, r#"{"format": "catdog-model"}"#).unwrap();
    assert_bad_input(&["predict", "--model", model.to_str().unwrap(), "x.png"], "invalid model file");
    assert_bad_input(&["predict", "--model", "/no/model.json", "x.png"], "/no/model.json");

    let train = small_folder("cli_predict_train");
    let out =
        catdog(&["train", "--train", train.to_str().unwrap(), "--iterations", "5", "--model", model.to_str().unwrap()]);
    assert!(out.status.success());
    let missing = Path::new("/no/photo.jpg");
    let good = train.join("cat.1.png");
    let out =
        catdog(&["predict", "--model", model.to_str().unwrap(), missing.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("cat.1.png\t"));
    assert!(text(&out.stderr).contains("skipped /no/photo.jpg"));
}

#[test]
fn predict_refuses_a_size_bomb_with_exit_code_2_and_its_size() {
    let dir = small_folder("cli_bomb_predict");
    let model = dir.join("model.json");
    let out =
        catdog(&["train", "--train", dir.to_str().unwrap(), "--iterations", "5", "--model", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bomb = dir.join("bomb.png");
    std::fs::write(&bomb, common::files::png_bomb()).unwrap();
    let out = catdog(&["predict", "--model", model.to_str().unwrap(), bomb.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!("skipped {}: it is 100000x100000 pixels, more than the 64-megapixel limit\n", bomb.display())
    );
}

#[test]
fn train_skips_size_bombs_with_one_line_each_and_trains_on_the_rest() {
    let dir = small_folder("cli_bomb_train");
    std::fs::write(dir.join("cat.bomb.png"), common::files::png_bomb()).unwrap();
    std::fs::write(dir.join("dog.bomb.jpg"), common::files::jpeg_bomb()).unwrap();
    let out = json(&catdog(&["train", "--train", dir.to_str().unwrap(), "--iterations", "10", "--json"]));
    assert_eq!(out["train_count"], 12);
    assert_eq!(
        out["skipped"],
        serde_json::json!([
            {"file": "train/cat.bomb.png", "reason": "it is 100000x100000 pixels, more than the 64-megapixel limit"},
            {"file": "train/dog.bomb.jpg", "reason": "it is 65500x65500 pixels, more than the 64-megapixel limit"},
        ])
    );
    let out = catdog(&["train", "--train", dir.to_str().unwrap(), "--iterations", "10"]);
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    let skipped: Vec<&str> = stderr.lines().filter(|l| l.starts_with("skipped ")).collect();
    assert_eq!(
        skipped,
        [
            "skipped train/cat.bomb.png: it is 100000x100000 pixels, more than the 64-megapixel limit",
            "skipped train/dog.bomb.jpg: it is 65500x65500 pixels, more than the 64-megapixel limit",
        ],
        "{stderr}"
    );
}
