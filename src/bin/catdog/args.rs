//! The command line: subcommands, flags, and the training options they mean.

use std::path::PathBuf;

use catdog::features::{FeatureKind, FeatureSpec};
use catdog::threads::Threads;
use catdog::train::optimize::{Init, Settings};
use catdog::train::plan::{PathChoice, TrainOptions};
use clap::{Parser, Subcommand, ValueEnum};

/// Logistic regression on 64x64 photos, as in the tutorials.
#[derive(Parser)]
#[command(name = "catdog", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Train on a folder of labelled photos (labels from file and folder names).
    Train(TrainArgs),
    /// Classify photos with a trained model.
    Predict(PredictArgs),
}

#[derive(Parser)]
pub struct TrainArgs {
    /// Folder of training photos, or a project file exported by the page (`.catdog`: its
    /// photos, labels and class names, which then replace `--classes`).
    #[arg(long)]
    pub train: PathBuf,
    /// Folder of test photos.
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// Class names for label 0 and label 1, as words in file or folder names.
    #[arg(long, default_value = "cat,dog")]
    pub classes: String,
    /// What the model sees: raw pixels (the tutorial), HOG, HOG plus a colour histogram, patches
    /// learned from the training photos (k-means), or those plus HOG and colour.
    #[arg(long, value_enum, default_value_t = FeaturesArg::Raw)]
    pub features: FeaturesArg,
    /// HOG cell side in pixels (a divisor of 64) [default: 16]; blocks are 2x2 cells, 9 orientation bins.
    #[arg(long)]
    pub hog_cell: Option<usize>,
    /// Gradient-descent step size [default: 0.005 for raw, 0.01 for hog and hog+color].
    #[arg(long, allow_negative_numbers = true)]
    pub learning_rate: Option<f64>,
    /// Gradient-descent steps [default: 2000 for raw, 300 for hog and hog+color].
    #[arg(long)]
    pub iterations: Option<usize>,
    /// L2 penalty λ: cost + λ/(2m)·‖w‖² [default: 0 for raw, 1000 for hog and hog+color].
    #[arg(long, allow_negative_numbers = true)]
    pub l2: Option<f64>,
    /// Also train on the photos mirrored left to right; `--flip false` turns it off
    /// [default: off].
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub flip: Option<bool>,
    /// Hold out this share (0 to 1) of the training photos, per class, to report a validation
    /// accuracy on; training uses the rest. For choosing settings without the test photos.
    #[arg(long)]
    pub validate: Option<f64>,
    /// Seed of the validation split.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u32,
    /// How the weights start.
    #[arg(long, value_enum, default_value_t = InitArg::Zeros)]
    pub init: InitArg,
    /// Seed of the random initialisation (numpy's np.random.seed).
    #[arg(long, default_value_t = 1)]
    pub seed: u32,
    /// Record and print the cost every N iterations.
    #[arg(long, default_value_t = 100)]
    pub cost_every: usize,
    /// Write the trained model to this file.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Train with the fast integer kernel: several times quicker, but the last printed digits of
    /// the costs may differ from the tutorial's float64 numbers (agreement is tested to 1e-4).
    #[arg(long)]
    pub fast: bool,
    /// Threads to decode, extract features and train on; the model is the same bits on any
    /// number [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FeaturesArg {
    Raw,
    Hog,
    #[value(name = "hog+color")]
    HogColor,
    Learned,
    #[value(name = "learned+hog+color")]
    LearnedHogColor,
}

impl FeaturesArg {
    fn kind(self) -> FeatureKind {
        match self {
            FeaturesArg::Raw => FeatureKind::Raw,
            FeaturesArg::Hog => FeatureKind::Hog,
            FeaturesArg::HogColor => FeatureKind::HogColor,
            FeaturesArg::Learned => FeatureKind::Learned,
            FeaturesArg::LearnedHogColor => FeatureKind::LearnedHogColor,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum InitArg {
    Zeros,
    Random,
}

impl TrainArgs {
    /// The training options the flags ask for: the feature kind's defaults where a flag is absent.
    pub fn options(&self) -> TrainOptions {
        let mut features = FeatureSpec::new(self.features.kind());
        features.hog.cell = self.hog_cell.unwrap_or(features.hog.cell);
        let defaults = TrainOptions::for_features(features);
        let settings = Settings {
            learning_rate: self.learning_rate.unwrap_or(defaults.settings.learning_rate),
            iterations: self.iterations.unwrap_or(defaults.settings.iterations),
            record_every: self.cost_every,
        };
        let init = match self.init {
            InitArg::Zeros => Init::Zeros,
            InitArg::Random => Init::Random { seed: self.seed },
        };
        TrainOptions {
            features,
            settings,
            l2: self.l2.unwrap_or(defaults.l2),
            flip: self.flip.unwrap_or(defaults.flip),
            init,
            path: if self.fast { PathChoice::Kernel } else { PathChoice::Float64 },
        }
    }
}

impl TrainArgs {
    /// The threads `--threads` asks for, or all cores; 0 is refused.
    pub fn threads(&self) -> catdog::Result<Threads> {
        self.threads.map_or(Ok(Threads::available()), Threads::new)
    }
}

#[derive(Parser)]
pub struct PredictArgs {
    /// A model file written by `catdog train --model`.
    #[arg(long)]
    pub model: PathBuf,
    /// Photos to classify.
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Print one JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}
