//! A training session as the page runs it: labelled photos in, a stratified seeded split,
//! gradient descent one step at a time with the held-out cost beside the training cost,
//! accuracies, predictions and the model file. Pure Rust, so it is tested natively; `web` only
//! converts at the boundary.

use ndarray::{Array1, Array2};

use crate::dataset::Dataset;
use crate::features::FeatureSpec;
use crate::image_prep::{prepare_bytes, prepare_rgba, FEATURES};
use crate::labels::Classes;
use crate::metrics::accuracy;
use crate::model::Model;
use crate::model_file::{SavedModel, TrainingInfo};
use crate::train::{F64Objective, Init, Settings, Trainer};
use crate::{Error, Result};

/// What a training run is started with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    /// Step size.
    pub learning_rate: f64,
    /// Gradient steps to run.
    pub iterations: usize,
    /// How the weights start.
    pub init: Init,
    /// Share of each class held out for testing, 0 to below 1.
    pub test_share: f64,
    /// Seed of the split.
    pub split_seed: u32,
}

/// Photos, the run in progress (if any) and a model loaded from a file (if any).
#[derive(Default)]
pub struct Session {
    classes: Classes,
    data: Dataset,
    run: Option<Run>,
    loaded: Option<SavedModel>,
}

struct Run {
    trainer: Trainer,
    init: Init,
    train: Dataset,
    test: Dataset,
    test_x: Array2<f64>,
    test_y: Array1<f64>,
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

    /// Removes photo `index`.
    pub fn remove(&mut self, index: usize) -> Result<()> {
        self.data.remove(index)
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

    /// Splits the photos and starts gradient descent; a bad setting keeps the previous model.
    pub fn start(&mut self, options: RunOptions) -> Result<()> {
        self.data.check_trainable(&self.classes)?;
        let (train, test) = self.data.split(options.test_share, options.split_seed)?;
        let settings = Settings { learning_rate: options.learning_rate, iterations: options.iterations, record_every: 1 };
        let objective = F64Objective::new(train.features_f64(), train.labels_f64())?;
        let trainer = Trainer::new(Box::new(objective), options.init.model(FEATURES), settings)?;
        let (test_x, test_y) = (test.features_f64(), test.labels_f64());
        self.run = Some(Run { trainer, init: options.init, train, test, test_x, test_y, test_costs: Vec::new() });
        self.loaded = None;
        Ok(())
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

    /// Percent of the training part the current model classifies right.
    pub fn train_accuracy(&self) -> Result<f64> {
        let (run, model) = self.run_and_model()?;
        Ok(accuracy_on(model, &run.train))
    }

    /// Percent of the held-out part classified right; `None` when nothing is held out.
    pub fn test_accuracy(&self) -> Result<Option<f64>> {
        let (run, model) = self.run_and_model()?;
        Ok((!run.test.is_empty()).then(|| accuracy_on(model, &run.test)))
    }

    fn run_and_model(&self) -> Result<(&Run, &Model)> {
        let run = self.run.as_ref().ok_or_else(|| Error::Setting("train a model first".into()))?;
        Ok((run, run.trainer.model()))
    }

    /// Probability of label 1 for a photo file.
    pub fn predict_photo(&self, bytes: &[u8]) -> Result<f64> {
        self.probability(&prepare_bytes(bytes, "the photo")?)
    }

    /// Probability of label 1 for an RGBA frame.
    pub fn predict_frame(&self, rgba: &[u8], width: u32, height: u32) -> Result<f64> {
        self.probability(&prepare_rgba(rgba, width, height)?)
    }

    /// The run's latest model (raw pixels), else the loaded file's, with its own features.
    fn probability(&self, pixels: &[u8]) -> Result<f64> {
        match (&self.run, &self.loaded) {
            (Some(run), _) => Ok(probability(run.trainer.model(), pixels)),
            (None, Some(saved)) => saved.probability(pixels),
            (None, None) => Err(Error::Setting("train a model first (or load one)".into())),
        }
    }

    /// The model file of the current run, or of the loaded model.
    pub fn model_json(&self) -> Result<String> {
        if let Some(saved) = &self.loaded {
            return Ok(saved.to_json());
        }
        let run = self.run.as_ref().ok_or_else(|| Error::Setting("train a model first".into()))?;
        let training = TrainingInfo::new(run.trainer.settings(), run.init, run.train.len());
        let saved = SavedModel {
            classes: self.classes.clone(),
            model: run.trainer.model().clone(),
            features: FeatureSpec::default(),
            standardizer: None,
            training,
            costs: run.trainer.costs().to_vec(),
        };
        Ok(saved.to_json())
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
            false => Some(self.trainer.model().cost(self.test_x.view(), self.test_y.view())?),
        };
        self.trainer.step()?;
        self.test_costs.extend(test_cost);
        Ok(())
    }
}

fn tail(values: &[f64], from: usize) -> &[f64] {
    &values[from.min(values.len())..]
}

/// One photo at a time, so no second float copy of a whole data set is made.
fn accuracy_on(model: &Model, data: &Dataset) -> f64 {
    let predictions: Vec<u8> = (0..data.len()).map(|i| u8::from(probability(model, data.photo(i)) > 0.5)).collect();
    accuracy(&predictions, data.labels())
}

/// Goes through `Dataset` so the scaling of bytes is the one training uses.
fn probability(model: &Model, pixels: &[u8]) -> f64 {
    let mut one = Dataset::new();
    one.push("photo", pixels, 0).expect("prepared photos hold FEATURES bytes");
    model.probability(one.features_f64().row(0))
}

#[cfg(test)]
mod tests {
    use super::*;
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
        RunOptions { learning_rate: 0.05, iterations, init: Init::Zeros, test_share: 0.2, split_seed: 1 }
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
        assert_eq!(s.progress(), (5, 5));
        assert!(matches!(s.load_model_json("{}"), Err(Error::ModelFile(_))));
        assert!(s.predict_photo(&png(RED)).is_ok());
        assert!(matches!(s.photo(9), Err(Error::Dataset(_))));
        assert!(matches!(s.remove(9), Err(Error::Dataset(_))));
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
