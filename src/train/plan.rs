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

use std::ops::Range;
use std::rc::Rc;

use ndarray::{s, Array1};

use crate::data::dataset::{Dataset, PhotoId, Split};
use crate::data::labels::Classes;
use crate::features::fitted::Featurizer;
use crate::features::standardize::{self, Standardizer};
use crate::features::FeatureKind;
use crate::model::file::{self, SavedModel, TrainingInfo};
use crate::model::metrics::confusion;
use crate::model::Model;
use crate::photo::{Label, PHOTO_BYTES};
use crate::threads::Threads;
use crate::train::blocks::{shards, Partial, BLOCK};
use crate::train::cache::{matrix, FeatureCache};
use crate::train::kernel::FastObjective;
use crate::train::optimize::{Objective, Trainer};
use crate::train::penalty;
use crate::train::prepare::{check_trainable, ids, Preparation};
use crate::train::scored::{Logits, Mistake, Scored, SharedBytes};
use crate::train::shard::{self, ShardRows};
use crate::{Error, Result};

pub use crate::train::options::{PathChoice, TrainOptions, TrainingPath, FLOAT64_BUDGET};
pub use crate::train::prepare::Progress;

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

impl Evaluation {
    /// Held-out photos.
    pub fn held_out_count(&self) -> usize {
        self.confusion.iter().flatten().sum()
    }

    /// Percent of the held-out photos of class `label` classified right; `None` when none of
    /// that class were held out.
    pub fn class_accuracy(&self, label: Label) -> Option<f64> {
        let row = self.confusion[label.index()];
        let total = row[0] + row[1];
        (total > 0).then(|| 100.0 * row[label.index()] as f64 / total as f64)
    }
}

/// A training run in progress: the model so far, its costs, and how to score it.
pub struct Plan {
    classes: Classes,
    features: Featurizer,
    options: TrainOptions,
    path: TrainingPath,
    standardizer: Option<Standardizer>,
    trainer: Trainer,
    /// The training photos themselves (not their mirrored copies).
    train: Scored,
    held_out: Scored,
    held_out_costs: Vec<f64>,
    /// A step spread over workers, begun and waiting for the other shards' partials.
    pending: Option<PendingStep>,
}

/// What the lead computed of a step spread over workers: its own shard's partials and the
/// held-out cost, at the model of iteration `iteration`.
struct PendingStep {
    iteration: usize,
    own: Vec<Partial>,
    held_out_cost: Option<f64>,
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

    pub(crate) fn build(
        options: &TrainOptions,
        threads: Threads,
        features: Featurizer,
        classes: &Classes,
        data: &Dataset,
        split: &Split,
        cache: &mut FeatureCache,
    ) -> Result<Plan> {
        check_trainable(data, split, classes)?;
        let path = options.path.resolve(options)?;
        let (objective, standardizer, train) = match path {
            TrainingPath::Kernel => {
                let rows = Rc::new(bytes(data, &split.train, threads)?);
                let train = Scored::bytes(ids(data, &split.train), rows.clone(), Logits::Kernel);
                (Box::new(SharedBytes(rows)) as Box<dyn Objective>, None, train)
            }
            TrainingPath::Float64 => float64_objective(options, threads, &features, data, &split.train, cache)?,
        };
        let model = options.init.model(features.features());
        let trainer = Trainer::new(objective, model, options.settings)?;
        let held_out = scored(&features, standardizer.as_ref(), data, &split.held_out, (path, threads), cache)?;
        let classes = classes.clone();
        Ok(Plan {
            classes,
            features,
            options: *options,
            path,
            standardizer,
            trainer,
            train,
            held_out,
            held_out_costs: Vec::new(),
            pending: None,
        })
    }

    /// One gradient step, with the held-out cost of the same (pre-step) model; returns the
    /// training cost before the step. A step that diverges leaves the model as it was.
    pub fn step(&mut self) -> Result<f64> {
        self.pending = None;
        let held_out_cost = self.held_out_cost()?;
        let cost = self.trainer.step()?;
        self.held_out_costs.extend(held_out_cost);
        Ok(cost)
    }

    fn held_out_cost(&self) -> Result<Option<f64>> {
        match self.held_out.is_empty() {
            true => Ok(None),
            false => Ok(Some(self.held_out.cost(self.trainer.model())?)),
        }
    }

    /// The training rows cut for `workers` workers (see [`shards`]): fewer shards when there
    /// are fewer blocks. Shard 0 is the lead's own.
    pub fn shard_ranges(&self, workers: usize) -> Vec<Range<usize>> {
        shards(self.trainer.objective().examples(), workers)
    }

    /// The rows of shard `index` of [`Self::shard_ranges`]`(workers)`, for the helper worker
    /// that computes its blocks.
    pub fn shard(&self, index: usize, workers: usize) -> Result<ShardRows> {
        let ranges = self.shard_ranges(workers);
        let rows = ranges.get(index).ok_or(Error::Shard("there is no such shard"))?;
        self.trainer.objective().shard(rows.clone())
    }

    /// [`Self::shard`] as the message the helper worker is sent.
    pub fn shard_message(&self, index: usize, workers: usize) -> Result<Vec<u8>> {
        let ranges = self.shard_ranges(workers);
        let rows = ranges.get(index).ok_or(Error::Shard("there is no such shard"))?;
        self.trainer.objective().shard_message(rows.clone())
    }

    /// Begins a step spread over `workers` workers: computes the lead's shard's partials and the
    /// held-out cost at the current model, while the helpers compute theirs from the model
    /// [`shard::model_to_wire`] gives them. False when the run is done.
    pub fn begin_step(&mut self, workers: usize) -> Result<bool> {
        self.pending = None;
        if self.is_done() {
            return Ok(false);
        }
        let own = self.shard_ranges(workers)[0].end.div_ceil(BLOCK);
        let model = self.trainer.model();
        let own = self.trainer.objective().partials(model, 0..own)?;
        let held_out_cost = self.held_out_cost()?;
        self.pending = Some(PendingStep { iteration: self.iteration(), own, held_out_cost });
        Ok(true)
    }

    /// Ends the step [`Self::begin_step`] began, with the other shards' partials in shard order
    /// (as [`shard::partials_to_wire`] sends them); returns the training cost before the step.
    pub fn finish_step(&mut self, others: &[f64]) -> Result<f64> {
        let pending = self.pending.take().ok_or(Error::Shard("no step was begun"))?;
        if pending.iteration != self.iteration() {
            return Err(Error::Shard("the step was begun at another iteration"));
        }
        let mut partials = pending.own;
        let objective = self.trainer.objective();
        let from_wire = if objective.exact_sums() { shard::exact_from_wire } else { shard::partials_from_wire };
        partials.extend(from_wire(others, objective.features())?);
        let cost = self.trainer.step_from(&partials)?;
        self.held_out_costs.extend(pending.held_out_cost);
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

    /// The class names, label 0 first.
    pub fn classes(&self) -> &Classes {
        &self.classes
    }

    /// Gives the run's two classes new names (labels, and so the model, stay as they are).
    pub fn rename(&mut self, classes: &Classes) {
        self.classes = classes.clone();
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

    /// How the run turns photos into features (with what it learned from them).
    pub fn features(&self) -> &Featurizer {
        &self.features
    }

    /// The standardisation fitted on the training photos (none for raw pixels).
    pub fn standardizer(&self) -> Option<&Standardizer> {
        self.standardizer.as_ref()
    }

    /// Probability of label 1 for one prepared photo, through the run's features and scaling.
    pub fn probability(&self, pixels: &[u8]) -> Result<f64> {
        file::probability(&self.features, self.standardizer.as_ref(), self.model(), pixels)
    }

    /// The model file of the model so far.
    pub fn saved(&self) -> SavedModel {
        let mut training = TrainingInfo::new(&self.options.settings, self.options.init, self.train.len());
        (training.l2, training.flip) = (self.options.l2, self.options.flip);
        SavedModel {
            classes: self.classes.clone(),
            model: self.model().clone(),
            features: self.features.clone(),
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

/// The reference objective on float64 features (with the penalty and mirrored rows when
/// asked), the standardisation fitted on the training photos, and their scoring.
fn float64_objective(
    options: &TrainOptions,
    threads: Threads,
    features: &Featurizer,
    data: &Dataset,
    train: &[usize],
    cache: &mut FeatureCache,
) -> Result<(Box<dyn Objective>, Option<Standardizer>, Scored)> {
    let spec = features.spec();
    let mut fit_x = matrix(features, data, train, options.flip, cache)?;
    let standardizer = standardize::fit_apply(spec.kind, &mut fit_x)?;
    let labels = labels_of(data, train);
    let copies = if options.flip { 2 } else { 1 };
    let fit_y = Array1::from_iter((0..copies).flat_map(|_| labels.iter().map(|&l| f64::from(l))));
    let scored = match spec.kind {
        FeatureKind::Raw => Scored::bytes(ids(data, train), Rc::new(bytes(data, train, threads)?), Logits::Float64),
        // The first rows are the photos themselves; mirrored copies follow.
        _ => Scored::floats(ids(data, train), fit_x.slice(s![..labels.len(), ..]).to_owned(), labels),
    };
    Ok((penalty::objective(fit_x, fit_y, options.l2, threads)?, standardizer, scored))
}

/// The scoring of photos `indices`: bytes for raw pixels (read as the run's training path
/// reads them), else standardised feature rows.
fn scored(
    features: &Featurizer,
    standardizer: Option<&Standardizer>,
    data: &Dataset,
    indices: &[usize],
    (path, threads): (TrainingPath, Threads),
    cache: &mut FeatureCache,
) -> Result<Scored> {
    if features.spec().kind == FeatureKind::Raw && !indices.is_empty() {
        let rows = Rc::new(bytes(data, indices, threads)?);
        let logits = if path == TrainingPath::Kernel { Logits::Kernel } else { Logits::Float64 };
        return Ok(Scored::bytes(ids(data, indices), rows, logits));
    }
    let mut x = matrix(features, data, indices, false, cache)?;
    if let Some(s) = standardizer {
        s.apply_rows(&mut x)?;
    }
    Ok(Scored::floats(ids(data, indices), x, labels_of(data, indices)))
}

/// The bytes of photos `indices`, read by the kernel (each byte meaning byte / 255) on `threads`.
fn bytes(data: &Dataset, indices: &[usize], threads: Threads) -> Result<FastObjective> {
    // Sized up front: collecting would grow by doubling, briefly holding up to three times the bytes.
    let mut levels = Vec::with_capacity(indices.len() * PHOTO_BYTES);
    indices.iter().for_each(|&i| levels.extend_from_slice(data.photo(i)));
    Ok(FastObjective::from_levels(levels, &labels_of(data, indices), PHOTO_BYTES, 1.0 / 255.0, 0.0)?.on(threads))
}

fn labels_of(data: &Dataset, indices: &[usize]) -> Vec<u8> {
    indices.iter().map(|&i| data.labels()[i]).collect()
}

#[cfg(test)]
mod tests;
