//! k-means on whitened patches: seeded start, fixed iterations, empty clusters re-seeded.

use super::dot::{dot, dot_rows};
use crate::data::rng::Mt19937;
use crate::threads::Threads;

/// Rows assigned per chunk of work (a thread takes a contiguous run of chunks).
const ASSIGN_ROWS: usize = 256;

/// k-means over the rows of `points` (`dp` values each): centroids start at k distinct rows
/// drawn with `rng`, then `iterations` rounds of assigning each row to its nearest centroid (the
/// first on ties) and moving each centroid to its rows' mean. A centroid left without rows takes
/// the row farthest from its own centroid, the farthest first, so no centroid is wasted.
///
/// The assignment step, nearly all the work, is spread over `threads`: each row's nearest
/// centroid is found on its own, and the means are summed in row order on the caller's thread,
/// so the centroids are the same bits on any count.
pub(super) fn kmeans(
    points: &[f32],
    dp: usize,
    (k, iterations): (usize, usize),
    rng: &mut Mt19937,
    threads: Threads,
) -> Vec<f32> {
    let n = points.len() / dp;
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + rng.below(n - i);
        order.swap(i, j);
    }
    let mut centroids: Vec<f32> =
        order[..k].iter().flat_map(|&i| points[i * dp..(i + 1) * dp].iter().copied()).collect();
    let self_norms: Vec<f32> = points.chunks_exact(dp).map(|p| dot(p, p)).collect();
    // Each row's nearest centroid and its squared distance to it.
    let mut assigned = vec![(0usize, 0.0f32); n];
    for _ in 0..iterations {
        let norms: Vec<f32> = centroids.chunks_exact(dp).map(|c| dot(c, c)).collect();
        threads.for_each_chunk(&mut assigned, ASSIGN_ROWS, |chunk, out| {
            let mut dots = vec![0.0f32; k];
            for (r, slot) in out.iter_mut().enumerate() {
                let i = chunk * ASSIGN_ROWS + r;
                dot_rows(&points[i * dp..(i + 1) * dp], &centroids, &mut dots);
                let (mut best, mut best_d) = (0, f32::INFINITY);
                for (j, (&pc, &cc)) in dots.iter().zip(&norms).enumerate() {
                    let dist = cc - 2.0 * pc;
                    if dist < best_d {
                        (best, best_d) = (j, dist);
                    }
                }
                *slot = (best, self_norms[i] + best_d);
            }
        });
        let mut sums = vec![0.0f64; k * dp];
        let mut counts = vec![0usize; k];
        for (point, &(j, _)) in points.chunks_exact(dp).zip(&assigned) {
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
                Some(b) if assigned[b].1 >= assigned[i].1 => Some(b),
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
