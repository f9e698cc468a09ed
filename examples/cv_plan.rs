//! Cross-validation through the one training pipeline (`train::plan::Plan`), exactly as `catdog
//! train` runs a kind at its defaults: `cargo run --release --example cv_plan -- ../shared/data/catsdogs
//! [kind] [flip 0|1]`. The same stratified folds (`Dataset::folds`) as `examples/cv.rs` (5 folds, fold seeds 0 and 1).

use std::path::Path;

use catdog::data::dataset::{load_folder, Split};
use catdog::data::labels::Classes;
use catdog::features::{FeatureKind, FeatureSpec};
use catdog::train::cache::FeatureCache;
use catdog::train::plan::{Plan, TrainOptions};

fn main() -> catdog::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "../shared/data/catsdogs".into());
    let kind: FeatureKind = args.next().unwrap_or_else(|| "learned+hog+color".into()).parse()?;
    let flip = args.next().is_some_and(|f| f == "1");
    let (data, _) = load_folder(Path::new(&dir), &Classes::default())?;
    let mut options = TrainOptions::for_features(FeatureSpec::new(kind));
    options.flip = flip;
    let mut accuracies = Vec::new();
    for seed in [0, 1] {
        let fold = data.folds(5, seed)?;
        for k in 0..5 {
            let (held_out, train) = (0..data.len()).partition(|&i| fold[i] == k);
            let mut plan =
                Plan::new(&options, &Classes::default(), &data, &Split { train, held_out }, &mut FeatureCache::new())?;
            plan.run(|_, _| {})?;
            let accuracy = plan.evaluate()?.held_out_accuracy.unwrap_or(f64::NAN);
            println!("fold seed {seed} fold {k}: {accuracy:.1} %");
            accuracies.push(accuracy);
        }
    }
    let n = accuracies.len() as f64;
    let mean = accuracies.iter().sum::<f64>() / n;
    let sd = (accuracies.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    println!("{kind} flip {flip}: {mean:.1} ± {sd:.1} % over {} folds", accuracies.len());
    Ok(())
}
