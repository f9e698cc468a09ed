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
use crate::error::ModelProblem;
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
    #[serde(deserialize_with = "numbers_or_null")]
    w: Vec<f64>,
    #[serde(deserialize_with = "number_or_null")]
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
        let mut file = parse(text).map_err(Error::ModelFile)?;
        let bad = |m: String| Err(Error::ModelFile(ModelProblem::Invalid(m)));
        if file.format != FORMAT {
            return Err(Error::ModelFile(ModelProblem::Format { found: file.format }));
        }
        if ![VERSION_1, VERSION_2, VERSION].contains(&file.version) {
            return Err(Error::ModelFile(ModelProblem::Version { found: file.version, newest: VERSION }));
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
            let (found, expected, kind) = (file.w.len(), spec.features(), spec.kind.name());
            return Err(Error::ModelFile(ModelProblem::WeightCount { found, expected, kind }));
        }
        if let Some(s) = &file.standardization {
            s.validate(spec.features())?;
        }
        if let Some(i) = file.w.iter().position(|v| !v.is_finite()) {
            return Err(Error::ModelFile(ModelProblem::NotFinite { what: "w", index: Some(i) }));
        }
        if !file.b.is_finite() {
            return Err(Error::ModelFile(ModelProblem::NotFinite { what: "b", index: None }));
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
    let p = model.probability(ndarray::ArrayView1::from(&x));
    // Finite weights can still overflow the logit (+1e308 and -1e308 make inf - inf): no answer,
    // rather than "NaN %" (fuzzing noticed, docs/fuzzing.md).
    if p.is_nan() {
        return Err(Error::ModelFile(ModelProblem::Invalid(
            "its weights overflow: it gives no probability for this photo".into(),
        )));
    }
    Ok(p)
}

/// The file's fields, or what kind of text it is when it is not a model file: empty, not JSON,
/// a number JSON cannot hold, JSON of another shape, or the parser's words for the field that
/// is missing, unknown or of the wrong type.
fn parse(text: &str) -> std::result::Result<File, ModelProblem> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(ModelProblem::Empty);
    }
    let err = match serde_json::from_str::<File>(text) {
        Ok(file) => return Ok(file),
        Err(err) => err,
    };
    let (line, column) = (err.line(), err.column());
    let not_finite = || {
        // serde_json's column counts bytes from 1 and points at the number's last byte, or at
        // the first byte it could not read.
        let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let start = line_text.get(..column.min(line_text.len())).map_or(0, |head| {
            head.rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c))).map_or(0, |i| i + 1)
        });
        let word = line_text.get(start..).unwrap_or("");
        ["NaN", "Infinity", "-Infinity", "-NaN"].iter().any(|w| word.starts_with(w))
            || err.to_string().starts_with("number out of range")
    };
    Err(match err.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof if not_finite() => {
            ModelProblem::NotFiniteNumber { line, column }
        }
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof | serde_json::error::Category::Io => {
            ModelProblem::NotJson { line, column }
        }
        serde_json::error::Category::Data if !trimmed.starts_with('{') => ModelProblem::NotAnObject,
        serde_json::error::Category::Data => ModelProblem::Invalid(err.to_string()),
    })
}

/// A float64, with `null` read as NaN (JavaScript's `JSON.stringify` writes NaN and ±Infinity
/// as `null`), so that the check for finite weights names it.
fn number_or_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

/// [`number_or_null`] for each of a list, read straight into float64s (a million weights are
/// 8 MB, not 16 MB of `Option`s first).
fn numbers_or_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Vec<f64>, D::Error> {
    struct Numbers;
    impl<'de> serde::de::Visitor<'de> for Numbers {
        type Value = Vec<f64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of numbers")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<f64>, A::Error> {
            let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(value) = seq.next_element::<Option<f64>>()? {
                values.push(value.unwrap_or(f64::NAN));
            }
            Ok(values)
        }
    }
    deserializer.deserialize_seq(Numbers)
}

/// How a file's photos become features; version 1 knew only raw pixels, without parameters or
/// scaling, and only version 3 the learned kinds (whose dictionary it moves out of the file).
fn read_features(file: &mut File) -> Result<Featurizer> {
    let kind = known_kind(&file.features)?;
    if file.version == VERSION_1
        && (kind != FeatureKind::Raw || file.feature_params.is_some() || file.standardization.is_some())
    {
        return Err(invalid(
            "a version-1 file holds raw pixels only, without feature_params or standardization".into(),
        ));
    }
    featurizer_of(file.version, kind, file.feature_params.as_ref(), file.dictionary.take())
}

fn known_kind(name: &str) -> Result<FeatureKind> {
    let known = FeatureKind::ALL.map(|k| format!("{:?}", k.name())).join(", ");
    name.parse().map_err(|_| invalid(format!("feature kind {name:?} is unknown (known: {known})")))
}

/// The featurizer of a file's feature fields.
fn featurizer_of(
    version: u32,
    kind: FeatureKind,
    params: Option<&FeatureParams>,
    dictionary: Option<Dictionary>,
) -> Result<Featurizer> {
    let spec = FeatureSpec::from_params(kind, params)?;
    let wrong = |m: &str| Err(invalid(format!("feature kind \"{kind}\" {m}")));
    match (spec.needs_dictionary(), dictionary) {
        (false, None) => Featurizer::fixed(spec),
        (false, Some(_)) => wrong("has no dictionary"),
        (true, None) => wrong("needs its dictionary"),
        (true, Some(_)) if version != VERSION => wrong(&format!("is not in version-{version} files")),
        (true, Some(d)) => {
            Featurizer::learned(spec, std::sync::Arc::new(d)).map_err(|e| invalid(format!("dictionary: {e}")))
        }
    }
}

/// A featurizer as the page's helper workers are sent it: a model file's feature fields alone.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeaturesPart {
    features: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    feature_params: Option<FeatureParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dictionary: Option<Dictionary>,
}

/// `features` written as a model file writes them (its floats read back to the bit).
pub fn featurizer_to_json(features: &Featurizer) -> String {
    let part = FeaturesPart {
        features: features.spec().kind.name().into(),
        feature_params: features.spec().params(),
        dictionary: features.dictionary().cloned(),
    };
    serde_json::to_string(&part).expect("a featurizer holds only finite numbers and strings")
}

/// A featurizer written by [`featurizer_to_json`], checked as a model file's would be.
pub fn featurizer_from_json(text: &str) -> Result<Featurizer> {
    let part: FeaturesPart =
        serde_json::from_str(text).map_err(|e| invalid(format!("the features sent to a worker: {e}")))?;
    featurizer_of(VERSION, known_kind(&part.features)?, part.feature_params.as_ref(), part.dictionary)
}

fn invalid(message: String) -> Error {
    Error::ModelFile(ModelProblem::Invalid(message))
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

    fn problem(text: &str) -> ModelProblem {
        match SavedModel::from_json(text) {
            Err(Error::ModelFile(m)) => m,
            other => panic!("expected a model-file error, got {other:?}"),
        }
    }

    fn message(text: &str) -> String {
        problem(text).to_string()
    }

    #[test]
    fn rejects_predicting_with_weights_that_overflow() {
        let huge = with(|v| v["w"] = (0..PHOTO_BYTES).map(|i| if i % 2 == 0 { 1e308 } else { -1e308 }).collect());
        let model = SavedModel::from_json(&huge).unwrap();
        let ramp: Vec<u8> = (0..PHOTO_BYTES).map(|i| i as u8).collect();
        assert!(matches!(model.probability(&ramp), Err(Error::ModelFile(ModelProblem::Invalid(_)))));
    }

    #[test]
    fn round_trips_exactly() {
        assert_eq!(SavedModel::from_json(&saved().to_json()).unwrap(), saved());
    }

    #[test]
    fn rejects_files_that_are_not_catdog_models() {
        assert!(message("not json").contains("not JSON"));
        assert!(message("{}").contains("missing field"));
        assert!(message(&with(|v| v["format"] = "other".into())).contains("format"));
        assert!(message(&with(|v| v["version"] = 9.into())).contains("version 9"));
    }

    #[test]
    fn rejects_an_empty_file() {
        for text in ["", "  \n\t", "\u{feff}"] {
            assert_eq!(problem(text), ModelProblem::Empty, "{text:?}");
        }
        let err = SavedModel::from_json("").unwrap_err();
        assert_eq!(err.to_string(), "invalid model file: the file is empty");
    }

    #[test]
    fn rejects_text_that_is_not_json_and_says_where() {
        // Where serde_json stopped: after the `n` it read as the start of `null`.
        assert_eq!(problem("not json"), ModelProblem::NotJson { line: 1, column: 2 });
        assert_eq!(problem("{\n  \"format\": catdog"), ModelProblem::NotJson { line: 2, column: 13 });
        // A file cut short is not JSON either.
        let whole = saved().to_json();
        assert!(matches!(problem(&whole[..whole.len() / 2]), ModelProblem::NotJson { line: 1, .. }));
        assert_eq!(message("<html>"), "it is not JSON (it goes wrong at line 1, column 1)",);
    }

    #[test]
    fn rejects_json_of_another_shape() {
        for text in ["[1, 2, 3]", "42", "\"catdog\"", "null", "true"] {
            assert_eq!(problem(text), ModelProblem::NotAnObject, "{text}");
        }
        assert!(message("{}").contains("missing field `format`"));
        assert!(message(&with(|v| v["w"] = serde_json::json!({"0": 1.0}))).contains("invalid type: map"));
        assert!(message(&with(|v| v["classes"] = "cat,dog".into())).contains("invalid type: string"));
    }

    #[test]
    fn rejects_the_wrong_format_or_version() {
        assert_eq!(problem(&with(|v| v["format"] = "keras".into())), ModelProblem::Format { found: "keras".into() });
        for version in [0, 4, 99] {
            assert_eq!(
                problem(&with(|v| v["version"] = version.into())),
                ModelProblem::Version { found: version, newest: 3 }
            );
        }
        assert_eq!(
            message(&with(|v| v["version"] = 4.into())),
            "version 4 is not supported (this catdog reads versions 1 to 3)"
        );
        assert!(message(&with(|v| v["version"] = (-1).into())).contains("invalid value: integer `-1`"));
    }

    /// JSON has no NaN: JavaScript writes NaN and ±Infinity as `null`, Python as the bare words
    /// `NaN` and `Infinity`, and `1e400` overflows a float64. Each is refused, naming where.
    #[test]
    fn rejects_nan_and_infinite_weights() {
        assert_eq!(
            problem(&with(|v| v["w"][7] = serde_json::Value::Null)),
            ModelProblem::NotFinite { what: "w", index: Some(7) }
        );
        assert_eq!(
            problem(&with(|v| v["b"] = serde_json::Value::Null)),
            ModelProblem::NotFinite { what: "b", index: None }
        );
        assert_eq!(
            message(&with(|v| v["w"][7] = serde_json::Value::Null)),
            "w[7] is not a finite number (null in the file: NaN or infinite when it was written)"
        );
        let text = saved().to_json();
        let w = text.find("\"w\":[").unwrap() + 5;
        for bare in ["NaN", "Infinity", "-Infinity", "1e400", "-2.5e309"] {
            let edited = format!("{}{bare},{}", &text[..w], &text[w..]);
            assert!(
                matches!(problem(&edited), ModelProblem::NotFiniteNumber { line: 1, column } if column > w && column <= w + bare.len() + 1),
                "{bare}: {:?}",
                problem(&edited)
            );
        }
        // The parsed model is never used unless every weight is finite.
        let mut nan = saved();
        nan.model.w[3] = f64::NAN;
        assert_eq!(problem(&nan.to_json()), ModelProblem::NotFinite { what: "w", index: Some(3) });
    }

    /// A million weights (20 MB of text) is read and refused for its count, without a panic.
    #[test]
    fn rejects_a_million_weights() {
        let huge = with(|v| v["w"] = serde_json::json!(vec![0.125; 1_000_000]));
        assert_eq!(problem(&huge), ModelProblem::WeightCount { found: 1_000_000, expected: PHOTO_BYTES, kind: "raw" });
        assert_eq!(message(&huge), "w has 1000000 weights, expected 12288 for feature kind \"raw\"");
    }

    #[test]
    fn rejects_wrong_sizes_and_kinds() {
        assert!(message(&with(|v| v["w"] = serde_json::json!([1.0, 2.0]))).contains("w has 2 weights"));
        assert!(message(&with(|v| v["image_size"] = serde_json::json!([32, 32, 3]))).contains("image_size"));
        assert!(message(&with(|v| v["features"] = "hog".into())).contains("feature kind"));
        assert!(message(&with(|v| v["classes"] = serde_json::json!(["cat"]))).contains("2 classes"));
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
