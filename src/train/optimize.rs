//! The tutorial's `optimize`: full-batch gradient descent with a cost history, one step at a time
//! so the CLI can draw a progress bar and the page can train in slices.

use std::ops::Range;

use ndarray::{s, Array1, Array2, ArrayViewMut1};

use crate::data::rng::Mt19937;
use crate::model::{example_cost, sigmoid, Gradients, Model};
use crate::threads::Threads;
use crate::train::blocks::{self, block_count, block_range, Blocked, Partial};
use crate::train::shard::ShardRows;
use crate::{Error, Result};

/// What gradient descent minimises: the cost and gradients of a model on fixed training data,
/// summed over blocks of examples (see [`blocks`]) that may be computed elsewhere (by the page's
/// helper workers, each from a shard of the rows).
pub trait Objective {
    /// Number of features a model must have.
    fn features(&self) -> usize;
    /// Number of training examples.
    fn examples(&self) -> usize;
    /// The partial sums of blocks `blocks` at `model`, in block order.
    fn partials(&self, model: &Model, blocks: Range<usize>) -> Result<Vec<Partial>>;
    /// Cost and gradients at `model` from the partial of every block, in block order.
    fn propagate_from(&self, model: &Model, partials: &[Partial]) -> Result<(Gradients, f64)>;
    /// Examples `rows` (whole blocks) as a helper worker computes their blocks from.
    fn shard(&self, rows: Range<usize>) -> Result<ShardRows>;
    /// [`Self::shard`] as the message a helper is sent (see `shard::ShardRows::to_bytes`).
    fn shard_message(&self, rows: Range<usize>) -> Result<Vec<u8>> {
        Ok(self.shard(rows)?.to_bytes())
    }
    /// True when the gradient's sums are whole numbers (exact in any order), so a helper may add
    /// its blocks' up before sending them (see `shard::exact_to_wire`); the costs never are.
    fn exact_sums(&self) -> bool {
        false
    }
    /// Cost and gradients at `model` (the tutorial's `propagate`): every block here.
    fn propagate(&self, model: &Model) -> Result<(Gradients, f64)> {
        let partials = self.partials(model, 0..block_count(self.examples()))?;
        self.propagate_from(model, &partials)
    }
}

/// The float64 reference objective: examples as rows of `x`, labels 0 or 1 in `y`. Its sums
/// run over blocks of photos (see [`blocks`]), in the tutorial's arithmetic within each block:
/// logits row by row, `dw` one axpy per example in row order, the cost and `db` summed in
/// example order. One block (m ≤ 256, as in the tutorials) is the unblocked sum to the bit.
pub struct F64Objective {
    x: Array2<f64>,
    y: Array1<f64>,
    threads: Threads,
}

impl F64Objective {
    /// Checks that there is one label per example; computes on the caller's thread alone.
    pub fn new(x: Array2<f64>, y: Array1<f64>) -> Result<Self> {
        if x.nrows() != y.len() {
            return Err(Error::MismatchedShapes { what: "labels", expected: x.nrows(), actual: y.len() });
        }
        Ok(F64Objective { x, y, threads: Threads::ONE })
    }

    /// The same objective with its blocks spread over `threads` (the same numbers on any count).
    pub fn on(self, threads: Threads) -> Self {
        F64Objective { threads, ..self }
    }
}

impl Blocked for F64Objective {
    type Prepared = ();

    fn examples(&self) -> usize {
        self.x.nrows()
    }

    fn features(&self) -> usize {
        self.x.ncols()
    }

    fn prepare(&self, model: &Model) -> Result<()> {
        if model.features() != self.x.ncols() {
            return Err(Error::MismatchedShapes {
                what: "features of x",
                expected: model.features(),
                actual: self.x.ncols(),
            });
        }
        if self.x.nrows() == 0 {
            return Err(Error::Dataset("there are no examples".into()));
        }
        Ok(())
    }

    fn block(&self, model: &Model, _: &(), block: usize) -> Partial {
        let range = block_range(self.x.nrows(), block);
        let (x, y) = (self.x.slice(s![range.clone(), ..]), self.y.slice(s![range]));
        let z: Array1<f64> = x.dot(&model.w) + model.b;
        let cost = z.iter().zip(y).map(|(&z, &y)| example_cost(z, y)).sum::<f64>();
        let dz: Array1<f64> = z.mapv(sigmoid) - y;
        // Row by row (an axpy per example) reads x in memory order, unlike x.t().dot(dz).
        let mut dw = vec![0.0; x.ncols()];
        let mut sums = ArrayViewMut1::from(&mut dw[..]);
        for (row, &d) in x.rows().into_iter().zip(&dz) {
            sums.scaled_add(d, &row);
        }
        Partial { dw, db: dz.sum(), cost }
    }

    fn finish(&self, total: Partial, examples: usize) -> (Gradients, f64) {
        let m = examples as f64;
        let mut dw = Array1::from(total.dw);
        dw /= m;
        (Gradients { dw, db: total.db / m }, total.cost / m)
    }
}

impl Objective for F64Objective {
    fn features(&self) -> usize {
        self.x.ncols()
    }

    fn examples(&self) -> usize {
        self.x.nrows()
    }

    fn partials(&self, model: &Model, blocks: Range<usize>) -> Result<Vec<Partial>> {
        blocks::partials_of(self, model, blocks, self.threads)
    }

    fn propagate_from(&self, _: &Model, partials: &[Partial]) -> Result<(Gradients, f64)> {
        blocks::finish_all(self, partials)
    }

    fn shard(&self, rows: Range<usize>) -> Result<ShardRows> {
        check_rows(&rows, self.x.nrows())?;
        Ok(ShardRows::floats(self.x.slice(s![rows.clone(), ..]), self.y.slice(s![rows])))
    }
}

/// Rejects rows that are not within `examples` examples.
pub(crate) fn check_rows(rows: &Range<usize>, examples: usize) -> Result<()> {
    if rows.start > rows.end || rows.end > examples {
        return Err(Error::MismatchedShapes { what: "rows of a shard", expected: examples, actual: rows.end });
    }
    Ok(())
}

/// How the weights start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// All zeros (tutorial 000, the default).
    Zeros,
    /// Uniform in [-1, 1) from numpy's generator with this seed, `2 * np.random.random() - 1`
    /// (tutorial 002); the bias starts at 0.
    Random { seed: u32 },
}

impl Init {
    /// The starting model for `features` weights.
    pub fn model(self, features: usize) -> Model {
        match self {
            Init::Zeros => Model::zeros(features),
            Init::Random { seed } => {
                let mut rng = Mt19937::new(seed);
                Model { w: (0..features).map(|_| 2.0 * rng.next_f64() - 1.0).collect(), b: 0.0 }
            }
        }
    }
}

/// Gradient-descent settings; the defaults are the tutorial's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Step size α.
    pub learning_rate: f64,
    /// Number of gradient steps.
    pub iterations: usize,
    /// Record the cost every this many iterations (100 in the tutorial, 1 for every one).
    pub record_every: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { learning_rate: 0.005, iterations: 2000, record_every: 100 }
    }
}

impl Settings {
    /// Rejects settings gradient descent cannot run with.
    pub fn validate(&self) -> Result<()> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::Setting(format!(
                "the learning rate must be a positive number, got {}",
                self.learning_rate
            )));
        }
        if self.record_every == 0 {
            return Err(Error::Setting("the cost must be recorded every 1 or more iterations".into()));
        }
        Ok(())
    }
}

/// Gradient descent in progress: the model so far and the costs recorded.
pub struct Trainer {
    objective: Box<dyn Objective>,
    model: Model,
    settings: Settings,
    iteration: usize,
    costs: Vec<f64>,
    last_gradients: Option<Gradients>,
}

impl Trainer {
    /// Starts from `model`, which must fit the objective's features.
    pub fn new(objective: Box<dyn Objective>, model: Model, settings: Settings) -> Result<Self> {
        settings.validate()?;
        if model.features() != objective.features() {
            return Err(Error::MismatchedShapes {
                what: "model weights",
                expected: objective.features(),
                actual: model.features(),
            });
        }
        Ok(Trainer { objective, model, settings, iteration: 0, costs: Vec::new(), last_gradients: None })
    }

    /// One gradient step; returns the cost before it. A cost or step that is not finite stops
    /// with [`Error::Diverged`] and leaves the model as it was.
    pub fn step(&mut self) -> Result<f64> {
        let (grads, cost) = self.objective.propagate(&self.model)?;
        self.apply(grads, cost)
    }

    /// [`Self::step`] from the partial of every block at the current model, in block order,
    /// some or all of them computed elsewhere.
    pub fn step_from(&mut self, partials: &[Partial]) -> Result<f64> {
        let (grads, cost) = self.objective.propagate_from(&self.model, partials)?;
        self.apply(grads, cost)
    }

    /// The objective being minimised.
    pub fn objective(&self) -> &dyn Objective {
        self.objective.as_ref()
    }

    fn apply(&mut self, grads: Gradients, cost: f64) -> Result<f64> {
        let lr = self.settings.learning_rate;
        let w = &self.model.w - &(&grads.dw * lr);
        let b = self.model.b - lr * grads.db;
        if !cost.is_finite() || !b.is_finite() || !w.iter().all(|v| v.is_finite()) {
            return Err(Error::Diverged { iteration: self.iteration, cost });
        }
        if self.iteration.is_multiple_of(self.settings.record_every) {
            self.costs.push(cost);
        }
        self.model = Model { w, b };
        self.last_gradients = Some(grads);
        self.iteration += 1;
        Ok(cost)
    }

    /// True once the configured number of iterations has run.
    pub fn is_done(&self) -> bool {
        self.iteration >= self.settings.iterations
    }

    /// Iterations run so far.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// The model after the last step.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Costs recorded so far, one every `record_every` iterations from iteration 0.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// The settings training runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Gradients of the last step, as the tutorial's `optimize` returns them.
    pub fn last_gradients(&self) -> Option<&Gradients> {
        self.last_gradients.as_ref()
    }
}

/// The result of a finished run.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The learned model.
    pub model: Model,
    /// Costs every `record_every` iterations.
    pub costs: Vec<f64>,
    /// Gradients of the last step.
    pub last_gradients: Option<Gradients>,
}

/// The tutorial's `optimize`: runs all iterations, calling `on_step(iteration, cost)` after each.
pub fn optimize(
    objective: Box<dyn Objective>,
    model: Model,
    settings: Settings,
    mut on_step: impl FnMut(usize, f64),
) -> Result<Trained> {
    let mut trainer = Trainer::new(objective, model, settings)?;
    while !trainer.is_done() {
        let cost = trainer.step()?;
        on_step(trainer.iteration() - 1, cost);
    }
    Ok(Trained { costs: trainer.costs, last_gradients: trainer.last_gradients, model: trainer.model })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn separable() -> F64Objective {
        let x = array![[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [1.0, 0.9], [0.8, 1.0], [0.9, 0.7]];
        F64Objective::new(x, array![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]).unwrap()
    }

    #[test]
    fn cost_falls_and_separable_data_is_learned() {
        let settings = Settings { learning_rate: 1.0, iterations: 500, record_every: 1 };
        let trained = optimize(Box::new(separable()), Model::zeros(2), settings, |_, _| {}).unwrap();
        assert_eq!(trained.costs.len(), 500);
        assert!(trained.costs.windows(2).all(|c| c[1] <= c[0] && c[1].is_finite()));
        let x = array![[0.0, 0.1], [0.2, 0.0], [0.1, 0.3], [1.0, 0.9], [0.8, 1.0], [0.9, 0.7]];
        assert_eq!(trained.model.predict(x.view()), vec![0, 0, 0, 1, 1, 1]);
    }

    #[test]
    fn costs_are_recorded_every_hundred_iterations_by_default() {
        let settings = Settings { learning_rate: 0.1, iterations: 250, ..Settings::default() };
        let trained = optimize(Box::new(separable()), Model::zeros(2), settings, |_, _| {}).unwrap();
        assert_eq!(trained.costs.len(), 3);
        assert!((trained.costs[0] - std::f64::consts::LN_2).abs() < 1e-15);
    }

    #[test]
    fn a_huge_learning_rate_stops_with_an_error_and_keeps_finite_parameters() {
        let x = array![[1e300, -1e300], [-1e300, 1e300]];
        let objective = F64Objective::new(x, array![1.0, 0.0]).unwrap();
        let settings = Settings { learning_rate: 1e300, iterations: 10, record_every: 1 };
        let mut trainer = Trainer::new(Box::new(objective), Model::zeros(2), settings).unwrap();
        let err = loop {
            match trainer.step() {
                Ok(cost) => assert!(cost.is_finite()),
                Err(e) => break e,
            }
        };
        assert!(matches!(err, Error::Diverged { .. }), "{err}");
        assert!(trainer.model().w.iter().all(|v| v.is_finite()) && trainer.model().b.is_finite());
    }

    #[test]
    fn random_init_is_numpys_uniform_minus_one_to_one() {
        let model = Init::Random { seed: 1 }.model(3);
        assert_eq!(model.w.to_vec(), [-0.165955990594852, 0.4406489868843162, -0.9997712503653102]);
        assert_eq!(model.b, 0.0);
    }

    /// Seeded rows of very different sizes, so that a change of summation order shows.
    fn random_rows(m: usize, n: usize) -> F64Objective {
        let mut rng = Mt19937::new(4);
        let x = Array2::from_shape_fn((m, n), |_| (rng.next_f64() - 0.5) * 10f64.powi(rng.below(6) as i32 - 3));
        F64Objective::new(x, (0..m).map(|_| rng.below(2) as f64).collect()).unwrap()
    }

    #[test]
    fn the_blocked_sum_is_the_same_bits_on_any_number_of_threads() {
        let objective = random_rows(1000, 9);
        let model = Model { w: (0..9).map(|j| 0.1 * j as f64 - 0.4).collect(), b: 0.2 };
        let one = objective.propagate(&model).unwrap();
        for n in 2..6 {
            let on = F64Objective { threads: Threads::new(n).unwrap(), ..random_rows(1000, 9) };
            assert_eq!(on.propagate(&model).unwrap(), one, "{n} threads");
        }
    }

    #[test]
    fn one_block_is_the_unblocked_sum_to_the_bit_and_more_stay_within_rounding() {
        let model = Model { w: (0..9).map(|j| 0.1 * j as f64 - 0.4).collect(), b: 0.2 };
        for (m, exact) in [(1, true), (209, true), (256, true), (257, false), (1000, false)] {
            let objective = random_rows(m, 9);
            let (g, cost) = objective.propagate(&model).unwrap();
            let (r, reference) = crate::model::propagate(&model, objective.x.view(), objective.y.view()).unwrap();
            if exact {
                assert_eq!((&g, cost), (&r, reference), "m = {m}");
            }
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * b.abs().max(1e-3);
            assert!(close(cost, reference) && close(g.db, r.db), "m = {m}: {cost} {reference} {} {}", g.db, r.db);
            assert!(g.dw.iter().zip(&r.dw).all(|(&a, &b)| close(a, b)), "m = {m}");
        }
    }

    #[test]
    fn rejects_bad_settings() {
        for lr in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let settings = Settings { learning_rate: lr, ..Settings::default() };
            assert!(matches!(Trainer::new(Box::new(separable()), Model::zeros(2), settings), Err(Error::Setting(_))));
        }
        let err = Trainer::new(Box::new(separable()), Model::zeros(3), Settings::default()).err().unwrap();
        assert!(matches!(err, Error::MismatchedShapes { expected: 2, actual: 3, .. }));
    }
}
