//! The wasm-facing file (with its `canvas`, `helper` and `lead` modules): a handle over the core's `Session` (photos and model live in wasm
//! memory; the page runs it in a Web Worker) and the runs chart drawn on a DOM canvas. Settings
//! come in as one typed object, photos are named by the ids the core gives them, and results go
//! out as small typed values. Every fallible export converts, calls the core and returns
//! `Result<_, JsError>`; the messages the page shows for the core's errors are worded here.

mod canvas;
mod helper;
mod lead;

use wasm_bindgen::prelude::*;

use canvas::MeasuredCanvas;
pub use helper::{ClusterHelper, FeatureHelper, TrainingShard};
pub use lead::FeatureJobBytes;

use crate::data::dataset::PhotoId;
use crate::data::labels::Classes;
use crate::data::project::{Project, ProjectSettings};
use crate::error::ClassNameProblem;
use crate::features::{FeatureKind, FeatureSpec};
use crate::model::file::SavedModel;
use crate::photo::Label;
use crate::session::live::class_probabilities;
use crate::session::{RunOptions, Session};
use crate::train::optimize::{Init, Settings};
use crate::train::plan::{PathChoice, TrainOptions, TrainingPath};
use crate::train::prepare::Progress;
use crate::viz::chart::{draw_runs, Runs};
use crate::Error;

/// What the model sees of a photo (the core's `FeatureKind`).
#[wasm_bindgen]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Features {
    Raw,
    Hog,
    HogColor,
    Learned,
    LearnedHogColor,
}

impl From<Features> for FeatureKind {
    fn from(f: Features) -> Self {
        match f {
            Features::Raw => FeatureKind::Raw,
            Features::Hog => FeatureKind::Hog,
            Features::HogColor => FeatureKind::HogColor,
            Features::Learned => FeatureKind::Learned,
            Features::LearnedHogColor => FeatureKind::LearnedHogColor,
        }
    }
}

impl From<FeatureKind> for Features {
    fn from(k: FeatureKind) -> Self {
        match k {
            FeatureKind::Raw => Features::Raw,
            FeatureKind::Hog => Features::Hog,
            FeatureKind::HogColor => Features::HogColor,
            FeatureKind::Learned => Features::Learned,
            FeatureKind::LearnedHogColor => Features::LearnedHogColor,
        }
    }
}

/// How a run computes its gradients (the core's `TrainingPath`).
#[wasm_bindgen]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Arithmetic {
    /// The float64 reference.
    Float64,
    /// The integer kernel (SIMD128 in the page).
    Kernel,
}

/// The feature kind named `name` in model files and the page's menu (`raw`, `hog`, `hog+color`).
#[wasm_bindgen(js_name = featuresNamed)]
pub fn features_named(name: &str) -> Result<Features, JsError> {
    Ok(name.parse::<FeatureKind>().map_err(page_error)?.into())
}

/// A feature kind's name in model files and the page's menu.
#[wasm_bindgen(js_name = featuresName)]
pub fn features_name(features: Features) -> String {
    FeatureKind::from(features).name().to_string()
}

/// Everything a run is started with. `new RunSettings(kind)` holds that kind's defaults.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug)]
pub struct RunSettings {
    pub features: Features,
    /// Step size.
    #[wasm_bindgen(js_name = learningRate)]
    pub learning_rate: f64,
    /// Gradient steps.
    pub iterations: usize,
    /// L2 penalty λ.
    pub l2: f64,
    /// Train on mirrored copies too.
    pub flip: bool,
    /// Random initial weights with this seed; zeros when undefined.
    #[wasm_bindgen(js_name = randomSeed)]
    pub random_seed: Option<u32>,
    /// Share of each class held out.
    #[wasm_bindgen(js_name = testShare)]
    pub test_share: f64,
    /// Seed of the split.
    #[wasm_bindgen(js_name = splitSeed)]
    pub split_seed: u32,
}

#[wasm_bindgen]
impl RunSettings {
    /// The defaults of `features`, from zeros, a fifth held out with seed 1.
    #[wasm_bindgen(constructor)]
    pub fn new(features: Features) -> RunSettings {
        (&ProjectSettings::for_features(features.into())).into()
    }
}

impl From<&RunSettings> for RunOptions {
    /// The page's run: the cost recorded every iteration for the chart, the kernel whenever it fits.
    fn from(s: &RunSettings) -> Self {
        let settings = Settings { learning_rate: s.learning_rate, iterations: s.iterations, record_every: 1 };
        let init = s.random_seed.map_or(Init::Zeros, |seed| Init::Random { seed });
        let features = FeatureSpec::new(s.features.into());
        let train = TrainOptions { features, settings, l2: s.l2, flip: s.flip, init, path: PathChoice::Fastest };
        RunOptions { train, test_share: s.test_share, split_seed: s.split_seed }
    }
}

/// The settings under the same names, the feature kind converted: a project keeps what the
/// page's `RunSettings` hold.
macro_rules! same_settings {
    ($s:expr => $to:ident) => {
        $to {
            features: $s.features.into(),
            learning_rate: $s.learning_rate,
            iterations: $s.iterations,
            l2: $s.l2,
            flip: $s.flip,
            random_seed: $s.random_seed,
            test_share: $s.test_share,
            split_seed: $s.split_seed,
        }
    };
}

impl From<&RunSettings> for ProjectSettings {
    fn from(s: &RunSettings) -> Self {
        same_settings!(s => ProjectSettings)
    }
}

impl From<&ProjectSettings> for RunSettings {
    fn from(s: &ProjectSettings) -> Self {
        same_settings!(s => RunSettings)
    }
}

/// A project file, read and checked: its parts, to be kept and then restored.
#[wasm_bindgen]
pub struct ProjectFile {
    project: Project,
}

#[wasm_bindgen]
impl ProjectFile {
    /// Reads a project file; a bad file is an error saying what is wrong.
    pub fn read(bytes: Vec<u8>, name: &str) -> Result<ProjectFile, JsError> {
        Ok(ProjectFile { project: Project::read(bytes, name).map_err(page_error)? })
    }

    /// The class names, label 0 first.
    #[wasm_bindgen(js_name = classNames)]
    pub fn class_names(&self) -> Vec<String> {
        self.project.classes().names().map(String::from).to_vec()
    }

    /// The page's settings.
    pub fn settings(&self) -> RunSettings {
        self.project.settings().into()
    }

    /// The model file (JSON) of its model; undefined without one.
    #[wasm_bindgen(js_name = modelJson)]
    pub fn model_json(&self) -> Option<String> {
        self.project.model().map(SavedModel::to_json)
    }

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.project.len()
    }

    /// True when there are no photos.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.project.is_empty()
    }

    /// The name of photo `index`.
    #[wasm_bindgen(js_name = photoName)]
    pub fn photo_name(&self, index: usize) -> Option<String> {
        self.project.photo(index).map(|p| p.name.to_string())
    }

    /// The label of photo `index`.
    #[wasm_bindgen(js_name = photoLabel)]
    pub fn photo_label(&self, index: usize) -> Option<u8> {
        self.project.photo(index).map(|p| p.label.value())
    }

    /// The prepared 64x64 RGB bytes of photo `index`.
    #[wasm_bindgen(js_name = photoPixels)]
    pub fn photo_pixels(&self, index: usize) -> Option<Vec<u8>> {
        self.project.photo(index).map(|p| p.pixels.to_vec())
    }
}

/// A photo the handle took: its id and label.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub struct Added {
    pub id: u32,
    pub label: u8,
}

/// The model's answer for one photo.
#[wasm_bindgen(getter_with_clone)]
pub struct Prediction {
    /// The class predicted, 0 or 1.
    pub label: u8,
    /// The probability of label 1.
    pub probability: f64,
    /// Both classes' probabilities, label 0 first.
    pub probabilities: Vec<f64>,
}

/// A held-out photo the model classified wrong.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub struct Mistake {
    pub id: u32,
    /// Its label when the run started.
    pub label: u8,
    /// The probability of label 1 the model gave it.
    pub probability: f64,
}

/// How far a run's features are: `learning` while its dictionary is still to learn (`round` of
/// its `rounds` k-means rounds run).
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub struct FeatureProgress {
    pub learning: bool,
    pub round: usize,
    pub rounds: usize,
    pub done: usize,
    pub total: usize,
}

impl From<Progress> for FeatureProgress {
    fn from(p: Progress) -> Self {
        let (round, rounds) = p.rounds;
        FeatureProgress { learning: p.learning, round, rounds, done: p.done, total: p.total }
    }
}

/// A picture: `width` × `height` RGBA pixels, row after row.
#[wasm_bindgen(getter_with_clone)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// How a run does: its accuracies, the held-out photos by class, and its mistakes.
#[wasm_bindgen(getter_with_clone)]
pub struct Evaluation {
    #[wasm_bindgen(js_name = trainAccuracy)]
    pub train_accuracy: f64,
    /// Undefined when nothing is held out.
    #[wasm_bindgen(js_name = testAccuracy)]
    pub test_accuracy: Option<f64>,
    /// The confusion matrix, one row per true class, label 0 first.
    pub classes: Vec<ClassEvaluation>,
    /// The held-out photos classified wrong, most confidently wrong first.
    pub mistakes: Vec<Mistake>,
}

/// The held-out photos of one class: a row of the confusion matrix.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone)]
pub struct ClassEvaluation {
    /// The true class, 0 or 1.
    pub label: u8,
    /// How many of them the model classified as label 0 and as label 1.
    pub predicted: Vec<u32>,
    /// Percent of them classified right; undefined when none were held out.
    pub accuracy: Option<f64>,
}

/// Photos, labels and the model being trained, behind one handle.
#[wasm_bindgen]
#[derive(Default)]
pub struct Catdog {
    session: Session,
}

#[wasm_bindgen]
impl Catdog {
    /// An empty handle with the tutorial's classes, `cat` (0) and `dog` (1).
    #[wasm_bindgen(constructor)]
    pub fn new() -> Catdog {
        Catdog::default()
    }

    /// The class names, label 0 first.
    #[wasm_bindgen(js_name = classNames)]
    pub fn class_names(&self) -> Vec<String> {
        self.session.classes().names().map(String::from).to_vec()
    }

    /// Renames the classes, label 0 first; photos keep their labels and the model its weights
    /// (its file carries the new names). Bad names keep the old ones.
    #[wasm_bindgen(js_name = setClasses)]
    pub fn set_classes(&mut self, negative: &str, positive: &str) -> Result<(), JsError> {
        self.session.set_classes(negative, positive).map_err(page_error)
    }

    /// Adds a photo file labelled `label`, or by its name (or folder path) when undefined.
    #[wasm_bindgen(js_name = addPhoto)]
    pub fn add_photo(&mut self, name: &str, bytes: &[u8], label: Option<u8>) -> Result<Added, JsError> {
        let label = label.map(Label::new).transpose().map_err(page_error)?;
        let (id, label) = self.session.add(name, bytes, label).map_err(page_error)?;
        Ok(Added { id: id.0, label: label.value() })
    }

    /// An empty handle classifying `negative` (label 0) and `positive` (label 1), as kept work
    /// or a project names them.
    #[wasm_bindgen(js_name = withClasses)]
    pub fn with_classes(negative: &str, positive: &str) -> Result<Catdog, JsError> {
        let classes = Classes::new(negative, positive).map_err(page_error)?;
        Ok(Catdog { session: Session::with_classes(classes) })
    }

    /// Adds the middle square of an RGBA frame (a canvas's ImageData of the webcam) labelled
    /// `label`, prepared as frames are for classifying.
    #[wasm_bindgen(js_name = addFrame)]
    pub fn add_frame(&mut self, rgba: &[u8], width: u32, height: u32, label: u8) -> Result<Added, JsError> {
        let label = Label::new(label).map_err(page_error)?;
        let id = self.session.add_frame(rgba, width, height, label).map_err(page_error)?;
        Ok(Added { id: id.0, label: label.value() })
    }

    /// Adds a photo already prepared (the 64x64 RGB bytes `photo` gives), under the id `id` it
    /// was kept with (past every id so far), or a new one when undefined.
    #[wasm_bindgen(js_name = addPrepared)]
    pub fn add_prepared(&mut self, id: Option<u32>, name: &str, pixels: &[u8], label: u8) -> Result<Added, JsError> {
        let label = Label::new(label).map_err(page_error)?;
        let id = self.session.add_prepared(id.map(PhotoId), name, pixels, label).map_err(page_error)?;
        Ok(Added { id: id.0, label: label.value() })
    }

    /// The name photo `id` was added under.
    #[wasm_bindgen(js_name = photoName)]
    pub fn photo_name(&self, id: u32) -> Result<String, JsError> {
        Ok(self.session.photo_name(PhotoId(id)).map_err(page_error)?.to_string())
    }

    /// The project file (see the core's `data::project`) of the photos, the classes, `settings`
    /// and the current model.
    #[wasm_bindgen(js_name = exportProject)]
    pub fn export_project(&self, settings: &RunSettings) -> Result<Vec<u8>, JsError> {
        self.session.project(&settings.into()).map_err(page_error)
    }

    /// Makes room for `photos` more photos before adding them one by one.
    pub fn reserve(&mut self, photos: usize) -> Result<(), JsError> {
        self.session.reserve(photos).map_err(page_error)
    }

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.session.data().len()
    }

    /// True when there are no photos.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.session.data().is_empty()
    }

    /// Number of photos with label 0 or 1.
    pub fn count(&self, label: u8) -> usize {
        self.session.counts()[usize::from(label != 0)]
    }

    /// Whether photo `id` is still there.
    pub fn has(&self, id: u32) -> bool {
        self.session.photo(PhotoId(id)).is_ok()
    }

    /// The 64x64 RGB pixels the model sees for photo `id`.
    pub fn photo(&self, id: u32) -> Result<Vec<u8>, JsError> {
        Ok(self.session.photo(PhotoId(id)).map_err(page_error)?.to_vec())
    }

    /// Removes photo `id`.
    pub fn remove(&mut self, id: u32) -> Result<(), JsError> {
        self.session.remove(PhotoId(id)).map_err(page_error)
    }

    /// Gives photo `id` label 0 or 1.
    #[wasm_bindgen(js_name = setLabel)]
    pub fn set_label(&mut self, id: u32, label: u8) -> Result<(), JsError> {
        let label = Label::new(label).map_err(page_error)?;
        self.session.set_label(PhotoId(id), label).map_err(page_error)
    }

    /// Splits the photos and starts readying a run: its features come from `prepareFeatures`
    /// (or all at once from the first `trainSteps`); a bad setting keeps the model.
    #[wasm_bindgen(js_name = startTraining)]
    pub fn start_training(&mut self, settings: &RunSettings) -> Result<(), JsError> {
        self.session.start(&settings.into()).map_err(page_error)
    }

    /// Learns the run's dictionary (a learned kind's first call) or computes up to `photos` more
    /// of its features; says how far it is. Undefined when no run is being readied.
    #[wasm_bindgen(js_name = prepareFeatures)]
    pub fn prepare_features(&mut self, photos: usize) -> Result<Option<FeatureProgress>, JsError> {
        let progress = self.session.prepare(photos).map_err(page_error)?;
        Ok(progress.map(FeatureProgress::from))
    }

    /// True while a run's features are being computed (the previous model still answers).
    #[wasm_bindgen(js_name = isPreparing)]
    pub fn is_preparing(&self) -> bool {
        self.session.preparing().is_some()
    }

    /// Runs up to `steps` more iterations; returns how many ran (0 once done).
    #[wasm_bindgen(js_name = trainSteps)]
    pub fn train_steps(&mut self, steps: usize) -> Result<usize, JsError> {
        self.session.steps(steps).map_err(page_error)
    }

    /// Iterations run so far.
    pub fn iteration(&self) -> usize {
        self.session.run().map_or(0, |r| r.iteration())
    }

    /// Iterations the run (or the run being readied) was started with.
    pub fn iterations(&self) -> usize {
        let readied = self.session.preparation().map(|p| p.options().settings.iterations);
        self.session.run().map(|r| r.options().settings.iterations).or(readied).unwrap_or(0)
    }

    /// Photos in the training part of the run (or of the run being readied).
    #[wasm_bindgen(js_name = trainCount)]
    pub fn train_count(&self) -> usize {
        self.split_sizes().0
    }

    /// Photos held out for testing in the run (or in the run being readied).
    #[wasm_bindgen(js_name = testCount)]
    pub fn test_count(&self) -> usize {
        self.split_sizes().1
    }

    fn split_sizes(&self) -> (usize, usize) {
        let readied = self.session.preparation().map(|p| p.split_sizes());
        self.session.run().map(|r| r.split_sizes()).or(readied).unwrap_or((0, 0))
    }

    /// How the run computes its gradients; undefined without a run.
    pub fn arithmetic(&self) -> Option<Arithmetic> {
        self.session.run().map(|r| match r.path() {
            TrainingPath::Float64 => Arithmetic::Float64,
            TrainingPath::Kernel => Arithmetic::Kernel,
        })
    }

    /// Training costs from iteration `from` on.
    #[wasm_bindgen(js_name = trainCosts)]
    pub fn train_costs(&self, from: usize) -> Vec<f64> {
        self.session.run().map_or(Vec::new(), |r| tail(r.train_costs(), from))
    }

    /// Held-out costs from iteration `from` on.
    #[wasm_bindgen(js_name = testCosts)]
    pub fn test_costs(&self, from: usize) -> Vec<f64> {
        self.session.run().map_or(Vec::new(), |r| tail(r.held_out_costs(), from))
    }

    /// The run's accuracies, confusion matrix and mistakes, for the model so far.
    pub fn evaluation(&mut self) -> Result<Evaluation, JsError> {
        let e = self.session.evaluation().map_err(page_error)?;
        let class = |label: Label| ClassEvaluation {
            label: label.value(),
            predicted: e.confusion[label.index()].iter().map(|&n| n as u32).collect(),
            accuracy: e.class_accuracy(label),
        };
        let mistake = |m: &crate::train::scored::Mistake| Mistake {
            id: m.id.0,
            label: m.label.value(),
            probability: m.probability,
        };
        Ok(Evaluation {
            train_accuracy: e.train_accuracy,
            test_accuracy: e.held_out_accuracy,
            classes: [Label::ZERO, Label::ONE].map(class).to_vec(),
            mistakes: e.mistakes.iter().map(mistake).collect(),
        })
    }

    /// A raw-pixel model's weights as 64x64 RGBA: blue pushes towards label 1, orange towards 0.
    #[wasm_bindgen(js_name = weightPicture)]
    pub fn weight_picture(&self) -> Result<Vec<u8>, JsError> {
        self.session.weight_picture().map_err(page_error)
    }

    /// A learned-features model's patches, from the strongest push towards label 1 (blue frames)
    /// to the strongest towards label 0 (orange).
    #[wasm_bindgen(js_name = centroidPicture)]
    pub fn centroid_picture(&self) -> Result<Picture, JsError> {
        let p = self.session.centroid_picture().map_err(page_error)?;
        Ok(Picture { width: p.width, height: p.height, rgba: p.rgba })
    }

    /// The feature kind of the current model; undefined without one.
    #[wasm_bindgen(js_name = featureKind)]
    pub fn feature_kind(&self) -> Option<Features> {
        self.session.feature_kind().map(Features::from)
    }

    /// The current model's answer for a photo file.
    #[wasm_bindgen(js_name = predictPhoto)]
    pub fn predict_photo(&self, bytes: &[u8]) -> Result<Prediction, JsError> {
        Ok(prediction(self.session.predict_photo(bytes).map_err(page_error)?))
    }

    /// The current model's answer for an RGBA frame (a canvas's ImageData).
    #[wasm_bindgen(js_name = predictFrame)]
    pub fn predict_frame(&self, rgba: &[u8], width: u32, height: u32) -> Result<Prediction, JsError> {
        Ok(prediction(self.session.predict_frame(rgba, width, height).map_err(page_error)?))
    }

    /// The current model's answer for a frame of the live camera, averaged over the frames
    /// since live classification started, so it moves steadily.
    #[wasm_bindgen(js_name = predictLiveFrame)]
    pub fn predict_live_frame(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<Prediction, JsError> {
        Ok(prediction(self.session.predict_live_frame(rgba, width, height).map_err(page_error)?))
    }

    /// Ends live classification: the next live frame starts a new average.
    #[wasm_bindgen(js_name = stopLive)]
    pub fn stop_live(&mut self) {
        self.session.stop_live();
    }

    /// The model file (JSON) of the current model.
    #[wasm_bindgen(js_name = modelJson)]
    pub fn model_json(&self) -> Result<String, JsError> {
        self.session.model_json().map_err(page_error)
    }

    /// Loads a model file for predictions; a bad file keeps the current model.
    #[wasm_bindgen(js_name = loadModelJson)]
    pub fn load_model_json(&mut self, text: &str) -> Result<(), JsError> {
        self.session.load_model_json(text).map_err(page_error)
    }
}

fn prediction(p: crate::photo::Prediction) -> Prediction {
    let probabilities = class_probabilities(p.probability).to_vec();
    Prediction { label: p.label.value(), probability: p.probability, probabilities }
}

fn tail(values: &[f64], from: usize) -> Vec<f64> {
    values[from.min(values.len())..].to_vec()
}

/// The page's words for the core's errors where they name something the user does in the
/// page; every other error says what the core says.
fn page_error(err: Error) -> JsError {
    let message = match &err {
        Error::NoModel => "train a model first (or load one)".to_string(),
        Error::NoRun => "press Train first".to_string(),
        Error::NoSuchPhoto(_) => "that photo is no longer there".to_string(),
        Error::Project { problem, .. } => format!("this is not a project catdog can open: {problem}"),
        Error::OtherClasses { file, current } => format!(
            "invalid model file: it classifies '{}' and '{}', this page '{}' and '{}'; to use it, rename the classes to '{}' and '{}' first",
            file[0], file[1], current[0], current[1], file[0], file[1]
        ),
        Error::Diverged { iteration, cost } => format!(
            "training diverged at iteration {iteration}: the cost became {cost}; try a smaller learning rate. The run was dropped: the model from before it still classifies"
        ),
        Error::BadClassName { name, problem } => class_name_words(name, problem),
        Error::Float64Budget { .. } => format!(
            "{err}; train without λ and flips (the fast kernel reads the bytes), or on fewer photos or hog features"
        ),
        _ => err.to_string(),
    };
    JsError::new(&message)
}

/// Why the page refuses a class name.
fn class_name_words(name: &str, problem: &ClassNameProblem) -> String {
    match problem {
        ClassNameProblem::Empty => "a class needs a name".to_string(),
        ClassNameProblem::NotLetters => format!(
            "'{name}' is not one word of letters, and labels come from the words of file names: try it without spaces, digits or signs"
        ),
        ClassNameProblem::TooLong { chars, limit } => {
            format!("a class name can have at most {limit} characters; this one has {chars}")
        }
        ClassNameProblem::Same => format!("both classes cannot be called '{name}'"),
    }
}

/// The runs chart of the page's main thread: every run's costs (each cost crosses from the
/// worker once, in progress messages) drawn on a DOM canvas by the core.
#[wasm_bindgen]
#[derive(Default)]
pub struct RunsChart {
    runs: Runs,
}

#[wasm_bindgen]
impl RunsChart {
    /// An empty chart on a linear cost axis.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RunsChart {
        RunsChart::default()
    }

    /// Starts a run of `iterations` named `label` in the next colour; returns its id.
    #[wasm_bindgen(js_name = startRun)]
    pub fn start_run(&mut self, label: &str, iterations: usize) -> usize {
        self.runs.start(label, iterations)
    }

    /// Appends costs to the latest run.
    pub fn append(&mut self, train: &[f64], test: &[f64]) -> Result<(), JsError> {
        self.runs.append(train, test).map_err(page_error)
    }

    /// The latest run has finished or stopped.
    #[wasm_bindgen(js_name = endRun)]
    pub fn end_run(&mut self) {
        self.runs.end();
    }

    /// Shows or hides run `id`.
    #[wasm_bindgen(js_name = setShown)]
    pub fn set_shown(&mut self, id: usize, shown: bool) -> Result<(), JsError> {
        self.runs.set_shown(id, shown).map_err(page_error)
    }

    /// Removes every run.
    pub fn clear(&mut self) {
        self.runs.clear();
    }

    /// A logarithmic cost axis, or a linear one.
    #[wasm_bindgen(js_name = setLogScale)]
    pub fn set_log_scale(&mut self, log: bool) {
        self.runs.log_scale = log;
    }

    /// Run `id`'s colour as CSS (`#rrggbb`).
    pub fn colour(&self, id: usize) -> Result<String, JsError> {
        Ok(self.runs.run(id).map_err(page_error)?.css_colour())
    }

    /// The latest run's last training cost; undefined before any.
    #[wasm_bindgen(js_name = lastCost)]
    pub fn last_cost(&self) -> Option<f64> {
        self.runs.last_costs().0
    }

    /// The latest run's last held-out cost; undefined before any or when nothing is held out.
    #[wasm_bindgen(js_name = lastTestCost)]
    pub fn last_test_cost(&self) -> Option<f64> {
        self.runs.last_costs().1
    }

    /// Draws the chart on the canvas with id `canvas_id`, at the canvas's pixel size.
    pub fn draw(&self, canvas_id: &str) -> Result<(), JsError> {
        let backend =
            MeasuredCanvas::new(canvas_id).ok_or_else(|| JsError::new(&format!("there is no canvas #{canvas_id}")))?;
        draw_runs(backend, &self.runs).map_err(page_error)
    }
}
