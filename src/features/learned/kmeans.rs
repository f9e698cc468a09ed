//! k-means on whitened patches: seeded start, fixed iterations, empty clusters re-seeded.

use super::dot::{dot, dot_rows};
use crate::data::rng::Mt19937;

/// k-means over the rows of `points` (`dp` values each): centroids start at k distinct rows
/// drawn with `rng`, then `iterations` rounds of assigning each row to its nearest centroid (the
/// first on ties) and moving each centroid to its rows' mean. A centroid left without rows takes
/// the row farthest from its own centroid, the farthest first, so no centroid is wasted.
pub(super) fn kmeans(points: &[f32], dp: usize, k: usize, iterations: usize, rng: &mut Mt19937) -> Vec<f32> {
    let n = points.len() / dp;
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + rng.below(n - i);
        order.swap(i, j);
    }
    let mut centroids: Vec<f32> =
        order[..k].iter().flat_map(|&i| points[i * dp..(i + 1) * dp].iter().copied()).collect();
    let self_norms: Vec<f32> = points.chunks_exact(dp).map(|p| dot(p, p)).collect();
    let mut dots = vec![0.0f32; k];
    let mut nearest = vec![0usize; n];
    let mut distance = vec![0.0f32; n];
    for _ in 0..iterations {
        let norms: Vec<f32> = centroids.chunks_exact(dp).map(|c| dot(c, c)).collect();
        for (i, point) in points.chunks_exact(dp).enumerate() {
            dot_rows(point, &centroids, &mut dots);
            let (mut best, mut best_d) = (0, f32::INFINITY);
            for (j, (&pc, &cc)) in dots.iter().zip(&norms).enumerate() {
                let dist = cc - 2.0 * pc;
                if dist < best_d {
                    (best, best_d) = (j, dist);
                }
            }
            nearest[i] = best;
            distance[i] = self_norms[i] + best_d;
        }
        let mut sums = vec![0.0f64; k * dp];
        let mut counts = vec![0usize; k];
        for (point, &j) in points.chunks_exact(dp).zip(&nearest) {
            counts[j] += 1;
            sums[j * dp..(j + 1) * dp].iter_mut().zip(point).for_each(|(s, &v)| *s += f64::from(v));
        }
        let mut taken = vec![false; n];
        for j in 0..k {
            let centroid = &mut centroids[j * dp..(j + 1) * dp];
            if counts[j] > 0 {
                let m = counts[j] as f64;
                centroid.iter_mut().zip(&sums[j * dp..(j + 1) * dp]).for_each(|(c, &s)| *c = (s / m) as f32);
                continue;
            }
            let far = (0..n).filter(|&i| !taken[i]).fold(None, |best: Option<usize>, i| match best {
                Some(b) if distance[b] >= distance[i] => Some(b),
                _ => Some(i),
            });
            if let Some(i) = far {
                taken[i] = true;
                centroid.copy_from_slice(&points[i * dp..(i + 1) * dp]);
            }
        }
    }
    centroids
}
