//! Readying a run: the features it needs computed a slice at a time, then its plan built.

use crate::data::dataset::{Dataset, PhotoId, Split};
use crate::data::labels::Classes;
use crate::features::FeatureKind;
use crate::train::cache::FeatureCache;
use crate::train::options::{check_float64_budget, TrainOptions, TrainingPath};
use crate::train::plan::Plan;
use crate::{Error, Result};

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

/// Errors unless the training part has photos of both classes.
pub(crate) fn check_trainable(data: &Dataset, split: &Split, classes: &Classes) -> Result<()> {
    let ones = split.train.iter().filter(|&&i| data.labels()[i] == 1).count();
    match [split.train.len() - ones, ones] {
        [0, 0] => Err(Error::NoPhotos),
        counts @ ([0, _] | [_, 0]) => Err(Error::OneClass { counts, classes: classes.names().map(String::from) }),
        _ => Ok(()),
    }
}

pub(crate) fn ids(data: &Dataset, indices: &[usize]) -> Vec<PhotoId> {
    indices.iter().map(|&i| data.ids()[i]).collect()
}
