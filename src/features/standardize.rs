//! Standardisation of features: the mean and standard deviation of each feature over the
//! training photos, kept with the model so a photo at prediction time is scaled the same way.
//! On a common scale one learning rate suits every feature and the L2 penalty treats them alike.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::ModelProblem;
use crate::features::FeatureKind;
use crate::{Error, Result};

/// Per-feature mean and standard deviation; `x' = (x - mean) / std`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standardizer {
    /// Mean of each feature over the training rows.
    pub mean: Vec<f64>,
    /// Population standard deviation of each feature; 1 where a feature is constant.
    pub std: Vec<f64>,
}

impl Standardizer {
    /// Mean and standard deviation of each column of `x` (rows are examples). A constant feature
    /// gets std 1, so it is only centred (to 0) rather than divided by 0.
    pub fn fit(x: ArrayView2<f64>) -> Result<Self> {
        if x.nrows() == 0 {
            return Err(Error::Dataset("standardisation needs at least one example".into()));
        }
        let m = x.nrows() as f64;
        let mut mean = vec![0.0; x.ncols()];
        for row in x.rows() {
            mean.iter_mut().zip(row).for_each(|(s, v)| *s += v);
        }
        mean.iter_mut().for_each(|s| *s /= m);
        let mut var = vec![0.0; x.ncols()];
        for row in x.rows() {
            var.iter_mut().zip(row).zip(&mean).for_each(|((s, v), mu)| *s += (v - mu) * (v - mu));
        }
        let std = var.into_iter().map(|s| (s / m).sqrt()).map(|sd| if sd > 1e-12 { sd } else { 1.0 }).collect();
        Ok(Standardizer { mean, std })
    }

    /// Number of features.
    pub fn features(&self) -> usize {
        self.mean.len()
    }

    /// Checks lengths against `features` and that every value is finite with std > 0; the
    /// message names the first problem.
    pub fn validate(&self, features: usize) -> Result<()> {
        for (what, values) in [("mean", &self.mean), ("std", &self.std)] {
            if values.len() != features {
                return Err(Error::ModelFile(ModelProblem::Invalid(format!(
                    "standardization {what} has {} values, expected {features}",
                    values.len()
                ))));
            }
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(Error::ModelFile(ModelProblem::Invalid(format!(
                    "standardization {what}[{i}] is not a finite number"
                ))));
            }
        }
        if let Some(i) = self.std.iter().position(|&s| s <= 0.0) {
            return Err(Error::ModelFile(ModelProblem::Invalid(format!(
                "standardization std[{i}] is {}, it must be positive",
                self.std[i]
            ))));
        }
        Ok(())
    }

    /// Standardises one example in place.
    pub fn apply(&self, features: &mut [f64]) -> Result<()> {
        if features.len() != self.features() {
            return Err(Error::MismatchedShapes {
                what: "features to standardise",
                expected: self.features(),
                actual: features.len(),
            });
        }
        for ((v, mu), sd) in features.iter_mut().zip(&self.mean).zip(&self.std) {
            *v = (*v - mu) / sd;
        }
        Ok(())
    }

    /// Standardises every row of `x` in place.
    pub fn apply_rows(&self, x: &mut Array2<f64>) -> Result<()> {
        for mut row in x.rows_mut() {
            let slice =
                row.as_slice_mut().ok_or_else(|| Error::Dataset("features are not stored row by row".into()))?;
            self.apply(slice)?;
        }
        Ok(())
    }
}

/// Fits a standardisation on the training rows `x` and applies it to them, for every feature
/// kind but the tutorial's raw pixels (which stay exactly the tutorial's, unscaled).
pub fn fit_apply(kind: FeatureKind, x: &mut Array2<f64>) -> Result<Option<Standardizer>> {
    if kind == FeatureKind::Raw {
        return Ok(None);
    }
    let standardizer = Standardizer::fit(x.view())?;
    standardizer.apply_rows(x)?;
    Ok(Some(standardizer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn standardised_training_columns_have_mean_0_and_std_1() {
        let mut x = array![[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0], [7.0, 0.0, 5.0]];
        let s = Standardizer::fit(x.view()).unwrap();
        assert_eq!(s.mean, [4.0, 15.0, 5.0]);
        assert!((s.std[0] - 5f64.sqrt()).abs() < 1e-12);
        // The constant column is guarded: std 1, so it becomes 0, not NaN.
        assert_eq!(s.std[2], 1.0);
        s.apply_rows(&mut x).unwrap();
        for j in 0..2 {
            let col = x.column(j);
            let mean = col.sum() / 4.0;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 4.0;
            assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        }
        assert!(x.column(2).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn fit_apply_leaves_raw_pixels_alone_and_scales_other_kinds() {
        let original = array![[1.0, 10.0], [3.0, 30.0]];
        let mut raw = original.clone();
        assert_eq!(fit_apply(FeatureKind::Raw, &mut raw).unwrap(), None);
        assert_eq!(raw, original);
        let mut hog = original.clone();
        let s = fit_apply(FeatureKind::Hog, &mut hog).unwrap().unwrap();
        assert_eq!(s.mean, [2.0, 20.0]);
        assert_eq!(hog, array![[-1.0, -1.0], [1.0, 1.0]]);
    }

    #[test]
    fn validate_names_the_problem() {
        let s = Standardizer { mean: vec![0.0, 1.0], std: vec![1.0, 2.0] };
        assert!(s.validate(2).is_ok());
        assert!(s.validate(3).unwrap_err().to_string().contains("mean has 2 values, expected 3"));
        let s = Standardizer { mean: vec![0.0, 1.0], std: vec![1.0] };
        assert!(s.validate(2).unwrap_err().to_string().contains("std has 1 values"));
        let s = Standardizer { mean: vec![0.0, f64::NAN], std: vec![1.0, 1.0] };
        assert!(s.validate(2).unwrap_err().to_string().contains("mean[1] is not a finite"));
        let s = Standardizer { mean: vec![0.0, 0.0], std: vec![1.0, 0.0] };
        assert!(s.validate(2).unwrap_err().to_string().contains("std[1] is 0"));
    }

    #[test]
    fn rejects_empty_data_and_wrong_lengths() {
        let empty = Array2::<f64>::zeros((0, 3));
        assert!(matches!(Standardizer::fit(empty.view()), Err(Error::Dataset(_))));
        let s = Standardizer { mean: vec![0.0; 2], std: vec![1.0; 2] };
        assert!(matches!(s.apply(&mut [1.0; 3]), Err(Error::MismatchedShapes { expected: 2, actual: 3, .. })));
    }
}
