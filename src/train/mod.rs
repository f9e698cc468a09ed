//! Training: the plan both front ends run (options and photos to a trained model), the
//! tutorial's gradient descent, the L2 penalty, the integer kernel, and the scoring of a split.

pub mod kernel;
pub mod optimize;
pub mod penalty;
pub mod plan;
pub mod scored;
