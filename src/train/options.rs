//! What a run is started with: the features, gradient-descent settings, penalty, flips and
//! initialisation, and which arithmetic computes the gradients.

use crate::features::{FeatureKind, FeatureSpec};
use crate::train::optimize::{Init, Settings};
use crate::train::penalty;
use crate::{Error, Result};

/// Everything a run is started with, besides the photos.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// What the model sees of a photo.
    pub features: FeatureSpec,
    /// Step size, iterations, and how often the cost is recorded.
    pub settings: Settings,
    /// L2 penalty λ (0 for none).
    pub l2: f64,
    /// Also train on every training photo mirrored left to right.
    pub flip: bool,
    /// How the weights start.
    pub init: Init,
    /// Which arithmetic computes the gradients.
    pub path: PathChoice,
}

impl TrainOptions {
    /// The defaults of `features`' kind: the tutorial's for raw pixels, from zeros, on the
    /// float64 reference, recording the cost every 100 iterations as the tutorial prints it.
    pub fn for_features(features: FeatureSpec) -> TrainOptions {
        let d = features.kind.defaults();
        let settings = Settings { learning_rate: d.learning_rate, iterations: d.iterations, ..Settings::default() };
        TrainOptions { features, settings, l2: d.l2, flip: d.flip, init: Init::Zeros, path: PathChoice::Float64 }
    }

    /// Rejects options no run can start with.
    pub fn validate(&self) -> Result<()> {
        self.settings.validate()?;
        penalty::validate_lambda(self.l2)?;
        self.features.validate()?;
        self.path.resolve(self)?;
        Ok(())
    }

    /// Whether the integer kernel computes this run's objective exactly: raw pixels without a
    /// penalty or mirrored copies (the kernel computes the plain cost only).
    pub fn kernel_fits(&self) -> bool {
        self.features.kind == FeatureKind::Raw && self.l2 == 0.0 && !self.flip
    }
}

/// Which arithmetic a run asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathChoice {
    /// Always the float64 reference: the tutorial's numbers (the CLI's default).
    Float64,
    /// The integer kernel; options it cannot train are refused (the CLI's `--fast`).
    Kernel,
    /// The kernel whenever it fits the options, else the reference (the page).
    Fastest,
}

impl PathChoice {
    /// The path a run with `options` takes, or why it cannot.
    pub fn resolve(self, options: &TrainOptions) -> Result<TrainingPath> {
        match (self, options.kernel_fits()) {
            (PathChoice::Float64, _) | (PathChoice::Fastest, false) => Ok(TrainingPath::Float64),
            (PathChoice::Kernel | PathChoice::Fastest, true) => Ok(TrainingPath::Kernel),
            (PathChoice::Kernel, false) => Err(Error::KernelNeedsRaw),
        }
    }
}

/// How a run computes its cost and gradients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingPath {
    /// The reference: float64 features, with the penalty and mirrored copies when asked.
    Float64,
    /// The integer kernel on the photos' bytes (raw pixels, no penalty, no flips): the cost's
    /// last digits traded for several times the speed, within `logit_error_bound`.
    Kernel,
}

/// The most float64 feature values (in bytes) a run may hold for the reference path. A raw run
/// with λ or flips needs 98 KB a photo (twice with flips); beyond this it is refused with a
/// message rather than outgrowing the page's wasm memory, which would end the worker and lose
/// the photos. 8,000 training photos with λ fit; with flips they do not.
pub const FLOAT64_BUDGET: usize = 1 << 30;

/// Refuses a reference run whose float64 rows (`rows` of them) would pass [`FLOAT64_BUDGET`].
pub(crate) fn check_float64_budget(spec: &FeatureSpec, rows: usize) -> Result<()> {
    let bytes = rows.saturating_mul(spec.features()).saturating_mul(std::mem::size_of::<f64>());
    if bytes <= FLOAT64_BUDGET {
        return Ok(());
    }
    let mb = |b: usize| b.div_ceil(1 << 20);
    Err(Error::Float64Budget { kind: spec.kind.name(), rows, needed_mb: mb(bytes), allowed_mb: mb(FLOAT64_BUDGET) })
}
