//! The logistic-regression unit of the tutorials: weights `w`, bias `b`, the sigmoid, `propagate`
//! (cost and gradients) and `predict`, in float64.

pub mod file;
pub mod metrics;

use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::{Error, Result};

/// Weights and bias of one sigmoid unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// One weight per feature.
    pub w: Array1<f64>,
    /// The bias.
    pub b: f64,
}

/// Gradients of the cost with respect to `w` and `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// dJ/dw.
    pub dw: Array1<f64>,
    /// dJ/db.
    pub db: f64,
}

/// The tutorial's sigmoid, `1 / (1 + e^-z)`. It never returns NaN for a finite `z`: for
/// z < -709 `e^-z` overflows to infinity and the result is exactly 0.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// `ln(1 + e^x)` without overflow or loss of precision: `max(x, 0) + ln(1 + e^-|x|)`, the
/// standard log-sum-exp shift (as in scikit-learn's and linfa's log-logistic).
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// Binary cross-entropy of one example with logit `z` and label `y`, written in log-sigmoid
/// form: `-ln σ(z) = softplus(-z)` and `-ln(1 - σ(z)) = softplus(z)`. It stays finite where the
/// tutorial's `-y ln a - (1-y) ln(1-a)` takes `ln 0` once the sigmoid saturates.
pub fn example_cost(z: f64, y: f64) -> f64 {
    // For the labels 0 and 1 one term is exactly zero: skipping its exp and ln_1p (libm calls in
    // wasm) gives the same number at half the work.
    match y {
        1.0 => softplus(-z),
        0.0 => softplus(z),
        _ => y * softplus(-z) + (1.0 - y) * softplus(z),
    }
}

impl Model {
    /// All-zero weights and bias, the tutorial's `initialize_with_zeros`.
    pub fn zeros(features: usize) -> Model {
        Model { w: Array1::zeros(features), b: 0.0 }
    }

    /// Number of features the model expects.
    pub fn features(&self) -> usize {
        self.w.len()
    }

    /// The logit `w·x + b` of one example.
    pub fn logit(&self, x: ArrayView1<f64>) -> f64 {
        self.w.dot(&x) + self.b
    }

    /// Probability of label 1 for one example.
    pub fn probability(&self, x: ArrayView1<f64>) -> f64 {
        sigmoid(self.logit(x))
    }

    /// The tutorial's `predict`: label 1 where the probability is above 0.5.
    pub fn predict(&self, x: ArrayView2<f64>) -> Vec<u8> {
        x.rows().into_iter().map(|row| u8::from(self.probability(row) > 0.5)).collect()
    }

    /// Mean cost over examples (rows of `x`) with labels `y`, without gradients.
    pub fn cost(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<f64> {
        check_shapes(self, x, y)?;
        let total: f64 = x.rows().into_iter().zip(y).map(|(row, &y)| example_cost(self.logit(row), y)).sum();
        Ok(total / x.nrows() as f64)
    }
}

/// The tutorial's `propagate`: the mean cost over the examples (rows of `x`) and its gradients.
pub fn propagate(model: &Model, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<(Gradients, f64)> {
    check_shapes(model, x, y)?;
    let m = x.nrows() as f64;
    let z: Array1<f64> = x.dot(&model.w) + model.b;
    let cost = z.iter().zip(y).map(|(&z, &y)| example_cost(z, y)).sum::<f64>() / m;
    let dz: Array1<f64> = z.mapv(sigmoid) - y;
    // Row by row (an axpy per example) reads x in memory order, unlike x.t().dot(dz).
    let mut dw = Array1::zeros(model.features());
    for (row, &d) in x.rows().into_iter().zip(&dz) {
        dw.scaled_add(d, &row);
    }
    dw /= m;
    let db = dz.sum() / m;
    Ok((Gradients { dw, db }, cost))
}

fn check_shapes(model: &Model, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<()> {
    if x.ncols() != model.features() {
        return Err(Error::MismatchedShapes { what: "features of x", expected: model.features(), actual: x.ncols() });
    }
    if y.len() != x.nrows() {
        return Err(Error::MismatchedShapes { what: "labels", expected: x.nrows(), actual: y.len() });
    }
    if x.nrows() == 0 {
        return Err(Error::Dataset("there are no examples".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn sigmoid_of_zero_is_one_half() {
        assert_eq!(sigmoid(0.0), 0.5);
    }

    #[test]
    fn cost_stays_finite_for_saturated_sigmoids() {
        for z in [-1000.0, -710.0, -40.0, 40.0, 710.0, 1000.0] {
            for y in [0.0, 1.0] {
                let c = example_cost(z, y);
                assert!(c.is_finite() && c >= 0.0, "z={z} y={y} cost={c}");
            }
        }
        // Wrong with full confidence costs |z|; right costs (almost) nothing.
        assert_eq!(example_cost(-1000.0, 1.0), 1000.0);
        assert_eq!(example_cost(1000.0, 1.0), 0.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
    }

    #[test]
    fn cost_matches_a_hand_computation() {
        // One example, z = 0: cost ln 2 whatever the label; two examples with z = ln 3.
        let model = Model { w: array![1.0], b: 0.0 };
        let (_, c) = propagate(&model, array![[0.0]].view(), array![1.0].view()).unwrap();
        assert!((c - std::f64::consts::LN_2).abs() < 1e-15);
        let ln3 = 3f64.ln();
        let (g, c) = propagate(&model, array![[ln3], [ln3]].view(), array![1.0, 0.0].view()).unwrap();
        // sigmoid(ln 3) = 3/4: cost = (-ln 3/4 - ln 1/4) / 2, db = ((3/4 - 1) + 3/4) / 2.
        assert!((c - (-(0.75f64).ln() - (0.25f64).ln()) / 2.0).abs() < 1e-15);
        assert!((g.db - 0.25).abs() < 1e-15);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let x = array![[0.3, -1.2, 2.0], [1.5, 0.4, -0.7], [-0.2, 0.9, 0.1], [2.2, -0.3, 0.5]];
        let y = array![1.0, 0.0, 1.0, 0.0];
        let model = Model { w: array![0.4, -0.6, 0.25], b: 0.1 };
        let (g, _) = propagate(&model, x.view(), y.view()).unwrap();
        let h = 1e-6;
        let cost = |m: &Model| m.cost(x.view(), y.view()).unwrap();
        for j in 0..3 {
            let (mut plus, mut minus) = (model.clone(), model.clone());
            plus.w[j] += h;
            minus.w[j] -= h;
            let numeric = (cost(&plus) - cost(&minus)) / (2.0 * h);
            assert!((numeric - g.dw[j]).abs() < 1e-8, "dw[{j}]: {numeric} vs {}", g.dw[j]);
        }
        let (mut plus, mut minus) = (model.clone(), model.clone());
        plus.b += h;
        minus.b -= h;
        let numeric = (cost(&plus) - cost(&minus)) / (2.0 * h);
        assert!((numeric - g.db).abs() < 1e-8);
    }

    #[test]
    fn predict_thresholds_at_one_half() {
        let model = Model { w: array![1.0], b: 0.0 };
        assert_eq!(model.predict(array![[-0.1], [0.0], [0.1]].view()), vec![0, 0, 1]);
    }

    #[test]
    fn rejects_mismatched_shapes() {
        let model = Model::zeros(2);
        let err = propagate(&model, array![[1.0, 2.0, 3.0]].view(), array![1.0].view()).unwrap_err();
        assert!(matches!(err, Error::MismatchedShapes { expected: 2, actual: 3, .. }));
        let err = propagate(&model, array![[1.0, 2.0]].view(), array![1.0, 0.0].view()).unwrap_err();
        assert!(matches!(err, Error::MismatchedShapes { what: "labels", expected: 1, actual: 2 }));
    }
}
