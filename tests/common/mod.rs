//! Helpers shared by the integration tests: where `../shared` is, and small photo folders.

#![allow(dead_code)]

pub mod files;

pub mod learned;

use std::path::{Path, PathBuf};

use catdog::model::Model;
use image::{ImageFormat, Rgb, RgbImage};
use ndarray::{Array1, Array2};
use serde_json::Value;

/// The cat/non-cat costs every 100 iterations the course publishes (../shared/data/README.md),
/// to 6 decimals; the first is ln 2 as printed, not an approximation of it.
#[allow(clippy::approx_constant)]
pub const PUBLISHED_CATVNONCAT_COSTS: [f64; 20] = [
    0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273, 0.279880, 0.260042, 0.242941, 0.228004, 0.214820,
    0.203078, 0.192544, 0.183033, 0.174399, 0.166521, 0.159305, 0.152667, 0.146542, 0.140872,
];

/// `../shared` beside the project, or `None` (with a message saying the test is skipped).
pub fn shared(what: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(what);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: {} is absent (it lives in ../shared beside the project)", dir.display());
        None
    }
}

/// A fresh empty folder under the target directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a test folder");
    dir
}

/// A photo of `class`-typical colours: cats reddish on the left, dogs bluish on the right.
pub fn photo(label: u8, variant: u32, width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let noise = ((x * 7 + y * 13 + variant * 31) % 40) as u8;
        let bright = if (x < width / 2) == (label == 0) { 200 } else { 40 };
        if label == 0 {
            Rgb([bright + noise / 2, 60 + noise, 50])
        } else {
            Rgb([50, 60 + noise, bright + noise / 2])
        }
    })
}

/// Writes `photo(..)` to `dir/name` in the format its extension says.
pub fn write_photo(dir: &Path, name: &str, label: u8, variant: u32) {
    let format = ImageFormat::from_path(name).expect("a known extension");
    photo(label, variant, 80 + variant % 30, 60 + variant % 20)
        .save_with_format(dir.join(name), format)
        .expect("writing a test photo");
}

/// The tutorials' reference numbers (`../shared/golden/tutorials.json`), or `None` with a message.
pub fn golden() -> Option<Value> {
    let path = shared("golden/tutorials.json")?;
    Some(serde_json::from_str(&std::fs::read_to_string(path).expect("reading the golden file")).expect("golden JSON"))
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("an array").iter().map(|x| x.as_f64().expect("a number")).collect()
}

/// A golden case's starting model, its examples as rows, and their labels.
pub fn golden_case(v: &Value) -> (Model, Array2<f64>, Array1<f64>) {
    let w = if v["w"].is_null() { &v["w_init"] } else { &v["w"] };
    let b = if v["b"].is_null() { &v["b_init"] } else { &v["b"] };
    let model = Model { w: floats(w).into(), b: b.as_f64().expect("b") };
    let rows: Vec<Vec<f64>> = v["x_rows"].as_array().expect("rows").iter().map(floats).collect();
    let x = Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).expect("rectangular rows");
    (model, x, floats(&v["y"]).into())
}
