//! Pictures: the loss chart (generic over plotters' backends) and what a model's weights favour.

pub mod chart;
pub mod weights;
