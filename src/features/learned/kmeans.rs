//! k-means on whitened patches: seeded start, fixed iterations, empty clusters re-seeded.

use super::dot::{dot, dot_rows};
use crate::data::rng::Mt19937;
use crate::threads::Threads;

/// Rows assigned per chunk of work (a thread takes a contiguous run of chunks).
const ASSIGN_ROWS: usize = 256;

/// Every round of a [`Clustering`] here, on `threads`: the tests' way to run k-means whole.
#[cfg(test)]
pub(super) fn kmeans(
    points: &[f32],
    dp: usize,
    (k, iterations): (usize, usize),
    rng: &mut Mt19937,
    threads: Threads,
) -> Vec<f32> {
    let mut clustering = Clustering::start(points.to_vec(), dp, (k, iterations), rng);
    while !clustering.is_done() {
        clustering.round(threads);
    }
    clustering.into_centroids()
}

/// k-means over the rows of `points` (`dp` values each), a round at a time: centroids start at
/// k distinct rows drawn with `rng`, then `iterations` rounds of assigning each row to its
/// nearest centroid (the first on ties) and moving each centroid to its rows' mean. A centroid
/// left without rows takes the row farthest from its own centroid, the farthest first, so no
/// centroid is wasted.
///
/// The assignment step, nearly all the work, is per row ([`assign`]), so it can run anywhere:
/// on threads ([`Clustering::round`]) or on the page's helper workers, each holding some rows
/// ([`Clustering::assigned_elsewhere`]). The means are summed in row order on the caller's
/// thread ([`Clustering::update`]), so the centroids are the same bits on any count.
pub struct Clustering {
    points: Vec<f32>,
    dp: usize,
    k: usize,
    iterations: usize,
    done: usize,
    centroids: Vec<f32>,
    /// Each row's nearest centroid and its squared distance to it.
    assigned: Vec<(usize, f32)>,
}

impl Clustering {
    /// The centroids' seeded start (k distinct rows).
    pub(super) fn start(points: Vec<f32>, dp: usize, (k, iterations): (usize, usize), rng: &mut Mt19937) -> Self {
        let n = points.len() / dp;
        let mut order: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + rng.below(n - i);
            order.swap(i, j);
        }
        let centroids = order[..k].iter().flat_map(|&i| points[i * dp..(i + 1) * dp].iter().copied()).collect();
        Clustering { points, dp, k, iterations, done: 0, centroids, assigned: vec![(0, 0.0); n] }
    }

    /// True once every round has run.
    pub fn is_done(&self) -> bool {
        self.done >= self.iterations
    }

    /// Rounds run and in all.
    pub fn rounds(&self) -> (usize, usize) {
        (self.done, self.iterations)
    }

    /// Rows (patches) clustered, and values in each (padded).
    pub fn shape(&self) -> (usize, usize) {
        (self.assigned.len(), self.dp)
    }

    /// The centroids the current round assigns rows to.
    pub fn centroids(&self) -> &[f32] {
        &self.centroids
    }

    /// The values of rows `range`.
    pub fn rows(&self, range: std::ops::Range<usize>) -> &[f32] {
        &self.points[range.start * self.dp..range.end * self.dp]
    }

    /// Assigns rows `range` here.
    pub fn assign_here(&mut self, range: std::ops::Range<usize>) {
        let rows = &self.points[range.start * self.dp..range.end * self.dp];
        assign(rows, self.dp, &self.centroids, &mut self.assigned[range]);
    }

    /// Takes the assignments of rows `from..` computed elsewhere by [`assign`].
    pub fn assigned_elsewhere(&mut self, from: usize, assigned: &[(usize, f32)]) {
        self.assigned[from..from + assigned.len()].copy_from_slice(assigned);
    }

    /// A whole round here: every row assigned on `threads`, then the centroids moved.
    pub fn round(&mut self, threads: Threads) {
        let Clustering { points, dp, centroids, assigned, .. } = self;
        threads.for_each_chunk(assigned, ASSIGN_ROWS, |chunk, out| {
            assign(&points[chunk * ASSIGN_ROWS * *dp..], *dp, centroids, out);
        });
        self.update();
    }

    /// Moves each centroid to its rows' mean (summed in row order), re-seeding empty ones; ends
    /// the round.
    pub fn update(&mut self) {
        let (dp, k, n) = (self.dp, self.k, self.assigned.len());
        let mut sums = vec![0.0f64; k * dp];
        let mut counts = vec![0usize; k];
        for (point, &(j, _)) in self.points.chunks_exact(dp).zip(&self.assigned) {
            counts[j] += 1;
            sums[j * dp..(j + 1) * dp].iter_mut().zip(point).for_each(|(s, &v)| *s += f64::from(v));
        }
        let mut taken = vec![false; n];
        for j in 0..k {
            let centroid = &mut self.centroids[j * dp..(j + 1) * dp];
            if counts[j] > 0 {
                let m = counts[j] as f64;
                centroid.iter_mut().zip(&sums[j * dp..(j + 1) * dp]).for_each(|(c, &s)| *c = (s / m) as f32);
                continue;
            }
            let assigned = &self.assigned;
            let far = (0..n).filter(|&i| !taken[i]).fold(None, |best: Option<usize>, i| match best {
                Some(b) if assigned[b].1 >= assigned[i].1 => Some(b),
                _ => Some(i),
            });
            if let Some(i) = far {
                taken[i] = true;
                centroid.copy_from_slice(&self.points[i * dp..(i + 1) * dp]);
            }
        }
        self.done += 1;
    }

    /// The centroids, once every round has run.
    pub fn into_centroids(self) -> Vec<f32> {
        self.centroids
    }
}

/// Assigns the first `out.len()` rows of `rows` (`dp` values each) to their nearest centroid
/// (the first on ties), with the squared distance, the same bits wherever it runs.
pub fn assign(rows: &[f32], dp: usize, centroids: &[f32], out: &mut [(usize, f32)]) {
    let norms: Vec<f32> = centroids.chunks_exact(dp).map(|c| dot(c, c)).collect();
    let mut dots = vec![0.0f32; norms.len()];
    for (point, slot) in rows.chunks_exact(dp).zip(out.iter_mut()) {
        dot_rows(point, centroids, &mut dots);
        let (mut best, mut best_d) = (0, f32::INFINITY);
        for (j, (&pc, &cc)) in dots.iter().zip(&norms).enumerate() {
            let dist = cc - 2.0 * pc;
            if dist < best_d {
                (best, best_d) = (j, dist);
            }
        }
        *slot = (best, dot(point, point) + best_d);
    }
}
