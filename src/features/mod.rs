//! The feature stage between a prepared photo (64x64 RGB `u8`) and the model: which kind of
//! features (`raw` pixels as in the tutorial, `hog`, `hog+color`, the `learned` dictionary's,
//! alone or with hog+color), their sizes, the training defaults that suit each kind, and
//! horizontal flips for augmentation. A kind that learns from the training photos (the learned
//! ones) needs its [`fitted::Featurizer`] to compute features; the others compute from the spec.
//!
//! Features are computed once per photo, from the 12,288 bytes the data set stores.

pub mod color;
pub mod fitted;
pub mod hog;
pub mod learned;
pub mod standardize;

use std::fmt;
use std::str::FromStr;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::data::dataset::Dataset;
use crate::error::ModelProblem;
use crate::features::color::{color_histogram, ColorParams};
use crate::features::hog::{hog, HogParams};
use crate::features::learned::LearnedParams;
use crate::photo::{CHANNELS, PHOTO_BYTES, SIDE};
use crate::{Error, Result};

/// What the model sees of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FeatureKind {
    /// Every byte divided by 255, the tutorial's input (12,288 features).
    #[default]
    Raw,
    /// Histogram of oriented gradients: shapes and edges.
    Hog,
    /// HOG followed by an HSV colour histogram.
    HogColor,
    /// A dictionary of small patches learned from the training photos (k-means), pooled.
    Learned,
    /// The learned features followed by hog+color's.
    LearnedHogColor,
}

impl FeatureKind {
    /// Every kind, in the order a user meets them.
    pub const ALL: [FeatureKind; 5] =
        [FeatureKind::Raw, FeatureKind::Hog, FeatureKind::HogColor, FeatureKind::Learned, FeatureKind::LearnedHogColor];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            FeatureKind::Raw => "raw",
            FeatureKind::Hog => "hog",
            FeatureKind::HogColor => "hog+color",
            FeatureKind::Learned => "learned",
            FeatureKind::LearnedHogColor => "learned+hog+color",
        }
    }

    /// Which parts the kind's features are made of, in the order they come.
    pub fn parts(self) -> Parts {
        let (learned, hog, color) = match self {
            FeatureKind::Raw => (false, false, false),
            FeatureKind::Hog => (false, true, false),
            FeatureKind::HogColor => (false, true, true),
            FeatureKind::Learned => (true, false, false),
            FeatureKind::LearnedHogColor => (true, true, true),
        };
        Parts { learned, hog, color }
    }

    /// The settings chosen for this kind on a validation split of the training photos (see the
    /// README); `raw` keeps the tutorial's.
    pub fn defaults(self) -> TrainingDefaults {
        match self {
            FeatureKind::Raw => TrainingDefaults { learning_rate: 0.005, iterations: 2000, l2: 0.0, flip: false },
            // 0.01 stays below the 8/d bound on the step for d = 452 standardised features
            // (the cost's curvature is at most d/4), so training converges on any photos.
            FeatureKind::Hog => TrainingDefaults { learning_rate: 0.01, iterations: 300, l2: 1000.0, flip: false },
            // The smallest penalty that reached the best validation score (docs/performance.md).
            FeatureKind::HogColor => TrainingDefaults { learning_rate: 0.01, iterations: 300, l2: 3000.0, flip: false },
            // Chosen with the learned sizes by cross-validation (features::learned, docs/learned-features.md).
            FeatureKind::Learned => learned::TRAINING_WITH_HOG_COLOR,
            // With mirrored training photos the cross-validated mean was higher (75.5 against 74.9,
            // `examples/cv_plan`), and only the cross-validated means choose.
            FeatureKind::LearnedHogColor => TrainingDefaults { flip: true, ..learned::TRAINING_WITH_HOG_COLOR },
        }
    }
}

/// The parts a kind's features are made of: the learned dictionary's, then HOG, then colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The learned dictionary's pooled activations.
    pub learned: bool,
    /// Histograms of oriented gradients.
    pub hog: bool,
    /// The HSV colour histogram.
    pub color: bool,
}

impl fmt::Display for FeatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FeatureKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        FeatureKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            Error::Setting(format!(
                "feature kind {s:?} is unknown (known: raw, hog, hog+color, learned, learned+hog+color)"
            ))
        })
    }
}

/// Training settings that go with a feature kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingDefaults {
    /// Gradient-descent step size.
    pub learning_rate: f64,
    /// Gradient steps.
    pub iterations: usize,
    /// L2 penalty λ.
    pub l2: f64,
    /// Train on horizontally flipped copies too.
    pub flip: bool,
}

/// A feature kind with its sizes: everything needed to turn a photo into the model's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FeatureSpec {
    /// The kind.
    pub kind: FeatureKind,
    /// HOG sizes (used by `hog` and `hog+color`).
    pub hog: HogParams,
    /// Colour histogram bins (used by `hog+color`).
    pub color: ColorParams,
    /// The learned dictionary's sizes (used by the learned kinds).
    pub learned: LearnedParams,
}

impl Default for FeatureSpec {
    /// The tutorial's raw pixels (with the HOG and colour sizes `new` gives the other kinds).
    fn default() -> Self {
        FeatureSpec::new(FeatureKind::Raw)
    }
}

impl FeatureSpec {
    /// `kind` with the sizes chosen on validation photos: 16x16-pixel cells (Dalal & Triggs's 8
    /// suit 128-pixel people; our 64-pixel photos did better with coarser cells), 2x2-cell
    /// blocks, 9 bins, 8×4×4 colour bins.
    pub fn new(kind: FeatureKind) -> Self {
        let hog = HogParams { cell: 16, ..HogParams::default() };
        FeatureSpec { kind, hog, color: ColorParams::default(), learned: LearnedParams::default() }
    }

    /// Rejects sizes the kind cannot be computed with.
    pub fn validate(&self) -> Result<()> {
        let parts = self.kind.parts();
        if parts.learned {
            self.learned.validate()?;
        }
        if parts.hog {
            self.hog.validate()?;
        }
        if parts.color {
            self.color.validate()?;
        }
        Ok(())
    }

    /// Whether the kind learns a dictionary from the training photos before it can compute features.
    pub fn needs_dictionary(&self) -> bool {
        self.kind.parts().learned
    }

    /// Number of features a photo gives.
    pub fn features(&self) -> usize {
        if self.kind == FeatureKind::Raw {
            return PHOTO_BYTES;
        }
        let parts = self.kind.parts();
        let count = |used: bool, n: usize| if used { n } else { 0 };
        count(parts.learned, self.learned.features())
            + count(parts.hog, self.hog.features())
            + count(parts.color, self.color.bins())
    }

    /// The features of one photo (12,288 bytes) that the spec computes alone: all of them but
    /// the learned dictionary's, which [`fitted::Featurizer`] puts first.
    pub fn extract(&self, pixels: &[u8]) -> Result<Vec<f64>> {
        if pixels.len() != PHOTO_BYTES {
            return Err(Error::MismatchedShapes { what: "photo bytes", expected: PHOTO_BYTES, actual: pixels.len() });
        }
        if self.kind == FeatureKind::Raw {
            return Ok(pixels.iter().map(|&p| f64::from(p) / 255.0).collect());
        }
        let parts = self.kind.parts();
        let mut features = if parts.hog { hog(pixels, &self.hog)? } else { Vec::new() };
        if parts.color {
            features.extend(color_histogram(pixels, &self.color)?);
        }
        Ok(features)
    }

    /// The features of every photo as rows; with `flip`, the mirrored photos follow the
    /// originals in the same order (so the first `data.len()` rows are the photos themselves).
    pub fn matrix(&self, data: &Dataset, flip: bool) -> Result<Array2<f64>> {
        self.validate()?;
        let mut values = Vec::with_capacity(data.len() * self.features() * if flip { 2 } else { 1 });
        for i in 0..data.len() {
            values.extend(self.extract(data.photo(i))?);
        }
        if flip {
            for i in 0..data.len() {
                values.extend(self.extract(&flip_horizontal(data.photo(i))?)?);
            }
        }
        let rows = values.len() / self.features();
        Ok(Array2::from_shape_vec((rows, self.features()), values).expect("every photo gives features() values"))
    }
}

/// The photo mirrored left to right.
pub fn flip_horizontal(pixels: &[u8]) -> Result<Vec<u8>> {
    if pixels.len() != PHOTO_BYTES {
        return Err(Error::MismatchedShapes { what: "photo bytes", expected: PHOTO_BYTES, actual: pixels.len() });
    }
    let row = SIDE as usize * CHANNELS;
    Ok(pixels.chunks_exact(row).flat_map(|r| r.chunks_exact(CHANNELS).rev().flatten().copied()).collect())
}

/// Labels for `matrix(data, flip)`: the photos' labels, twice with flips.
pub fn labels_f64(data: &Dataset, flip: bool) -> ndarray::Array1<f64> {
    let once = data.labels().iter().map(|&l| f64::from(l));
    if flip {
        once.clone().chain(once).collect()
    } else {
        once.collect()
    }
}

/// How a spec is written in a model file: the kind's name and the sizes of each of its parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureParams {
    /// HOG sizes, for the kinds with HOG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hog: Option<HogParams>,
    /// Colour bins, for the kinds with colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<ColorParams>,
    /// The learned dictionary's sizes, for the learned kinds (the dictionary itself is kept
    /// beside, in the model file's `dictionary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned: Option<LearnedParams>,
}

impl FeatureSpec {
    /// The sizes to record in a model file (`None` for `raw`, which has none).
    pub fn params(&self) -> Option<FeatureParams> {
        let parts = self.kind.parts();
        (self.kind != FeatureKind::Raw).then(|| FeatureParams {
            hog: parts.hog.then_some(self.hog),
            color: parts.color.then_some(self.color),
            learned: parts.learned.then_some(self.learned),
        })
    }

    /// The spec a model file describes; the error says what does not fit the kind.
    pub fn from_params(kind: FeatureKind, params: Option<&FeatureParams>) -> Result<Self> {
        let bad = |m: &str| Err(Error::ModelFile(ModelProblem::Invalid(format!("feature kind \"{kind}\" {m}"))));
        let p = match (kind, params) {
            (FeatureKind::Raw, None) => return Ok(FeatureSpec::new(kind)),
            (FeatureKind::Raw, Some(_)) => return bad("takes no feature_params"),
            (_, None) => return bad("needs feature_params"),
            (_, Some(p)) => p,
        };
        let parts = kind.parts();
        for (needed, given, what) in [
            (parts.hog, p.hog.is_some(), "HOG sizes"),
            (parts.color, p.color.is_some(), "colour bins"),
            (parts.learned, p.learned.is_some(), "learned sizes"),
        ] {
            if needed && !given {
                return bad(&format!("needs {what}"));
            }
            if given && !needed {
                return bad(&format!("has no {what}"));
            }
        }
        let mut spec = FeatureSpec::new(kind);
        spec.hog = p.hog.unwrap_or(spec.hog);
        spec.color = p.color.unwrap_or(spec.color);
        spec.learned = p.learned.unwrap_or(spec.learned);
        spec.validate().map_err(|e| Error::ModelFile(ModelProblem::Invalid(format!("feature_params: {e}"))))?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> Vec<u8> {
        (0..PHOTO_BYTES).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn raw_features_are_the_tutorials_bytes_over_255() {
        let mut data = Dataset::new();
        data.push("a", &ramp(), 1).unwrap();
        let m = FeatureSpec::new(FeatureKind::Raw).matrix(&data, false).unwrap();
        assert_eq!(m, data.features_f64());
    }

    #[test]
    fn lengths_match_the_extracted_features() {
        for kind in FeatureKind::ALL.into_iter().filter(|k| !k.parts().learned) {
            let spec = FeatureSpec::new(kind);
            assert_eq!(spec.extract(&ramp()).unwrap().len(), spec.features(), "{kind}");
        }
        // The learned kinds' own features come from their dictionary (features::fitted).
        let learned = FeatureSpec::new(FeatureKind::Learned).learned.features();
        assert_eq!(FeatureSpec::new(FeatureKind::Learned).features(), learned);
        assert_eq!(FeatureSpec::new(FeatureKind::LearnedHogColor).features(), learned + 324 + 128);
        // 16-pixel cells: 4x4 cells, 3x3 blocks of 2x2 cells, 9 bins.
        assert_eq!(FeatureSpec::new(FeatureKind::Hog).features(), 3 * 3 * 4 * 9);
        assert_eq!(FeatureSpec::new(FeatureKind::HogColor).features(), 324 + 128);
    }

    #[test]
    fn hog_color_is_hog_then_the_colour_histogram() {
        let spec = FeatureSpec::new(FeatureKind::HogColor);
        let both = spec.extract(&ramp()).unwrap();
        assert_eq!(both[..324], hog(&ramp(), &spec.hog).unwrap()[..]);
        assert_eq!(both[324..], color_histogram(&ramp(), &spec.color).unwrap()[..]);
    }

    #[test]
    fn flipping_mirrors_each_row_and_twice_is_the_identity() {
        let photo = ramp();
        let flipped = flip_horizontal(&photo).unwrap();
        // Pixel (x = 0, y = 1) becomes pixel (x = 63, y = 1), channels kept in order.
        let at = |p: &[u8], x: usize, y: usize| p[(y * 64 + x) * 3..(y * 64 + x) * 3 + 3].to_vec();
        assert_eq!(at(&flipped, 63, 1), at(&photo, 0, 1));
        assert_eq!(at(&flipped, 5, 7), at(&photo, 58, 7));
        assert_eq!(flip_horizontal(&flipped).unwrap(), photo);
    }

    #[test]
    fn flips_double_the_rows_after_the_originals() {
        let mut data = Dataset::new();
        data.push("a", &ramp(), 1).unwrap();
        data.push("b", &vec![7; PHOTO_BYTES], 0).unwrap();
        let spec = FeatureSpec::new(FeatureKind::Hog);
        let m = spec.matrix(&data, true).unwrap();
        assert_eq!(m.nrows(), 4);
        assert_eq!(m.row(0).to_vec(), spec.extract(&ramp()).unwrap());
        assert_eq!(m.row(2).to_vec(), spec.extract(&flip_horizontal(&ramp()).unwrap()).unwrap());
        assert_eq!(labels_f64(&data, true).to_vec(), [1.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn kinds_parse_from_their_names() {
        for kind in FeatureKind::ALL {
            assert_eq!(kind.name().parse::<FeatureKind>().unwrap(), kind);
        }
        assert!(matches!("sift".parse::<FeatureKind>(), Err(Error::Setting(_))));
    }

    #[test]
    fn rejects_params_that_do_not_fit_the_kind() {
        let hog_only = FeatureSpec::new(FeatureKind::Hog).params();
        let with_color = FeatureSpec::new(FeatureKind::HogColor).params();
        assert!(FeatureSpec::from_params(FeatureKind::Raw, hog_only.as_ref()).is_err());
        assert!(FeatureSpec::from_params(FeatureKind::Hog, None).is_err());
        assert!(FeatureSpec::from_params(FeatureKind::Hog, with_color.as_ref()).is_err());
        assert!(FeatureSpec::from_params(FeatureKind::HogColor, hog_only.as_ref()).is_err());
        let mut odd = with_color.clone().unwrap();
        odd.hog.as_mut().unwrap().cell = 5;
        let err = FeatureSpec::from_params(FeatureKind::HogColor, Some(&odd)).unwrap_err();
        assert!(err.to_string().contains("feature_params") && err.to_string().contains("cell"), "{err}");
        assert_eq!(
            FeatureSpec::from_params(FeatureKind::HogColor, with_color.as_ref()).unwrap(),
            FeatureSpec::new(FeatureKind::HogColor)
        );
    }

    #[test]
    fn rejects_photos_of_the_wrong_size() {
        for kind in FeatureKind::ALL {
            assert!(matches!(
                FeatureSpec::new(kind).extract(&[0; 12]),
                Err(Error::MismatchedShapes { actual: 12, .. })
            ));
        }
        assert!(matches!(flip_horizontal(&[0; 12]), Err(Error::MismatchedShapes { .. })));
    }
}
