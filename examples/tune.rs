//! Chooses the `hog`/`hog+color` training defaults on validation splits of the training photos
//! (never the test photos): `cargo run --release --example tune -- ../shared/data/catsdogs/train`.
//! Prints the mean validation accuracy over three seeded 80/20 splits for each setting, at
//! several iteration counts of the same run. Optional arguments after the folder: kind, then
//! comma-separated cell sizes, flips (0/1), learning rates and L2 penalties; the environment
//! variables BLOCK, BINS, HUE, SAT and VAL change the other sizes.

use catdog::data::dataset::{load_folder, Dataset};
use catdog::data::labels::Classes;
use catdog::features::hog::HogParams;
use catdog::features::standardize::Standardizer;
use catdog::features::{labels_f64, FeatureKind, FeatureSpec};
use catdog::model::metrics::accuracy;
use catdog::model::Model;
use catdog::train::optimize::{F64Objective, Settings, Trainer};
use catdog::train::penalty::L2Penalty;
use ndarray::Array2;

const SEEDS: [u32; 3] = [0, 1, 2];
const CHECKPOINTS: [usize; 5] = [100, 200, 300, 500, 1000];

/// Standardised training rows (with flips if asked), their labels, and standardised validation rows.
fn prepare(
    spec: &FeatureSpec,
    fit: &Dataset,
    val: &Dataset,
    flip: bool,
) -> catdog::Result<(Array2<f64>, ndarray::Array1<f64>, Array2<f64>)> {
    let mut x = spec.matrix(fit, flip)?;
    let s = Standardizer::fit(x.view())?;
    s.apply_rows(&mut x)?;
    let mut v = spec.matrix(val, false)?;
    s.apply_rows(&mut v)?;
    Ok((x, labels_f64(fit, flip), v))
}

/// Validation accuracy at each checkpoint of one run.
fn run(
    x: &Array2<f64>,
    y: &ndarray::Array1<f64>,
    v: &Array2<f64>,
    val: &Dataset,
    lr: f64,
    l2: f64,
) -> catdog::Result<Vec<f64>> {
    let objective = L2Penalty::new(F64Objective::new(x.clone(), y.clone())?, l2, x.nrows())?;
    let settings = Settings { learning_rate: lr, iterations: CHECKPOINTS[CHECKPOINTS.len() - 1], record_every: 1000 };
    let mut trainer = Trainer::new(Box::new(objective), Model::zeros(x.ncols()), settings)?;
    let mut out = Vec::new();
    while !trainer.is_done() {
        trainer.step()?;
        if CHECKPOINTS.contains(&trainer.iteration()) {
            out.push(accuracy(&trainer.model().predict(v.view()), val.labels()));
        }
    }
    Ok(out)
}

/// Comma-separated values of argument `n`, or `default`.
fn list<T: std::str::FromStr>(n: usize, default: &str) -> Vec<T> {
    let text = std::env::args().nth(n).unwrap_or_else(|| default.into());
    text.split(',').filter_map(|v| v.parse().ok()).collect()
}

fn main() -> catdog::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/data/catsdogs/train".into());
    let (data, _) = load_folder(std::path::Path::new(&dir), &Classes::default())?;
    let kind: FeatureKind = std::env::args().nth(2).unwrap_or_else(|| "hog+color".into()).parse()?;
    let (cells, flips) = (list::<usize>(3, "8,16"), list::<u8>(4, "0,1"));
    let (rates, penalties) = (list::<f64>(5, "0.003,0.01,0.03"), list::<f64>(6, "1,10,100"));
    println!("kind cell flip lr l2: mean validation accuracy at iterations {CHECKPOINTS:?}");
    for cell in cells {
        let env = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
        let hog = HogParams { cell, block: env("BLOCK", 2), bins: env("BINS", 9) };
        let color = catdog::features::color::ColorParams {
            hue: env("HUE", 8),
            saturation: env("SAT", 4),
            value: env("VAL", 4),
        };
        let spec = FeatureSpec { hog, color, ..FeatureSpec::new(kind) };
        for &flip in &flips {
            let splits: Vec<_> = SEEDS
                .iter()
                .map(|&seed| {
                    let (fit, val) = data.split(0.2, seed)?;
                    let (x, y, v) = prepare(&spec, &fit, &val, flip == 1)?;
                    Ok((x, y, v, val))
                })
                .collect::<catdog::Result<_>>()?;
            for &lr in &rates {
                for &l2 in &penalties {
                    let mut sums = vec![0.0; CHECKPOINTS.len()];
                    for (x, y, v, val) in &splits {
                        for (s, a) in sums.iter_mut().zip(run(x, y, v, val, lr, l2)?) {
                            *s += a / SEEDS.len() as f64;
                        }
                    }
                    let cells: Vec<String> = sums.iter().map(|a| format!("{a:5.1}")).collect();
                    println!("{kind} {cell} {} {lr} {l2}: {}", flip == 1, cells.join(" "));
                }
            }
        }
    }
    Ok(())
}
