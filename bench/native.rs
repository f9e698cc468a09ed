//! `cargo bench --bench native -- M...`: milliseconds per gradient-descent iteration of the fast
//! kernel on seeded synthetic photos, on 1 and on 2 threads, one line of JSON per m (build.sh
//! bench collects them); then, when `../shared` has the catsdogs photos, photos prepared per
//! second (decode + resize to 64x64) through `prepare_bytes` (on 1 and 2 threads) and through the
//! reference path (jpeg-decoder + image's resize); then learned features: seconds to learn the
//! default dictionary from those photos (prepared with `prepare_bytes`, or seeded synthetic
//! photos when they are absent; the line says which) and photos per second extracting the
//! features of all of them, on 1 and 2 threads.

use std::time::Instant;

use catdog::data::rng::Mt19937;
use catdog::decode::{prepare_bytes, prepare_bytes_reference};
use catdog::features::learned::{Dictionary, LearnedParams};
use catdog::model::Model;
use catdog::photo::PHOTO_BYTES;
use catdog::threads::Threads;
use catdog::train::kernel::FastObjective;
use catdog::train::optimize::{Objective, Settings, Trainer};
use catdog::train::prepare::DICTIONARY_SEED;

/// Iterations timed after the warm-up; the median is reported.
const RUNS: usize = 7;
/// Synthetic photos for the learned features when the shared ones are absent (as many as train/).
const SYNTHETIC_PHOTOS: usize = 800;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![209, 1000, 5000] } else { sizes };
    let two = Threads::new(2).expect("2 is a thread count");
    for m in sizes {
        println!(
            "{{\"m\": {m}, \"native_ms\": {:.3}, \"native_2t_ms\": {:.3}}}",
            median_ms(m, Threads::ONE),
            median_ms(m, two)
        );
    }
    let photos = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/catsdogs/train");
    let files = jpegs(&photos);
    if let Some(files) = &files {
        let fast = photos_per_s(files, prepare_bytes, Threads::ONE);
        let fast_2t = photos_per_s(files, prepare_bytes, two);
        let reference = photos_per_s(files, prepare_bytes_reference, Threads::ONE);
        println!(
            "{{\"native_photos_per_s\": {fast:.0}, \"native_2t_photos_per_s\": {fast_2t:.0}, \"native_reference_photos_per_s\": {reference:.0}}}"
        );
    }
    let (prepared, source): (Vec<Vec<u8>>, &str) = match &files {
        Some(files) => (files.iter().map(|f| prepare_bytes(f, "photo").expect("a catsdogs photo")).collect(), "shared"),
        None => (synthetic(SYNTHETIC_PHOTOS).0.chunks_exact(PHOTO_BYTES).map(<[u8]>::to_vec).collect(), "synthetic"),
    };
    learned_features(&prepared, source);
}

/// The default dictionary learned from `photos` (the page's seed), median seconds of 3 after a
/// warm-up; then photos per second extracting the features of all of them, median of 3 passes
/// after a warm-up pass; and a hash of the features' bits (FNV-1a, as `examples/cv` prints), which
/// the wasm benchmark prints too. Both on 1 thread, then on 2 (which must give the same bits).
fn learned_features(photos: &[Vec<u8>], source: &str) {
    let ((dictionary, learn_s), (photos_per_s, hash)) = learned_on(photos, Threads::ONE);
    let ((dictionary_2t, learn_2t_s), (photos_per_2t_s, hash_2t)) =
        learned_on(photos, Threads::new(2).expect("2 is a thread count"));
    assert!(dictionary_2t == dictionary && hash_2t == hash, "2 threads learned or extracted other bits");
    println!(
        "{{\"features_photos\": {}, \"features_source\": \"{source}\", \"features\": {}, \"dictionary_native_s\": {learn_s:.3}, \"features_native_photos_per_s\": {photos_per_s:.1}, \"features_native_hash\": \"{hash:016x}\", \"dictionary_native_2t_s\": {learn_2t_s:.3}, \"features_native_2t_photos_per_s\": {photos_per_2t_s:.1}}}",
        photos.len(),
        dictionary.features(),
    );
}

/// The dictionary learned on `threads` with its median seconds, and photos per second extracting
/// the features on `threads` with their hash.
fn learned_on(photos: &[Vec<u8>], threads: Threads) -> ((Dictionary, f64), (f64, u64)) {
    let params = LearnedParams::default();
    let learn = || {
        let start = Instant::now();
        let dictionary = Dictionary::learn_on(photos.iter().map(Vec::as_slice), &params, DICTIONARY_SEED, threads);
        (dictionary.expect("default params learn"), start.elapsed().as_secs_f64())
    };
    learn();
    let mut learned: Vec<(Dictionary, f64)> = (0..3).map(|_| learn()).collect();
    learned.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (dictionary, learn_s) = learned.swap_remove(1);
    let pass = || {
        let start = Instant::now();
        let features = threads.map(photos.len(), |i| dictionary.extract(&photos[i]).expect("a 64x64x3 photo"));
        let hash = features
            .iter()
            .flatten()
            .fold(0xcbf2_9ce4_8422_2325u64, |hash, v| (hash ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3));
        (start.elapsed().as_secs_f64(), hash)
    };
    let (_, hash) = pass();
    let mut times: Vec<f64> = (0..3).map(|_| pass().0).collect();
    times.sort_by(f64::total_cmp);
    ((dictionary, learn_s), (photos.len() as f64 / times[1], hash))
}

/// The bytes of every .jpg one folder down from `dir` (cat/, dog/), in the order of their paths
/// (as bench/node.mjs reads them, so both learn from the same sequence), or `None` when absent.
fn jpegs(dir: &std::path::Path) -> Option<Vec<Vec<u8>>> {
    let mut paths = Vec::new();
    for class in std::fs::read_dir(dir).ok()? {
        for entry in std::fs::read_dir(class.ok()?.path()).ok()? {
            let path = entry.ok()?.path();
            if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")) {
                paths.push(path.to_string_lossy().into_owned());
            }
        }
    }
    paths.sort();
    paths.into_iter().map(|p| std::fs::read(p).ok()).collect()
}

/// Photos per second through `prepare` on `threads`: the median of 3 passes after a warm-up pass.
fn photos_per_s(files: &[Vec<u8>], prepare: fn(&[u8], &str) -> catdog::Result<Vec<u8>>, threads: Threads) -> f64 {
    let pass = || {
        let start = Instant::now();
        threads.map(files.len(), |i| prepare(&files[i], "photo").expect("a catsdogs photo"));
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

/// Milliseconds per iteration of the kernel on `m` synthetic photos on `threads`, the median of
/// [`RUNS`] after a warm-up step.
fn median_ms(m: usize, threads: Threads) -> f64 {
    let (pixels, labels) = synthetic(m);
    let objective =
        FastObjective::from_levels(pixels, &labels, PHOTO_BYTES, 1.0 / 255.0, 0.0).expect("synthetic data fit");
    let objective = objective.on(threads);
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
