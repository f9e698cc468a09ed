//! The core's one error type: every variant names what went wrong with the numbers involved.

use thiserror::Error as ThisError;

/// Everything that can go wrong in the core.
#[derive(Debug, ThisError)]
pub enum Error {
    #[error("cannot read image {name}: {reason}")]
    Image { name: String, reason: String },
    #[error("RGBA frame of {width}x{height} needs {expected} bytes, got {actual}")]
    FrameSize { width: u32, height: u32, expected: usize, actual: usize },
    #[error("{0}")]
    Label(String),
    #[error("class names must be two different words of letters, got {0:?}")]
    BadClasses(String),
    #[error("{0}")]
    Dataset(String),
    #[error("shapes do not match: {what} has {actual}, expected {expected}")]
    MismatchedShapes { what: &'static str, expected: usize, actual: usize },
    #[error("invalid setting: {0}")]
    Setting(String),
    #[error("training diverged at iteration {iteration}: the cost became {cost}; try a smaller learning rate (the last finite parameters were kept)")]
    Diverged { iteration: usize, cost: f64 },
    #[error("invalid model file: {0}")]
    ModelFile(String),
    #[error("{path}: {source}")]
    Io { path: String, #[source] source: std::io::Error },
    #[error("chart: {0}")]
    Chart(String),
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;
