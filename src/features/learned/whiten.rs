//! ZCA whitening: the covariance's eigenvectors by a cyclic Jacobi (plain arithmetic and square
//! roots, so the same on every target), and the matrices built from them.

use super::{padded, MAX_SWEEPS};

/// Mean of each of the `dp` columns over `n` rows, in f64.
pub(super) fn column_means(rows: &[f32], n: usize, dp: usize) -> Vec<f64> {
    let mut mean = vec![0.0f64; dp];
    for row in rows.chunks_exact(dp) {
        mean.iter_mut().zip(row).for_each(|(m, &v)| *m += f64::from(v));
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    mean
}

/// The ZCA whitening matrix `V diag(1/√(λ + ε)) Vᵀ` (d×d, row-major) of the rows' covariance.
pub(super) fn zca(rows: &[f32], mean: &[f64], n: usize, d: usize, epsilon: f64) -> Vec<f64> {
    let dp = padded(d);
    let mut cov = vec![0.0f64; d * d];
    let mut centred = vec![0.0f64; d];
    for row in rows.chunks_exact(dp) {
        centred.iter_mut().zip(row).zip(mean).for_each(|((c, &v), m)| *c = f64::from(v) - m);
        for i in 0..d {
            let ci = centred[i];
            cov[i * d + i..(i + 1) * d].iter_mut().zip(&centred[i..]).for_each(|(s, &cj)| *s += ci * cj);
        }
    }
    let scale = (n.max(2) - 1) as f64;
    for i in 0..d {
        for j in i..d {
            cov[i * d + j] /= scale;
            cov[j * d + i] = cov[i * d + j];
        }
    }
    let (values, vectors) = symmetric_eigen(&mut cov, d);
    let gains: Vec<f64> = values.iter().map(|&l| 1.0 / (l.max(0.0) + epsilon).sqrt()).collect();
    scaled_outer(&vectors, &gains, d)
}

/// `V diag(g) Vᵀ` for eigenvectors in the columns of `v` (d×d, row-major).
pub(super) fn scaled_outer(v: &[f64], g: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            out[i * d + j] = (0..d).map(|t| v[i * d + t] * g[t] * v[j * d + t]).sum();
        }
    }
    out
}

/// Eigenvalues and eigenvectors (the columns of the second, row-major) of the symmetric d×d
/// matrix `a`, by cyclic Jacobi rotations (Numerical Recipes' `jacobi`, §11.1); `a` is destroyed.
/// Sweeps stop once the off-diagonal's squares sum below 1e-30 of the diagonal's.
pub(super) fn symmetric_eigen(a: &mut [f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; d * d];
    (0..d).for_each(|i| v[i * d + i] = 1.0);
    for _ in 0..MAX_SWEEPS {
        let off: f64 =
            (0..d).flat_map(|i| (i + 1..d).map(move |j| (i, j))).map(|(i, j)| a[i * d + j] * a[i * d + j]).sum();
        let diag: f64 = (0..d).map(|i| a[i * d + i] * a[i * d + i]).sum();
        if off <= 1e-30 * diag || off == 0.0 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq == 0.0 {
                    continue;
                }
                // tan φ of the rotation that zeroes a[p][q]: the smaller root of t² + 2θt − 1.
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                let t = if theta.abs() > 1e150 {
                    0.5 / theta
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                a[p * d + q] = 0.0;
                a[q * d + p] = 0.0;
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}
