//! catdog: the tutorials' logistic-regression classifier for 64x64 photos, one core for the
//! command line and the browser. Everything but `web` is pure Rust and tested natively; `web`
//! is the only module that knows about wasm-bindgen, and exists only on wasm32.

pub mod data; // labels from names, the data set with stable photo ids, its split, the seeded rng
pub mod decode; // file bytes or an RGBA frame -> a prepared 64x64 RGB photo (resize, JPEG decoder)
pub mod error; // the one error enum
pub mod features; // what the model sees: raw pixels, HOG, colour, their standardisation
pub mod model; // weights and bias, sigmoid, propagate, predict; the model file; metrics
pub mod photo; // the photo's shape, labels and predictions
pub mod session; // the page's state over the training plan
pub mod threads; // how work spreads over threads: contiguous runs, results in order
pub mod train; // the one training plan, gradient descent, the penalty, the integer kernel
pub mod viz; // the loss chart and the pictures of what a model learned
#[cfg(target_arch = "wasm32")]
pub mod web; // the wasm-bindgen facade

pub use error::{Error, ImageProblem, Result};
