//! The page's state over the training plan: the photos (by stable id), their kept features,
//! and the current model, which is none, a run's or a loaded file's. Pure Rust, so it is tested
//! natively; `web` only converts at the boundary.
//!
//! The class names are the session's and every model follows them: labels are 0 and 1, and a
//! rename changes what they are called, never which photos belong together, so renaming keeps
//! each photo's label and renames the current model's classes (its file then carries the new
//! names). A model file for other names is refused rather than renamed: its names say what it
//! was trained to tell apart, and only the user can say that these classes are those.
//!
//! Starting a run first lets go of the previous run's rows, keeping its model as if loaded, so a
//! new run's copies of the photos are never held beside the old run's.

use crate::data::dataset::{Dataset, PhotoId};
use crate::data::labels::Classes;
use crate::data::project::{Project, ProjectSettings};
use crate::decode::{prepare_bytes, prepare_square_frame};
use crate::features::learned::CentroidPicture;
use crate::features::{FeatureKind, FeatureSpec};
use crate::model::file::SavedModel;
use crate::photo::{Label, Prediction};
use crate::train::cache::FeatureCache;
use crate::train::jobs::{ClusterRows, FeatureJob};
use crate::train::plan::{Evaluation, Plan, TrainOptions};
use crate::train::prepare::{Preparation, Progress};
use crate::viz::centroids::centroid_picture;
use crate::viz::weights::weight_picture;
use crate::{Error, Result};

pub mod live;

use live::LiveAverage;

/// The name a webcam frame is kept under.
pub const WEBCAM_FRAME: &str = "webcam frame";

/// What a run in the page is started with: the training options and the split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    /// Features, settings, penalty, flips, initialisation and arithmetic.
    pub train: TrainOptions,
    /// Share of each class held out for testing, 0 to below 1.
    pub test_share: f64,
    /// Seed of the split.
    pub split_seed: u32,
}

/// The model predictions come from.
#[derive(Default)]
pub enum CurrentModel {
    /// Nothing trained or loaded yet.
    #[default]
    None,
    /// A run's model (in progress, stopped or finished), with its evaluation once asked for.
    Run { plan: Box<Plan>, evaluation: Option<(usize, Evaluation)> },
    /// A model file's, or the model of a run that a newer run replaced.
    Loaded(Box<SavedModel>),
}

/// Photos, their kept features, the current model, and the next run while its features are
/// computed (the current model answers meanwhile).
#[derive(Default)]
pub struct Session {
    classes: Classes,
    data: Dataset,
    cache: FeatureCache,
    current: CurrentModel,
    /// The model that answered before the current run, back if the run diverges.
    before_run: CurrentModel,
    preparing: Option<Preparation>,
    live: LiveAverage,
}

impl Session {
    /// An empty session with the tutorial's classes, `cat` (0) and `dog` (1).
    pub fn new() -> Self {
        Self::default()
    }

    /// The class names, label 0 first.
    pub fn classes(&self) -> &Classes {
        &self.classes
    }

    /// Renames the classes (label 0 first) and the current model's; bad names change nothing.
    /// Photos keep their labels; names read from files from now on follow the new names.
    pub fn set_classes(&mut self, negative: &str, positive: &str) -> Result<()> {
        self.classes = Classes::new(negative, positive)?;
        // The model a diverging run brings back must answer with the new names too.
        for model in [&mut self.current, &mut self.before_run] {
            match model {
                CurrentModel::Run { plan, .. } => plan.rename(&self.classes),
                CurrentModel::Loaded(saved) => saved.classes = self.classes.clone(),
                CurrentModel::None => {}
            }
        }
        Ok(())
    }

    /// Adds a photo file; `label` overrides the one its name (or folder path) gives. Returns the
    /// new photo's id and label. A photo that cannot be read or labelled changes nothing.
    pub fn add(&mut self, name: &str, bytes: &[u8], label: Option<Label>) -> Result<(PhotoId, Label)> {
        let label = match label {
            Some(label) => label,
            None => Label::new(self.classes.label_for_path(name)?)?,
        };
        let id = self.data.push(name, &prepare_bytes(bytes, name)?, label.value())?;
        Ok((id, label))
    }

    /// An empty session classifying `classes`.
    pub fn with_classes(classes: Classes) -> Self {
        Session { classes, ..Self::default() }
    }

    /// Adds the middle square of an RGBA frame (a webcam's) as a photo labelled `label`, named
    /// [`WEBCAM_FRAME`]; returns its id.
    pub fn add_frame(&mut self, rgba: &[u8], width: u32, height: u32, label: Label) -> Result<PhotoId> {
        self.data.push(WEBCAM_FRAME, &prepare_square_frame(rgba, width, height)?, label.value())
    }

    /// Adds an already prepared photo (64x64 RGB, as [`Self::photo`] gives it), under the id it
    /// was kept with when `id` is given (past every id so far), else under a new one.
    pub fn add_prepared(&mut self, id: Option<PhotoId>, name: &str, pixels: &[u8], label: Label) -> Result<PhotoId> {
        match id {
            Some(id) => self.data.push_as(id, name, pixels, label.value()),
            None => self.data.push(name, pixels, label.value()),
        }
    }

    /// The name photo `id` was added under.
    pub fn photo_name(&self, id: PhotoId) -> Result<&str> {
        Ok(&self.data.names()[self.data.index_of(id)?])
    }

    /// Makes room for `photos` more photos at once (adding many then grows memory once).
    pub fn reserve(&mut self, photos: usize) -> Result<()> {
        self.data.reserve(photos)
    }

    /// The photos.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// How many photos have label 0 and label 1.
    pub fn counts(&self) -> [usize; 2] {
        self.data.class_counts()
    }

    /// The prepared 64x64 RGB pixels of photo `id`.
    pub fn photo(&self, id: PhotoId) -> Result<&[u8]> {
        self.data.photo_by_id(id)
    }

    /// Removes photo `id` and its kept features. A run's results keep naming it by id.
    pub fn remove(&mut self, id: PhotoId) -> Result<()> {
        self.data.remove(id)?;
        self.cache.forget(id);
        Ok(())
    }

    /// Gives photo `id` a label.
    pub fn set_label(&mut self, id: PhotoId, label: Label) -> Result<()> {
        self.data.set_label(id, label)
    }

    /// How many photos have their features of `spec` (mirrored or not) kept.
    pub fn cached_features(&self, spec: &FeatureSpec, flipped: bool) -> usize {
        self.cache.count(spec, flipped)
    }

    /// Splits the photos and starts readying a run of the training plan on them (see
    /// [`Self::prepare`]); a bad setting or split keeps the previous model and run.
    pub fn start(&mut self, options: &RunOptions) -> Result<()> {
        options.train.validate()?;
        let split = self.data.split_indices(options.test_share, options.split_seed)?;
        self.data.check_trainable(&self.classes)?;
        let preparation = Preparation::new(&options.train, &self.classes, &self.data, &split, &self.cache)?;
        self.retire_run();
        self.preparing = Some(preparation);
        Ok(())
    }

    /// Computes up to `photos` more of the next run's features; once all are there the run
    /// becomes the current model. Returns how far it is (`None` when nothing is being readied).
    pub fn prepare(&mut self, photos: usize) -> Result<Option<Progress>> {
        let Some(preparation) = self.preparing.as_mut() else {
            return Ok(None);
        };
        let progress = preparation.advance(&self.data, &mut self.cache, photos)?;
        if progress.is_done() {
            self.finish_preparing()?;
        }
        Ok(Some(progress))
    }

    /// The next `photos` features of the run being readied, as a job for a helper worker (see
    /// train/jobs.rs); `None` while its dictionary is still to learn or none are left to hand out.
    pub fn hand_out_features(&mut self, photos: usize) -> Option<FeatureJob> {
        self.preparing.as_mut()?.hand_out(&self.data, photos)
    }

    /// Keeps a helper's answer to feature job `number`; once every feature is in, the run is
    /// built. `None` when no run is being readied (it was stopped or replaced meanwhile).
    pub fn take_back_features(&mut self, number: u32, rows: &[f64]) -> Result<Option<Progress>> {
        let Some(preparation) = self.preparing.as_mut() else {
            return Ok(None);
        };
        let progress = preparation.take_back(&self.data, &mut self.cache, number, rows)?;
        if progress.is_done() {
            self.finish_preparing()?;
        }
        Ok(Some(progress))
    }

    /// The centroids of the next k-means round of the dictionary being learned (see
    /// train/jobs.rs); `None` unless a round is to run.
    pub fn cluster_centroids(&mut self) -> Option<Vec<f32>> {
        self.preparing.as_mut()?.cluster_centroids().map(<[f32]>::to_vec)
    }

    /// How many parts the dictionary's patches are cut into for `workers` workers; 0 unless a
    /// dictionary is being learned.
    pub fn cluster_parts(&mut self, workers: usize) -> usize {
        self.preparing.as_mut().map_or(0, |p| p.cluster_parts(workers))
    }

    /// The whitened patches of part `index` of the dictionary's k-means cut for `workers`.
    pub fn cluster_rows(&mut self, index: usize, workers: usize) -> Result<ClusterRows> {
        self.preparing.as_mut().ok_or(Error::NoRun)?.cluster_rows(index, workers)
    }

    /// Begins a k-means round of the dictionary on `workers` workers (see
    /// `Preparation::begin_cluster_round`).
    pub fn begin_cluster_round(&mut self, workers: usize) -> Result<()> {
        self.preparing.as_mut().ok_or(Error::NoRun)?.begin_cluster_round(workers)
    }

    /// Ends the round begun with the helpers' assignments in part order. `None` when no run is
    /// being readied (it was stopped or replaced meanwhile).
    pub fn finish_cluster_round(&mut self, others: &[u32]) -> Result<Option<Progress>> {
        let Some(preparation) = self.preparing.as_mut() else {
            return Ok(None);
        };
        let progress = preparation.finish_cluster_round(&mut self.cache, others)?;
        if progress.is_done() {
            self.finish_preparing()?;
        }
        Ok(Some(progress))
    }

    /// How far the next run's features are, while they are computed.
    pub fn preparing(&self) -> Option<Progress> {
        self.preparing.as_ref().map(Preparation::progress)
    }

    /// The next run while its features are computed.
    pub fn preparation(&self) -> Option<&Preparation> {
        self.preparing.as_ref()
    }

    /// Builds the run from its features (computing any left); a failure drops the run.
    fn finish_preparing(&mut self) -> Result<()> {
        if let Some(preparation) = self.preparing.take() {
            let mut plan = preparation.finish(&self.data, &mut self.cache)?;
            // The classes may have been renamed while the features were computed.
            plan.rename(&self.classes);
            let run = CurrentModel::Run { plan: Box::new(plan), evaluation: None };
            self.before_run = std::mem::replace(&mut self.current, run);
            self.live.reset();
        }
        Ok(())
    }

    /// Keeps the current run's model as if loaded from its file and drops its rows.
    fn retire_run(&mut self) {
        if let CurrentModel::Run { plan, .. } = &self.current {
            self.current = CurrentModel::Loaded(Box::new(plan.saved()));
        }
    }

    /// The run, if the current model is a run's.
    pub fn run(&self) -> Option<&Plan> {
        match &self.current {
            CurrentModel::Run { plan, .. } => Some(plan),
            _ => None,
        }
    }

    /// Runs up to `steps` more iterations (fewer once the run is done); returns how many ran. A
    /// run still being readied computes the rest of its features first. A run that diverges
    /// ([`Error::Diverged`]) is dropped and the model from before it answers again.
    pub fn steps(&mut self, steps: usize) -> Result<usize> {
        self.finish_preparing()?;
        let ran = match &mut self.current {
            CurrentModel::Run { plan, .. } => plan.steps(steps),
            _ => Err(Error::NoRun),
        };
        if let Err(Error::Diverged { .. }) = ran {
            self.current = std::mem::take(&mut self.before_run);
        }
        ran
    }

    /// Begins a step spread over `workers` workers (see `Plan::begin_step`); a run still being
    /// readied computes the rest of its features first. False when the run is done.
    pub fn begin_step(&mut self, workers: usize) -> Result<bool> {
        self.finish_preparing()?;
        match &mut self.current {
            CurrentModel::Run { plan, .. } => plan.begin_step(workers),
            _ => Err(Error::NoRun),
        }
    }

    /// Ends the step begun, with the other workers' partials in shard order. A run that
    /// diverges is dropped, as in [`Self::steps`].
    pub fn finish_step(&mut self, others: &[f64]) -> Result<()> {
        let ran = match &mut self.current {
            CurrentModel::Run { plan, .. } => plan.finish_step(others),
            _ => Err(Error::NoRun),
        };
        if let Err(Error::Diverged { .. }) = ran {
            self.current = std::mem::take(&mut self.before_run);
        }
        ran.map(|_| ())
    }

    /// The run's accuracies, confusion matrix and mistakes, computed once per iteration reached.
    pub fn evaluation(&mut self) -> Result<&Evaluation> {
        let CurrentModel::Run { plan, evaluation } = &mut self.current else {
            return Err(Error::NoRun);
        };
        let iteration = plan.iteration();
        if evaluation.as_ref().is_none_or(|(at, _)| *at != iteration) {
            *evaluation = Some((iteration, plan.evaluate()?));
        }
        Ok(&evaluation.as_ref().ok_or(Error::NoRun)?.1)
    }

    /// The current model's weights as a 64x64 RGBA picture (raw-pixel models only).
    pub fn weight_picture(&self) -> Result<Vec<u8>> {
        let (spec, model) = match &self.current {
            CurrentModel::Run { plan, .. } => (plan.options().features, plan.model()),
            CurrentModel::Loaded(saved) => (*saved.features.spec(), &saved.model),
            CurrentModel::None => return Err(Error::NoModel),
        };
        if spec.kind != FeatureKind::Raw {
            return Err(Error::NotRawPixels(spec.kind.name()));
        }
        weight_picture(model)
    }

    /// A learned-features model's patches, ordered and framed by how they push (see
    /// `viz::centroids`).
    pub fn centroid_picture(&self) -> Result<CentroidPicture> {
        match &self.current {
            CurrentModel::Run { plan, .. } => centroid_picture(plan.features(), plan.standardizer(), plan.model()),
            CurrentModel::Loaded(saved) => centroid_picture(&saved.features, saved.standardizer.as_ref(), &saved.model),
            CurrentModel::None => Err(Error::NoModel),
        }
    }

    /// The feature kind of the current model.
    pub fn feature_kind(&self) -> Option<FeatureKind> {
        match &self.current {
            CurrentModel::Run { plan, .. } => Some(plan.options().features.kind),
            CurrentModel::Loaded(saved) => Some(saved.features.spec().kind),
            CurrentModel::None => None,
        }
    }

    /// The current model's answer for a photo file.
    pub fn predict_photo(&self, bytes: &[u8]) -> Result<Prediction> {
        self.predict(&prepare_bytes(bytes, "the photo")?)
    }

    /// The current model's answer for an RGBA frame: its middle square, as recorded frames are kept.
    pub fn predict_frame(&self, rgba: &[u8], width: u32, height: u32) -> Result<Prediction> {
        self.predict(&prepare_square_frame(rgba, width, height)?)
    }

    /// The current model's answer for a frame of the live camera, smoothed over the frames
    /// since live classification started (see [`live`]).
    pub fn predict_live_frame(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<Prediction> {
        let frame = self.predict_frame(rgba, width, height)?;
        Ok(Prediction::from_probability(self.live.add(frame.probability)))
    }

    /// Ends live classification: the next live frame starts a new average.
    pub fn stop_live(&mut self) {
        self.live.reset();
    }

    fn predict(&self, pixels: &[u8]) -> Result<Prediction> {
        let p = match &self.current {
            CurrentModel::Run { plan, .. } => plan.probability(pixels)?,
            CurrentModel::Loaded(saved) => saved.probability(pixels)?,
            CurrentModel::None => return Err(Error::NoModel),
        };
        Ok(Prediction::from_probability(p))
    }

    /// The model file of the current model.
    pub fn model_json(&self) -> Result<String> {
        match &self.current {
            CurrentModel::Run { plan, .. } => Ok(plan.saved().to_json()),
            CurrentModel::Loaded(saved) => Ok(saved.to_json()),
            CurrentModel::None => Err(Error::NoModel),
        }
    }

    /// The project file of everything here: the photos, their names and labels, the classes,
    /// `settings` and the current model (see [`Project`]).
    pub fn project(&self, settings: &ProjectSettings) -> Result<Vec<u8>> {
        match &self.current {
            CurrentModel::Run { plan, .. } => Project::write(&self.classes, settings, Some(&plan.saved()), &self.data),
            CurrentModel::Loaded(saved) => Project::write(&self.classes, settings, Some(saved), &self.data),
            CurrentModel::None => Project::write(&self.classes, settings, None, &self.data),
        }
    }

    /// Loads a model file for predictions; its classes must be this session's. A bad file keeps
    /// the current model.
    pub fn load_model_json(&mut self, text: &str) -> Result<()> {
        let saved = SavedModel::from_json(text)?;
        if saved.classes != self.classes {
            let names = |c: &Classes| c.names().map(String::from);
            return Err(Error::OtherClasses { file: names(&saved.classes), current: names(&self.classes) });
        }
        self.current = CurrentModel::Loaded(Box::new(saved));
        self.live.reset();
        Ok(())
    }
}

#[cfg(test)]
mod kept_tests;
#[cfg(test)]
mod tests;
