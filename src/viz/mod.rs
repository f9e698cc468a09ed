//! Pictures: the loss chart (generic over plotters' backends) and what a model learned: a raw
//! model's weights, a learned model's patches.

pub mod centroids;
pub mod chart;
pub mod weights;
