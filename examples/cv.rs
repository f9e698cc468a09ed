//! Honest k-fold cross-validation of the feature kinds over every shared photo (the train and
//! test folders together): `cargo run --release --example cv -- ../shared/data/catsdogs`.
//!
//! Folds are stratified and seeded: 5 folds (`folds=5`), dealt once for each fold seed
//! (`fold_seed=0,1`: two repetitions, ten held-out folds). Within each fold everything learned
//! from data is fitted on that fold's training part only: the learned dictionary, the
//! standardiser, the model (logistic regression by gradient descent from zeros, with the L2
//! penalty as in `examples/tune.rs`). The held-out part is touched only to be scored. Prints,
//! for every setting, the mean ± sample standard deviation over the folds of the held-out
//! accuracy, then the best setting of each feature set by that mean: only cross-validated means
//! choose.
//!
//! Arguments after the folder, `name=value[,value…]`:
//! - `kinds=raw,hog,hog+color,learned,learned+hog+color` (all by default; raw's 2,000 float64
//!   iterations on 12,288 features take about a minute a fold);
//! - the learned grid: `side= patch= stride= centroids= grid= epsilon= patches= kmeans=`
//!   (lists; `LearnedParams::default()`'s sizes, except `patch=5,6 epsilon=0.01,0.1`, the
//!   search's last round), the dictionary seed `seed=1`;
//! - the training grid for the learned kinds: `lr=0.01 l2=100,1000 iterations=300,1000`
//!   (iterations are checkpoints of one run); `raw`, `hog` and `hog+color` train with their
//!   kinds' defaults, `raw_iterations=2000` can shorten raw's run;
//! - `bench=1`: instead, time learning a dictionary (the defaults, or the sizes given) on the 800
//!   `train/` photos plus extracting the features of all 1,000, best of three, and print a hash
//!   of the features' bits (compare it across targets).
//!
//! A dictionary is learned once per fold and grid point at the finest pooling grid asked for; a
//! coarser grid that divides it is summed from those cells (the cell of position i at grid g is
//! ⌊i·g/n⌋ = ⌊⌊i·G/n⌋ / (G/g)⌋), so it shares the per-photo cache. raw, hog and hog+color are
//! computed once per photo for all folds.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use catdog::data::dataset::{load_folder, Dataset};
use catdog::data::labels::Classes;
use catdog::features::learned::{Dictionary, LearnedParams};
use catdog::features::standardize::Standardizer;
use catdog::features::{FeatureKind, FeatureSpec};
use catdog::model::metrics::accuracy;
use catdog::model::Model;
use catdog::train::optimize::{F64Objective, Settings, Trainer};
use catdog::train::penalty::L2Penalty;
use ndarray::{Array1, Array2};

/// The arguments, `name=value[,value…]`, with defaults.
struct Args(BTreeMap<String, String>);

impl Args {
    fn list<T: std::str::FromStr>(&self, name: &str, default: &str) -> Vec<T> {
        let text = self.0.get(name).map_or(default, String::as_str);
        text.split(',').map(|v| v.trim().parse().unwrap_or_else(|_| panic!("{name}: cannot read {v:?}"))).collect()
    }

    fn one<T: std::str::FromStr>(&self, name: &str, default: &str) -> T {
        self.list(name, default).into_iter().next().unwrap_or_else(|| panic!("{name} needs a value"))
    }
}

/// One training setting.
#[derive(Clone, Copy)]
struct Plan {
    lr: f64,
    l2: f64,
    standardise: bool,
}

/// Held-out accuracy (percent) at each checkpoint of one run on the rows `train` / `test`.
fn run(
    rows: &[Vec<f64>],
    labels: &[u8],
    train: &[usize],
    test: &[usize],
    plan: Plan,
    checkpoints: &[usize],
) -> catdog::Result<Vec<f64>> {
    let matrix = |idx: &[usize]| {
        let width = rows[0].len();
        Array2::from_shape_vec((idx.len(), width), idx.iter().flat_map(|&i| rows[i].iter().copied()).collect())
            .expect("rows of one width")
    };
    let (mut x, mut v) = (matrix(train), matrix(test));
    if plan.standardise {
        let s = Standardizer::fit(x.view())?;
        s.apply_rows(&mut x)?;
        s.apply_rows(&mut v)?;
    }
    let y: Array1<f64> = train.iter().map(|&i| f64::from(labels[i])).collect();
    let held_out: Vec<u8> = test.iter().map(|&i| labels[i]).collect();
    let objective = L2Penalty::new(F64Objective::new(x, y)?, plan.l2, train.len())?;
    let last = checkpoints.iter().copied().max().unwrap_or(0);
    let settings = Settings { learning_rate: plan.lr, iterations: last, record_every: last.max(1) };
    let mut trainer = Trainer::new(Box::new(objective), Model::zeros(rows[0].len()), settings)?;
    let mut out = Vec::new();
    while !trainer.is_done() {
        // A learning rate too large for these features diverges: its checkpoints count as NaN
        // (shown in the table, never chosen) instead of ending the whole run.
        match trainer.step() {
            Ok(_) => {}
            Err(catdog::Error::Diverged { .. }) => {
                out.resize(checkpoints.len(), f64::NAN);
                return Ok(out);
            }
            Err(e) => return Err(e),
        }
        if checkpoints.contains(&trainer.iteration()) {
            out.push(accuracy(&trainer.model().predict(v.view()), &held_out));
        }
    }
    Ok(out)
}

/// Mean and sample standard deviation.
fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// Sums grid-`fine` pooled features (cells in row order, `k` per cell) into grid `coarse`.
fn coarsen(features: &[f64], fine: usize, coarse: usize, k: usize) -> Vec<f64> {
    let m = fine / coarse;
    let mut out = vec![0.0; coarse * coarse * k];
    for (cell, values) in features.chunks_exact(k).enumerate() {
        let (r, c) = (cell / fine / m, cell % fine / m);
        out[(r * coarse + c) * k..(r * coarse + c + 1) * k].iter_mut().zip(values).for_each(|(o, v)| *o += v);
    }
    out
}

/// Held-out accuracies of each (setting name) per fold.
type Results = BTreeMap<String, Vec<f64>>;

fn record(results: &mut Results, order: &mut Vec<String>, name: String, accuracy: f64) {
    if !results.contains_key(&name) {
        order.push(name.clone());
    }
    results.entry(name).or_default().push(accuracy);
}

/// The cached hog+color rows.
fn hog_color(fixed: &[(FeatureKind, Vec<Vec<f64>>)]) -> &[Vec<f64>] {
    &fixed.iter().find(|(k, _)| *k == FeatureKind::HogColor).expect("hog+color is cached for the concatenation").1
}

/// Every combination of the learned sizes asked for, pooled at grid `grid`. Unless told, the
/// defaults' sizes, but with `search` the patches and ε of the search's last round.
fn learned_grid(args: &Args, grid: usize, search: bool) -> Vec<LearnedParams> {
    let d = LearnedParams::default();
    let (patches_default, epsilons_default) =
        if search { ("5,6".into(), "0.01,0.1".into()) } else { (d.patch.to_string(), d.epsilon.to_string()) };
    let mut out = Vec::new();
    for side in args.list("side", &d.side.to_string()) {
        for patch in args.list("patch", &patches_default) {
            for stride in args.list("stride", &d.stride.to_string()) {
                for centroids in args.list("centroids", &d.centroids.to_string()) {
                    for epsilon in args.list("epsilon", &epsilons_default) {
                        for patches in args.list("patches", &d.patches.to_string()) {
                            for iterations in args.list("kmeans", &d.iterations.to_string()) {
                                out.push(LearnedParams {
                                    side,
                                    patch,
                                    stride,
                                    centroids,
                                    grid,
                                    epsilon,
                                    patches,
                                    iterations,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The learned sizes but the grid, for the table.
fn describe(p: &LearnedParams) -> String {
    format!(
        "side {} patch {} stride {} k {} eps {} patches {} kmeans {}",
        p.side, p.patch, p.stride, p.centroids, p.epsilon, p.patches, p.iterations
    )
}

/// Times learning on the 800 `train/` photos plus extracting all photos, best of three runs.
fn bench(data: &Dataset, grid_points: &[LearnedParams]) -> catdog::Result<()> {
    let train: Vec<&[u8]> =
        (0..data.len()).filter(|&i| data.names()[i].starts_with("train/")).map(|i| data.photo(i)).collect();
    for params in grid_points {
        let (mut best_learn, mut best_total, mut hash, mut json) = (f64::INFINITY, f64::INFINITY, 0, 0);
        for _ in 0..3 {
            let start = Instant::now();
            let dict = Dictionary::learn(train.iter().copied(), params, 1)?;
            let learned = start.elapsed().as_secs_f64();
            hash = 0xcbf2_9ce4_8422_2325u64;
            for i in 0..data.len() {
                for v in dict.extract(data.photo(i))? {
                    hash = (hash ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3);
                }
            }
            json = serde_json::to_string(&dict).map_or(0, |j| j.len());
            best_learn = best_learn.min(learned);
            best_total = best_total.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{}: learn on {} photos {best_learn:.3} s, learn + extract {} photos {best_total:.3} s (best of 3); features hash {hash:016x}; dictionary JSON {json} bytes",
            describe(params),
            train.len(),
            data.len()
        );
    }
    Ok(())
}

fn main() -> catdog::Result<()> {
    let mut argv = std::env::args().skip(1);
    let dir = argv.next().unwrap_or_else(|| "../shared/data/catsdogs".into());
    let args = Args(argv.filter_map(|a| a.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))).collect());
    let (data, skipped) = load_folder(Path::new(&dir), &Classes::default())?;
    for s in &skipped {
        eprintln!("skipped {}: {}", s.file, s.reason);
    }
    if args.one::<u8>("bench", "0") == 1 {
        return bench(&data, &learned_grid(&args, args.one("grid", "2"), false));
    }
    let folds: usize = args.one("folds", "5");
    let fold_seeds: Vec<u32> = args.list("fold_seed", "0,1");
    let kinds: Vec<String> = args.list("kinds", "raw,hog,hog+color,learned,learned+hog+color");
    let mut grids: Vec<usize> = args.list("grid", &LearnedParams::default().grid.to_string());
    grids.sort_unstable();
    let finest = *grids.last().expect("a grid");
    let grid_points = learned_grid(&args, finest, true);
    let rates: Vec<f64> = args.list("lr", "0.01");
    let penalties: Vec<f64> = args.list("l2", "100,1000");
    let checkpoints: Vec<usize> = args.list("iterations", "300,1000");
    let seed: u32 = args.one("seed", "1");
    let grid_points = if kinds.iter().any(|n| n.starts_with("learned")) { grid_points } else { Vec::new() };
    println!(
        "{} photos {:?} (cat, dog), {folds} stratified folds for each fold seed {fold_seeds:?}",
        data.len(),
        data.class_counts()
    );

    // Per-photo caches of the kinds that learn nothing from data.
    let started = Instant::now();
    let fixed: Vec<(FeatureKind, Vec<Vec<f64>>)> = FeatureKind::ALL
        .into_iter()
        .filter(|k| kinds.iter().any(|n| n == k.name() || (n.ends_with("+hog+color") && *k == FeatureKind::HogColor)))
        .map(|k| {
            let spec = FeatureSpec::new(k);
            Ok((k, (0..data.len()).map(|i| spec.extract(data.photo(i))).collect::<catdog::Result<_>>()?))
        })
        .collect::<catdog::Result<_>>()?;
    eprintln!("fixed features in {:.1} s", started.elapsed().as_secs_f64());

    let mut results = Results::new();
    let mut order = Vec::new();
    let mut timings: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let dealt = fold_seeds.iter().map(|&seed| data.folds(folds, seed)).collect::<catdog::Result<Vec<_>>>()?;
    for (fold, fold_of) in dealt.iter().flat_map(|fold_of| (0..folds).map(move |fold| (fold, fold_of))) {
        let train: Vec<usize> = (0..data.len()).filter(|&i| fold_of[i] != fold).collect();
        let test: Vec<usize> = (0..data.len()).filter(|&i| fold_of[i] == fold).collect();
        for (kind, rows) in &fixed {
            let kind = *kind;
            if !kinds.iter().any(|n| n == kind.name()) {
                continue;
            }
            let t = kind.defaults();
            let raw = kind == FeatureKind::Raw;
            let iterations = if raw { args.one("raw_iterations", &t.iterations.to_string()) } else { t.iterations };
            let plan = Plan { lr: t.learning_rate, l2: t.l2, standardise: !raw };
            let started = Instant::now();
            let acc = run(rows, data.labels(), &train, &test, plan, &[iterations])?;
            eprintln!("fold {fold} {kind}: {:.1} % in {:.1} s", acc[0], started.elapsed().as_secs_f64());
            record(
                &mut results,
                &mut order,
                format!("{kind} lr {} l2 {} it {iterations}", t.learning_rate, t.l2),
                acc[0],
            );
        }
        for params in &grid_points {
            let k = params.centroids;
            let name = describe(params);
            let started = Instant::now();
            let dict = Dictionary::learn(train.iter().map(|&i| data.photo(i)), params, seed)?;
            let learn_s = started.elapsed().as_secs_f64();
            let fine: Vec<Vec<f64>> =
                (0..data.len()).map(|i| dict.extract(data.photo(i))).collect::<catdog::Result<_>>()?;
            let total_s = started.elapsed().as_secs_f64();
            eprintln!("fold {fold} {name}: learn {learn_s:.2} s, learn + {} photos {total_s:.2} s", data.len());
            timings.entry(name.clone()).or_default().push(total_s);
            for &g in &grids {
                if !finest.is_multiple_of(g) {
                    eprintln!("grid {g} does not divide {finest}: skipped");
                    continue;
                }
                let learned: Vec<Vec<f64>> = fine.iter().map(|f| coarsen(f, finest, g, k)).collect();
                for kind in kinds.iter().filter(|n| n.starts_with("learned")) {
                    let rows: Vec<Vec<f64>> = if kind == "learned" {
                        learned.clone()
                    } else {
                        learned
                            .iter()
                            .zip(hog_color(&fixed))
                            .map(|(a, b)| a.iter().chain(b).copied().collect())
                            .collect()
                    };
                    for &lr in &rates {
                        for &l2 in &penalties {
                            let plan = Plan { lr, l2, standardise: true };
                            let started = Instant::now();
                            let acc = run(&rows, data.labels(), &train, &test, plan, &checkpoints)?;
                            eprintln!(
                                "fold {fold} {kind} {name} grid {g} lr {lr} l2 {l2}: {acc:.1?} in {:.1} s",
                                started.elapsed().as_secs_f64()
                            );
                            for (&it, a) in checkpoints.iter().zip(acc) {
                                record(
                                    &mut results,
                                    &mut order,
                                    format!("{kind} {name} grid {g} lr {lr} l2 {l2} it {it}"),
                                    a,
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    let runs = fold_seeds.len() * folds;
    println!("\n| features and settings | held-out accuracy % (mean ± sd over {runs} folds: {folds} per fold seed {fold_seeds:?}) |\n|---|---|");
    for name in &order {
        let (mean, sd) = mean_std(&results[name]);
        println!("| {name} | {mean:.1} ± {sd:.1} |");
    }
    println!("\nbest of each feature set by mean:");
    for kind in &kinds {
        let best = order
            .iter()
            .filter(|n| n.split(' ').next() == Some(kind.as_str()))
            .map(|n| (n, mean_std(&results[n])))
            .filter(|(_, (mean, _))| !mean.is_nan())
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0));
        if let Some((name, (mean, sd))) = best {
            println!("  {name}: {mean:.1} ± {sd:.1}");
        }
    }
    println!(
        "\nlearning a dictionary on a fold's training photos + extracting all {} photos (native, seconds):",
        data.len()
    );
    for (name, t) in &timings {
        let (mean, sd) = mean_std(t);
        println!("  {name}: {mean:.2} ± {sd:.2}");
    }
    Ok(())
}
