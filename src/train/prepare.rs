//! Readying a run: a learned kind's dictionary learned from the training photos, the features
//! the run needs computed a slice at a time, then its plan built.

use crate::data::dataset::{Dataset, PhotoId, Split};
use crate::data::labels::Classes;
use std::sync::Arc;

use crate::features::fitted::Featurizer;
use crate::features::learned::kmeans::Clustering;
use crate::features::learned::Learning;
use crate::features::FeatureKind;
use crate::threads::Threads;
use crate::train::blocks::shards;
use crate::train::cache::FeatureCache;
use crate::train::jobs::{assignments_from_wire, ClusterRows, FeatureJob};
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
    /// How photos become features; `None` while a learned kind's dictionary is still to learn.
    features: Option<Featurizer>,
    /// The dictionary being learned, a k-means round at a time, once its patches are drawn.
    learning: Option<Learning>,
    /// The workers a k-means round was begun on, until it is finished.
    round_begun: Option<usize>,
    /// Features still to compute, in order: (photo, mirrored).
    pending: Vec<(PhotoId, bool)>,
    /// Features of `pending` computed here or handed out to helper workers.
    done: usize,
    /// Jobs handed to helper workers and not answered yet: their numbers and photos.
    out: Vec<(u32, Vec<(PhotoId, bool)>)>,
    next_job: u32,
    /// What the features, the dictionary and the plan's gradients are spread over.
    threads: Threads,
}

/// How far a preparation has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// True while a learned kind's dictionary is still to learn (the next steps draw its
    /// patches, then run its k-means rounds; `total` is known after).
    pub learning: bool,
    /// The dictionary's k-means rounds run and in all, while it is learned.
    pub rounds: (usize, usize),
    /// Features computed so far.
    pub done: usize,
    /// Features to compute in all.
    pub total: usize,
}

impl Progress {
    /// True once the dictionary (if any) is learned and every feature computed.
    pub fn is_done(&self) -> bool {
        !self.learning && self.done == self.total
    }
}

/// The seed of the patches a dictionary is learned from, so a run is reproducible.
pub const DICTIONARY_SEED: u32 = 1;

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
        let spec = options.features;
        let features = match spec.needs_dictionary() {
            false => Some(Featurizer::fixed(spec)?),
            true => match cache.dictionary(&spec.learned, DICTIONARY_SEED, &train) {
                Some(dictionary) => Some(Featurizer::learned(spec, dictionary)?),
                None => None,
            },
        };
        let classes = classes.clone();
        let mut preparation = Preparation {
            options: *options,
            classes,
            train,
            held_out,
            features,
            learning: None,
            round_begun: None,
            pending: Vec::new(),
            done: 0,
            out: Vec::new(),
            next_job: 0,
            threads: Threads::ONE,
        };
        preparation.list_pending(cache);
        Ok(preparation)
    }

    /// The same preparation computing on `threads`, and its plan training on them: the same
    /// features, dictionary and model to the bit on any count (one thread unless asked).
    pub fn on(self, threads: Threads) -> Self {
        Preparation { threads, ..self }
    }

    /// Lists the features not kept in `cache` (none for raw pixels, which are the photos' bytes).
    fn list_pending(&mut self, cache: &FeatureCache) {
        let Some(features) = &self.features else { return };
        let spec = features.spec();
        if spec.kind == FeatureKind::Raw {
            return;
        }
        let mirrored = self.train.iter().filter(|_| self.options.flip).map(|&id| (id, true));
        let wanted = self.train.iter().chain(&self.held_out).map(|&id| (id, false)).chain(mirrored);
        self.pending = wanted.filter(|&(id, flipped)| cache.get(spec, flipped, id).is_none()).collect();
    }

    /// Learns the dictionary if that is next (one step on its own), else computes up to
    /// `photos` more of the features (of photos still there); says how far it is.
    pub fn advance(&mut self, data: &Dataset, cache: &mut FeatureCache, photos: usize) -> Result<Progress> {
        let Some(features) = &self.features else {
            self.learn(data, cache)?;
            return Ok(self.progress());
        };
        let end = self.done.saturating_add(photos).min(self.pending.len());
        let present = self.pending[self.done..end]
            .iter()
            .filter_map(|&(id, flipped)| data.index_of(id).ok().map(|index| (id, flipped, data.photo(index))));
        cache.compute(features, &present.collect::<Vec<_>>(), self.threads)?;
        self.done = end;
        Ok(self.progress())
    }

    /// The featurizer the features are computed with, once a learned kind's dictionary is learned.
    pub fn featurizer(&self) -> Option<&Featurizer> {
        self.features.as_ref()
    }

    /// The next `photos` features to compute (of photos still there), as a job for a helper
    /// worker; `None` while the dictionary is still to learn, or when none are left to hand out.
    pub fn hand_out(&mut self, data: &Dataset, photos: usize) -> Option<FeatureJob> {
        self.features.as_ref()?;
        let mut taken = Vec::new();
        while taken.is_empty() && self.done < self.pending.len() {
            let end = self.done.saturating_add(photos.max(1)).min(self.pending.len());
            taken = self.pending[self.done..end].iter().copied().filter(|&(id, _)| data.index_of(id).is_ok()).collect();
            self.done = end;
        }
        if taken.is_empty() {
            return None;
        }
        let pixels = taken.iter().filter_map(|&(id, _)| data.photo_by_id(id).ok()).flatten().copied().collect();
        let job = FeatureJob { number: self.next_job, flipped: taken.iter().map(|&(_, f)| f).collect(), pixels };
        self.out.push((self.next_job, taken));
        self.next_job = self.next_job.wrapping_add(1);
        Some(job)
    }

    /// Keeps the features a helper computed for job `number`, one row per photo in the job's
    /// order, as if computed here (those of photos removed meanwhile are dropped).
    pub fn take_back(
        &mut self,
        data: &Dataset,
        cache: &mut FeatureCache,
        number: u32,
        rows: &[f64],
    ) -> Result<Progress> {
        let at = self
            .out
            .iter()
            .position(|(n, _)| *n == number)
            .ok_or(Error::Shard("no feature job of that number is out"))?;
        let features =
            self.features.as_ref().ok_or(Error::Shard("features came back before there was a featurizer"))?;
        let (width, photos) = (features.features(), &self.out[at].1);
        if rows.len() != photos.len() * width {
            let expected = photos.len() * width;
            return Err(Error::MismatchedShapes { what: "features of a job", expected, actual: rows.len() });
        }
        let (_, photos) = self.out.swap_remove(at);
        for (&(id, flipped), row) in photos.iter().zip(rows.chunks_exact(width.max(1))) {
            if data.index_of(id).is_ok() {
                cache.insert(features.spec(), flipped, id, row.to_vec());
            }
        }
        Ok(self.progress())
    }

    /// Learns the dictionary from the training photos still there (never the held-out ones): the
    /// first call draws and whitens the patches, each next one runs a k-means round here.
    fn learn(&mut self, data: &Dataset, cache: &mut FeatureCache) -> Result<()> {
        match &mut self.learning {
            None => {
                self.train.retain(|&id| data.index_of(id).is_ok());
                let photos = self.train.iter().filter_map(|&id| data.photo_by_id(id).ok());
                let learned = &self.options.features.learned;
                self.learning = Some(Learning::start(photos, learned, DICTIONARY_SEED, self.threads)?);
            }
            Some(learning) => {
                learning.clustering().round(self.threads);
                self.round_begun = None;
            }
        }
        self.finish_learning(cache)
    }

    /// Keeps the dictionary once its last round has run, and lists the features it gives.
    fn finish_learning(&mut self, cache: &mut FeatureCache) -> Result<()> {
        if !self.learning.as_mut().is_some_and(|l| l.clustering().is_done()) {
            return Ok(());
        }
        let Some(learning) = self.learning.take() else { return Ok(()) };
        let dictionary = Arc::new(learning.finish());
        cache.keep_dictionary(DICTIONARY_SEED, self.train.clone(), dictionary.clone());
        self.features = Some(Featurizer::learned(self.options.features, dictionary)?);
        self.list_pending(cache);
        Ok(())
    }

    /// The centroids of the dictionary's k-means round to come, while one is to run.
    pub fn cluster_centroids(&mut self) -> Option<&[f32]> {
        let clustering = self.learning.as_mut()?.clustering();
        Some(clustering.centroids())
    }

    /// How many parts the dictionary's patches are cut into for `workers` workers (fewer when
    /// there are fewer blocks of 256 patches); 0 unless a dictionary is being learned.
    pub fn cluster_parts(&mut self, workers: usize) -> usize {
        self.learning.as_mut().map_or(0, |l| shards(l.clustering().shape().0, workers).len())
    }

    /// The whitened patches of part `index` of the k-means rows cut for `workers` workers, for
    /// the helper worker that assigns them each round.
    pub fn cluster_rows(&mut self, index: usize, workers: usize) -> Result<ClusterRows> {
        let clustering = self.clustering()?;
        let (n, dp) = clustering.shape();
        let range =
            shards(n, workers).get(index).cloned().ok_or(Error::Shard("there is no such part of the patches"))?;
        Ok(ClusterRows { dp, values: clustering.rows(range).to_vec() })
    }

    /// Begins a k-means round spread over `workers` workers: assigns part 0 here while the
    /// helpers assign theirs.
    pub fn begin_cluster_round(&mut self, workers: usize) -> Result<()> {
        let clustering = self.clustering()?;
        let here = shards(clustering.shape().0, workers).first().cloned();
        clustering.assign_here(here.ok_or(Error::Shard("there are no patches to assign"))?);
        self.round_begun = Some(workers);
        Ok(())
    }

    /// Ends the round begun: takes the helpers' assignments of the other parts (one after
    /// another in part order, as `ClusterWorker` gives them), then moves the centroids; the
    /// dictionary is kept after the last round. Wrong assignments are an error that leaves the
    /// round begun.
    pub fn finish_cluster_round(&mut self, cache: &mut FeatureCache, others: &[u32]) -> Result<Progress> {
        let workers = self.round_begun.ok_or(Error::Shard("no k-means round was begun"))?;
        let clustering = self.clustering()?;
        let parts = shards(clustering.shape().0, workers);
        let helpers_from = parts.first().map_or(0, |p| p.end);
        let expected = 2 * parts.iter().skip(1).map(|r| r.len()).sum::<usize>();
        if others.len() != expected {
            return Err(Error::MismatchedShapes {
                what: "assignments of a k-means round",
                expected,
                actual: others.len(),
            });
        }
        let assigned = assignments_from_wire(others, clustering.centroids().len() / clustering.shape().1)?;
        clustering.assigned_elsewhere(helpers_from, &assigned);
        clustering.update();
        self.round_begun = None;
        self.finish_learning(cache)?;
        Ok(self.progress())
    }

    fn clustering(&mut self) -> Result<&mut Clustering> {
        Ok(self.learning.as_mut().ok_or(Error::Shard("no dictionary is being learned"))?.clustering())
    }

    /// How far it is.
    pub fn progress(&self) -> Progress {
        let out: usize = self.out.iter().map(|(_, photos)| photos.len()).sum();
        let rounds = self.learning.as_ref().map_or((0, 0), Learning::rounds);
        Progress { learning: self.features.is_none(), rounds, done: self.done - out, total: self.pending.len() }
    }

    /// Photos in the training part and in the held-out part (removed ones leave at the end).
    pub fn split_sizes(&self) -> (usize, usize) {
        (self.train.len(), self.held_out.len())
    }

    /// The options the run was started with.
    pub fn options(&self) -> &TrainOptions {
        &self.options
    }

    /// The plan, learning and computing whatever is left: the split's photos still in `data`.
    pub fn finish(mut self, data: &Dataset, cache: &mut FeatureCache) -> Result<Plan> {
        while self.features.is_none() || self.done < self.pending.len() {
            self.advance(data, cache, usize::MAX)?;
        }
        let present = |ids: &[PhotoId]| ids.iter().filter_map(|&id| data.index_of(id).ok()).collect();
        let split = Split { train: present(&self.train), held_out: present(&self.held_out) };
        let features = self.features.ok_or(Error::NoDictionary(self.options.features.kind.name()))?;
        Plan::build(&self.options, self.threads, features, &self.classes, data, &split, cache)
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
