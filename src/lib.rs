//! catdog: the tutorials' logistic-regression classifier for 64x64 photos, one core for the
//! command line and the browser.
//!
//! The core (everything but `web`) is pure Rust: image preparation, labels, the data set, the
//! features (`features`, `hog`, `color`, `standardize`), the model, training (with `penalty`),
//! metrics, the model file, the page's training session (scoring its parts with `scored`), its loss chart and the picture of a
//! raw model's weights (`weights`). `web` is the only
//! module that knows about wasm-bindgen; it exists only on wasm32.

pub mod chart;
pub mod color;
pub mod dataset;
pub mod error;
pub mod features;
pub mod hog;
pub mod image_prep;
pub mod jpeg;
pub mod kernel;
pub mod labels;
pub mod metrics;
pub mod model;
pub mod model_file;
pub mod penalty;
pub mod resize;
pub mod rng;
pub mod scored;
pub mod session;
pub mod standardize;
pub mod train;
pub mod weights;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
