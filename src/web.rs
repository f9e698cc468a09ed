//! The only wasm-facing file: a handle that owns the photos and the model inside wasm memory.
//! JavaScript passes bytes in and gets small values back; every export converts, calls the
//! core and returns `Result<_, JsError>`, so a bad input is a message for the page, never a panic.

use wasm_bindgen::prelude::*;

use crate::dataset::Dataset;
use crate::image_prep::{prepare_bytes, prepare_rgba, FEATURES};
use crate::labels::Classes;
use crate::model::Model;
use crate::train::{F64Objective, Init, Settings, Trainer};

/// Photos, labels and the model being trained, behind one handle.
#[wasm_bindgen]
pub struct Catdog {
    classes: Classes,
    data: Dataset,
    trainer: Option<Trainer>,
}

#[wasm_bindgen]
impl Catdog {
    /// An empty handle with the tutorial's classes, `cat` (0) and `dog` (1).
    #[wasm_bindgen(constructor)]
    pub fn new() -> Catdog {
        Catdog { classes: Classes::default(), data: Dataset::new(), trainer: None }
    }

    /// Adds a photo file labelled by its name (or folder path); returns the label.
    #[wasm_bindgen(js_name = addPhoto)]
    pub fn add_photo(&mut self, name: &str, bytes: &[u8]) -> Result<u8, JsError> {
        let label = self.classes.label_for_path(name)?;
        self.data.push(name, &prepare_bytes(bytes, name)?, label)?;
        Ok(label)
    }

    /// Number of photos with label 0 or 1.
    pub fn count(&self, label: u8) -> usize {
        self.data.class_counts()[usize::from(label != 0)]
    }

    /// Starts gradient descent from zeros on all photos.
    #[wasm_bindgen(js_name = startTraining)]
    pub fn start_training(&mut self, learning_rate: f64, iterations: usize) -> Result<(), JsError> {
        self.data.check_trainable(&self.classes)?;
        let settings = Settings { learning_rate, iterations, record_every: 1 };
        let objective = F64Objective::new(self.data.features_f64(), self.data.labels_f64())?;
        let model = Init::Zeros.model(FEATURES);
        self.trainer = Some(Trainer::new(Box::new(objective), model, settings)?);
        Ok(())
    }

    /// Runs up to `steps` iterations; returns the last cost.
    #[wasm_bindgen(js_name = trainSteps)]
    pub fn train_steps(&mut self, steps: usize) -> Result<f64, JsError> {
        let trainer = self.trainer.as_mut().ok_or_else(|| JsError::new("press Train first"))?;
        let mut cost = f64::NAN;
        for _ in 0..steps {
            if trainer.is_done() {
                break;
            }
            cost = trainer.step()?;
        }
        Ok(cost)
    }

    /// Iterations run so far.
    pub fn iteration(&self) -> usize {
        self.trainer.as_ref().map_or(0, Trainer::iteration)
    }

    /// Probability of `dog` for a photo file.
    #[wasm_bindgen(js_name = predictPhoto)]
    pub fn predict_photo(&self, bytes: &[u8]) -> Result<f64, JsError> {
        Ok(self.probability(&prepare_bytes(bytes, "the photo")?)?)
    }

    /// Probability of `dog` for an RGBA frame (a canvas's ImageData).
    #[wasm_bindgen(js_name = predictFrame)]
    pub fn predict_frame(&self, rgba: &[u8], width: u32, height: u32) -> Result<f64, JsError> {
        Ok(self.probability(&prepare_rgba(rgba, width, height)?)?)
    }
}

impl Default for Catdog {
    fn default() -> Self {
        Self::new()
    }
}

impl Catdog {
    fn model(&self) -> crate::Result<&Model> {
        self.trainer.as_ref().map(Trainer::model).ok_or_else(|| crate::Error::Setting("train a model first".into()))
    }

    fn probability(&self, pixels: &[u8]) -> crate::Result<f64> {
        let model = self.model()?;
        let mut one = Dataset::new();
        one.push("photo", pixels, 0)?;
        Ok(model.probability(one.features_f64().row(0)))
    }
}
