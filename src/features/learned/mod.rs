//! Learned features after Coates, Lee & Ng, "An Analysis of Single-Layer Networks in
//! Unsupervised Feature Learning", AISTATS 2011: small patches cut at random from the training
//! photos, each brightness- and contrast-normalised, ZCA-whitened, clustered by k-means; a photo's
//! features are the "triangle" activations of every patch in a stride-s convolution, sum-pooled
//! over a G×G grid.
//!
//! The same photo gives the same features natively and in wasm32, to the bit: every operation is
//! an IEEE-exact `+ − × ÷ sqrt` in a fixed order (no `exp`, `ln` or `powf`, whose libm may differ
//! between targets, and no fused multiply-add). The hot dot products run in `f32` over eight
//! independent lanes summed in one fixed tree, so any vectorisation computes the very same sums
//! as scalar code; the hand-written SIMD128 and SSE2 paths keep those lanes. (Checked by hand on
//! the shared photos: docs/learned-features.md.)
//!
//! The whitening needs the eigenvectors of a d×d covariance (d = 3·patch², 108 for 6x6 patches).
//! No LAPACK can be used in wasm32; this module chooses a cyclic Jacobi written here (some 40
//! lines of f64) over a pure-Rust crate such as nalgebra's
//! `SymmetricEigen`: it adds no dependency to the page's wasm, and its rotations are plain
//! arithmetic and square roots in a fixed order, so it is deterministic across targets by
//! construction, which a crate does not promise. No crate's size was measured.

mod dot;
pub mod kmeans;
mod whiten;

use serde::{Deserialize, Serialize};

use dot::{dot, dot_rows, sum};
#[cfg(test)]
use dot::{dots4, dots4_portable};
#[cfg(test)]
use kmeans::kmeans;
use kmeans::Clustering;
use whiten::{column_means, scaled_outer, symmetric_eigen, zca};

use crate::data::rng::Mt19937;
use crate::features::TrainingDefaults;
use crate::photo::{CHANNELS, PHOTO_BYTES, SIDE};
use crate::threads::Threads;
use crate::{Error, Result};

const SIDE_PX: usize = SIDE as usize;
/// Independent accumulators per dot product; rows are padded with zeros to a multiple of this.
const LANES: usize = 8;
/// Coates's contrast normalisation: `(x − mean) / sqrt(var + 10)` with pixels in 0..255.
const CONTRAST_FLOOR: f32 = 10.0;
/// Jacobi stops after this many sweeps even if rounding keeps the off-diagonal above its bound
/// (at these sizes it converges in about ten).
pub(super) const MAX_SWEEPS: usize = 60;
/// Upper bounds that keep memory and time finite whatever the settings say.
const MAX_PATCH: usize = 16;
const MAX_CENTROIDS: usize = 4096;
const MAX_PATCHES: usize = 400_000;
const MAX_ITERATIONS: usize = 1000;
/// At most this many f32 values of sampled patches (128 MB; twice that while they are whitened).
const MAX_PATCH_VALUES: usize = 1 << 25;

/// The sizes of the learned features and of their learning.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedParams {
    /// Side the 64x64 photo is box-averaged down to before anything else; divides 64.
    pub side: usize,
    /// Side of a square patch, in working pixels.
    pub patch: usize,
    /// Step between patches when a photo's features are computed.
    pub stride: usize,
    /// Number of k-means centroids (features per pooling cell).
    pub centroids: usize,
    /// The map of patch positions is sum-pooled into `grid`×`grid` cells (2: quadrants).
    pub grid: usize,
    /// ZCA whitening's ε, added to the covariance's eigenvalues (units of normalised patches).
    pub epsilon: f64,
    /// Patches sampled from the training photos to learn from.
    pub patches: usize,
    /// k-means iterations.
    pub iterations: usize,
}

// Equality is total on valid params (ε is a finite number), so the params can key a cache.
impl Eq for LearnedParams {}

impl std::hash::Hash for LearnedParams {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let LearnedParams { side, patch, stride, centroids, grid, epsilon, patches, iterations } = *self;
        (side, patch, stride, centroids, grid, epsilon.to_bits(), patches, iterations).hash(state);
    }
}

impl Default for LearnedParams {
    // The best mean held-out accuracy, concatenated with hog+color and trained with
    // `TRAINING_WITH_HOG_COLOR`, in two repetitions of stratified 5-fold cross-validation over
    // all 1,000 shared photos, among the sizes whose learning plus 1,000 photos' features fit in
    // 5 s of wasm: `cargo run --release --example cv -- ../shared/data/catsdogs` (its defaults are
    // the search's last round; docs/learned-features.md has the rounds before it and the timings).
    // 512 centroids, stride 1 or 8-pixel patches at this side did not fit the budget.
    fn default() -> Self {
        LearnedParams {
            side: 32,
            patch: 6,
            stride: 2,
            centroids: 256,
            grid: 2,
            epsilon: 0.01,
            patches: 20_000,
            iterations: 10,
        }
    }
}

/// Training settings for learned features followed by `hog+color` (standardised together), chosen
/// with the defaults above by the same cross-validation (1,000 iterations gave the same mean, so
/// the shorter run). Learned features alone cross-validated below `hog`, so the concatenation is
/// the combination to offer.
pub const TRAINING_WITH_HOG_COLOR: TrainingDefaults =
    TrainingDefaults { learning_rate: 0.01, iterations: 300, l2: 1000.0, flip: false };

impl LearnedParams {
    /// Rejects sizes the features cannot be learned or computed with.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Setting(m));
        if !(8..=SIDE_PX).contains(&self.side) || !SIDE_PX.is_multiple_of(self.side) {
            return bad(format!("the working side must be at least 8 and divide {SIDE_PX}, got {}", self.side));
        }
        if !(2..=MAX_PATCH.min(self.side)).contains(&self.patch) {
            return bad(format!("the patch must be 2 to {} pixels, got {}", MAX_PATCH.min(self.side), self.patch));
        }
        if !(1..=self.side).contains(&self.stride) {
            return bad(format!("the stride must be 1 to {} pixels, got {}", self.side, self.stride));
        }
        if !(1..=MAX_CENTROIDS).contains(&self.centroids) {
            return bad(format!("there must be 1 to {MAX_CENTROIDS} centroids, got {}", self.centroids));
        }
        if !(1..=self.positions()).contains(&self.grid) {
            return bad(format!(
                "the pooling grid must be 1 to {} cells a side (the patch positions a side), got {}",
                self.positions(),
                self.grid
            ));
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return bad(format!("the whitening epsilon must be a positive number, got {}", self.epsilon));
        }
        if !(self.centroids..=MAX_PATCHES).contains(&self.patches) {
            return bad(format!(
                "the patches sampled must be {} (the centroids) to {MAX_PATCHES}, got {}",
                self.centroids, self.patches
            ));
        }
        if self.patches * padded(self.dim()) > MAX_PATCH_VALUES {
            return bad(format!(
                "{} patches of {} values are too many: at most {MAX_PATCH_VALUES} values in all",
                self.patches,
                self.dim()
            ));
        }
        if !(1..=MAX_ITERATIONS).contains(&self.iterations) {
            return bad(format!("k-means needs 1 to {MAX_ITERATIONS} iterations, got {}", self.iterations));
        }
        Ok(())
    }

    /// Number of features a photo gives: grid² cells × centroids.
    pub fn features(&self) -> usize {
        self.grid * self.grid * self.centroids
    }

    /// Values in a patch: patch² × 3.
    fn dim(&self) -> usize {
        self.patch * self.patch * CHANNELS
    }

    /// Patch positions along one side of the working photo at `stride`.
    fn positions(&self) -> usize {
        (self.side.saturating_sub(self.patch)) / self.stride.max(1) + 1
    }

    /// Photo pixels per working pixel along one side.
    fn factor(&self) -> usize {
        SIDE_PX / self.side
    }
}

/// What was learned: the normalised patches' mean, the ZCA whitening matrix and the centroids,
/// with the sizes they were learned at. Stored rows are padded with zeros to whole lanes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DictionaryFile", into = "DictionaryFile")]
pub struct Dictionary {
    params: LearnedParams,
    /// d values + padding.
    mean: Vec<f32>,
    /// d rows of d values + padding, symmetric.
    whitening: Vec<f32>,
    /// `centroids` rows of d values + padding, in whitened space.
    centroids: Vec<f32>,
    /// The squared length of each centroid.
    norms: Vec<f32>,
}

/// How a dictionary is written: f64 values (each exactly an f32, so the round trip is exact),
/// rows without padding; reading checks every length and value.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DictionaryFile {
    params: LearnedParams,
    mean: Vec<f64>,
    whitening: Vec<f64>,
    centroids: Vec<f64>,
}

impl From<Dictionary> for DictionaryFile {
    fn from(dict: Dictionary) -> Self {
        let (d, dp) = (dict.params.dim(), padded(dict.params.dim()));
        let unpad = |rows: &[f32]| rows.chunks_exact(dp).flat_map(|r| r[..d].iter().map(|&v| f64::from(v))).collect();
        DictionaryFile {
            params: dict.params,
            mean: unpad(&dict.mean),
            whitening: unpad(&dict.whitening),
            centroids: unpad(&dict.centroids),
        }
    }
}

impl TryFrom<DictionaryFile> for Dictionary {
    type Error = Error;

    fn try_from(file: DictionaryFile) -> Result<Self> {
        file.params.validate()?;
        let (d, k) = (file.params.dim(), file.params.centroids);
        let pad = |what: &'static str, values: &[f64], rows: usize| -> Result<Vec<f32>> {
            if values.len() != rows * d {
                return Err(Error::MismatchedShapes { what, expected: rows * d, actual: values.len() });
            }
            if let Some(i) = values.iter().position(|v| !(v.is_finite() && v.abs() <= f64::from(f32::MAX))) {
                return Err(Error::Setting(format!("dictionary {what}[{i}] is not a finite f32 number")));
            }
            let mut out = vec![0.0; rows * padded(d)];
            for (to, from) in out.chunks_exact_mut(padded(d)).zip(values.chunks_exact(d)) {
                to[..d].iter_mut().zip(from).for_each(|(t, &f)| *t = f as f32);
            }
            Ok(out)
        };
        let mean = pad("dictionary mean", &file.mean, 1)?;
        let whitening = pad("dictionary whitening", &file.whitening, d)?;
        let centroids = pad("dictionary centroids", &file.centroids, k)?;
        Ok(Dictionary::new(file.params, mean, whitening, centroids))
    }
}

/// The centroids as a picture: RGBA rows, `width` × `height` pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentroidPicture {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width × height × 4` bytes, row after row, alpha 255 (the gaps between patches white).
    pub rgba: Vec<u8>,
}

/// A dictionary being learned a k-means round at a time, so the page can spread each round's
/// assignments over its workers (see `train::jobs`) and stay responsive between rounds; the
/// dictionary is the same bits however the rounds were computed.
pub struct Learning {
    params: LearnedParams,
    mean: Vec<f32>,
    whitening: Vec<f32>,
    clustering: Clustering,
}

impl Learning {
    /// Draws `params.patches` patches from `photos` with `seed` (photo, then row, then column,
    /// each uniform), normalises and whitens them (on `threads`), and seeds the centroids.
    pub fn start<'a>(
        photos: impl IntoIterator<Item = &'a [u8]>,
        params: &LearnedParams,
        seed: u32,
        threads: Threads,
    ) -> Result<Learning> {
        params.validate()?;
        let photos: Vec<&[u8]> = photos.into_iter().collect();
        if photos.is_empty() {
            return Err(Error::Dataset("learning features needs at least one photo".into()));
        }
        if let Some(bad) = photos.iter().find(|p| p.len() != PHOTO_BYTES) {
            return Err(Error::MismatchedShapes { what: "photo bytes", expected: PHOTO_BYTES, actual: bad.len() });
        }
        let (d, dp, n) = (params.dim(), padded(params.dim()), params.patches);
        let mut rng = Mt19937::new(seed);
        let mut patches = vec![0.0f32; n * dp];
        let offsets = params.side - params.patch + 1;
        for patch in patches.chunks_exact_mut(dp) {
            let photo = photos[rng.below(photos.len())];
            let (y, x) = (rng.below(offsets), rng.below(offsets));
            read_patch(photo, params, x, y, patch);
            normalise(patch, d);
        }
        let mean = column_means(&patches, n, dp);
        let whitening = zca(&patches, &mean, n, d, params.epsilon);
        let mean: Vec<f32> = mean.iter().map(|&m| m as f32).collect();
        let whitening: Vec<f32> = pad_rows(&whitening, d).iter().map(|&w| w as f32).collect();
        let mut white = vec![0.0f32; n * dp];
        threads.for_each_chunk(&mut white, dp, |i, out| {
            let mut patch = patches[i * dp..(i + 1) * dp].to_vec();
            whiten(&mut patch, &mean, &whitening, d, out);
        });
        drop(patches);
        let clustering = Clustering::start(white, dp, (params.centroids, params.iterations), &mut rng);
        Ok(Learning { params: *params, mean, whitening, clustering })
    }

    /// k-means rounds run, and in all.
    pub fn rounds(&self) -> (usize, usize) {
        self.clustering.rounds()
    }

    /// The k-means of the whitened patches, a round at a time.
    pub fn clustering(&mut self) -> &mut Clustering {
        &mut self.clustering
    }

    /// The dictionary, once every round has run (see [`Clustering::is_done`]).
    pub fn finish(self) -> Dictionary {
        Dictionary::new(self.params, self.mean, self.whitening, self.clustering.into_centroids())
    }
}

impl Dictionary {
    fn new(params: LearnedParams, mean: Vec<f32>, whitening: Vec<f32>, centroids: Vec<f32>) -> Dictionary {
        let norms = centroids.chunks_exact(padded(params.dim())).map(|c| dot(c, c)).collect();
        Dictionary { params, mean, whitening, centroids, norms }
    }

    /// Learns a dictionary from `photos` (12,288 bytes each): `params.patches` patches drawn with
    /// `seed` (photo, then row, then column, each uniform), normalised, whitened, clustered.
    pub fn learn<'a>(
        photos: impl IntoIterator<Item = &'a [u8]>,
        params: &LearnedParams,
        seed: u32,
    ) -> Result<Dictionary> {
        Self::learn_on(photos, params, seed, Threads::ONE)
    }

    /// [`Dictionary::learn`] with the whitening and k-means' assignment step spread over
    /// `threads`: each patch is whitened and assigned on its own, so the dictionary is the same
    /// bits on any count.
    pub fn learn_on<'a>(
        photos: impl IntoIterator<Item = &'a [u8]>,
        params: &LearnedParams,
        seed: u32,
        threads: Threads,
    ) -> Result<Dictionary> {
        let mut learning = Learning::start(photos, params, seed, threads)?;
        while !learning.clustering.is_done() {
            learning.clustering.round(threads);
        }
        Ok(learning.finish())
    }

    /// The sizes the dictionary was learned at.
    pub fn params(&self) -> &LearnedParams {
        &self.params
    }

    /// Number of features a photo gives.
    pub fn features(&self) -> usize {
        self.params.features()
    }

    /// The features of one photo (12,288 bytes): for each grid cell in row order, the sum over
    /// the patch positions in it of each centroid's triangle activation.
    pub fn extract(&self, pixels: &[u8]) -> Result<Vec<f64>> {
        if pixels.len() != PHOTO_BYTES {
            return Err(Error::MismatchedShapes { what: "photo bytes", expected: PHOTO_BYTES, actual: pixels.len() });
        }
        let p = &self.params;
        let (d, dp, k, n) = (p.dim(), padded(p.dim()), p.centroids, p.positions());
        let working = downscale(pixels, p.factor());
        let mut x = vec![0.0f32; n * n * dp];
        for (i, row) in x.chunks_exact_mut(dp).enumerate() {
            let (py, px) = ((i / n) * p.stride, (i % n) * p.stride);
            for (r, line) in row[..d].chunks_exact_mut(p.patch * CHANNELS).enumerate() {
                let from = ((py + r) * p.side + px) * CHANNELS;
                line.copy_from_slice(&working[from..from + p.patch * CHANNELS]);
            }
            normalise(row, d);
        }
        let mut u = vec![0.0f32; dp];
        let mut z = vec![0.0f32; k];
        let mut pooled = vec![0.0f64; p.features()];
        for (i, row) in x.chunks_exact_mut(dp).enumerate() {
            whiten(row, &self.mean, &self.whitening, d, &mut u);
            let uu = dot(&u, &u);
            dot_rows(&u, &self.centroids, &mut z);
            for (zk, &ck) in z.iter_mut().zip(&self.norms) {
                *zk = (uu + ck - 2.0 * *zk).max(0.0).sqrt();
            }
            let mean_z = sum(&z) / k as f32;
            let cell = ((i / n) * p.grid / n) * p.grid + (i % n) * p.grid / n;
            for (f, &zk) in pooled[cell * k..(cell + 1) * k].iter_mut().zip(&z) {
                *f += f64::from(triangle(mean_z, zk));
            }
        }
        Ok(pooled)
    }

    /// The centroids un-whitened back into RGB patches, each stretched to the full 0..255 range
    /// on its own, tiled in rows of ⌈√k⌉ with a one-pixel white gap.
    pub fn centroid_picture(&self) -> Result<CentroidPicture> {
        let p = &self.params;
        let (d, dp, k, s) = (p.dim(), padded(p.dim()), p.centroids, p.patch);
        // W is symmetric positive definite; W⁻¹ = V diag(1/w) Vᵀ from W's own eigenvectors.
        let mut w: Vec<f64> =
            self.whitening.chunks_exact(dp).flat_map(|r| r[..d].iter().map(|&v| f64::from(v))).collect();
        let (values, vectors) = symmetric_eigen(&mut w, d);
        let inverse =
            scaled_outer(&vectors, &values.iter().map(|&v| if v > 0.0 { 1.0 / v } else { 0.0 }).collect::<Vec<_>>(), d);
        let cols = (1..=k).find(|c| c * c >= k).unwrap_or(k);
        let rows = k.div_ceil(cols);
        let (width, height) = (cols * (s + 1) - 1, rows * (s + 1) - 1);
        let mut rgba = vec![255u8; width * height * 4];
        for (j, c) in self.centroids.chunks_exact(dp).enumerate() {
            let x: Vec<f64> = (0..d)
                .map(|i| (0..d).map(|t| inverse[i * d + t] * f64::from(c[t])).sum::<f64>() + f64::from(self.mean[i]))
                .collect();
            let (lo, hi) = x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            let span = if hi > lo { hi - lo } else { 1.0 };
            let (ox, oy) = ((j % cols) * (s + 1), (j / cols) * (s + 1));
            for (i, v) in x.iter().enumerate() {
                let (py, px, ch) = (i / (s * CHANNELS), (i / CHANNELS) % s, i % CHANNELS);
                rgba[((oy + py) * width + ox + px) * 4 + ch] = ((v - lo) / span * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
            }
        }
        Ok(CentroidPicture { width: width as u32, height: height as u32, rgba })
    }
}

/// `d` rounded up to whole lanes.
pub(super) fn padded(d: usize) -> usize {
    d.div_ceil(LANES) * LANES
}

/// Rows of `d` values padded with zeros to `padded(d)`.
fn pad_rows(values: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; values.len() / d * padded(d)];
    for (to, from) in out.chunks_exact_mut(padded(d)).zip(values.chunks_exact(d)) {
        to[..d].copy_from_slice(from);
    }
    out
}

/// One working pixel's channel: the mean of the `factor`×`factor` photo pixels it covers (the
/// integer sum is exact; one division rounds it).
fn box_value(pixels: &[u8], factor: usize, x: usize, y: usize, c: usize) -> f32 {
    let mut total = 0u32;
    for dy in 0..factor {
        let row = (y * factor + dy) * SIDE_PX;
        for dx in 0..factor {
            total += u32::from(pixels[(row + x * factor + dx) * CHANNELS + c]);
        }
    }
    total as f32 / (factor * factor) as f32
}

/// The photo at the working size, RGB interleaved, values 0..255.
fn downscale(pixels: &[u8], factor: usize) -> Vec<f32> {
    let side = SIDE_PX / factor;
    (0..side * side * CHANNELS)
        .map(|i| box_value(pixels, factor, (i / CHANNELS) % side, i / (CHANNELS * side), i % CHANNELS))
        .collect()
}

/// The patch whose top-left working pixel is (x, y), rows then columns then channels, into the
/// first d values of `out` (the same values `extract` reads from the downscaled photo).
fn read_patch(pixels: &[u8], params: &LearnedParams, x: usize, y: usize, out: &mut [f32]) {
    let s = params.patch;
    for (i, v) in out[..params.dim()].iter_mut().enumerate() {
        *v = box_value(pixels, params.factor(), x + (i / CHANNELS) % s, y + i / (s * CHANNELS), i % CHANNELS);
    }
}

/// Coates's brightness and contrast normalisation of the first `d` values, in place: subtract
/// their mean, divide by √(sample variance + 10). The padding stays 0.
fn normalise(patch: &mut [f32], d: usize) {
    let mean = sum(&patch[..d]) / d as f32;
    patch[..d].iter_mut().for_each(|v| *v -= mean);
    let var = dot(patch, patch) / (d - 1) as f32;
    let scale = (var + CONTRAST_FLOOR).sqrt();
    patch[..d].iter_mut().for_each(|v| *v /= scale);
}

/// `out = W (x − mean)`, padding 0; `x` is overwritten with `x − mean`.
fn whiten(x: &mut [f32], mean: &[f32], whitening: &[f32], d: usize, out: &mut [f32]) {
    x.iter_mut().zip(mean).for_each(|(v, m)| *v -= m);
    dot_rows(x, whitening, &mut out[..d]);
    out[d..].iter_mut().for_each(|v| *v = 0.0);
}

/// The triangle activation of one centroid: how much closer than average it is, or 0.
fn triangle(mean_distance: f32, distance: f32) -> f32 {
    (mean_distance - distance).max(0.0)
}

#[cfg(test)]
mod tests;
