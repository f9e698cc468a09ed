//! The one model file format, JSON, shared by the CLI and the page: what the model is (classes,
//! image size, feature kind, w, b) and how it was trained (settings, cost history).

use serde::{Deserialize, Serialize};

use crate::image_prep::{CHANNELS, FEATURES, SIDE};
use crate::labels::Classes;
use crate::model::Model;
use crate::train::{Init, Settings};
use crate::{Error, Result};

const FORMAT: &str = "catdog-model";
const VERSION: u32 = 1;

/// How a model was trained, kept with it for the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingInfo {
    /// Step size.
    pub learning_rate: f64,
    /// Gradient steps run.
    pub iterations: usize,
    /// `zeros` or `random`.
    pub init: String,
    /// The seed of a random initialisation.
    pub seed: Option<u32>,
    /// Photos trained on.
    pub train_count: usize,
    /// The cost history below has one value every this many iterations.
    pub cost_every: usize,
}

impl TrainingInfo {
    /// The record of a run with these settings.
    pub fn new(settings: &Settings, init: Init, train_count: usize) -> Self {
        let (init, seed) = match init {
            Init::Zeros => ("zeros", None),
            Init::Random { seed } => ("random", Some(seed)),
        };
        TrainingInfo {
            learning_rate: settings.learning_rate,
            iterations: settings.iterations,
            init: init.into(),
            seed,
            train_count,
            cost_every: settings.record_every,
        }
    }
}

/// A trained model with everything needed to use it again.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedModel {
    /// Names of label 0 and label 1.
    pub classes: Classes,
    /// Weights (for pixels scaled by 1/255) and bias.
    pub model: Model,
    /// How it was trained.
    pub training: TrainingInfo,
    /// Cost history, one every `training.cost_every` iterations.
    pub costs: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: String,
    version: u32,
    classes: Vec<String>,
    image_size: Vec<u32>,
    features: String,
    w: Vec<f64>,
    b: f64,
    training: TrainingInfo,
    costs: Vec<f64>,
}

impl SavedModel {
    /// The model file's text.
    pub fn to_json(&self) -> String {
        let file = File {
            format: FORMAT.into(),
            version: VERSION,
            classes: self.classes.names().map(String::from).to_vec(),
            image_size: vec![SIDE, SIDE, CHANNELS as u32],
            features: "raw".into(),
            w: self.model.w.to_vec(),
            b: self.model.b,
            training: self.training.clone(),
            costs: self.costs.clone(),
        };
        serde_json::to_string(&file).expect("a model file holds only finite numbers and strings")
    }

    /// Reads a model file, checking every field; the error names what is wrong.
    pub fn from_json(text: &str) -> Result<SavedModel> {
        let file: File = serde_json::from_str(text).map_err(|e| Error::ModelFile(e.to_string()))?;
        let bad = |m: String| Err(Error::ModelFile(m));
        if file.format != FORMAT {
            return bad(format!("format is {:?}, expected {FORMAT:?}", file.format));
        }
        if file.version != VERSION {
            return bad(format!("version {} is not supported (this catdog reads version {VERSION})", file.version));
        }
        let classes = match file.classes.as_slice() {
            [negative, positive] => Classes::new(negative, positive)?,
            other => return bad(format!("classes must name 2 classes, found {}", other.len())),
        };
        if file.image_size != [SIDE, SIDE, CHANNELS as u32] {
            return bad(format!("image_size {:?} is not [64, 64, 3]", file.image_size));
        }
        if file.features != "raw" {
            return bad(format!("feature kind {:?} is unknown (known: \"raw\")", file.features));
        }
        if file.w.len() != FEATURES {
            return bad(format!("w has {} weights, expected {FEATURES}", file.w.len()));
        }
        if let Some(i) = file.w.iter().position(|v| !v.is_finite()) {
            return bad(format!("w[{i}] is not a finite number"));
        }
        if !file.b.is_finite() {
            return bad("b is not a finite number".into());
        }
        let t = &file.training;
        if !(t.learning_rate.is_finite() && t.learning_rate > 0.0) || t.cost_every == 0 {
            return bad("training settings are invalid (learning_rate must be positive, cost_every at least 1)".into());
        }
        if t.init != "zeros" && t.init != "random" {
            return bad(format!("training.init {:?} is neither \"zeros\" nor \"random\"", t.init));
        }
        let model = Model { w: file.w.into(), b: file.b };
        Ok(SavedModel { classes, model, training: file.training, costs: file.costs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved() -> SavedModel {
        let mut model = Init::Random { seed: 3 }.model(FEATURES);
        model.b = -0.25;
        SavedModel {
            classes: Classes::parse("noncat,cat").unwrap(),
            model,
            training: TrainingInfo::new(&Settings::default(), Init::Random { seed: 3 }, 209),
            costs: vec![0.693, 0.5],
        }
    }

    fn with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut value: serde_json::Value = serde_json::from_str(&saved().to_json()).unwrap();
        edit(&mut value);
        value.to_string()
    }

    fn message(text: &str) -> String {
        match SavedModel::from_json(text) {
            Err(Error::ModelFile(m)) => m,
            other => panic!("expected a model-file error, got {other:?}"),
        }
    }

    #[test]
    fn round_trips_exactly() {
        assert_eq!(SavedModel::from_json(&saved().to_json()).unwrap(), saved());
    }

    #[test]
    fn rejects_files_that_are_not_catdog_models() {
        assert!(message("not json").contains("expected"));
        assert!(message("{}").contains("missing field"));
        assert!(message(&with(|v| v["format"] = "other".into())).contains("format"));
        assert!(message(&with(|v| v["version"] = 9.into())).contains("version 9"));
    }

    #[test]
    fn rejects_wrong_sizes_and_kinds() {
        assert!(message(&with(|v| v["w"] = serde_json::json!([1.0, 2.0]))).contains("w has 2 weights"));
        assert!(message(&with(|v| v["image_size"] = serde_json::json!([32, 32, 3]))).contains("image_size"));
        assert!(message(&with(|v| v["features"] = "hog".into())).contains("feature kind"));
        assert!(message(&with(|v| v["classes"] = serde_json::json!(["cat"]))).contains("2 classes"));
        assert!(message(&with(|v| v["w"][7] = serde_json::Value::Null)).contains("invalid type"));
        assert!(message(&with(|v| v["extra"] = 1.into())).contains("unknown field"));
        assert!(message(&with(|v| v["training"]["init"] = "ones".into())).contains("training.init"));
    }

    #[test]
    fn rejects_bad_class_names() {
        let err = SavedModel::from_json(&with(|v| v["classes"] = serde_json::json!(["cat", "cat"]))).unwrap_err();
        assert!(matches!(err, Error::BadClasses(_)));
    }
}
