//! catdog: the tutorials' logistic-regression classifier for 64x64 photos, one core for the
//! command line and the browser.
//!
//! The core (everything but `web`) is pure Rust: image preparation, labels, the data set, the
//! model, training, metrics and the model file. `web` is the only module that knows about
//! wasm-bindgen; it exists only on wasm32.

pub mod dataset;
pub mod error;
pub mod image_prep;
pub mod kernel;
pub mod labels;
pub mod metrics;
pub mod model;
pub mod model_file;
pub mod rng;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
