//! `cargo bench --bench native -- M...`: milliseconds per gradient-descent iteration of the fast
//! kernel on seeded synthetic photos, one line of JSON per m (build.sh bench collects them); then,
//! when `../shared` has the catsdogs photos, photos prepared per second (decode + resize to 64x64)
//! through `prepare_bytes` and through the reference path (jpeg-decoder + image's resize).

use std::time::Instant;

use catdog::data::rng::Mt19937;
use catdog::decode::{prepare_bytes, prepare_bytes_reference};
use catdog::model::Model;
use catdog::photo::PHOTO_BYTES;
use catdog::train::kernel::FastObjective;
use catdog::train::optimize::{Objective, Settings, Trainer};

/// Iterations timed after the warm-up; the median is reported.
const RUNS: usize = 7;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![209, 1000, 5000] } else { sizes };
    for m in sizes {
        println!("{{\"m\": {m}, \"native_ms\": {:.3}}}", median_ms(m));
    }
    let photos = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/catsdogs/train");
    if let Some(files) = jpegs(&photos) {
        let fast = photos_per_s(&files, prepare_bytes);
        let reference = photos_per_s(&files, prepare_bytes_reference);
        println!("{{\"native_photos_per_s\": {fast:.0}, \"native_reference_photos_per_s\": {reference:.0}}}");
    }
}

/// The bytes of every .jpg one folder down from `dir` (cat/, dog/), or `None` when it is absent.
fn jpegs(dir: &std::path::Path) -> Option<Vec<Vec<u8>>> {
    let mut files = Vec::new();
    for class in std::fs::read_dir(dir).ok()? {
        for entry in std::fs::read_dir(class.ok()?.path()).ok()? {
            let path = entry.ok()?.path();
            if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")) {
                files.push(std::fs::read(path).ok()?);
            }
        }
    }
    Some(files)
}

/// Photos per second through `prepare`: the median of 3 passes after a warm-up pass.
fn photos_per_s(files: &[Vec<u8>], prepare: fn(&[u8], &str) -> catdog::Result<Vec<u8>>) -> f64 {
    let pass = || {
        let start = Instant::now();
        for bytes in files {
            prepare(bytes, "photo").expect("a catsdogs photo");
        }
        start.elapsed().as_secs_f64()
    };
    pass();
    let mut times: Vec<f64> = (0..3).map(|_| pass()).collect();
    times.sort_by(f64::total_cmp);
    files.len() as f64 / times[1]
}

/// Seeded photos: bytes and labels from numpy's generator (the same as bench/data.mjs makes).
fn synthetic(m: usize) -> (Vec<u8>, Vec<u8>) {
    let mut rng = Mt19937::new(0);
    let pixels = (0..m * PHOTO_BYTES).map(|_| (rng.next_u32() >> 24) as u8).collect();
    let labels = (0..m).map(|_| (rng.next_u32() >> 31) as u8).collect();
    (pixels, labels)
}

fn median_ms(m: usize) -> f64 {
    let (pixels, labels) = synthetic(m);
    let objective =
        FastObjective::from_levels(pixels, &labels, PHOTO_BYTES, 1.0 / 255.0, 0.0).expect("synthetic data fit");
    assert_eq!(objective.features(), PHOTO_BYTES);
    let settings = Settings { learning_rate: 0.005, iterations: RUNS + 2, record_every: 1 };
    let mut trainer = Trainer::new(Box::new(objective), Model::zeros(PHOTO_BYTES), settings).expect("valid settings");
    trainer.step().expect("warm-up step");
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            trainer.step().expect("a finite step");
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}
