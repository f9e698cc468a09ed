//! A training session as the page runs it: labelled photos in, a stratified seeded split,
//! features (raw pixels, HOG or HOG plus colour) standardised on the training part only, gradient
//! descent with an optional L2 penalty one step at a time with the held-out cost beside the
//! training cost, accuracies, the held-out photos it got wrong, predictions and the model file.
//! Pure Rust, so it is tested natively; `web` only converts at the boundary.
//!
//! HOG features are computed once per photo (and once per mirrored photo) on a kind's first
//! run and kept, so later runs and every iteration reuse them (3.6 KB a photo for hog+color).
//! Raw features are the bytes / 255, 8 times larger as floats than the photos, so they are not
//! kept: a raw run reads bytes to train (the fast kernel) and to score (see `scored`), and only
//! the float64 reference (raw with λ or flips) makes float rows, within [`FLOAT64_BUDGET`].
//! Starting a run first lets go of the previous run's rows, keeping its model as if loaded.

use std::collections::HashMap;
use std::rc::Rc;

use ndarray::{s, Array1, Array2};

use crate::dataset::Dataset;
use crate::features::{self, flip_horizontal, FeatureKind, FeatureSpec};
use crate::image_prep::{prepare_bytes, prepare_rgba, FEATURES};
use crate::kernel::FastObjective;
use crate::labels::Classes;
use crate::model_file::{self, SavedModel, TrainingInfo};
use crate::scored::{Logits, Scored, SharedBytes};
use crate::standardize::{self, Standardizer};
use crate::train::{Init, Objective, Settings, Trainer};
use crate::weights::weight_picture;
use crate::{penalty, Error, Result};

/// What a training run is started with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    /// What the model sees of a photo.
    pub features: FeatureKind,
    /// Step size.
    pub learning_rate: f64,
    /// Gradient steps to run.
    pub iterations: usize,
    /// L2 penalty λ (0 for none).
    pub l2: f64,
    /// Also train on every training photo mirrored left to right.
    pub flip: bool,
    /// How the weights start.
    pub init: Init,
    /// Share of each class held out for testing, 0 to below 1.
    pub test_share: f64,
    /// Seed of the split.
    pub split_seed: u32,
}

/// A held-out photo the model classified wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mistake {
    /// Its index among the session's photos when the run started.
    pub index: usize,
    /// The probability of label 1 the model gave it.
    pub probability: f64,
}

/// Photos, their cached features, the run in progress (if any) and a model loaded from a file (if any).
#[derive(Default)]
pub struct Session {
    classes: Classes,
    data: Dataset,
    /// Features per photo, in photo order, by kind and whether the photo was mirrored.
    cache: HashMap<(FeatureKind, bool), Vec<Vec<f64>>>,
    run: Option<Run>,
    loaded: Option<SavedModel>,
}

/// How a run computes its cost and gradients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingPath {
    /// The reference: float64 features (with the penalty and mirrored copies when asked).
    Float64,
    /// The fast kernel on the photos' bytes, integer sums (raw pixels, no penalty, no flips);
    /// the page trades the cost's last digits for several times the speed.
    Bytes,
}

impl TrainingPath {
    /// The fast kernel whenever it computes the same objective, else the reference.
    pub fn for_run(options: &RunOptions) -> Self {
        match features::trains_on_bytes(options.features, options.l2, options.flip) {
            true => TrainingPath::Bytes,
            false => TrainingPath::Float64,
        }
    }

    /// What the page says about it.
    pub fn describe(self) -> &'static str {
        match self {
            TrainingPath::Float64 => "float64 reference",
            TrainingPath::Bytes if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) => "integer SIMD kernel",
            TrainingPath::Bytes => "integer kernel",
        }
    }
}

/// The most float64 feature values (in bytes) a run may hold for the reference path. A raw run
/// with λ or flips needs 98 KB a photo (twice with flips); beyond this it is refused with a
/// message rather than outgrowing the page's wasm memory, which would end the worker and lose
/// the photos. 8,000 training photos with λ fit; with flips they do not.
pub const FLOAT64_BUDGET: usize = 1 << 30;

struct Run {
    trainer: Trainer,
    init: Init,
    spec: FeatureSpec,
    standardizer: Option<Standardizer>,
    l2: f64,
    flip: bool,
    path: TrainingPath,
    /// The training photos themselves (not their mirrored copies).
    train: Scored,
    test: Scored,
    test_costs: Vec<f64>,
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

    /// Adds a photo file; `label` overrides the one its name (or folder path) gives. Returns
    /// the label. A photo that cannot be read or labelled changes nothing.
    pub fn add(&mut self, name: &str, bytes: &[u8], label: Option<u8>) -> Result<u8> {
        let label = match label {
            Some(label) => label,
            None => self.classes.label_for_path(name)?,
        };
        self.data.push(name, &prepare_bytes(bytes, name)?, label)?;
        Ok(label)
    }

    /// Makes room for `photos` more photos at once (adding many then grows memory once).
    pub fn reserve(&mut self, photos: usize) -> Result<()> {
        self.data.reserve(photos)
    }

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when there are no photos.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// How many photos have label 0 and label 1.
    pub fn counts(&self) -> [usize; 2] {
        self.data.class_counts()
    }

    /// The prepared 64x64 RGB pixels of photo `index`.
    pub fn photo(&self, index: usize) -> Result<&[u8]> {
        self.check_index(index)?;
        Ok(self.data.photo(index))
    }

    /// Removes photo `index` (and its cached features).
    pub fn remove(&mut self, index: usize) -> Result<()> {
        self.data.remove(index)?;
        for rows in self.cache.values_mut() {
            if index < rows.len() {
                rows.remove(index);
            }
        }
        Ok(())
    }

    /// Gives photo `index` label 0 or 1.
    pub fn set_label(&mut self, index: usize, label: u8) -> Result<()> {
        self.data.set_label(index, label)
    }

    fn check_index(&self, index: usize) -> Result<()> {
        if index >= self.data.len() {
            return Err(Error::Dataset(format!("there is no photo number {index}; there are {}", self.data.len())));
        }
        Ok(())
    }

    /// How many photos have their features of `kind` (mirrored or not) cached.
    pub fn cached_features(&self, kind: FeatureKind, flipped: bool) -> usize {
        self.cache.get(&(kind, flipped)).map_or(0, Vec::len)
    }

    /// Splits the photos, computes (or reuses) their features, standardises them on the
    /// training part and starts gradient descent; a bad setting keeps the previous model.
    pub fn start(&mut self, options: RunOptions) -> Result<()> {
        self.data.check_trainable(&self.classes)?;
        penalty::validate_lambda(options.l2)?;
        let settings = Settings { learning_rate: options.learning_rate, iterations: options.iterations, record_every: 1 };
        settings.validate()?;
        let spec = FeatureSpec::new(options.features);
        spec.validate()?;
        let is_test = self.data.split_mask(options.test_share, options.split_seed)?;
        let (test_idx, train_idx): (Vec<usize>, Vec<usize>) = (0..self.data.len()).partition(|&i| is_test[i]);
        let path = TrainingPath::for_run(&options);
        if path == TrainingPath::Float64 {
            check_float64_budget(&spec, train_idx.len() * if options.flip { 2 } else { 1 })?;
        }
        self.retire_run();
        let (objective, standardizer, train) = match path {
            TrainingPath::Bytes => {
                let rows = Rc::new(self.bytes(&train_idx)?);
                (Box::new(SharedBytes(rows.clone())) as Box<dyn Objective>, None, Scored::bytes(train_idx, rows, Logits::Kernel))
            }
            TrainingPath::Float64 => self.float64_objective(&spec, train_idx, &options)?,
        };
        let trainer = Trainer::new(objective, options.init.model(spec.features()), settings)?;
        let test = self.scored(&spec, standardizer.as_ref(), test_idx, path)?;
        self.run = Some(Run { trainer, init: options.init, spec, standardizer, l2: options.l2, flip: options.flip, path, train, test, test_costs: Vec::new() });
        self.loaded = None;
        Ok(())
    }

    /// Keeps the current run's model as if loaded from its file and drops its rows, so a new
    /// run's copies of the photos are not added to the old run's.
    fn retire_run(&mut self) {
        if let Some(run) = self.run.take() {
            self.loaded = Some(run.saved(&self.classes));
        }
    }

    /// The reference objective on float64 features (with the penalty and mirrored rows when
    /// asked), the standardisation fitted on the training photos, and their scoring.
    fn float64_objective(&mut self, spec: &FeatureSpec, train_idx: Vec<usize>, options: &RunOptions) -> Result<(Box<dyn Objective>, Option<Standardizer>, Scored)> {
        let mut fit_x = self.matrix(spec, &train_idx, options.flip)?;
        let standardizer = standardize::fit_apply(spec.kind, &mut fit_x)?;
        let labels = self.labels_of(&train_idx);
        let copies = if options.flip { 2 } else { 1 };
        let fit_y = Array1::from_iter((0..copies).flat_map(|_| labels.iter().map(|&l| f64::from(l))));
        let train = match spec.kind {
            FeatureKind::Raw => Scored::bytes(train_idx.clone(), Rc::new(self.bytes(&train_idx)?), Logits::Float64),
            // The first rows are the photos themselves; mirrored copies follow.
            _ => Scored::floats(train_idx, fit_x.slice(s![..labels.len(), ..]).to_owned(), labels),
        };
        Ok((penalty::objective(fit_x, fit_y, options.l2)?, standardizer, train))
    }

    /// The bytes of photos `indices`, read by the fast kernel (each byte meaning byte / 255).
    fn bytes(&self, indices: &[usize]) -> Result<FastObjective> {
        // Sized up front: collecting would grow by doubling, briefly holding up to three times the bytes.
        let mut levels = Vec::with_capacity(indices.len() * FEATURES);
        indices.iter().for_each(|&i| levels.extend_from_slice(self.data.photo(i)));
        FastObjective::from_levels(levels, &self.labels_of(indices), FEATURES, 1.0 / 255.0, 0.0)
    }

    /// The scoring of photos `indices`: bytes for raw pixels (read as the run's training path
    /// reads them), else standardised feature rows.
    fn scored(&mut self, spec: &FeatureSpec, standardizer: Option<&Standardizer>, indices: Vec<usize>, path: TrainingPath) -> Result<Scored> {
        if spec.kind == FeatureKind::Raw && !indices.is_empty() {
            let rows = Rc::new(self.bytes(&indices)?);
            let logits = if path == TrainingPath::Bytes { Logits::Kernel } else { Logits::Float64 };
            return Ok(Scored::bytes(indices, rows, logits));
        }
        let mut x = self.matrix(spec, &indices, false)?;
        if let Some(s) = standardizer {
            s.apply_rows(&mut x)?;
        }
        let labels = self.labels_of(&indices);
        Ok(Scored::floats(indices, x, labels))
    }

    fn labels_of(&self, indices: &[usize]) -> Vec<u8> {
        indices.iter().map(|&i| self.data.labels()[i]).collect()
    }

    /// How the current run computes its gradients; `None` without a run.
    pub fn training_path(&self) -> Option<TrainingPath> {
        self.run.as_ref().map(|r| r.path)
    }

    /// The features of photos `indices` as rows, unstandardised: all of them as they are, then
    /// (with `mirrored_too`) all of them mirrored. One buffer sized up front, so a large matrix
    /// is never briefly held twice.
    fn matrix(&mut self, spec: &FeatureSpec, indices: &[usize], mirrored_too: bool) -> Result<Array2<f64>> {
        let orientations: &[bool] = if mirrored_too { &[false, true] } else { &[false] };
        let mut values = Vec::with_capacity(orientations.len() * indices.len() * spec.features());
        for &flipped in orientations {
            if spec.kind == FeatureKind::Raw {
                for &i in indices {
                    let photo = self.data.photo(i);
                    values.extend(if flipped { spec.extract(&flip_horizontal(photo)?)? } else { spec.extract(photo)? });
                }
            } else {
                let rows = self.cached(spec, flipped)?;
                indices.iter().for_each(|&i| values.extend_from_slice(&rows[i]));
            }
        }
        let shape = (orientations.len() * indices.len(), spec.features());
        Ok(Array2::from_shape_vec(shape, values).expect("every photo gives features() values"))
    }

    /// The cached features of every photo, computing those of photos added since the last use.
    fn cached(&mut self, spec: &FeatureSpec, flipped: bool) -> Result<&[Vec<f64>]> {
        spec.validate()?;
        let rows = self.cache.entry((spec.kind, flipped)).or_default();
        for i in rows.len()..self.data.len() {
            let photo = self.data.photo(i);
            rows.push(if flipped { spec.extract(&flip_horizontal(photo)?)? } else { spec.extract(photo)? });
        }
        Ok(rows)
    }

    /// Runs up to `steps` more iterations (fewer once the run is done); returns how many ran.
    pub fn steps(&mut self, steps: usize) -> Result<usize> {
        let run = self.run.as_mut().ok_or_else(|| Error::Setting("press Train first".into()))?;
        let mut ran = 0;
        while ran < steps && !run.trainer.is_done() {
            run.step()?;
            ran += 1;
        }
        Ok(ran)
    }

    /// Iterations run so far, and the number the run was started with.
    pub fn progress(&self) -> (usize, usize) {
        self.run.as_ref().map_or((0, 0), |r| (r.trainer.iteration(), r.trainer.settings().iterations))
    }

    /// Photos in the training and in the held-out part of the current run.
    pub fn split_sizes(&self) -> (usize, usize) {
        self.run.as_ref().map_or((0, 0), |r| (r.train.len(), r.test.len()))
    }

    /// Training costs from iteration `from` on (each the cost of the model before that step).
    pub fn train_costs(&self, from: usize) -> &[f64] {
        self.run.as_ref().map_or(&[], |r| tail(r.trainer.costs(), from))
    }

    /// Held-out costs from iteration `from` on; empty when nothing is held out.
    pub fn test_costs(&self, from: usize) -> &[f64] {
        self.run.as_ref().map_or(&[], |r| tail(&r.test_costs, from))
    }

    /// Percent of the training part (the photos themselves, not their mirrored copies) the
    /// current model classifies right.
    pub fn train_accuracy(&self) -> Result<f64> {
        let run = self.current_run()?;
        run.train.accuracy(run.trainer.model())
    }

    /// Percent of the held-out part classified right; `None` when nothing is held out.
    pub fn test_accuracy(&self) -> Result<Option<f64>> {
        let run = self.current_run()?;
        (!run.test.is_empty()).then(|| run.test.accuracy(run.trainer.model())).transpose()
    }

    /// The held-out photos the current model classifies wrong, in photo order.
    pub fn mistakes(&self) -> Result<Vec<Mistake>> {
        let run = self.current_run()?;
        let wrong = run.test.wrong(run.trainer.model())?;
        Ok(wrong.into_iter().map(|(index, probability)| Mistake { index, probability }).collect())
    }

    /// The current model's weights as a 64x64 RGBA picture (raw-pixel models only).
    pub fn weight_picture(&self) -> Result<Vec<u8>> {
        match (&self.run, &self.loaded) {
            (Some(run), _) => weight_picture(run.trainer.model()),
            (None, Some(saved)) => weight_picture(&saved.model),
            (None, None) => Err(Error::Setting("train a model first (or load one)".into())),
        }
    }

    /// The feature kind of the current model (the run's or the loaded file's).
    pub fn feature_kind(&self) -> Option<FeatureKind> {
        self.run.as_ref().map(|r| r.spec.kind).or(self.loaded.as_ref().map(|s| s.features.kind))
    }

    fn current_run(&self) -> Result<&Run> {
        self.run.as_ref().ok_or_else(|| Error::Setting("train a model first".into()))
    }

    /// Probability of label 1 for a photo file.
    pub fn predict_photo(&self, bytes: &[u8]) -> Result<f64> {
        self.probability(&prepare_bytes(bytes, "the photo")?)
    }

    /// Probability of label 1 for an RGBA frame.
    pub fn predict_frame(&self, rgba: &[u8], width: u32, height: u32) -> Result<f64> {
        self.probability(&prepare_rgba(rgba, width, height)?)
    }

    /// The run's latest model, else the loaded file's, each with its own features and scaling.
    fn probability(&self, pixels: &[u8]) -> Result<f64> {
        match (&self.run, &self.loaded) {
            (Some(run), _) => model_file::probability(&run.spec, run.standardizer.as_ref(), run.trainer.model(), pixels),
            (None, Some(saved)) => saved.probability(pixels),
            (None, None) => Err(Error::Setting("train a model first (or load one)".into())),
        }
    }

    /// The model file of the current run, or of the loaded model.
    pub fn model_json(&self) -> Result<String> {
        match (&self.run, &self.loaded) {
            (Some(run), _) => Ok(run.saved(&self.classes).to_json()),
            (None, Some(saved)) => Ok(saved.to_json()),
            (None, None) => Err(Error::Setting("train a model first".into())),
        }
    }

    /// Loads a model file for predictions; its classes must be this session's. A bad file
    /// keeps the current model.
    pub fn load_model_json(&mut self, text: &str) -> Result<()> {
        let saved = SavedModel::from_json(text)?;
        if saved.classes != self.classes {
            let [a, b] = saved.classes.names();
            let [c, d] = self.classes.names();
            return Err(Error::ModelFile(format!("it classifies '{a}' and '{b}', this page '{c}' and '{d}'")));
        }
        self.run = None;
        self.loaded = Some(saved);
        Ok(())
    }
}

impl Run {
    /// One gradient step, with the held-out cost of the same (pre-step) model.
    fn step(&mut self) -> Result<()> {
        let test_cost = match self.test.is_empty() {
            true => None,
            false => Some(self.test.cost(self.trainer.model())?),
        };
        self.trainer.step()?;
        self.test_costs.extend(test_cost);
        Ok(())
    }

    /// The run's model file.
    fn saved(&self, classes: &Classes) -> SavedModel {
        let mut training = TrainingInfo::new(self.trainer.settings(), self.init, self.train.len());
        (training.l2, training.flip) = (self.l2, self.flip);
        SavedModel {
            classes: classes.clone(),
            model: self.trainer.model().clone(),
            features: self.spec,
            standardizer: self.standardizer.clone(),
            training,
            costs: self.trainer.costs().to_vec(),
        }
    }
}

/// Refuses a reference run whose float64 rows (`rows` of them) would pass [`FLOAT64_BUDGET`].
fn check_float64_budget(spec: &FeatureSpec, rows: usize) -> Result<()> {
    let bytes = rows.saturating_mul(spec.features()).saturating_mul(std::mem::size_of::<f64>());
    if bytes <= FLOAT64_BUDGET {
        return Ok(());
    }
    let mb = |b: usize| b.div_ceil(1 << 20);
    Err(Error::Setting(format!(
        "{} with λ or mirrored photos trains on float64 copies of the features: {rows} rows would need {} MB, more than the {} MB allowed; train without λ and flips (the fast kernel reads the bytes), or on fewer photos or hog features",
        spec.kind.name(),
        mb(bytes),
        mb(FLOAT64_BUDGET)
    )))
}

fn tail(values: &[f64], from: usize) -> &[f64] {
    &values[from.min(values.len())..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::accuracy;
    use image::{ImageFormat, Rgb, RgbImage};

    fn png(colour: [u8; 3]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        RgbImage::from_pixel(40, 30, Rgb(colour)).write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    const RED: [u8; 3] = [220, 60, 40];
    const BLUE: [u8; 3] = [30, 70, 210];

    fn session(n: usize) -> Session {
        let mut s = Session::new();
        for i in 0..n {
            s.add(&format!("cat.{i}.png"), &png(RED), None).unwrap();
            s.add(&format!("pets/dog/{i}.png"), &png(BLUE), None).unwrap();
        }
        s
    }

    fn options(iterations: usize) -> RunOptions {
        RunOptions { features: FeatureKind::Raw, learning_rate: 0.05, iterations, l2: 0.0, flip: false, init: Init::Zeros, test_share: 0.2, split_seed: 1 }
    }

    /// Cats striped across, dogs striped down, each with its own stripe width and colours: flat
    /// colour would give HOG nothing to see.
    fn striped(vertical: bool, i: usize) -> Vec<u8> {
        let period = 6 + (i % 5) as u32;
        let (light, dark) = ([200 + (i * 7 % 50) as u8, 180, 150], [30, 40 + (i * 11 % 60) as u8, 60]);
        let img = RgbImage::from_fn(64, 64, |x, y| if (if vertical { x } else { y } / period).is_multiple_of(2) { Rgb(light) } else { Rgb(dark) });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn striped_session(n: usize) -> Session {
        let mut s = Session::new();
        for i in 0..n {
            s.add(&format!("cat.{i}.png"), &striped(false, i), None).unwrap();
            s.add(&format!("dog.{i}.png"), &striped(true, i), None).unwrap();
        }
        s
    }

    fn hog(iterations: usize) -> RunOptions {
        RunOptions { features: FeatureKind::Hog, l2: 1.0, ..options(iterations) }
    }

    #[test]
    fn labels_come_from_names_unless_given() {
        let mut s = Session::new();
        assert_eq!(s.add("cat.1.png", &png(RED), None).unwrap(), 0);
        assert_eq!(s.add("IMG_1.png", &png(RED), Some(1)).unwrap(), 1);
        assert_eq!(s.counts(), [1, 1]);
        assert_eq!(s.photo(1).unwrap().len(), FEATURES);
    }

    #[test]
    fn trains_with_a_held_out_cost_and_reports_accuracy() {
        let mut s = session(5);
        s.start(options(30)).unwrap();
        assert_eq!(s.split_sizes(), (8, 2));
        assert_eq!(s.steps(20).unwrap(), 20);
        assert_eq!(s.steps(20).unwrap(), 10);
        assert_eq!(s.progress(), (30, 30));
        let (train, test) = (s.train_costs(0), s.test_costs(0));
        assert_eq!((train.len(), test.len()), (30, 30));
        assert!((train[0] - std::f64::consts::LN_2).abs() < 1e-12 && (test[0] - std::f64::consts::LN_2).abs() < 1e-12);
        assert!(train[29] < train[0] && test[29] < test[0]);
        assert_eq!(s.train_costs(28).len(), 2);
        assert!(s.train_costs(99).is_empty());
        assert_eq!(s.train_accuracy().unwrap(), 100.0);
        assert_eq!(s.test_accuracy().unwrap(), Some(100.0));
        assert!(s.predict_photo(&png(BLUE)).unwrap() > 0.5);
        assert!(s.predict_frame(&[220, 60, 40, 255].repeat(4), 2, 2).unwrap() < 0.5);
    }

    #[test]
    fn nothing_held_out_means_no_test_cost() {
        let mut s = session(2);
        s.start(RunOptions { test_share: 0.0, ..options(3) }).unwrap();
        s.steps(3).unwrap();
        assert!(s.test_costs(0).is_empty());
        assert_eq!(s.test_accuracy().unwrap(), None);
    }

    #[test]
    fn the_model_file_round_trips_into_a_new_session() {
        let mut s = session(3);
        s.start(options(10)).unwrap();
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
        assert!(matches!(s.add("holiday.png", &png(RED), None), Err(Error::Label(_))));
        assert!(matches!(s.add("cat.txt", b"text", None), Err(Error::Image { .. })));
        assert!(matches!(s.add("x.png", &png(RED), Some(2)), Err(Error::Label(_))));
        assert_eq!(s.counts(), [2, 2]);
        assert!(matches!(s.steps(1), Err(Error::Setting(_))));
        assert!(matches!(s.predict_photo(&png(RED)), Err(Error::Setting(_))));
        s.start(options(5)).unwrap();
        s.steps(5).unwrap();
        assert!(matches!(s.start(RunOptions { learning_rate: -1.0, ..options(5) }), Err(Error::Setting(_))));
        assert!(matches!(s.start(RunOptions { test_share: 1.5, ..options(5) }), Err(Error::Setting(_))));
        assert!(matches!(s.start(RunOptions { l2: -1.0, ..options(5) }), Err(Error::Setting(_))));
        assert_eq!(s.progress(), (5, 5));
        assert!(matches!(s.load_model_json("{}"), Err(Error::ModelFile(_))));
        assert!(s.predict_photo(&png(RED)).is_ok());
        assert!(matches!(s.photo(9), Err(Error::Dataset(_))));
        assert!(matches!(s.remove(9), Err(Error::Dataset(_))));
    }

    #[test]
    fn a_hog_run_learns_striped_photos_and_its_file_predicts_the_same_elsewhere() {
        let mut s = striped_session(10);
        s.start(RunOptions { features: FeatureKind::HogColor, flip: true, ..hog(100) }).unwrap();
        assert_eq!(s.split_sizes(), (16, 4));
        s.steps(100).unwrap();
        assert!(s.train_costs(0)[99] < s.train_costs(0)[0] && s.test_costs(0)[99] < s.test_costs(0)[0]);
        assert_eq!(s.train_accuracy().unwrap(), 100.0);
        assert_eq!(s.test_accuracy().unwrap(), Some(100.0));
        assert_eq!(s.mistakes().unwrap(), []);
        let photo = striped(true, 77);
        assert!(s.predict_photo(&photo).unwrap() > 0.5 && s.predict_photo(&striped(false, 77)).unwrap() < 0.5);
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
        assert_eq!(s.cached_features(FeatureKind::Hog, false), 0);
        s.start(hog(1)).unwrap();
        assert_eq!((s.cached_features(FeatureKind::Hog, false), s.cached_features(FeatureKind::Hog, true)), (8, 0));
        let spec = FeatureSpec::new(FeatureKind::Hog);
        assert_eq!(s.cache[&(FeatureKind::Hog, false)][3], spec.extract(s.photo(3).unwrap()).unwrap());
        // A second run uses the kept values: a planted value shows up in the fitted mean.
        let train = s.run.as_ref().unwrap().train.indices().to_vec();
        s.cache.get_mut(&(FeatureKind::Hog, false)).unwrap()[train[0]][0] = 1000.0;
        s.start(hog(1)).unwrap();
        assert!(s.run.as_ref().unwrap().standardizer.as_ref().unwrap().mean[0] > 1000.0 / train.len() as f64 - 1.0);
        // New photos are computed on the next run; removed ones leave with their features.
        s.add("cat.new.png", &striped(false, 9), None).unwrap();
        assert_eq!(s.cached_features(FeatureKind::Hog, false), 8);
        s.start(RunOptions { flip: true, ..hog(1) }).unwrap();
        assert_eq!((s.cached_features(FeatureKind::Hog, false), s.cached_features(FeatureKind::Hog, true)), (9, 9));
        s.remove(0).unwrap();
        assert_eq!((s.cached_features(FeatureKind::Hog, false), s.cached_features(FeatureKind::Hog, true)), (8, 8));
        assert_eq!(s.cache[&(FeatureKind::Hog, false)][0], spec.extract(s.photo(0).unwrap()).unwrap());
        assert_eq!(s.cached_features(FeatureKind::Raw, false), 0);
    }

    #[test]
    fn standardisation_is_fitted_on_the_training_part_only() {
        let mut s = striped_session(5);
        s.start(hog(1)).unwrap();
        let run = s.run.as_ref().unwrap();
        let spec = FeatureSpec::new(FeatureKind::Hog);
        let rows = |indices: &[usize]| {
            let values: Vec<f64> = indices.iter().flat_map(|&i| spec.extract(s.data.photo(i)).unwrap()).collect();
            Array2::from_shape_vec((indices.len(), spec.features()), values).unwrap()
        };
        let expected = Standardizer::fit(rows(run.train.indices()).view()).unwrap();
        assert_eq!(run.standardizer.as_ref(), Some(&expected));
        let everyone: Vec<usize> = (0..s.len()).collect();
        assert_ne!(Standardizer::fit(rows(&everyone).view()).unwrap(), expected);
        // The held-out rows are scaled with the training part's numbers.
        let mut test = rows(run.test.indices());
        expected.apply_rows(&mut test).unwrap();
        assert_eq!(run.test.floats_x(), Some(&test));
    }

    #[test]
    fn mistakes_are_the_held_out_photos_classified_wrong() {
        let mut s = session(5);
        s.start(options(50)).unwrap();
        // Before any step every probability is 0.5, which counts as label 0: each held-out dog is wrong.
        let dogs: Vec<usize> = s.run.as_ref().unwrap().test.indices().iter().copied().filter(|&i| s.data.labels()[i] == 1).collect();
        let mistakes = s.mistakes().unwrap();
        assert_eq!(mistakes.iter().map(|m| m.index).collect::<Vec<_>>(), dogs);
        assert!(!dogs.is_empty() && mistakes.iter().all(|m| m.probability == 0.5));
        s.steps(50).unwrap();
        assert_eq!(s.mistakes().unwrap(), []);
    }

    #[test]
    fn the_weights_picture_is_64x64_rgba_of_a_raw_model_only() {
        let mut s = session(3);
        assert!(matches!(s.weight_picture(), Err(Error::Setting(_))));
        s.start(options(20)).unwrap();
        s.steps(20).unwrap();
        let rgba = s.weight_picture().unwrap();
        assert_eq!(rgba.len(), 64 * 64 * 4);
        assert!(rgba.chunks_exact(4).all(|p| p[3] == 255));
        // Flat red cats and flat blue dogs: some pixel carries a weight, and the strongest gets a full colour.
        assert!(rgba.chunks_exact(4).any(|p| p[..3] != [255, 255, 255]));
        assert!(rgba.chunks_exact(4).any(|p| p[..3] == crate::weights::POSITIVE || p[..3] == crate::weights::NEGATIVE));
        let mut hog_session = striped_session(2);
        hog_session.start(hog(1)).unwrap();
        assert!(matches!(hog_session.weight_picture(), Err(Error::Setting(_))));
    }

    #[test]
    fn raw_runs_without_penalty_or_flips_use_the_fast_kernel_and_follow_the_reference() {
        let mut s = session(4);
        s.start(options(21)).unwrap();
        assert_eq!(s.training_path(), Some(TrainingPath::Bytes));
        s.steps(20).unwrap();
        // The reference objective on the same training photos gives the kernel's cost to within its rounding.
        let run = s.run.as_ref().unwrap();
        let (x, y) = float_rows(&s, run.train.indices());
        let reference = crate::train::F64Objective::new(x, y).unwrap();
        let (_, cost) = reference.propagate(run.trainer.model()).unwrap();
        s.steps(1).unwrap();
        let kernel = s.train_costs(20)[0];
        assert!((cost - kernel).abs() < 1e-5 && cost < std::f64::consts::LN_2 - 0.01, "reference {cost}, kernel {kernel}");
        for (options, path) in [(RunOptions { flip: true, ..options(1) }, TrainingPath::Float64), (RunOptions { l2: 0.5, ..options(1) }, TrainingPath::Float64), (hog(1), TrainingPath::Float64)] {
            let mut s = striped_session(2);
            s.start(options).unwrap();
            assert_eq!(s.training_path(), Some(path));
        }
        assert_eq!(TrainingPath::Bytes.describe(), "integer kernel");
    }

    /// Photos `indices` as the reference's float64 rows (bytes / 255) and labels.
    fn float_rows(s: &Session, indices: &[usize]) -> (Array2<f64>, Array1<f64>) {
        let values: Vec<f64> = indices.iter().flat_map(|&i| s.data.photo(i).iter().map(|&b| f64::from(b) / 255.0)).collect();
        let y = indices.iter().map(|&i| f64::from(s.data.labels()[i])).collect();
        (Array2::from_shape_vec((indices.len(), FEATURES), values).unwrap(), y)
    }

    #[test]
    fn raw_runs_are_scored_from_the_bytes_as_the_float64_reference_scores_them() {
        let mut s = striped_session(6);
        s.start(RunOptions { learning_rate: 0.01, ..options(15) }).unwrap();
        s.steps(15).unwrap();
        let run = s.run.as_ref().unwrap();
        let model = run.trainer.model();
        let (x, y) = float_rows(&s, run.test.indices());
        let expected_cost = model.cost(x.view(), y.view()).unwrap();
        let held_out_cost = run.test.cost(model).unwrap();
        // The kernel's 16-bit weights move each logit, so each photo's cost, by at most this.
        let levels: Vec<u8> = run.test.indices().iter().flat_map(|&i| s.data.photo(i).to_vec()).collect();
        let bound = FastObjective::from_levels(levels, &y.mapv(|v| v as u8).to_vec(), FEATURES, 1.0 / 255.0, 0.0).unwrap().logit_error_bound(model);
        assert!((held_out_cost - expected_cost).abs() <= bound, "bytes {held_out_cost}, float64 {expected_cost}, bound {bound}");
        let labels: Vec<u8> = y.iter().map(|&v| v as u8).collect();
        assert_eq!(s.test_accuracy().unwrap(), Some(accuracy(&model.predict(x.view()), &labels)));
        let (x, y) = float_rows(&s, run.train.indices());
        let labels: Vec<u8> = y.iter().map(|&v| v as u8).collect();
        assert_eq!(s.train_accuracy().unwrap(), accuracy(&model.predict(x.view()), &labels));
        assert!(run.train.floats_x().is_none() && run.test.floats_x().is_none());
    }

    #[test]
    fn reference_runs_on_raw_pixels_are_scored_exactly_as_float64_rows() {
        // λ and flips train on the float64 reference; its scoring must not go through the
        // kernel's 16-bit weights, whose rounding could move a photo across the boundary.
        let mut s = striped_session(6);
        s.start(RunOptions { learning_rate: 0.01, l2: 0.5, flip: true, ..options(15) }).unwrap();
        s.steps(15).unwrap();
        let run = s.run.as_ref().unwrap();
        assert_eq!(run.path, TrainingPath::Float64);
        let model = run.trainer.model();
        for part in [&run.train, &run.test] {
            let (x, y) = float_rows(&s, part.indices());
            let rows = Scored::floats(part.indices().to_vec(), x, y.iter().map(|&v| v as u8).collect());
            assert_eq!(part.cost(model).unwrap().to_bits(), rows.cost(model).unwrap().to_bits());
            assert_eq!(part.accuracy(model).unwrap(), rows.accuracy(model).unwrap());
            assert_eq!(part.wrong(model).unwrap(), rows.wrong(model).unwrap());
            assert!(part.floats_x().is_none(), "kept as bytes");
        }
    }

    #[test]
    fn a_new_run_keeps_the_previous_model_until_it_has_started() {
        let mut s = session(3);
        s.start(options(10)).unwrap();
        s.steps(10).unwrap();
        let (file, prediction) = (s.model_json().unwrap(), s.predict_photo(&png(BLUE)).unwrap());
        // Should building the next run fail after its settings were checked, the session is left
        // like this: the rows let go, the model kept as if loaded from its file.
        s.retire_run();
        assert_eq!((s.model_json().unwrap(), s.predict_photo(&png(BLUE)).unwrap()), (file, prediction));
        assert_eq!(s.feature_kind(), Some(FeatureKind::Raw));
        assert!(s.weight_picture().is_ok());
    }

    #[test]
    fn reference_runs_too_big_for_memory_are_refused_with_a_message() {
        let raw = FeatureSpec::new(FeatureKind::Raw);
        assert!(check_float64_budget(&raw, 8000).is_ok());
        let err = check_float64_budget(&raw, 16000).unwrap_err();
        assert!(matches!(&err, Error::Setting(m) if m.contains("1500 MB") && m.contains("without λ and flips")), "{err}");
        assert!(check_float64_budget(&FeatureSpec::new(FeatureKind::HogColor), 200_000).is_ok());
    }

    #[test]
    fn rejects_a_model_for_other_classes() {
        let mut s = session(1);
        s.start(options(1)).unwrap();
        let text = s.model_json().unwrap().replace("[\"cat\",\"dog\"]", "[\"noncat\",\"cat\"]");
        let err = Session::new().load_model_json(&text).unwrap_err();
        assert!(matches!(&err, Error::ModelFile(m) if m.contains("noncat")), "{err}");
    }
}
