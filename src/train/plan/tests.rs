//! The plan's inner decisions: what the standardiser is fitted on, how each path scores its
//! photos, kept features, the memory budget, and the order of mistakes.

use super::*;
use crate::data::fixtures::{flat, stripes};
use crate::features::FeatureSpec;
use crate::model::metrics::accuracy;
use crate::train::optimize::Init;
use crate::train::optimize::Settings;
use crate::train::options::check_float64_budget;
use crate::Error;
use ndarray::Array2;

fn options(features: FeatureKind, iterations: usize) -> TrainOptions {
    let l2 = if features == FeatureKind::Raw { 0.0 } else { 1.0 };
    TrainOptions {
        features: FeatureSpec::new(features),
        settings: Settings { learning_rate: 0.01, iterations, record_every: 1 },
        l2,
        flip: false,
        init: Init::Zeros,
        path: PathChoice::Fastest,
    }
}

fn plan(options: &TrainOptions, data: &Dataset, cache: &mut FeatureCache) -> Plan {
    let split = data.split_indices(0.2, 1).unwrap();
    Plan::new(options, &Classes::default(), data, &split, cache).unwrap()
}

/// Photos `ids` as the reference's float64 rows (bytes / 255) and labels.
fn float_rows(data: &Dataset, ids: &[PhotoId]) -> (Array2<f64>, Vec<u8>) {
    let at = |id| data.index_of(id).unwrap();
    let values: Vec<f64> =
        ids.iter().flat_map(|&id| data.photo(at(id)).iter().map(|&b| f64::from(b) / 255.0)).collect();
    let labels = ids.iter().map(|&id| data.labels()[at(id)]).collect();
    (Array2::from_shape_vec((ids.len(), PHOTO_BYTES), values).unwrap(), labels)
}

#[test]
fn standardisation_is_fitted_on_the_training_part_only() {
    let data = stripes(5);
    let mut cache = FeatureCache::new();
    let plan = plan(&options(FeatureKind::Hog, 1), &data, &mut cache);
    let spec = FeatureSpec::new(FeatureKind::Hog);
    let rows = |ids: &[PhotoId]| {
        let values: Vec<f64> =
            ids.iter().flat_map(|&id| spec.extract(data.photo_by_id(id).unwrap()).unwrap()).collect();
        Array2::from_shape_vec((ids.len(), spec.features()), values).unwrap()
    };
    let expected = Standardizer::fit(rows(plan.train_ids()).view()).unwrap();
    assert_eq!(plan.standardizer.as_ref(), Some(&expected));
    assert_ne!(Standardizer::fit(rows(data.ids()).view()).unwrap(), expected);
    // The held-out rows are scaled with the training part's numbers.
    let mut test = rows(plan.held_out_ids());
    expected.apply_rows(&mut test).unwrap();
    assert_eq!(plan.held_out.floats_x(), Some(&test));
}

#[test]
fn kept_features_are_used_as_they_are() {
    let data = stripes(4);
    let mut cache = FeatureCache::new();
    let first = plan(&options(FeatureKind::Hog, 1), &data, &mut cache);
    let train = first.train_ids().to_vec();
    // A planted value shows up in the next run's fitted mean: the kept row was read, not recomputed.
    let spec = FeatureSpec::new(FeatureKind::Hog);
    cache.row_mut(&spec, false, train[0]).unwrap()[0] = 1000.0;
    let second = plan(&options(FeatureKind::Hog, 1), &data, &mut cache);
    assert!(second.standardizer.as_ref().unwrap().mean[0] > 1000.0 / train.len() as f64 - 1.0);
}

#[test]
fn raw_runs_are_scored_from_the_bytes_as_the_float64_reference_scores_them() {
    let data = stripes(6);
    let mut cache = FeatureCache::new();
    let mut plan = plan(&options(FeatureKind::Raw, 15), &data, &mut cache);
    plan.steps(15).unwrap();
    let model = plan.model().clone();
    let (x, labels) = float_rows(&data, plan.held_out_ids());
    let y = Array1::from_iter(labels.iter().map(|&l| f64::from(l)));
    let expected_cost = model.cost(x.view(), y.view()).unwrap();
    let held_out_cost = plan.held_out.cost(&model).unwrap();
    // The kernel's 16-bit weights move each logit, so each photo's cost, by at most this.
    let levels: Vec<u8> = plan.held_out_ids().iter().flat_map(|&id| data.photo_by_id(id).unwrap().to_vec()).collect();
    let bound =
        FastObjective::from_levels(levels, &labels, PHOTO_BYTES, 1.0 / 255.0, 0.0).unwrap().logit_error_bound(&model);
    assert!(
        (held_out_cost - expected_cost).abs() <= bound,
        "bytes {held_out_cost}, float64 {expected_cost}, bound {bound}"
    );
    let evaluation = plan.evaluate().unwrap();
    assert_eq!(evaluation.held_out_accuracy, Some(accuracy(&model.predict(x.view()), &labels)));
    let (x, labels) = float_rows(&data, plan.train_ids());
    assert_eq!(evaluation.train_accuracy, accuracy(&model.predict(x.view()), &labels));
    assert!(plan.train.floats_x().is_none() && plan.held_out.floats_x().is_none());
}

#[test]
fn reference_runs_on_raw_pixels_are_scored_exactly_as_float64_rows() {
    // λ and flips train on the float64 reference; its scoring must not go through the kernel's
    // 16-bit weights, whose rounding could move a photo across the boundary.
    let data = stripes(6);
    let mut cache = FeatureCache::new();
    let mut options = options(FeatureKind::Raw, 15);
    (options.l2, options.flip) = (0.5, true);
    let mut plan = plan(&options, &data, &mut cache);
    plan.steps(15).unwrap();
    assert_eq!(plan.path(), TrainingPath::Float64);
    let model = plan.model();
    for part in [&plan.train, &plan.held_out] {
        let (x, labels) = float_rows(&data, part.ids());
        let rows = Scored::floats(part.ids().to_vec(), x, labels);
        assert_eq!(part.cost(model).unwrap().to_bits(), rows.cost(model).unwrap().to_bits());
        assert_eq!(part.accuracy(model).unwrap(), rows.accuracy(model).unwrap());
        assert_eq!(part.predictions(model).unwrap(), rows.predictions(model).unwrap());
        assert!(part.floats_x().is_none(), "kept as bytes");
    }
}

#[test]
fn the_training_part_needs_both_classes() {
    let data = flat(3);
    let mut cache = FeatureCache::new();
    let cats_only = Split { train: vec![0, 2, 4], held_out: vec![1] };
    let err =
        Plan::new(&options(FeatureKind::Raw, 1), &Classes::default(), &data, &cats_only, &mut cache).err().unwrap();
    assert!(matches!(err, Error::OneClass { counts: [3, 0], .. }), "{err}");
}

#[test]
fn reference_runs_too_big_for_memory_are_refused_with_a_message() {
    let raw = FeatureSpec::new(FeatureKind::Raw);
    assert!(check_float64_budget(&raw, 8000).is_ok());
    let err = check_float64_budget(&raw, 16000).unwrap_err();
    assert!(matches!(err, Error::Float64Budget { needed_mb: 1500, allowed_mb: 1024, .. }), "{err}");
    assert!(check_float64_budget(&FeatureSpec::new(FeatureKind::HogColor), 200_000).is_ok());
}

#[test]
fn mistakes_come_most_confidently_wrong_first_ties_in_photo_order() {
    let m = |id, probability| Mistake { id: PhotoId(id), label: Label::ZERO, probability };
    let mut mistakes = vec![m(1, 0.6), m(2, 0.9), m(3, 0.6), m(4, 0.55)];
    most_confident_first(&mut mistakes);
    assert_eq!(mistakes.iter().map(|m| m.id.0).collect::<Vec<_>>(), [2, 1, 3, 4]);
}

#[test]
fn class_accuracies_are_each_rows_share_on_the_diagonal() {
    let evaluation =
        |confusion| Evaluation { train_accuracy: 100.0, held_out_accuracy: None, confusion, mistakes: vec![] };
    let e = evaluation([[3, 1], [0, 4]]);
    assert_eq!(e.held_out_count(), 8);
    assert_eq!((e.class_accuracy(Label::ZERO), e.class_accuracy(Label::ONE)), (Some(75.0), Some(100.0)));
    // No held-out photo of a class: no accuracy for it, rather than 0 % or NaN.
    let e = evaluation([[0, 0], [2, 3]]);
    assert_eq!((e.class_accuracy(Label::ZERO), e.class_accuracy(Label::ONE)), (None, Some(60.0)));
}
