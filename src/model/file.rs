//! The one model file format, JSON, shared by the CLI and the page: what the model is (classes,
//! image size, feature kind with its sizes and standardisation, w, b) and how it was trained
//! (settings, cost history).
//!
//! Version 2 added `feature_params`, `standardization`, `training.l2` and `training.flip`;
//! version 3 the learned kinds, with their `dictionary`. Version-1 files (raw pixels only) and
//! version-2 files are still read.

use serde::{Deserialize, Serialize};

use crate::data::dataset::Dataset;
use crate::data::labels::Classes;
use crate::features::fitted::Featurizer;
use crate::features::learned::Dictionary;
use crate::features::standardize::Standardizer;
use crate::features::{FeatureKind, FeatureParams, FeatureSpec};
use crate::model::metrics::accuracy;
use crate::model::Model;
use crate::photo::Label;
use crate::photo::{CHANNELS, SIDE};
use crate::train::optimize::{Init, Settings};
use crate::{Error, Result};

const FORMAT: &str = "catdog-model";
const VERSION: u32 = 3;
/// The format before the learned kinds; still read.
const VERSION_2: u32 = 2;
/// The first format, raw pixels only; still read.
const VERSION_1: u32 = 1;

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
    /// The L2 penalty λ (0 in version-1 files).
    #[serde(default)]
    pub l2: f64,
    /// Whether horizontally flipped copies of the photos were trained on too.
    #[serde(default)]
    pub flip: bool,
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
            l2: 0.0,
            flip: false,
        }
    }
}

/// A trained model with everything needed to use it again.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedModel {
    /// Names of label 0 and label 1.
    pub classes: Classes,
    /// Weights (one per feature of `features`) and bias.
    pub model: Model,
    /// How a photo becomes features (with the dictionary a learned kind learned).
    pub features: Featurizer,
    /// The training set's feature scaling, applied before the model (none for the tutorial's raw pixels).
    pub standardizer: Option<Standardizer>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    feature_params: Option<FeatureParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dictionary: Option<Dictionary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    standardization: Option<Standardizer>,
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
            features: self.features.spec().kind.name().into(),
            feature_params: self.features.spec().params(),
            dictionary: self.features.dictionary().cloned(),
            standardization: self.standardizer.clone(),
            w: self.model.w.to_vec(),
            b: self.model.b,
            training: self.training.clone(),
            costs: self.costs.clone(),
        };
        serde_json::to_string(&file).expect("a model file holds only finite numbers and strings")
    }

    /// Reads a model file, checking every field; the error names what is wrong.
    pub fn from_json(text: &str) -> Result<SavedModel> {
        let mut file: File = serde_json::from_str(text).map_err(|e| Error::ModelFile(e.to_string()))?;
        let bad = |m: String| Err(Error::ModelFile(m));
        if file.format != FORMAT {
            return bad(format!("format is {:?}, expected {FORMAT:?}", file.format));
        }
        if ![VERSION_1, VERSION_2, VERSION].contains(&file.version) {
            return bad(format!(
                "version {} is not supported (this catdog reads versions {VERSION_1} to {VERSION})",
                file.version
            ));
        }
        let classes = match file.classes.as_slice() {
            [negative, positive] => Classes::new(negative, positive)?,
            other => return bad(format!("classes must name 2 classes, found {}", other.len())),
        };
        if file.image_size != [SIDE, SIDE, CHANNELS as u32] {
            return bad(format!("image_size {:?} is not [64, 64, 3]", file.image_size));
        }
        let featurizer = read_features(&mut file)?;
        let spec = *featurizer.spec();
        if file.w.len() != spec.features() {
            return bad(format!(
                "w has {} weights, expected {} for feature kind \"{}\"",
                file.w.len(),
                spec.features(),
                spec.kind
            ));
        }
        if let Some(s) = &file.standardization {
            s.validate(spec.features())?;
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
        if !(t.l2.is_finite() && t.l2 >= 0.0) {
            return bad(format!("training.l2 is {}, it must be a number at least 0", t.l2));
        }
        if t.init != "zeros" && t.init != "random" {
            return bad(format!("training.init {:?} is neither \"zeros\" nor \"random\"", t.init));
        }
        let model = Model { w: file.w.into(), b: file.b };
        Ok(SavedModel {
            classes,
            model,
            features: featurizer,
            standardizer: file.standardization,
            training: file.training,
            costs: file.costs,
        })
    }

    /// Percent of `data`'s photos this model classifies right, each through [`Self::probability`].
    pub fn accuracy(&self, data: &Dataset) -> Result<f64> {
        let predictions = (0..data.len())
            .map(|i| Ok(Label::for_probability(self.probability(data.photo(i))?).value()))
            .collect::<Result<Vec<u8>>>()?;
        Ok(accuracy(&predictions, data.labels()))
    }

    /// Probability of label 1 for one prepared photo (12,288 bytes): features, standardisation,
    /// then the model, exactly as at training time.
    pub fn probability(&self, pixels: &[u8]) -> Result<f64> {
        probability(&self.features, self.standardizer.as_ref(), &self.model, pixels)
    }
}

/// Probability of label 1 for one prepared photo through `features`, the optional
/// `standardizer` and `model`: the one prediction path for model files and the page's runs.
pub fn probability(
    features: &Featurizer,
    standardizer: Option<&Standardizer>,
    model: &Model,
    pixels: &[u8],
) -> Result<f64> {
    let mut x = features.extract(pixels)?;
    if let Some(s) = standardizer {
        s.apply(&mut x)?;
    }
    if x.len() != model.features() {
        return Err(Error::MismatchedShapes { what: "features", expected: model.features(), actual: x.len() });
    }
    Ok(model.probability(ndarray::ArrayView1::from(&x)))
}

/// How a file's photos become features; version 1 knew only raw pixels, without parameters or
/// scaling, and only version 3 the learned kinds (whose dictionary it moves out of the file).
fn read_features(file: &mut File) -> Result<Featurizer> {
    let known = FeatureKind::ALL.map(|k| format!("{:?}", k.name())).join(", ");
    let kind: FeatureKind = file
        .features
        .parse()
        .map_err(|_| Error::ModelFile(format!("feature kind {:?} is unknown (known: {known})", file.features)))?;
    if file.version == VERSION_1
        && (kind != FeatureKind::Raw || file.feature_params.is_some() || file.standardization.is_some())
    {
        return Err(Error::ModelFile(
            "a version-1 file holds raw pixels only, without feature_params or standardization".into(),
        ));
    }
    let spec = FeatureSpec::from_params(kind, file.feature_params.as_ref())?;
    let wrong = |m: &str| Err(Error::ModelFile(format!("feature kind \"{kind}\" {m}")));
    match (spec.needs_dictionary(), file.dictionary.take()) {
        (false, None) => Featurizer::fixed(spec),
        (false, Some(_)) => wrong("has no dictionary"),
        (true, None) => wrong("needs its dictionary"),
        (true, Some(_)) if file.version != VERSION => wrong(&format!("is not in version-{} files", file.version)),
        (true, Some(d)) => {
            Featurizer::learned(spec, std::sync::Arc::new(d)).map_err(|e| Error::ModelFile(format!("dictionary: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::photo::PHOTO_BYTES;

    fn saved() -> SavedModel {
        let mut model = Init::Random { seed: 3 }.model(PHOTO_BYTES);
        model.b = -0.25;
        SavedModel {
            classes: Classes::parse("noncat,cat").unwrap(),
            model,
            features: Featurizer::fixed(FeatureSpec::new(FeatureKind::Raw)).unwrap(),
            standardizer: None,
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

    /// A hog+color model with a standardizer fitted on a few photos.
    fn hog_color() -> SavedModel {
        let spec = FeatureSpec::new(FeatureKind::HogColor);
        let photos: Vec<Vec<u8>> = (0..4u32)
            .map(|k| (0..PHOTO_BYTES as u32).map(|i| ((i * (k + 3) + i / 192 * k) % 256) as u8).collect())
            .collect();
        let rows: Vec<f64> = photos.iter().flat_map(|p| spec.extract(p).unwrap()).collect();
        let x = ndarray::Array2::from_shape_vec((4, spec.features()), rows).unwrap();
        let mut model = Init::Random { seed: 5 }.model(spec.features());
        model.b = 0.125;
        let mut training = TrainingInfo::new(&Settings::default(), Init::Zeros, 4);
        training.l2 = 3.0;
        training.flip = true;
        SavedModel {
            classes: Classes::default(),
            model,
            features: Featurizer::fixed(spec).unwrap(),
            standardizer: Some(Standardizer::fit(x.view()).unwrap()),
            training,
            costs: vec![0.693],
        }
    }

    fn hog_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut value: serde_json::Value = serde_json::from_str(&hog_color().to_json()).unwrap();
        edit(&mut value);
        value.to_string()
    }

    #[test]
    fn a_hog_color_model_round_trips_and_predicts_the_same() {
        let saved = hog_color();
        let read = SavedModel::from_json(&saved.to_json()).unwrap();
        assert_eq!(read, saved);
        let photo: Vec<u8> = (0..PHOTO_BYTES).map(|i| (i * 7 % 256) as u8).collect();
        // What training computes: features, standardised by the fitted scaler, then the model.
        let mut x = FeatureSpec::new(FeatureKind::HogColor).extract(&photo).unwrap();
        saved.standardizer.as_ref().unwrap().apply(&mut x).unwrap();
        let expected = saved.model.probability(ndarray::ArrayView1::from(&x));
        assert_eq!(read.probability(&photo).unwrap(), expected);
        assert!(expected > 0.0 && expected < 1.0);
    }

    #[test]
    fn reads_version_1_raw_files() {
        let v1 = with(|v| {
            v["version"] = 1.into();
            let training = v["training"].as_object_mut().unwrap();
            training.remove("l2");
            training.remove("flip");
        });
        let read = SavedModel::from_json(&v1).unwrap();
        assert_eq!(read, saved());
        let photo = vec![128u8; PHOTO_BYTES];
        let raw: Vec<f64> = photo.iter().map(|&p| f64::from(p) / 255.0).collect();
        assert_eq!(read.probability(&photo).unwrap(), read.model.probability(ndarray::ArrayView1::from(&raw)));
    }

    #[test]
    fn rejects_inconsistent_feature_files() {
        let v1_hog = hog_with(|v| v["version"] = 1.into());
        assert!(message(&v1_hog).contains("version-1 file holds raw pixels only"));
        assert!(message(&hog_with(|v| v["w"] = serde_json::json!(vec![0.5; PHOTO_BYTES])))
            .contains("w has 12288 weights, expected 452 for feature kind \"hog+color\""));
        assert!(message(&hog_with(|v| v["features"] = "hog".into())).contains("has no colour bins"));
        assert!(message(&hog_with(|v| v["features"] = "raw".into())).contains("takes no feature_params"));
        assert!(message(&hog_with(|v| v["feature_params"]["hog"]["cell"] = 6.into())).contains("cell"));
        assert!(message(&hog_with(|v| v["standardization"]["std"] = serde_json::json!([1.0, 2.0])))
            .contains("std has 2 values, expected 452"));
        assert!(
            message(&hog_with(|v| v["standardization"]["mean"] = serde_json::json!([]))).contains("mean has 0 values")
        );
        assert!(message(&hog_with(|v| v["standardization"]["std"][4] = (-1.0).into())).contains("std[4] is -1"));
        assert!(
            message(&hog_with(|v| v["standardization"]["std"][4] = serde_json::Value::Null)).contains("invalid type")
        );
        assert!(message(&hog_with(|v| v["training"]["l2"] = (-2.0).into())).contains("training.l2"));
        assert!(message(&hog_with(|v| v["features"] = "sift".into())).contains("feature kind \"sift\" is unknown"));
    }

    #[test]
    fn rejects_bad_class_names() {
        let err = SavedModel::from_json(&with(|v| v["classes"] = serde_json::json!(["cat", "cat"]))).unwrap_err();
        assert!(matches!(err, Error::BadClassName { .. }));
    }
}
