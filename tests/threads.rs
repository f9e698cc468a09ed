//! `catdog train --threads N` writes the same model file, byte for byte, for 1, 2 and 3 threads:
//! for raw pixels on the float64 reference and on the integer kernel, for hog+color, and for
//! learned+hog+color (its dictionary, features and mirrored copies too). The photos are enough
//! for several blocks of the fixed-order sum (600 photos, 540 trained on after 10 % is held out:
//! blocks of 256, 256 and 28, more with mirrored copies; two blocks would not do, as `a + b` is
//! `b + a`), so a sum whose order followed the threads shows in the last digits of the weights.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// 300 generated photos of each class, of varied sizes and noise, PNG and JPEG, in a folder of
/// their own (`name`: tests run at the same time).
fn folder(name: &str) -> PathBuf {
    let dir = common::temp_dir(name);
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
    let dir = folder("threads_photos");
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

/// The page's protocol, played natively: the lead session computes shard 0 and the held-out
/// cost, each helper a [`Shard`] built from the bytes it is sent, and the lead adds every
/// block's partial in order. The model file is the same bytes for 1, 2 and 3 workers, and the
/// same as the session's own steps (one worker, no messages).
mod page_workers {
    use catdog::features::{FeatureKind, FeatureSpec};
    use catdog::session::{RunOptions, Session};
    use catdog::train::jobs::{featurizer_to_bytes, ClusterWorker, FeatureJob, FeatureWorker};
    use catdog::train::optimize::{Init, Settings};
    use catdog::train::plan::{PathChoice, TrainOptions};
    use catdog::train::shard::{model_to_wire, Shard, ShardRows};

    /// A session of the photos of a folder `name` of its own (tests run at once).
    fn session(name: &str) -> Session {
        let mut session = Session::new();
        for entry in std::fs::read_dir(super::folder(name)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            session.add(&name, &std::fs::read(&path).unwrap(), None).unwrap();
        }
        session
    }

    fn options(kind: FeatureKind, path: PathChoice, flip: bool) -> RunOptions {
        let mut train = TrainOptions::for_features(FeatureSpec::new(kind));
        train.settings = Settings { iterations: 12, record_every: 1, ..train.settings };
        (train.path, train.flip, train.init) = (path, flip, Init::Random { seed: 3 });
        RunOptions { train, test_share: 0.1, split_seed: 2 }
    }

    fn ready(session: &mut Session, options: &RunOptions) {
        session.start(options).unwrap();
        while session.preparing().is_some() {
            session.prepare(10_000).unwrap();
        }
    }

    /// Trains on `workers` workers as the page's lead and helpers do; None: the session's steps.
    fn model_file(session: &mut Session, options: &RunOptions, workers: Option<usize>) -> String {
        ready(session, options);
        let Some(workers) = workers else {
            session.steps(usize::MAX).unwrap();
            return session.model_json().unwrap();
        };
        let plan = session.run().unwrap();
        let count = plan.shard_ranges(workers).len();
        let helpers: Vec<Shard> = (1..count)
            .map(|i| Shard::new(ShardRows::from_bytes(&plan.shard(i, workers).unwrap().to_bytes()).unwrap()).unwrap())
            .collect();
        while session.begin_step(workers).unwrap() {
            let model = model_to_wire(session.run().unwrap().model());
            let others: Vec<f64> = helpers.iter().flat_map(|h| h.partials(&model).unwrap()).collect();
            session.finish_step(&others).unwrap();
        }
        session.model_json().unwrap()
    }

    #[test]
    fn the_page_on_1_2_and_3_workers_trains_the_same_model_file() {
        let mut session = session("threads_page_photos");
        let runs = [
            options(FeatureKind::Raw, PathChoice::Fastest, false),
            options(FeatureKind::Raw, PathChoice::Float64, true),
            options(FeatureKind::HogColor, PathChoice::Float64, true),
        ];
        for options in runs {
            let alone = model_file(&mut session, &options, None);
            assert!(session.run().unwrap().shard_ranges(3).len() == 3, "{options:?}: too few blocks for 3 shards");
            for workers in [1, 2, 3] {
                let spread = model_file(&mut session, &options, Some(workers));
                assert!(spread == alone, "{:?}: {workers} workers trained another model", options.train.features);
            }
        }
    }

    /// Readies the run as the page's lead does with `helpers` helper workers: each round hands
    /// every helper a job (through its bytes), computes its own batch, then keeps the helpers'
    /// features, last job first; a learned kind's k-means rounds are spread over them first.
    /// Returns how many features the helpers computed and how many rounds they took part in.
    fn ready_on_helpers(session: &mut Session, options: &RunOptions, helpers: usize) -> (usize, usize) {
        session.start(options).unwrap();
        let (mut handed, mut rounds) = (0, 0);
        while session.preparing().is_some() {
            let parts = session.cluster_parts(helpers + 1);
            if parts > 1 {
                // A k-means round of a learned kind's dictionary, each helper assigning its part.
                let workers: Vec<ClusterWorker> = (1..parts)
                    .map(|k| ClusterWorker::new(&session.cluster_rows(k, parts).unwrap().to_bytes()).unwrap())
                    .collect();
                let centroids = session.cluster_centroids().unwrap();
                session.begin_cluster_round(parts).unwrap();
                let others: Vec<u32> = workers.iter().flat_map(|w| w.assign(&centroids).unwrap()).collect();
                session.finish_cluster_round(&others).unwrap();
                rounds += 1;
                continue;
            }
            let Some(featurizer) = session.preparation().unwrap().featurizer().map(featurizer_to_bytes) else {
                session.prepare(37).unwrap(); // a learned kind's patches drawn, or its rounds alone
                continue;
            };
            let worker = FeatureWorker::new(&featurizer).unwrap();
            let jobs: Vec<Vec<u8>> =
                (0..helpers).filter_map(|_| session.hand_out_features(37)).map(|j| j.to_bytes()).collect();
            session.prepare(37).unwrap();
            for bytes in jobs.iter().rev() {
                let job = FeatureJob::from_bytes(bytes).unwrap();
                handed += job.len();
                session.take_back_features(job.number, &worker.compute(&job).unwrap()).unwrap();
            }
        }
        (handed, rounds)
    }

    #[test]
    fn features_readied_on_0_1_and_2_helpers_train_the_same_model_file() {
        let runs = [
            options(FeatureKind::HogColor, PathChoice::Float64, true),
            options(FeatureKind::Learned, PathChoice::Fastest, false),
        ];
        for options in runs {
            let mut files = Vec::new();
            for helpers in [0, 1, 2] {
                // A fresh session each time: a session keeps the features it computed.
                let mut session = session("threads_page_features");
                let (handed, rounds) = ready_on_helpers(&mut session, &options, helpers);
                assert_eq!(handed > 0, helpers > 0, "{helpers} helpers computed {handed} features");
                let learned = options.train.features.needs_dictionary();
                // Every round, once the patches are drawn (on the lead alone).
                let expected = if learned && helpers > 0 { options.train.features.learned.iterations } else { 0 };
                assert_eq!(rounds, expected, "{helpers} helpers took part in {rounds} k-means rounds");
                session.steps(usize::MAX).unwrap();
                files.push(session.model_json().unwrap());
            }
            let kind = options.train.features.kind;
            assert!(files.iter().all(|f| *f == files[0]), "{kind:?}: helpers changed the model file");
        }
    }
}
