//! The L2 penalty as a wrapper around any training objective: cost `+ λ/(2m)·‖w‖²`, gradient
//! `+ λ/m·w`, nothing on the bias. With thousands of features and hundreds of photos the data
//! can be separated exactly; the penalty keeps the weights small so the model generalises.

use std::ops::Range;

use ndarray::{Array1, Array2};

use crate::model::{Gradients, Model};
use crate::threads::Threads;
use crate::train::blocks::Partial;
use crate::train::optimize::{F64Objective, Objective};
use crate::train::shard::ShardRows;
use crate::{Error, Result};

/// `inner` plus an L2 penalty λ over `examples` training examples.
pub struct L2Penalty<O> {
    inner: O,
    lambda: f64,
    examples: usize,
}

impl<O: Objective> L2Penalty<O> {
    /// Wraps `inner`, whose cost is a mean over `examples` examples; λ must be finite and ≥ 0.
    pub fn new(inner: O, lambda: f64, examples: usize) -> Result<Self> {
        validate_lambda(lambda)?;
        if examples == 0 {
            return Err(Error::Dataset("there are no examples".into()));
        }
        Ok(L2Penalty { inner, lambda, examples })
    }
}

/// The objective for training rows `x` with labels `y`, computed on `threads`: the plain cost,
/// plus the penalty when λ > 0 (shared by the CLI and the page, so both train the same thing).
pub fn objective(x: Array2<f64>, y: Array1<f64>, lambda: f64, threads: Threads) -> Result<Box<dyn Objective>> {
    validate_lambda(lambda)?;
    let rows = x.nrows();
    let plain = F64Objective::new(x, y)?.on(threads);
    if lambda > 0.0 {
        return Ok(Box::new(L2Penalty::new(plain, lambda, rows)?));
    }
    Ok(Box::new(plain))
}

/// Rejects a penalty that is negative or not a number.
pub fn validate_lambda(lambda: f64) -> Result<()> {
    if !(lambda.is_finite() && lambda >= 0.0) {
        return Err(Error::Setting(format!("the L2 penalty must be a number at least 0, got {lambda}")));
    }
    Ok(())
}

impl<O: Objective> Objective for L2Penalty<O> {
    fn features(&self) -> usize {
        self.inner.features()
    }

    fn examples(&self) -> usize {
        self.inner.examples()
    }

    fn partials(&self, model: &Model, blocks: Range<usize>) -> Result<Vec<Partial>> {
        self.inner.partials(model, blocks)
    }

    fn shard(&self, rows: Range<usize>) -> Result<ShardRows> {
        self.inner.shard(rows)
    }

    /// The inner objective's, plus the penalty, which needs the weights only (so the helpers
    /// that computed the partials know nothing of it).
    fn propagate_from(&self, model: &Model, partials: &[Partial]) -> Result<(Gradients, f64)> {
        let (mut grads, cost) = self.inner.propagate_from(model, partials)?;
        let scale = self.lambda / self.examples as f64;
        grads.dw.scaled_add(scale, &model.w);
        Ok((grads, cost + scale / 2.0 * model.w.dot(&model.w)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::optimize::{optimize, Settings};
    use ndarray::array;

    fn objective(lambda: f64) -> L2Penalty<F64Objective> {
        let x = array![[0.3, -1.2, 2.0], [1.5, 0.4, -0.7], [-0.2, 0.9, 0.1], [2.2, -0.3, 0.5]];
        L2Penalty::new(F64Objective::new(x, array![1.0, 0.0, 1.0, 0.0]).unwrap(), lambda, 4).unwrap()
    }

    #[test]
    fn gradients_with_the_penalty_match_finite_differences() {
        let obj = objective(0.7);
        let model = Model { w: array![0.4, -0.6, 0.25], b: 0.1 };
        let (g, _) = obj.propagate(&model).unwrap();
        let cost = |m: &Model| obj.propagate(m).unwrap().1;
        let h = 1e-6;
        for j in 0..4 {
            let (mut plus, mut minus) = (model.clone(), model.clone());
            if j < 3 {
                plus.w[j] += h;
                minus.w[j] -= h;
            } else {
                plus.b += h;
                minus.b -= h;
            }
            let numeric = (cost(&plus) - cost(&minus)) / (2.0 * h);
            let analytic = if j < 3 { g.dw[j] } else { g.db };
            assert!((numeric - analytic).abs() < 1e-8, "parameter {j}: {numeric} vs {analytic}");
        }
    }

    #[test]
    fn the_penalty_adds_lambda_over_2m_times_the_squared_weights_and_spares_the_bias() {
        let model = Model { w: array![0.4, -0.6, 0.25], b: 3.0 };
        let (g0, c0) = objective(0.0).propagate(&model).unwrap();
        let (g, c) = objective(2.0).propagate(&model).unwrap();
        // λ/(2m)·‖w‖² = 2/8 · (0.16 + 0.36 + 0.0625); λ/m·w = 0.5·w.
        assert!((c - c0 - 0.25 * 0.5825).abs() < 1e-15);
        assert!((&g.dw - &g0.dw - &(&model.w * 0.5)).iter().all(|d| d.abs() < 1e-15));
        assert_eq!(g.db, g0.db);
    }

    #[test]
    fn a_larger_penalty_learns_smaller_weights() {
        let settings = Settings { learning_rate: 0.5, iterations: 500, record_every: 100 };
        let norm = |lambda| {
            let trained = optimize(Box::new(objective(lambda)), Model::zeros(3), settings, |_, _| {}).unwrap();
            trained.model.w.dot(&trained.model.w)
        };
        assert!(norm(1.0) < norm(0.0) && norm(10.0) < norm(1.0));
    }

    #[test]
    fn the_shared_objective_adds_the_penalty_only_when_lambda_is_positive() {
        let x = array![[0.3, -1.2, 2.0], [1.5, 0.4, -0.7], [-0.2, 0.9, 0.1], [2.2, -0.3, 0.5]];
        let y = array![1.0, 0.0, 1.0, 0.0];
        let model = Model { w: array![0.4, -0.6, 0.25], b: 0.1 };
        let cost =
            |lambda| super::objective(x.clone(), y.clone(), lambda, Threads::ONE).unwrap().propagate(&model).unwrap().1;
        assert_eq!(cost(0.0), F64Objective::new(x.clone(), y.clone()).unwrap().propagate(&model).unwrap().1);
        assert_eq!(cost(0.7), objective(0.7).propagate(&model).unwrap().1);
        assert!(matches!(super::objective(x.clone(), y.clone(), -1.0, Threads::ONE), Err(Error::Setting(_))));
    }

    #[test]
    fn rejects_bad_penalties() {
        let x = array![[1.0]];
        for lambda in [-1.0, f64::NAN, f64::INFINITY] {
            let err = L2Penalty::new(F64Objective::new(x.clone(), array![1.0]).unwrap(), lambda, 1).err().unwrap();
            assert!(matches!(err, Error::Setting(_)));
        }
    }
}
