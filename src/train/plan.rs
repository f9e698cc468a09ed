//! The one training pipeline, which `catdog train` and the page's session both run: options
//! and a split data set in, a trained [`SavedModel`] out, one gradient step at a time (the page
//! runs it in slices, the CLI to the end).
//!
//! A plan owns every decision between the photos and the model: the feature spec, the
//! standardisation (fitted on the training part only), the objective (the integer kernel or the
//! float64 reference, with the L2 penalty and mirrored copies), and the scoring of both parts
//! (accuracies, the held-out cost, the held-out photos classified wrong).
//!
//! Raw features are the bytes / 255, 8 times larger as floats than the photos, so they are not
//! kept: a raw run reads bytes to train (the kernel) and to score (see `scored`), and only the
//! float64 reference (raw with λ or flips, or any raw run the CLI trains by default) makes float
//! rows, within [`FLOAT64_BUDGET`]. Other kinds' features come from a [`FeatureCache`], which
//! the page keeps across runs.

use std::collections::HashMap;
use std::rc::Rc;

use ndarray::{s, Array1, Array2};

use crate::data::dataset::{Dataset, PhotoId, Split};
use crate::data::labels::Classes;
use crate::features::standardize::{self, Standardizer};
use crate::features::{flip_horizontal, FeatureKind, FeatureSpec};
use crate::model::file::{self, SavedModel, TrainingInfo};
use crate::model::metrics::confusion;
use crate::model::Model;
use crate::photo::{Label, PHOTO_BYTES};
use crate::train::kernel::FastObjective;
use crate::train::optimize::{Init, Objective, Settings, Trainer};
use crate::train::penalty;
use crate::train::scored::{Logits, Mistake, Scored, SharedBytes};
use crate::{Error, Result};

/// Everything a run is started with, besides the photos.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// What the model sees of a photo.
    pub features: FeatureSpec,
    /// Step size, iterations, and how often the cost is recorded.
    pub settings: Settings,
    /// L2 penalty λ (0 for none).
    pub l2: f64,
    /// Also train on every training photo mirrored left to right.
    pub flip: bool,
    /// How the weights start.
    pub init: Init,
    /// Which arithmetic computes the gradients.
    pub path: PathChoice,
}

impl TrainOptions {
    /// The defaults of `features`' kind: the tutorial's for raw pixels, from zeros, on the
    /// float64 reference, recording the cost every 100 iterations as the tutorial prints it.
    pub fn for_features(features: FeatureSpec) -> TrainOptions {
        let d = features.kind.defaults();
        let settings = Settings { learning_rate: d.learning_rate, iterations: d.iterations, ..Settings::default() };
        TrainOptions { features, settings, l2: d.l2, flip: d.flip, init: Init::Zeros, path: PathChoice::Float64 }
    }

    /// Rejects options no run can start with.
    pub fn validate(&self) -> Result<()> {
        self.settings.validate()?;
        penalty::validate_lambda(self.l2)?;
        self.features.validate()?;
        self.path.resolve(self)?;
        Ok(())
    }

    /// Whether the integer kernel computes this run's objective exactly: raw pixels without a
    /// penalty or mirrored copies (the kernel computes the plain cost only).
    pub fn kernel_fits(&self) -> bool {
        self.features.kind == FeatureKind::Raw && self.l2 == 0.0 && !self.flip
    }
}

/// Which arithmetic a run asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathChoice {
    /// Always the float64 reference: the tutorial's numbers (the CLI's default).
    Float64,
    /// The integer kernel; options it cannot train are refused (the CLI's `--fast`).
    Kernel,
    /// The kernel whenever it fits the options, else the reference (the page).
    Fastest,
}

impl PathChoice {
    fn resolve(self, options: &TrainOptions) -> Result<TrainingPath> {
        match (self, options.kernel_fits()) {
            (PathChoice::Float64, _) | (PathChoice::Fastest, false) => Ok(TrainingPath::Float64),
            (PathChoice::Kernel | PathChoice::Fastest, true) => Ok(TrainingPath::Kernel),
            (PathChoice::Kernel, false) => Err(Error::KernelNeedsRaw),
        }
    }
}

/// How a run computes its cost and gradients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingPath {
    /// The reference: float64 features, with the penalty and mirrored copies when asked.
    Float64,
    /// The integer kernel on the photos' bytes (raw pixels, no penalty, no flips): the cost's
    /// last digits traded for several times the speed, within `logit_error_bound`.
    Kernel,
}

/// The most float64 feature values (in bytes) a run may hold for the reference path. A raw run
/// with λ or flips needs 98 KB a photo (twice with flips); beyond this it is refused with a
/// message rather than outgrowing the page's wasm memory, which would end the worker and lose
/// the photos. 8,000 training photos with λ fit; with flips they do not.
pub const FLOAT64_BUDGET: usize = 1 << 30;

/// Features of photos by id, per spec and orientation, computed once and kept across runs (raw
/// pixels are never kept: they are the photos' own bytes).
#[derive(Default)]
pub struct FeatureCache {
    rows: HashMap<(FeatureSpec, bool), HashMap<PhotoId, Vec<f64>>>,
}

impl FeatureCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets photo `id`'s features (it was removed).
    pub fn forget(&mut self, id: PhotoId) {
        self.rows.values_mut().for_each(|rows| drop(rows.remove(&id)));
    }

    /// How many photos have features of `spec` (mirrored or not) kept.
    pub fn count(&self, spec: &FeatureSpec, flipped: bool) -> usize {
        self.rows.get(&(*spec, flipped)).map_or(0, HashMap::len)
    }

    /// The kept features of photo `id`, if any.
    pub fn get(&self, spec: &FeatureSpec, flipped: bool, id: PhotoId) -> Option<&[f64]> {
        self.rows.get(&(*spec, flipped))?.get(&id).map(Vec::as_slice)
    }

    /// Computes and keeps the features of photo `id` (pixels `photo`), unless they are kept already.
    fn compute(&mut self, spec: &FeatureSpec, flipped: bool, id: PhotoId, photo: &[u8]) -> Result<()> {
        let rows = self.rows.entry((*spec, flipped)).or_default();
        if let std::collections::hash_map::Entry::Vacant(slot) = rows.entry(id) {
            slot.insert(features_of(spec, flipped, photo)?);
        }
        Ok(())
    }

    /// Appends the features of photos `indices` of `data` to `values`, computing those not kept.
    fn extend(
        &mut self,
        values: &mut Vec<f64>,
        spec: &FeatureSpec,
        flipped: bool,
        data: &Dataset,
        indices: &[usize],
    ) -> Result<()> {
        let rows = self.rows.entry((*spec, flipped)).or_default();
        for &i in indices {
            let row = match rows.entry(data.ids()[i]) {
                std::collections::hash_map::Entry::Occupied(row) => row.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(features_of(spec, flipped, data.photo(i))?)
                }
            };
            values.extend_from_slice(row);
        }
        Ok(())
    }
}

/// The features of one photo, mirrored first when asked.
fn features_of(spec: &FeatureSpec, flipped: bool, photo: &[u8]) -> Result<Vec<f64>> {
    if flipped {
        return spec.extract(&flip_horizontal(photo)?);
    }
    spec.extract(photo)
}

/// What a trained model gets right and wrong, computed once when asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Percent of the training photos (not their mirrored copies) classified right.
    pub train_accuracy: f64,
    /// Percent of the held-out photos classified right; `None` when nothing is held out.
    pub held_out_accuracy: Option<f64>,
    /// Held-out photos by true label (rows) and predicted label (columns).
    pub confusion: [[usize; 2]; 2],
    /// The held-out photos classified wrong, most confidently wrong first.
    pub mistakes: Vec<Mistake>,
}

/// A training run in progress: the model so far, its costs, and how to score it.
pub struct Plan {
    classes: Classes,
    options: TrainOptions,
    path: TrainingPath,
    standardizer: Option<Standardizer>,
    trainer: Trainer,
    /// The training photos themselves (not their mirrored copies).
    train: Scored,
    held_out: Scored,
    held_out_costs: Vec<f64>,
}

/// A run being readied: the features of its photos computed a slice at a time (so the page
/// stays responsive and can stop it), then the plan built from them. Photos are named by id, so
/// photos removed meanwhile simply leave the run.
pub struct Preparation {
    options: TrainOptions,
    classes: Classes,
    train: Vec<PhotoId>,
    held_out: Vec<PhotoId>,
    /// Features still to compute, in order: (photo, mirrored).
    pending: Vec<(PhotoId, bool)>,
    done: usize,
}

/// How far a preparation has come, in photos' features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Features computed so far.
    pub done: usize,
    /// Features to compute in all.
    pub total: usize,
}

impl Preparation {
    /// Checks the options and the split and lists the features to compute (those not kept in
    /// `cache`; raw pixels need none).
    pub fn new(
        options: &TrainOptions,
        classes: &Classes,
        data: &Dataset,
        split: &Split,
        cache: &FeatureCache,
    ) -> Result<Self> {
        options.validate()?;
        let path = options.path.resolve(options)?;
        check_trainable(data, split, classes)?;
        if path == TrainingPath::Float64 && options.features.kind == FeatureKind::Raw {
            check_float64_budget(&options.features, split.train.len() * if options.flip { 2 } else { 1 })?;
        }
        let (train, held_out) = (ids(data, &split.train), ids(data, &split.held_out));
        let mut pending = Vec::new();
        if options.features.kind != FeatureKind::Raw {
            let mirrored = train.iter().filter(|_| options.flip).map(|&id| (id, true));
            let wanted = train.iter().chain(&held_out).map(|&id| (id, false)).chain(mirrored);
            let spec = &options.features;
            pending.extend(wanted.filter(|&(id, flipped)| cache.get(spec, flipped, id).is_none()));
        }
        Ok(Preparation { options: *options, classes: classes.clone(), train, held_out, pending, done: 0 })
    }

    /// Computes up to `photos` more of the features (of photos still there) and says how far it is.
    pub fn advance(&mut self, data: &Dataset, cache: &mut FeatureCache, photos: usize) -> Result<Progress> {
        let end = self.done.saturating_add(photos).min(self.pending.len());
        for &(id, flipped) in &self.pending[self.done..end] {
            if let Ok(index) = data.index_of(id) {
                cache.compute(&self.options.features, flipped, id, data.photo(index))?;
            }
        }
        self.done = end;
        Ok(self.progress())
    }

    /// How far it is.
    pub fn progress(&self) -> Progress {
        Progress { done: self.done, total: self.pending.len() }
    }

    /// The options the run was started with.
    pub fn options(&self) -> &TrainOptions {
        &self.options
    }

    /// The plan, computing whatever features are left: the split's photos still in `data`.
    pub fn finish(mut self, data: &Dataset, cache: &mut FeatureCache) -> Result<Plan> {
        self.advance(data, cache, usize::MAX)?;
        let present = |ids: &[PhotoId]| ids.iter().filter_map(|&id| data.index_of(id).ok()).collect();
        let split = Split { train: present(&self.train), held_out: present(&self.held_out) };
        Plan::build(&self.options, &self.classes, data, &split, cache)
    }
}

impl Plan {
    /// Builds the features of `split`'s photos of `data` (reusing `cache`), fits the
    /// standardisation on the training part, and readies gradient descent; nothing has run yet.
    pub fn new(
        options: &TrainOptions,
        classes: &Classes,
        data: &Dataset,
        split: &Split,
        cache: &mut FeatureCache,
    ) -> Result<Plan> {
        Preparation::new(options, classes, data, split, cache)?.finish(data, cache)
    }

    fn build(
        options: &TrainOptions,
        classes: &Classes,
        data: &Dataset,
        split: &Split,
        cache: &mut FeatureCache,
    ) -> Result<Plan> {
        check_trainable(data, split, classes)?;
        let path = options.path.resolve(options)?;
        let (objective, standardizer, train) = match path {
            TrainingPath::Kernel => {
                let rows = Rc::new(bytes(data, &split.train)?);
                let train = Scored::bytes(ids(data, &split.train), rows.clone(), Logits::Kernel);
                (Box::new(SharedBytes(rows)) as Box<dyn Objective>, None, train)
            }
            TrainingPath::Float64 => float64_objective(options, data, &split.train, cache)?,
        };
        let model = options.init.model(options.features.features());
        let trainer = Trainer::new(objective, model, options.settings)?;
        let held_out = scored(&options.features, standardizer.as_ref(), data, &split.held_out, path, cache)?;
        let classes = classes.clone();
        Ok(Plan {
            classes,
            options: *options,
            path,
            standardizer,
            trainer,
            train,
            held_out,
            held_out_costs: Vec::new(),
        })
    }

    /// One gradient step, with the held-out cost of the same (pre-step) model; returns the
    /// training cost before the step. A step that diverges leaves the model as it was.
    pub fn step(&mut self) -> Result<f64> {
        let held_out_cost = match self.held_out.is_empty() {
            true => None,
            false => Some(self.held_out.cost(self.trainer.model())?),
        };
        let cost = self.trainer.step()?;
        self.held_out_costs.extend(held_out_cost);
        Ok(cost)
    }

    /// Runs up to `steps` more iterations (fewer once the run is done); returns how many ran.
    pub fn steps(&mut self, steps: usize) -> Result<usize> {
        let mut ran = 0;
        while ran < steps && !self.is_done() {
            self.step()?;
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs every remaining iteration, calling `on_step(iteration, cost)` after each.
    pub fn run(&mut self, mut on_step: impl FnMut(usize, f64)) -> Result<()> {
        while !self.is_done() {
            let cost = self.step()?;
            on_step(self.iteration() - 1, cost);
        }
        Ok(())
    }

    /// True once every iteration has run.
    pub fn is_done(&self) -> bool {
        self.trainer.is_done()
    }

    /// Iterations run so far.
    pub fn iteration(&self) -> usize {
        self.trainer.iteration()
    }

    /// The options the run was started with.
    pub fn options(&self) -> &TrainOptions {
        &self.options
    }

    /// How the run computes its gradients.
    pub fn path(&self) -> TrainingPath {
        self.path
    }

    /// The training photos (not their mirrored copies), in photo order.
    pub fn train_ids(&self) -> &[PhotoId] {
        self.train.ids()
    }

    /// The held-out photos, in photo order.
    pub fn held_out_ids(&self) -> &[PhotoId] {
        self.held_out.ids()
    }

    /// Photos in the training part and in the held-out part.
    pub fn split_sizes(&self) -> (usize, usize) {
        (self.train.len(), self.held_out.len())
    }

    /// The model after the last step.
    pub fn model(&self) -> &Model {
        self.trainer.model()
    }

    /// Training costs recorded so far (one every `record_every` iterations).
    pub fn train_costs(&self) -> &[f64] {
        self.trainer.costs()
    }

    /// Held-out costs, one per iteration run; empty when nothing is held out.
    pub fn held_out_costs(&self) -> &[f64] {
        &self.held_out_costs
    }

    /// Probability of label 1 for one prepared photo, through the run's features and scaling.
    pub fn probability(&self, pixels: &[u8]) -> Result<f64> {
        file::probability(&self.options.features, self.standardizer.as_ref(), self.model(), pixels)
    }

    /// The model file of the model so far.
    pub fn saved(&self) -> SavedModel {
        let mut training = TrainingInfo::new(&self.options.settings, self.options.init, self.train.len());
        (training.l2, training.flip) = (self.options.l2, self.options.flip);
        SavedModel {
            classes: self.classes.clone(),
            model: self.model().clone(),
            features: self.options.features,
            standardizer: self.standardizer.clone(),
            training,
            costs: self.train_costs().to_vec(),
        }
    }

    /// Accuracies, the held-out confusion matrix and mistakes of the model so far.
    pub fn evaluate(&self) -> Result<Evaluation> {
        let model = self.model();
        let train_accuracy = self.train.accuracy(model)?;
        let predictions = self.held_out.predictions(model)?;
        let labels: Vec<u8> = predictions.iter().map(|(_, label, _)| label.value()).collect();
        let predicted: Vec<u8> = predictions.iter().map(|(_, _, p)| Label::for_probability(*p).value()).collect();
        let held_out_accuracy = (!labels.is_empty()).then(|| crate::model::metrics::accuracy(&predicted, &labels));
        let mut mistakes: Vec<Mistake> = predictions
            .into_iter()
            .filter(|&(_, label, p)| Label::for_probability(p) != label)
            .map(|(id, label, probability)| Mistake { id, label, probability })
            .collect();
        most_confident_first(&mut mistakes);
        Ok(Evaluation { train_accuracy, held_out_accuracy, confusion: confusion(&predicted, &labels), mistakes })
    }
}

/// Sorts mistakes most confidently wrong first; ties keep their order (photo order).
fn most_confident_first(mistakes: &mut [Mistake]) {
    mistakes.sort_by(|a, b| b.wrongness().total_cmp(&a.wrongness()));
}

/// Errors unless the training part has photos of both classes.
fn check_trainable(data: &Dataset, split: &Split, classes: &Classes) -> Result<()> {
    let ones = split.train.iter().filter(|&&i| data.labels()[i] == 1).count();
    match [split.train.len() - ones, ones] {
        [0, 0] => Err(Error::NoPhotos),
        counts @ ([0, _] | [_, 0]) => Err(Error::OneClass { counts, classes: classes.names().map(String::from) }),
        _ => Ok(()),
    }
}

/// The reference objective on float64 features (with the penalty and mirrored rows when
/// asked), the standardisation fitted on the training photos, and their scoring.
fn float64_objective(
    options: &TrainOptions,
    data: &Dataset,
    train: &[usize],
    cache: &mut FeatureCache,
) -> Result<(Box<dyn Objective>, Option<Standardizer>, Scored)> {
    let spec = &options.features;
    let mut fit_x = matrix(spec, data, train, options.flip, cache)?;
    let standardizer = standardize::fit_apply(spec.kind, &mut fit_x)?;
    let labels = labels_of(data, train);
    let copies = if options.flip { 2 } else { 1 };
    let fit_y = Array1::from_iter((0..copies).flat_map(|_| labels.iter().map(|&l| f64::from(l))));
    let scored = match spec.kind {
        FeatureKind::Raw => Scored::bytes(ids(data, train), Rc::new(bytes(data, train)?), Logits::Float64),
        // The first rows are the photos themselves; mirrored copies follow.
        _ => Scored::floats(ids(data, train), fit_x.slice(s![..labels.len(), ..]).to_owned(), labels),
    };
    Ok((penalty::objective(fit_x, fit_y, options.l2)?, standardizer, scored))
}

/// The scoring of photos `indices`: bytes for raw pixels (read as the run's training path
/// reads them), else standardised feature rows.
fn scored(
    spec: &FeatureSpec,
    standardizer: Option<&Standardizer>,
    data: &Dataset,
    indices: &[usize],
    path: TrainingPath,
    cache: &mut FeatureCache,
) -> Result<Scored> {
    if spec.kind == FeatureKind::Raw && !indices.is_empty() {
        let rows = Rc::new(bytes(data, indices)?);
        let logits = if path == TrainingPath::Kernel { Logits::Kernel } else { Logits::Float64 };
        return Ok(Scored::bytes(ids(data, indices), rows, logits));
    }
    let mut x = matrix(spec, data, indices, false, cache)?;
    if let Some(s) = standardizer {
        s.apply_rows(&mut x)?;
    }
    Ok(Scored::floats(ids(data, indices), x, labels_of(data, indices)))
}

/// The bytes of photos `indices`, read by the kernel (each byte meaning byte / 255).
fn bytes(data: &Dataset, indices: &[usize]) -> Result<FastObjective> {
    // Sized up front: collecting would grow by doubling, briefly holding up to three times the bytes.
    let mut levels = Vec::with_capacity(indices.len() * PHOTO_BYTES);
    indices.iter().for_each(|&i| levels.extend_from_slice(data.photo(i)));
    FastObjective::from_levels(levels, &labels_of(data, indices), PHOTO_BYTES, 1.0 / 255.0, 0.0)
}

/// The features of photos `indices` as rows, unstandardised: all of them as they are, then
/// (with `mirrored_too`) all of them mirrored. One buffer sized up front, so a large matrix is
/// never briefly held twice.
fn matrix(
    spec: &FeatureSpec,
    data: &Dataset,
    indices: &[usize],
    mirrored_too: bool,
    cache: &mut FeatureCache,
) -> Result<Array2<f64>> {
    let orientations: &[bool] = if mirrored_too { &[false, true] } else { &[false] };
    let mut values = Vec::with_capacity(orientations.len() * indices.len() * spec.features());
    for &flipped in orientations {
        if spec.kind == FeatureKind::Raw {
            for &i in indices {
                values.extend(features_of(spec, flipped, data.photo(i))?);
            }
        } else {
            cache.extend(&mut values, spec, flipped, data, indices)?;
        }
    }
    let shape = (orientations.len() * indices.len(), spec.features());
    let actual = values.len();
    Array2::from_shape_vec(shape, values).map_err(|_| Error::MismatchedShapes {
        what: "feature values",
        expected: shape.0 * shape.1,
        actual,
    })
}

fn labels_of(data: &Dataset, indices: &[usize]) -> Vec<u8> {
    indices.iter().map(|&i| data.labels()[i]).collect()
}

fn ids(data: &Dataset, indices: &[usize]) -> Vec<PhotoId> {
    indices.iter().map(|&i| data.ids()[i]).collect()
}

/// Refuses a reference run whose float64 rows (`rows` of them) would pass [`FLOAT64_BUDGET`].
fn check_float64_budget(spec: &FeatureSpec, rows: usize) -> Result<()> {
    let bytes = rows.saturating_mul(spec.features()).saturating_mul(std::mem::size_of::<f64>());
    if bytes <= FLOAT64_BUDGET {
        return Ok(());
    }
    let mb = |b: usize| b.div_ceil(1 << 20);
    Err(Error::Float64Budget { kind: spec.kind.name(), rows, needed_mb: mb(bytes), allowed_mb: mb(FLOAT64_BUDGET) })
}

#[cfg(test)]
mod tests;
