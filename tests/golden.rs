//! The tutorials' own numbers: the core must reproduce what numpy computes with their code.

mod common;

use catdog::model::{propagate, Model};
use catdog::train::optimize::{optimize, F64Objective, Settings};

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs().max(f64::MIN_POSITIVE)
}

fn assert_close(actual: &[f64], expected: &[f64], relative: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(close(a, e, relative), "{what}[{i}]: got {a:e}, expected {e:e} (relative {relative:e})");
    }
}

#[test]
fn tutorial_000_propagate() {
    let Some(g) = common::golden() else { return };
    let c = &g["tutorial_000_propagate"];
    let (model, x, y) = common::golden_case(c);
    let (grads, cost) = propagate(&model, x.view(), y.view()).unwrap();
    assert_close(grads.dw.as_slice().unwrap(), &common::floats(&c["dw"]), 1e-9, "dw");
    assert_close(&[grads.db], &[c["db"].as_f64().unwrap()], 1e-9, "db");
    // The stable cost gives the exact value, not numpy's saturated 16.999996678946573.
    assert_close(&[cost], &[c["cost_exact"].as_f64().unwrap()], 1e-12, "cost");
}

#[test]
fn tutorial_000_optimize() {
    let Some(g) = common::golden() else { return };
    let c = &g["tutorial_000_optimize"];
    let (model, x, y) = common::golden_case(c);
    let settings = Settings {
        learning_rate: c["learning_rate"].as_f64().unwrap(),
        iterations: c["num_iterations"].as_u64().unwrap() as usize,
        record_every: 100,
    };
    let trained = optimize(Box::new(F64Objective::new(x, y).unwrap()), model, settings, |_, _| {}).unwrap();
    assert_close(trained.model.w.as_slice().unwrap(), &common::floats(&c["w_out"]), 1e-9, "w");
    assert_close(&[trained.model.b], &[c["b_out"].as_f64().unwrap()], 1e-9, "b");
    let last = trained.last_gradients.unwrap();
    assert_close(last.dw.as_slice().unwrap(), &common::floats(&c["last_dw"]), 1e-9, "last dw");
    assert_close(&[last.db], &[c["last_db"].as_f64().unwrap()], 1e-9, "last db");
    assert_close(&trained.costs, &common::floats(&c["costs_every_100"]), 1e-6, "costs");
}

#[test]
fn tutorial_002_training() {
    let Some(g) = common::golden() else { return };
    let c = &g["tutorial_002_training"];
    let (model, x, y) = common::golden_case(c);
    let settings = Settings {
        learning_rate: c["learning_rate"].as_f64().unwrap(),
        iterations: c["epochs"].as_u64().unwrap() as usize,
        record_every: 1,
    };
    let trained = optimize(Box::new(F64Objective::new(x, y).unwrap()), model, settings, |_, _| {}).unwrap();
    assert_close(&trained.costs, &common::floats(&c["loss_per_epoch"]), 1e-9, "loss per epoch");
    assert_close(trained.model.w.as_slice().unwrap(), &common::floats(&c["w_out"]), 1e-9, "w");
    assert_close(&[trained.model.b], &[c["b_out"].as_f64().unwrap()], 1e-9, "b");
}

/// The values tutorial 000 prints, so this story holds even without `../shared`.
#[test]
fn tutorial_000_printed_results() {
    let model = Model { w: vec![1.0, 2.0].into(), b: 4.0 };
    let x = ndarray::array![[5.0, 8.0], [6.0, 9.0], [-7.0, -10.0]];
    let y = ndarray::array![1.0, 0.0, 1.0];
    let settings = Settings { learning_rate: 0.009, iterations: 100, record_every: 100 };
    let trained = optimize(Box::new(F64Objective::new(x, y).unwrap()), model, settings, |_, _| {}).unwrap();
    assert_close(trained.model.w.as_slice().unwrap(), &[-0.49157334, -0.16017651], 1e-7, "w");
    assert_close(&[trained.model.b], &[3.948381664135624], 1e-12, "b");
    let last = trained.last_gradients.unwrap();
    assert_close(last.dw.as_slice().unwrap(), &[0.03602232, -0.02064108], 1e-6, "dw");
    assert_close(&[last.db], &[-0.01897084202791005], 1e-12, "db");
}
