//! The core's one error type. Each variant says what went wrong with the values involved, in
//! the core's words; the page words its own messages where it needs to (by the variant's kind,
//! see `web`), and the CLI prints them as they are.

use thiserror::Error as ThisError;

/// Everything that can go wrong in the core.
#[derive(Debug, ThisError)]
pub enum Error {
    #[error("cannot read {name}: {problem}")]
    Image { name: String, problem: ImageProblem },
    #[error("RGBA frame of {width}x{height} needs {expected} bytes, got {actual}")]
    FrameSize { width: u32, height: u32, expected: u64, actual: usize },
    #[error("a camera frame of {width}x{height} pixels is more than the {}-megapixel limit", limit / 1_000_000)]
    FrameTooLarge { width: u32, height: u32, limit: u64 },
    #[error("label {0} is neither 0 nor 1")]
    BadLabel(u8),
    #[error("{path}: its name says {} '{}' {} '{}'", if *both { "both" } else { "neither" }, classes[0], if *both { "and" } else { "nor" }, classes[1])]
    Unlabelled { path: String, classes: [String; 2], both: bool },
    #[error("class names must be two different words of letters, got {0:?}")]
    BadClasses(String),
    #[error("class name {name:?} {problem}")]
    BadClassName { name: String, problem: ClassNameProblem },
    #[error("there is no photo with id {0}")]
    NoSuchPhoto(u32),
    #[error("photo id {id} is taken: the next id is {next} or more")]
    PhotoIdTaken { id: u32, next: u32 },
    #[error("cannot read {name}: {problem}")]
    Project { name: String, problem: crate::data::project::ProjectProblem },
    #[error("there are no photos to train on")]
    NoPhotos,
    #[error("all {} photos are '{}': training needs photos of both '{}' and '{}'", counts[0] + counts[1], classes[usize::from(counts[0] == 0)], classes[0], classes[1])]
    OneClass { counts: [usize; 2], classes: [String; 2] },
    #[error("{0}")]
    Dataset(String),
    #[error("shapes do not match: {what} has {actual}, expected {expected}")]
    MismatchedShapes { what: &'static str, expected: usize, actual: usize },
    #[error("invalid setting: {0}")]
    Setting(String),
    #[error("the integer kernel trains raw pixels only, without an L2 penalty or mirrored copies")]
    KernelNeedsRaw,
    #[error(
        "{kind} with λ or mirrored photos trains on float64 copies of the features: {rows} rows would need {needed_mb} MB, more than the {allowed_mb} MB allowed"
    )]
    Float64Budget { kind: &'static str, rows: usize, needed_mb: usize, allowed_mb: usize },
    #[error("feature kind {0} needs the dictionary it learns from training photos")]
    NoDictionary(&'static str),
    #[error("a picture of learned patches needs a learned-features model; this one sees {0} features")]
    NotLearned(&'static str),
    #[error("no training run has been started")]
    NoRun,
    #[error("there is no model: none was trained or loaded")]
    NoModel,
    #[error("a picture of the weights needs a raw-pixel model; this one sees {0} features")]
    NotRawPixels(&'static str),
    #[error("the model classifies '{}' and '{}', not '{}' and '{}'", file[0], file[1], current[0], current[1])]
    OtherClasses { file: [String; 2], current: [String; 2] },
    #[error("training diverged at iteration {iteration}: the cost became {cost}; try a smaller learning rate (the last finite parameters were kept)")]
    Diverged { iteration: usize, cost: f64 },
    #[error("invalid model file: {0}")]
    ModelFile(ModelProblem),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("chart: {0}")]
    Chart(String),
    #[error("the chart has no run {0}")]
    NoSuchRun(usize),
    #[error("a training worker's message is wrong: {0}")]
    Shard(&'static str),
}

/// What is wrong with a file given as a photo, in words that fit after "cannot read NAME: ".
/// `Truncated` and `Damaged` are refusals, not warnings: see `decode` for why.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum ImageProblem {
    #[error("the file is empty")]
    Empty,
    #[error("it is not an image catdog reads (JPEG, PNG, WebP, GIF or BMP)")]
    NotAnImage,
    /// An image format recognised by its first bytes, but not one catdog decodes.
    #[error("it is a {kind} image; catdog reads JPEG, PNG, WebP, GIF and BMP")]
    Unsupported { kind: &'static str },
    /// One of the formats catdog reads, in a variant its decoder does not support.
    #[error("it is a kind of {format} that catdog does not read")]
    UnsupportedVariant { format: &'static str },
    #[error("the file is cut short")]
    Truncated,
    /// The declared size, from the header, before anything was allocated for it.
    #[error("it is {width}x{height} pixels, more than the {}-megapixel limit", limit / 1_000_000)]
    TooLarge { width: u32, height: u32, limit: u64 },
    /// Within the pixel limit, but the decoder would need more memory than it may have.
    #[error("decoding its {width}x{height} pixels would need more than the {} MB allowed", limit / 1_000_000)]
    NeedsTooMuchMemory { width: u32, height: u32, limit: u64 },
    #[error("its image data is damaged")]
    Damaged,
}

/// What is wrong with a model file, in words that fit after "invalid model file: ".
#[derive(Debug, Clone, PartialEq, ThisError)]
pub enum ModelProblem {
    #[error("the file is empty")]
    Empty,
    /// Not JSON text; where the parser stopped.
    #[error("it is not JSON (it goes wrong at line {line}, column {column})")]
    NotJson { line: usize, column: usize },
    /// JSON, but not an object: an array, a number or a string.
    #[error("it is JSON but not a catdog model (a model file is one JSON object)")]
    NotAnObject,
    /// A number written as `NaN` or `Infinity` (which JSON does not have) or too large for a
    /// float64, such as `1e400`.
    #[error("the number at line {line}, column {column} is not finite (NaN, infinite or beyond ±1.8e308)")]
    NotFiniteNumber { line: usize, column: usize },
    /// A weight that is `null` (what JavaScript writes for NaN and ±Infinity) or not finite.
    #[error("{what}{} is not a finite number (null in the file: NaN or infinite when it was written)", index.map_or(String::new(), |i| format!("[{i}]")))]
    NotFinite { what: &'static str, index: Option<usize> },
    #[error("format is {found:?}, expected \"catdog-model\"")]
    Format { found: String },
    #[error("version {found} is not supported (this catdog reads versions 1 to {newest})")]
    Version { found: u32, newest: u32 },
    #[error("w has {found} weights, expected {expected} for feature kind \"{kind}\"")]
    WeightCount { found: usize, expected: usize, kind: &'static str },
    /// Any other field that is missing, unknown, of the wrong type or inconsistent, as the
    /// parser or the check that found it says.
    #[error("{0}")]
    Invalid(String),
}

/// What is wrong with a class name, in words that fit after "class name NAME ".
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum ClassNameProblem {
    #[error("is empty")]
    Empty,
    /// Labels come from the words of file names, and a word is a run of letters.
    #[error("is not one word of letters")]
    NotLetters,
    #[error("has {chars} characters, more than {limit}")]
    TooLong { chars: usize, limit: usize },
    /// Both classes would have the same name.
    #[error("is the name of the other class too")]
    Same,
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;
