//! The photos a model is trained on: labels from file and folder names, the data set and its
//! seeded split, and numpy's random generator for splits and initial weights.

pub mod dataset;
#[cfg(test)]
pub mod fixtures;
pub mod labels;
pub mod project;
pub mod rng;
