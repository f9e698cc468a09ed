//! The only wasm-facing file: a handle over the core's training `Session` (photos and model live
//! in wasm memory; the page runs it in a Web Worker) and the loss chart drawn on a DOM canvas.
//! JavaScript passes bytes in and gets small values back; every fallible export converts, calls
//! the core and returns `Result<_, JsError>`, so a bad input is a message for the page, never a panic.

use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;

use crate::chart::{draw_loss, LossHistory};
use crate::features::FeatureKind;
use crate::session::{RunOptions, Session};
use crate::train::Init;

/// The training settings that go with a feature kind, to fill the page's controls.
#[wasm_bindgen]
pub struct KindDefaults {
    /// Step size.
    #[wasm_bindgen(js_name = learningRate)]
    pub learning_rate: f64,
    /// Gradient steps.
    pub iterations: usize,
    /// L2 penalty λ.
    pub l2: f64,
    /// Train on mirrored copies too.
    pub flip: bool,
}

/// The settings chosen for feature kind `kind` (`raw`, `hog` or `hog+color`).
#[wasm_bindgen(js_name = featureDefaults)]
pub fn feature_defaults(kind: &str) -> Result<KindDefaults, JsError> {
    let d = kind.parse::<FeatureKind>()?.defaults();
    Ok(KindDefaults { learning_rate: d.learning_rate, iterations: d.iterations, l2: d.l2, flip: d.flip })
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

    /// Adds a photo file labelled by its name (or folder path); returns the label.
    #[wasm_bindgen(js_name = addPhoto)]
    pub fn add_photo(&mut self, name: &str, bytes: &[u8]) -> Result<u8, JsError> {
        Ok(self.session.add(name, bytes, None)?)
    }

    /// Adds a photo file with the given label, whatever its name says; returns the label.
    #[wasm_bindgen(js_name = addPhotoAs)]
    pub fn add_photo_as(&mut self, name: &str, bytes: &[u8], label: u8) -> Result<u8, JsError> {
        Ok(self.session.add(name, bytes, Some(label))?)
    }

    /// Makes room for `photos` more photos before adding them one by one.
    pub fn reserve(&mut self, photos: usize) -> Result<(), JsError> {
        Ok(self.session.reserve(photos)?)
    }

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.session.len()
    }

    /// True when there are no photos.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.session.is_empty()
    }

    /// Number of photos with label 0 or 1.
    pub fn count(&self, label: u8) -> usize {
        self.session.counts()[usize::from(label != 0)]
    }

    /// The 64x64 RGB pixels the model sees for photo `index`.
    pub fn photo(&self, index: usize) -> Result<Vec<u8>, JsError> {
        Ok(self.session.photo(index)?.to_vec())
    }

    /// Removes photo `index`.
    pub fn remove(&mut self, index: usize) -> Result<(), JsError> {
        Ok(self.session.remove(index)?)
    }

    /// Gives photo `index` label 0 or 1.
    #[wasm_bindgen(js_name = setLabel)]
    pub fn set_label(&mut self, index: usize, label: u8) -> Result<(), JsError> {
        Ok(self.session.set_label(index, label)?)
    }

    /// Holds out `test_share` of each class (split with `split_seed`), computes features of
    /// kind `features` and starts gradient descent with L2 penalty `l2` (and mirrored copies
    /// with `flip`) from zeros, or from random weights when `random_seed` is given.
    #[wasm_bindgen(js_name = startTraining)]
    #[allow(clippy::too_many_arguments)]
    pub fn start_training(
        &mut self,
        features: &str,
        learning_rate: f64,
        iterations: usize,
        l2: f64,
        flip: bool,
        random_seed: Option<u32>,
        test_share: f64,
        split_seed: u32,
    ) -> Result<(), JsError> {
        let features = features.parse::<FeatureKind>()?;
        let init = random_seed.map_or(Init::Zeros, |seed| Init::Random { seed });
        Ok(self.session.start(RunOptions { features, learning_rate, iterations, l2, flip, init, test_share, split_seed })?)
    }

    /// Runs up to `steps` more iterations; returns how many ran (0 once done).
    #[wasm_bindgen(js_name = trainSteps)]
    pub fn train_steps(&mut self, steps: usize) -> Result<usize, JsError> {
        Ok(self.session.steps(steps)?)
    }

    /// Iterations run so far.
    pub fn iteration(&self) -> usize {
        self.session.progress().0
    }

    /// Iterations the run was started with.
    pub fn iterations(&self) -> usize {
        self.session.progress().1
    }

    /// Photos in the training part of the run.
    #[wasm_bindgen(js_name = trainCount)]
    pub fn train_count(&self) -> usize {
        self.session.split_sizes().0
    }

    /// Photos held out for testing in the run.
    #[wasm_bindgen(js_name = testCount)]
    pub fn test_count(&self) -> usize {
        self.session.split_sizes().1
    }

    /// Training costs from iteration `from` on.
    #[wasm_bindgen(js_name = trainCosts)]
    pub fn train_costs(&self, from: usize) -> Vec<f64> {
        self.session.train_costs(from).to_vec()
    }

    /// Held-out costs from iteration `from` on.
    #[wasm_bindgen(js_name = testCosts)]
    pub fn test_costs(&self, from: usize) -> Vec<f64> {
        self.session.test_costs(from).to_vec()
    }

    /// Percent of the training photos classified right.
    #[wasm_bindgen(js_name = trainAccuracy)]
    pub fn train_accuracy(&self) -> Result<f64, JsError> {
        Ok(self.session.train_accuracy()?)
    }

    /// Percent of the held-out photos classified right; undefined when none are held out.
    #[wasm_bindgen(js_name = testAccuracy)]
    pub fn test_accuracy(&self) -> Result<Option<f64>, JsError> {
        Ok(self.session.test_accuracy()?)
    }

    /// Indices (among the photos when the run started) of the held-out photos classified wrong.
    pub fn mistakes(&self) -> Result<Vec<u32>, JsError> {
        Ok(self.session.mistakes()?.iter().map(|m| m.index as u32).collect())
    }

    /// The probability of `dog` given to each photo of `mistakes()`, in the same order.
    #[wasm_bindgen(js_name = mistakeProbabilities)]
    pub fn mistake_probabilities(&self) -> Result<Vec<f64>, JsError> {
        Ok(self.session.mistakes()?.iter().map(|m| m.probability).collect())
    }

    /// A raw-pixel model's weights as 64x64 RGBA: blue pushes towards dog, orange towards cat.
    #[wasm_bindgen(js_name = weightPicture)]
    pub fn weight_picture(&self) -> Result<Vec<u8>, JsError> {
        Ok(self.session.weight_picture()?)
    }

    /// How the current run computes gradients ("integer SIMD kernel" or "float64 reference").
    #[wasm_bindgen(js_name = trainingPath)]
    pub fn training_path(&self) -> Option<String> {
        self.session.training_path().map(|p| p.describe().to_string())
    }

    /// The feature kind of the current model; undefined without one.
    #[wasm_bindgen(js_name = featureKind)]
    pub fn feature_kind(&self) -> Option<String> {
        self.session.feature_kind().map(|k| k.name().to_string())
    }

    /// Probability of label 1 (`dog`) for a photo file.
    #[wasm_bindgen(js_name = predictPhoto)]
    pub fn predict_photo(&self, bytes: &[u8]) -> Result<f64, JsError> {
        Ok(self.session.predict_photo(bytes)?)
    }

    /// Probability of label 1 (`dog`) for an RGBA frame (a canvas's ImageData).
    #[wasm_bindgen(js_name = predictFrame)]
    pub fn predict_frame(&self, rgba: &[u8], width: u32, height: u32) -> Result<f64, JsError> {
        Ok(self.session.predict_frame(rgba, width, height)?)
    }

    /// The model file (JSON) of the current model.
    #[wasm_bindgen(js_name = modelJson)]
    pub fn model_json(&self) -> Result<String, JsError> {
        Ok(self.session.model_json()?)
    }

    /// Loads a model file for predictions; a bad file keeps the current model.
    #[wasm_bindgen(js_name = loadModelJson)]
    pub fn load_model_json(&mut self, text: &str) -> Result<(), JsError> {
        Ok(self.session.load_model_json(text)?)
    }
}

/// Draws the loss chart on the canvas with id `canvas_id`, at the canvas's pixel size.
#[wasm_bindgen(js_name = drawLossChart)]
pub fn draw_loss_chart(canvas_id: &str, train: &[f64], test: &[f64], iterations: usize) -> Result<(), JsError> {
    let backend = CanvasBackend::new(canvas_id).ok_or_else(|| JsError::new(&format!("there is no canvas #{canvas_id}")))?;
    Ok(draw_loss(backend, LossHistory { train, test, iterations })?)
}
