//! The session as the page uses it: photos in by name or label, runs, predictions, model files.

use super::*;
use crate::data::fixtures::{png, striped, BLUE, RED};
use crate::photo::PHOTO_BYTES;
use crate::train::kernel::FastObjective;
use crate::train::optimize::{F64Objective, Init, Objective, Settings};
use crate::train::plan::{PathChoice, TrainingPath};
use ndarray::{Array1, Array2};

fn session(n: usize) -> Session {
    let mut s = Session::new();
    for i in 0..n {
        s.add(&format!("cat.{i}.png"), &png(RED), None).unwrap();
        s.add(&format!("pets/dog/{i}.png"), &png(BLUE), None).unwrap();
    }
    s
}

fn striped_session(n: usize) -> Session {
    let mut s = Session::new();
    for i in 0..n {
        s.add(&format!("cat.{i}.png"), &striped(false, i), None).unwrap();
        s.add(&format!("dog.{i}.png"), &striped(true, i), None).unwrap();
    }
    s
}

/// Raw pixels at a learning rate that learns flat colours quickly, as the page starts a run.
fn options(iterations: usize) -> RunOptions {
    let train = TrainOptions {
        features: FeatureSpec::new(FeatureKind::Raw),
        settings: Settings { learning_rate: 0.05, iterations, record_every: 1 },
        l2: 0.0,
        flip: false,
        init: Init::Zeros,
        path: PathChoice::Fastest,
    };
    RunOptions { train, test_share: 0.2, split_seed: 1 }
}

fn with(iterations: usize, f: impl FnOnce(&mut TrainOptions)) -> RunOptions {
    let mut o = options(iterations);
    f(&mut o.train);
    o
}

fn hog(iterations: usize) -> RunOptions {
    with(iterations, |t| (t.features, t.l2) = (FeatureSpec::new(FeatureKind::Hog), 1.0))
}

/// Starts a run and computes its features at once, as the CLI does.
fn begin(s: &mut Session, options: &RunOptions) {
    s.start(options).unwrap();
    while s.prepare(usize::MAX).unwrap().is_some() && s.preparing().is_some() {}
    assert!(s.preparing().is_none() && s.run().is_some());
}

fn run(s: &Session) -> &Plan {
    s.run().expect("a run")
}

#[test]
fn labels_come_from_names_unless_given() {
    let mut s = Session::new();
    assert_eq!(s.add("cat.1.png", &png(RED), None).unwrap(), (PhotoId(0), Label::ZERO));
    assert_eq!(s.add("IMG_1.png", &png(RED), Some(Label::ONE)).unwrap(), (PhotoId(1), Label::ONE));
    assert_eq!(s.counts(), [1, 1]);
    assert_eq!(s.photo(PhotoId(1)).unwrap().len(), PHOTO_BYTES);
}

#[test]
fn trains_with_a_held_out_cost_and_reports_accuracy() {
    let mut s = session(5);
    begin(&mut s, &options(30));
    assert_eq!(run(&s).split_sizes(), (8, 2));
    assert_eq!(s.steps(20).unwrap(), 20);
    assert_eq!(s.steps(20).unwrap(), 10);
    assert_eq!(run(&s).iteration(), 30);
    let (train, test) = (run(&s).train_costs(), run(&s).held_out_costs());
    assert_eq!((train.len(), test.len()), (30, 30));
    assert!((train[0] - std::f64::consts::LN_2).abs() < 1e-12 && (test[0] - std::f64::consts::LN_2).abs() < 1e-12);
    assert!(train[29] < train[0] && test[29] < test[0]);
    let evaluation = s.evaluation().unwrap().clone();
    assert_eq!((evaluation.train_accuracy, evaluation.held_out_accuracy), (100.0, Some(100.0)));
    assert_eq!(evaluation.confusion, [[1, 0], [0, 1]]);
    assert_eq!(s.predict_photo(&png(BLUE)).unwrap().label, Label::ONE);
    assert_eq!(s.predict_frame(&[220, 60, 40, 255].repeat(4), 2, 2).unwrap().label, Label::ZERO);
}

#[test]
fn nothing_held_out_means_no_test_cost() {
    let mut s = session(2);
    begin(&mut s, &RunOptions { test_share: 0.0, ..options(3) });
    s.steps(3).unwrap();
    assert!(run(&s).held_out_costs().is_empty());
    assert_eq!(s.evaluation().unwrap().held_out_accuracy, None);
}

#[test]
fn the_model_file_round_trips_into_a_new_session() {
    let mut s = session(3);
    begin(&mut s, &options(10));
    s.steps(10).unwrap();
    let text = s.model_json().unwrap();
    let mut fresh = Session::new();
    fresh.load_model_json(&text).unwrap();
    assert_eq!(fresh.predict_photo(&png(BLUE)).unwrap(), s.predict_photo(&png(BLUE)).unwrap());
    assert_eq!(fresh.model_json().unwrap(), text);
}

#[test]
fn rejects_bad_input_and_keeps_what_was_there() {
    let mut s = session(2);
    assert!(matches!(s.add("holiday.png", &png(RED), None), Err(Error::Unlabelled { both: false, .. })));
    assert!(matches!(s.add("cat.txt", b"text", None), Err(Error::Image { .. })));
    assert_eq!(s.counts(), [2, 2]);
    assert!(matches!(s.steps(1), Err(Error::NoRun)));
    assert!(matches!(s.evaluation(), Err(Error::NoRun)));
    assert!(matches!(s.predict_photo(&png(RED)), Err(Error::NoModel)));
    begin(&mut s, &options(5));
    s.steps(5).unwrap();
    assert!(matches!(s.start(&with(5, |t| t.settings.learning_rate = -1.0)), Err(Error::Setting(_))));
    assert!(matches!(s.start(&RunOptions { test_share: 1.5, ..options(5) }), Err(Error::Setting(_))));
    assert!(matches!(s.start(&with(5, |t| t.l2 = -1.0)), Err(Error::Setting(_))));
    assert_eq!(run(&s).iteration(), 5);
    assert!(matches!(s.load_model_json("{}"), Err(Error::ModelFile(_))));
    assert!(s.predict_photo(&png(RED)).is_ok());
    assert!(matches!(s.photo(PhotoId(9)), Err(Error::NoSuchPhoto(9))));
    assert!(matches!(s.remove(PhotoId(9)), Err(Error::NoSuchPhoto(9))));
    assert!(matches!(s.set_label(PhotoId(9), Label::ONE), Err(Error::NoSuchPhoto(9))));
}

#[test]
fn a_single_class_cannot_be_trained() {
    let mut s = Session::new();
    s.add("cat.1.png", &png(RED), None).unwrap();
    s.add("cat.2.png", &png(RED), None).unwrap();
    let err = s.start(&options(5)).unwrap_err();
    assert!(matches!(&err, Error::OneClass { counts: [2, 0], .. }), "{err}");
    assert!(matches!(Session::new().start(&options(5)), Err(Error::NoPhotos)));
}

#[test]
fn a_hog_run_learns_striped_photos_and_its_file_predicts_the_same_elsewhere() {
    let mut s = striped_session(10);
    begin(&mut s, &with(100, |t| (t.features, t.flip, t.l2) = (FeatureSpec::new(FeatureKind::HogColor), true, 1.0)));
    assert_eq!(run(&s).split_sizes(), (16, 4));
    s.steps(100).unwrap();
    let (train, test) = (run(&s).train_costs(), run(&s).held_out_costs());
    assert!(train[99] < train[0] && test[99] < test[0]);
    let evaluation = s.evaluation().unwrap();
    assert_eq!((evaluation.train_accuracy, evaluation.held_out_accuracy), (100.0, Some(100.0)));
    assert_eq!(evaluation.mistakes, []);
    let photo = striped(true, 77);
    assert_eq!(s.predict_photo(&photo).unwrap().label, Label::ONE);
    assert_eq!(s.predict_photo(&striped(false, 77)).unwrap().label, Label::ZERO);
    let text = s.model_json().unwrap();
    let mut fresh = Session::new();
    fresh.load_model_json(&text).unwrap();
    assert_eq!(fresh.feature_kind(), Some(FeatureKind::HogColor));
    assert_eq!(fresh.predict_photo(&photo).unwrap(), s.predict_photo(&photo).unwrap());
    let saved = SavedModel::from_json(&text).unwrap();
    assert!(saved.standardizer.is_some() && saved.training.flip && saved.training.l2 == 1.0);
}

#[test]
fn features_are_computed_once_per_photo_and_kept_across_runs() {
    let mut s = striped_session(4);
    let spec = FeatureSpec::new(FeatureKind::Hog);
    assert_eq!(s.cached_features(&spec, false), 0);
    begin(&mut s, &hog(1));
    assert_eq!((s.cached_features(&spec, false), s.cached_features(&spec, true)), (8, 0));
    let third = s.data().ids()[3];
    assert_eq!(s.cache.get(&spec, false, third).unwrap(), spec.extract(s.photo(third).unwrap()).unwrap());
    // New photos are computed on the next run; removed ones leave with their features.
    s.add("cat.new.png", &striped(false, 9), None).unwrap();
    assert_eq!(s.cached_features(&spec, false), 8);
    begin(&mut s, &with(1, |t| (t.features, t.l2, t.flip) = (spec, 1.0, true)));
    // Only the training photos are mirrored.
    let mirrored = run(&s).train_ids().to_vec();
    assert_eq!((s.cached_features(&spec, false), s.cached_features(&spec, true)), (9, mirrored.len()));
    s.remove(mirrored[0]).unwrap();
    assert_eq!((s.cached_features(&spec, false), s.cached_features(&spec, true)), (8, mirrored.len() - 1));
    assert!(s.cache.get(&spec, false, mirrored[0]).is_none() && s.cache.get(&spec, true, mirrored[0]).is_none());
    // Another cell size is another spec: its features are not the 16-pixel cells'.
    let mut fine = spec;
    fine.hog.cell = 8;
    assert_eq!(s.cached_features(&fine, false), 0);
    begin(&mut s, &with(1, |t| (t.features, t.l2) = (fine, 1.0)));
    assert_eq!((s.cached_features(&fine, false), s.cached_features(&spec, false)), (8, 8));
    assert_eq!(s.cached_features(&FeatureSpec::new(FeatureKind::Raw), false), 0);
}

#[test]
fn mistakes_are_the_held_out_photos_classified_wrong_named_by_id() {
    let mut s = session(5);
    begin(&mut s, &options(50));
    // Before any step every probability is 0.5, which counts as label 0: each held-out dog is wrong.
    let dogs: Vec<PhotoId> = run(&s)
        .held_out_ids()
        .iter()
        .copied()
        .filter(|&id| s.data().labels()[s.data().index_of(id).unwrap()] == 1)
        .collect();
    let mistakes = s.evaluation().unwrap().mistakes.clone();
    assert_eq!(mistakes.iter().map(|m| m.id).collect::<Vec<_>>(), dogs);
    assert!(!dogs.is_empty() && mistakes.iter().all(|m| m.probability == 0.5 && m.label == Label::ONE));
    // Removing a photo keeps every mistake's id and label: nothing shifts.
    s.remove(s.data().ids()[0]).unwrap();
    assert_eq!(s.evaluation().unwrap().mistakes, mistakes);
    s.steps(50).unwrap();
    assert_eq!(s.evaluation().unwrap().mistakes, []);
}

#[test]
fn the_weights_picture_is_64x64_rgba_of_a_raw_model_only() {
    let mut s = session(3);
    assert!(matches!(s.weight_picture(), Err(Error::NoModel)));
    begin(&mut s, &options(20));
    s.steps(20).unwrap();
    let rgba = s.weight_picture().unwrap();
    assert_eq!(rgba.len(), 64 * 64 * 4);
    assert!(rgba.chunks_exact(4).all(|p| p[3] == 255));
    // Flat red cats and flat blue dogs: some pixel carries a weight, and the strongest gets a full colour.
    assert!(rgba.chunks_exact(4).any(|p| p[..3] != [255, 255, 255]));
    use crate::viz::weights::{NEGATIVE, POSITIVE};
    assert!(rgba.chunks_exact(4).any(|p| p[..3] == POSITIVE || p[..3] == NEGATIVE));
    let mut hog_session = striped_session(2);
    begin(&mut hog_session, &hog(1));
    assert!(matches!(hog_session.weight_picture(), Err(Error::NotRawPixels("hog"))));
}

/// Photos `ids` as the reference's float64 rows (bytes / 255) and labels.
fn float_rows(s: &Session, ids: &[PhotoId]) -> (Array2<f64>, Array1<f64>) {
    let values: Vec<f64> =
        ids.iter().flat_map(|&id| s.photo(id).unwrap().iter().map(|&b| f64::from(b) / 255.0)).collect();
    let y = ids.iter().map(|&id| f64::from(s.data().labels()[s.data().index_of(id).unwrap()])).collect();
    (Array2::from_shape_vec((ids.len(), PHOTO_BYTES), values).unwrap(), y)
}

#[test]
fn raw_runs_without_penalty_or_flips_use_the_fast_kernel_and_follow_the_reference() {
    let mut s = session(4);
    begin(&mut s, &options(21));
    assert_eq!(run(&s).path(), TrainingPath::Kernel);
    s.steps(20).unwrap();
    // The reference objective on the same training photos gives the kernel's cost to within its rounding.
    let (x, y) = float_rows(&s, run(&s).train_ids());
    let reference = F64Objective::new(x, y).unwrap();
    let (_, cost) = reference.propagate(run(&s).model()).unwrap();
    s.steps(1).unwrap();
    let kernel = run(&s).train_costs()[20];
    assert!((cost - kernel).abs() < 1e-5 && cost < std::f64::consts::LN_2 - 0.01, "reference {cost}, kernel {kernel}");
    for (options, path) in [
        (with(1, |t| t.flip = true), TrainingPath::Float64),
        (with(1, |t| t.l2 = 0.5), TrainingPath::Float64),
        (hog(1), TrainingPath::Float64),
        (with(1, |t| t.path = PathChoice::Float64), TrainingPath::Float64),
    ] {
        let mut s = striped_session(2);
        begin(&mut s, &options);
        assert_eq!(run(&s).path(), path);
    }
    let mut s = striped_session(2);
    assert!(matches!(s.start(&with(1, |t| (t.path, t.l2) = (PathChoice::Kernel, 1.0))), Err(Error::KernelNeedsRaw)));
    // The kernel's own check of its inputs, for the record of what it reads.
    assert!(FastObjective::from_levels(vec![0; 4], &[0, 1], 2, 1.0, 0.0).is_ok());
}

#[test]
fn a_new_run_keeps_the_previous_model_until_it_has_started() {
    let mut s = session(3);
    begin(&mut s, &options(10));
    s.steps(10).unwrap();
    let (file, prediction) = (s.model_json().unwrap(), s.predict_photo(&png(BLUE)).unwrap());
    // Should building the next run fail after its settings were checked, the session is left
    // like this: the rows let go, the model kept as if loaded from its file.
    s.retire_run();
    assert!(matches!(s.current, CurrentModel::Loaded(_)));
    assert_eq!((s.model_json().unwrap(), s.predict_photo(&png(BLUE)).unwrap()), (file, prediction));
    assert_eq!(s.feature_kind(), Some(FeatureKind::Raw));
    assert!(s.weight_picture().is_ok());
}

#[test]
fn rejects_a_model_for_other_classes() {
    let mut s = session(1);
    begin(&mut s, &options(1));
    let text = s.model_json().unwrap().replace("[\"cat\",\"dog\"]", "[\"noncat\",\"cat\"]");
    let err = Session::new().load_model_json(&text).unwrap_err();
    assert!(matches!(&err, Error::OtherClasses { file, .. } if file[0] == "noncat"), "{err}");
}

#[test]
fn features_are_computed_in_slices_and_the_run_is_the_same() {
    let spec = FeatureSpec::new(FeatureKind::HogColor);
    let options = with(20, |t| (t.features, t.l2, t.flip) = (spec, 1.0, true));
    let mut at_once = striped_session(5);
    begin(&mut at_once, &options);
    at_once.steps(20).unwrap();
    let mut sliced = striped_session(5);
    sliced.start(&options).unwrap();
    // 10 photos, 8 of them training photos mirrored too: 18 features to compute, 4 at a time.
    let mut seen = Vec::new();
    while let Some(progress) = sliced.prepare(4).unwrap() {
        seen.push((progress.done, progress.total));
        if progress.done == progress.total {
            break;
        }
        assert!(sliced.run().is_none(), "no run before its features are there");
    }
    assert_eq!(seen, [(4, 18), (8, 18), (12, 18), (16, 18), (18, 18)]);
    sliced.steps(20).unwrap();
    assert_eq!(sliced.model_json().unwrap(), at_once.model_json().unwrap());
    // With every feature kept, the next run has nothing to compute.
    sliced.start(&options).unwrap();
    assert_eq!(sliced.preparing().map(|p| p.total), Some(0));
}

#[test]
fn a_photo_removed_while_features_are_computed_leaves_the_run() {
    let mut s = striped_session(5);
    let before = s.model_json().is_err();
    s.start(&hog(5)).unwrap();
    s.prepare(3).unwrap();
    let gone = s.data().ids()[7];
    s.remove(gone).unwrap();
    s.prepare(usize::MAX).unwrap();
    let plan = run(&s);
    assert!(before && !plan.train_ids().contains(&gone) && !plan.held_out_ids().contains(&gone));
    assert_eq!(plan.train_ids().len() + plan.held_out_ids().len(), 9);
    assert_eq!(s.steps(5).unwrap(), 5);
}

#[test]
fn the_previous_model_answers_while_the_next_run_is_readied() {
    let mut s = striped_session(4);
    begin(&mut s, &hog(10));
    s.steps(10).unwrap();
    let (file, answer) = (s.model_json().unwrap(), s.predict_photo(&striped(true, 50)).unwrap());
    s.start(&with(10, |t| (t.features, t.l2) = (FeatureSpec::new(FeatureKind::HogColor), 1.0))).unwrap();
    assert!(s.preparing().is_some_and(|p| p.total > 0) && s.run().is_none());
    assert_eq!((s.model_json().unwrap(), s.predict_photo(&striped(true, 50)).unwrap()), (file, answer));
}

/// A learned kind with a small dictionary, quick to learn in a test.
fn learned(iterations: usize, kind: FeatureKind) -> RunOptions {
    let mut spec = FeatureSpec::new(kind);
    spec.learned =
        crate::features::learned::LearnedParams { centroids: 16, patches: 400, iterations: 4, ..spec.learned };
    with(iterations, |t| (t.features, t.l2) = (spec, 1.0))
}

#[test]
fn a_learned_run_learns_its_dictionary_first_then_features_and_its_file_predicts_the_same() {
    let mut s = striped_session(8);
    s.start(&learned(60, FeatureKind::Learned)).unwrap();
    // The patches are drawn first, then the dictionary's 4 k-means rounds run one a call.
    let rounds: Vec<_> = (0..5).map(|_| s.prepare(5).unwrap().unwrap()).map(|p| (p.learning, p.rounds)).collect();
    assert_eq!(rounds, [(true, (0, 4)), (true, (1, 4)), (true, (2, 4)), (true, (3, 4)), (false, (0, 0))]);
    let first = s.preparing().unwrap();
    assert!(!first.learning && first.done == 0 && first.total == 16, "{first:?}");
    s.prepare(usize::MAX).unwrap();
    s.steps(60).unwrap();
    let evaluation = s.evaluation().unwrap();
    assert_eq!(evaluation.train_accuracy, 100.0);
    let text = s.model_json().unwrap();
    assert!(text.contains("\"dictionary\"") && text.contains("\"version\":3"));
    let mut fresh = Session::new();
    fresh.load_model_json(&text).unwrap();
    assert_eq!(fresh.feature_kind(), Some(FeatureKind::Learned));
    for photo in [striped(true, 91), striped(false, 92)] {
        assert_eq!(fresh.predict_photo(&photo).unwrap(), s.predict_photo(&photo).unwrap());
    }
    assert_eq!(fresh.model_json().unwrap(), text);
    let picture = s.centroid_picture().unwrap();
    assert_eq!(fresh.centroid_picture().unwrap().rgba, picture.rgba);
    assert_eq!(picture.rgba.len(), (picture.width * picture.height * 4) as usize);
    assert!(matches!(striped_session(1).centroid_picture(), Err(Error::NoModel)));
}

#[test]
fn a_dictionary_learned_with_a_helper_gives_the_same_model_and_bad_rounds_are_refused() {
    use crate::train::jobs::ClusterWorker;
    let options = learned(20, FeatureKind::Learned);
    let mut alone = striped_session(8);
    begin(&mut alone, &options);
    alone.steps(20).unwrap();
    let mut spread = striped_session(8);
    spread.start(&options).unwrap();
    assert_eq!(spread.cluster_parts(2), 0, "no patches before they are drawn");
    spread.prepare(1).unwrap();
    // 400 patches: two blocks of 256, so two parts.
    assert!(matches!(spread.finish_cluster_round(&[]), Err(Error::Shard(_))), "a round not begun");
    let mut rounds = 0;
    while spread.cluster_parts(2) == 2 {
        let helper = ClusterWorker::new(&spread.cluster_rows(1, 2).unwrap().to_bytes()).unwrap();
        assert_eq!(helper.len(), 400 - 256);
        let centroids = spread.cluster_centroids().unwrap();
        spread.begin_cluster_round(2).unwrap();
        let others = helper.assign(&centroids).unwrap();
        let short = spread.finish_cluster_round(&others[2..]);
        assert!(matches!(short, Err(Error::MismatchedShapes { .. })), "{short:?}");
        spread.finish_cluster_round(&others).unwrap();
        rounds += 1;
    }
    assert_eq!(rounds, 4);
    assert!(spread.cluster_centroids().is_none() && spread.cluster_rows(1, 2).is_err());
    spread.prepare(usize::MAX).unwrap();
    spread.steps(20).unwrap();
    assert_eq!(spread.model_json().unwrap(), alone.model_json().unwrap());
}

#[test]
fn the_dictionary_is_learned_from_the_training_photos_and_kept_for_the_same_split() {
    let mut s = striped_session(6);
    let options = learned(5, FeatureKind::LearnedHogColor);
    s.start(&options).unwrap();
    assert_eq!(s.preparing().map(|p| p.learning), Some(true));
    begin(&mut s, &options);
    let spec = options.train.features;
    let train = run(&s).train_ids().to_vec();
    let kept = s.cache.dictionary(&spec.learned, crate::train::prepare::DICTIONARY_SEED, &train).unwrap();
    assert_eq!(Some(&*kept), run(&s).features().dictionary());
    // The same split again: nothing to learn and nothing to compute.
    s.start(&options).unwrap();
    assert_eq!(s.preparing().map(|p| (p.learning, p.total)), Some((false, 0)));
    // Another split learns anew, from its own training photos, and forgets the old features.
    s.start(&RunOptions { split_seed: 9, ..options }).unwrap();
    assert_eq!(s.preparing().map(|p| p.learning), Some(true));
    while s.preparing().is_some_and(|p| p.learning) {
        s.prepare(1).unwrap();
    }
    assert_eq!(s.cached_features(&spec, false), 0);
}

#[test]
fn a_run_that_diverges_gives_back_the_model_from_before_it() {
    let mut s = striped_session(6);
    begin(&mut s, &hog(40));
    while s.steps(100).unwrap() > 0 {}
    let photo = striped(true, 9);
    let before = s.predict_photo(&photo).unwrap();
    let file = s.model_json().unwrap();
    // HOG with λ at a learning rate of 1e300: the penalty on the first step's weights overflows.
    let mut hog_1e300 = hog(40);
    hog_1e300.train.settings.learning_rate = 1e300;
    begin(&mut s, &hog_1e300);
    let err = s.steps(100).unwrap_err();
    assert!(matches!(err, Error::Diverged { .. }), "{err}");
    assert!(s.run().is_none());
    assert_eq!(s.predict_photo(&photo).unwrap(), before);
    assert_eq!(s.model_json().unwrap(), file);
}

#[test]
fn a_rename_during_a_run_that_diverges_renames_the_model_it_gives_back() {
    let mut s = striped_session(6);
    begin(&mut s, &hog(40));
    while s.steps(100).unwrap() > 0 {}
    let mut hog_1e300 = hog(40);
    hog_1e300.train.settings.learning_rate = 1e300;
    begin(&mut s, &hog_1e300);
    s.set_classes("left", "right").unwrap();
    assert!(matches!(s.steps(100), Err(Error::Diverged { .. })));
    assert!(s.model_json().unwrap().contains("[\"left\",\"right\"]"));
}

#[test]
fn renaming_keeps_the_labels_and_renames_the_model() {
    let mut s = session(3);
    begin(&mut s, &options(5));
    let before = s.predict_photo(&png(BLUE)).unwrap();
    s.set_classes(" Kitten", "PUPPY ").unwrap();
    assert_eq!(s.classes().names(), ["kitten", "puppy"]);
    assert_eq!(s.counts(), [3, 3]);
    assert_eq!(s.predict_photo(&png(BLUE)).unwrap(), before);
    let saved = SavedModel::from_json(&s.model_json().unwrap()).unwrap();
    assert_eq!(saved.classes.names(), ["kitten", "puppy"]);
    // Names read from files follow the new names.
    assert_eq!(s.add("puppy.9.png", &png(BLUE), None).unwrap().1, Label::ONE);
    assert!(matches!(s.add("dog.9.png", &png(BLUE), None), Err(Error::Unlabelled { .. })));
}

#[test]
fn rejects_bad_class_names_and_keeps_the_old_ones() {
    use crate::error::ClassNameProblem;
    let mut s = session(2);
    begin(&mut s, &options(2));
    let long = "x".repeat(41);
    for (negative, positive) in [("cat", "Cat"), ("", "dog"), ("cat", long.as_str()), ("cat", "dog 2")] {
        let err = s.set_classes(negative, positive).unwrap_err();
        assert!(matches!(err, Error::BadClassName { .. }), "{negative:?} {positive:?}: {err}");
    }
    let err = s.set_classes("cat", "cat").unwrap_err();
    assert!(matches!(err, Error::BadClassName { problem: ClassNameProblem::Same, .. }));
    assert_eq!(s.classes().names(), ["cat", "dog"]);
    assert!(s.model_json().unwrap().contains("[\"cat\",\"dog\"]"));
}

#[test]
fn a_rename_while_features_are_computed_names_the_run() {
    let mut s = striped_session(4);
    s.start(&hog(3)).unwrap();
    s.set_classes("left", "right").unwrap();
    while s.prepare(1).unwrap().is_some() && s.preparing().is_some() {}
    assert_eq!(run(&s).classes().names(), ["left", "right"]);
    assert!(s.model_json().unwrap().contains("[\"left\",\"right\"]"));
}

#[test]
fn a_loaded_model_is_renamed_but_a_file_for_other_names_is_refused() {
    let mut s = session(2);
    begin(&mut s, &options(2));
    let file = s.model_json().unwrap();
    let mut other = Session::new();
    other.load_model_json(&file).unwrap();
    other.set_classes("kitten", "puppy").unwrap();
    assert!(other.model_json().unwrap().contains("[\"kitten\",\"puppy\"]"));
    let err = other.load_model_json(&file).unwrap_err();
    assert!(
        matches!(&err, Error::OtherClasses { file, current } if file[0] == "cat" && current[0] == "kitten"),
        "{err}"
    );
    // The renamed model stays.
    assert!(other.model_json().unwrap().contains("kitten"));
}

#[test]
fn the_confusion_matrix_counts_every_held_out_photo_once() {
    let mut s = striped_session(10);
    begin(&mut s, &hog(3));
    let held_out = run(&s).split_sizes().1;
    let e = s.evaluation().unwrap().clone();
    assert_eq!(e.held_out_count(), held_out);
    assert_eq!(e.confusion[0][1] + e.confusion[1][0], e.mistakes.len());
    for label in [Label::ZERO, Label::ONE] {
        let row = e.confusion[label.index()];
        assert_eq!(row[0] + row[1], 2, "a fifth of each class's 10");
        let right = e.class_accuracy(label).unwrap() / 100.0 * 2.0;
        assert_eq!(right.round() as usize, row[label.index()]);
    }
    let right = e.confusion[0][0] + e.confusion[1][1];
    assert_eq!(e.held_out_accuracy, Some(100.0 * right as f64 / held_out as f64));
}

#[test]
fn live_frames_are_smoothed_until_live_stops() {
    let mut s = session(3);
    begin(&mut s, &options(20));
    s.steps(20).unwrap();
    let frame = |[r, g, b]: [u8; 3]| [r, g, b, 255].repeat(8 * 8);
    let (red, blue) = (frame([220, 60, 40]), frame([40, 60, 220]));
    let p = |s: &Session, rgba: &[u8]| s.predict_frame(rgba, 8, 8).unwrap().probability;
    let (p_red, p_blue) = (p(&s, &red), p(&s, &blue));
    assert!(p_red < 0.5 && p_blue > 0.5, "{p_red} {p_blue}");
    assert_eq!(s.predict_live_frame(&red, 8, 8).unwrap().probability, p_red);
    let smoothed = s.predict_live_frame(&blue, 8, 8).unwrap().probability;
    assert!((smoothed - (p_red + live::NEWEST_WEIGHT * (p_blue - p_red))).abs() < 1e-12, "{smoothed}");
    s.stop_live();
    assert_eq!(s.predict_live_frame(&blue, 8, 8).unwrap().probability, p_blue);
    assert!(s.predict_live_frame(&[1, 2, 3], 5, 5).is_err());
}
