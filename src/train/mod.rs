//! Training: the plan both front ends run (options and photos to a trained model), readied by
//! a preparation that computes features in slices from a cache kept across runs; the tutorial's
//! gradient descent, the L2 penalty, the integer kernel, and the scoring of a split.

pub mod blocks; // the fixed-order sum: partial sums over blocks of photos, combined in block order
pub mod cache; // features kept by photo id and spec, and the rows a run reads
pub mod jobs; // features computed on the page's helper workers, and their messages
pub mod kernel; // the integer objective on the photos' bytes (SIMD128 in wasm)
pub mod optimize; // the tutorial's optimize: gradient descent one step at a time
pub mod options; // what a run is started with, and which arithmetic it uses
pub mod penalty; // the L2 penalty around any objective
pub mod plan; // the one pipeline: options and a split data set to a trained model
pub mod prepare; // readying a run: its features computed a slice at a time
pub mod scored; // one part of a split as the rows that score a model on it
pub mod shard; // a run's training rows spread over the page's workers, and their messages
