//! The fast integer kernel against the float64 reference: the tutorials' golden cases and the
//! published cat-vs-non-cat run agree to 1e-4 relative, with identical accuracies.

mod common;

use catdog::data::dataset::load_folder;
use catdog::data::labels::Classes;
use catdog::model::metrics::accuracy;
use catdog::model::Model;
use catdog::train::kernel::FastObjective;
use catdog::train::optimize::{optimize, F64Objective, Objective, Settings};
use ndarray::{Array1, Array2};
use serde_json::Value;

const RELATIVE: f64 = 1e-4;

fn assert_close(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!((a - e).abs() <= RELATIVE * e.abs(), "{what}[{i}]: fast {a:e}, reference {e:e}");
    }
}

/// A golden case: its start model, rows as float64, and the same rows as bytes `q` with
/// `x = q + min(x)` (the tutorials use small whole numbers, so this is exact).
struct Case {
    model: Model,
    x: Array2<f64>,
    y: Array1<f64>,
    fast: FastObjective,
}

fn case(v: &Value) -> Case {
    let (model, x, y) = common::golden_case(v);
    let offset = x.iter().copied().fold(f64::INFINITY, f64::min);
    let levels: Vec<u8> =
        x.iter().map(|&x| x - offset).inspect(|q| assert!(q.fract() == 0.0 && *q < 256.0)).map(|q| q as u8).collect();
    let labels: Vec<u8> = y.iter().map(|&y| y as u8).collect();
    let fast = FastObjective::from_levels(levels, &labels, x.ncols(), 1.0, offset).expect("a valid case");
    Case { model, x, y, fast }
}

#[test]
fn golden_propagate_agrees_with_the_reference() {
    let Some(g) = common::golden() else { return };
    let c = case(&g["tutorial_000_propagate"]);
    let (fast, cost) = c.fast.propagate(&c.model).unwrap();
    let (reference, expected) = F64Objective::new(c.x, c.y).unwrap().propagate(&c.model).unwrap();
    assert_close(&[cost], &[expected], "cost");
    // The kernel rounds each a - y to 1/32767, so a gradient component that is a sum cancelling
    // to almost nothing (this case's db is 2.9e-11) is compared on the gradient's own scale.
    let scale = reference.dw.iter().fold(reference.db.abs(), |m, g| m.max(g.abs()));
    for (i, (a, e)) in fast.dw.iter().chain([&fast.db]).zip(reference.dw.iter().chain([&reference.db])).enumerate() {
        assert!((a - e).abs() <= RELATIVE * scale, "gradient[{i}]: fast {a:e}, reference {e:e}");
    }
}

#[test]
fn golden_training_runs_agree_with_the_reference() {
    let Some(g) = common::golden() else { return };
    for (name, iterations, record_every) in
        [("tutorial_000_optimize", "num_iterations", 100), ("tutorial_002_training", "epochs", 1)]
    {
        let v = &g[name];
        let c = case(v);
        let settings = Settings {
            learning_rate: v["learning_rate"].as_f64().unwrap(),
            iterations: v[iterations].as_u64().unwrap() as usize,
            record_every,
        };
        let fast = optimize(Box::new(c.fast), c.model.clone(), settings, |_, _| {}).unwrap();
        let x = c.x.clone();
        let reference =
            optimize(Box::new(F64Objective::new(c.x, c.y.clone()).unwrap()), c.model, settings, |_, _| {}).unwrap();
        assert_close(&fast.costs, &reference.costs, &format!("{name} costs"));
        let labels: Vec<u8> = c.y.iter().map(|&y| y as u8).collect();
        assert_eq!(
            accuracy(&fast.model.predict(x.view()), &labels),
            accuracy(&reference.model.predict(x.view()), &labels),
            "{name}"
        );
    }
}

/// The published float64 run (tests/cli.rs checks the reference reproduces it), with the kernel.
#[test]
fn catvnoncat_agrees_with_the_published_reference() {
    let Some(data) = common::shared("data/catvnoncat") else { return };
    let classes = Classes::parse("noncat,cat").unwrap();
    let (train, _) = load_folder(&data.join("train"), &classes).unwrap();
    let (test, _) = load_folder(&data.join("test"), &classes).unwrap();
    let fast = FastObjective::new(&train).unwrap();
    let trained =
        optimize(Box::new(fast), Model::zeros(train.pixels().len() / train.len()), Settings::default(), |_, _| {})
            .unwrap();
    assert_close(&trained.costs, &common::PUBLISHED_CATVNONCAT_COSTS, "costs");
    let train_predictions = FastObjective::new(&train).unwrap().predict(&trained.model).unwrap();
    let test_predictions = FastObjective::new(&test).unwrap().predict(&trained.model).unwrap();
    assert_eq!(accuracy(&train_predictions, train.labels()), 99.04306220095694);
    assert_eq!(accuracy(&test_predictions, test.labels()), 70.0);
}

/// `catdog train --fast` prints the same report, with the kernel's numbers.
#[test]
fn the_cli_trains_with_the_fast_kernel_on_request() {
    let Some(data) = common::shared("data/catvnoncat") else { return };
    let (train, test) = (data.join("train"), data.join("test"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_catdog"))
        .args(["train", "--fast", "--json", "--classes", "noncat,cat", "--iterations", "300"])
        .args(["--train", train.to_str().unwrap(), "--test", test.to_str().unwrap()])
        .output()
        .expect("running catdog");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_close(&common::floats(&report["costs"]), &common::PUBLISHED_CATVNONCAT_COSTS[..3], "costs");
    assert_eq!(report["train_count"], 209);
}
