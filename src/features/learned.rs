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

use serde::{Deserialize, Serialize};

use crate::data::rng::Mt19937;
use crate::features::TrainingDefaults;
use crate::photo::{CHANNELS, PHOTO_BYTES, SIDE};
use crate::{Error, Result};

const SIDE_PX: usize = SIDE as usize;
/// Independent accumulators per dot product; rows are padded with zeros to a multiple of this.
const LANES: usize = 8;
/// Coates's contrast normalisation: `(x − mean) / sqrt(var + 10)` with pixels in 0..255.
const CONTRAST_FLOOR: f32 = 10.0;
/// Jacobi stops after this many sweeps even if rounding keeps the off-diagonal above its bound
/// (at these sizes it converges in about ten).
const MAX_SWEEPS: usize = 60;
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
        for (patch, out) in patches.chunks_exact_mut(dp).zip(white.chunks_exact_mut(dp)) {
            whiten(patch, &mean, &whitening, d, out);
        }
        drop(patches);
        let centroids = kmeans(&white, dp, params.centroids, params.iterations, &mut rng);
        Ok(Dictionary::new(*params, mean, whitening, centroids))
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
fn padded(d: usize) -> usize {
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

/// The lanes' sums added in one fixed tree.
fn combine(acc: [f32; LANES]) -> f32 {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Sum of `a`: value i goes to lane i mod 8.
fn sum(a: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let chunks = a.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..LANES {
            acc[l] += c[l];
        }
    }
    for (l, v) in rest.iter().enumerate() {
        acc[l] += v;
    }
    combine(acc)
}

/// Dot product of two rows of whole lanes: product i goes to lane i mod 8.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    combine(acc)
}

/// `out[j] = dot(a, row j of rows)`, four rows at a time (each sum in `dot`'s own order, so the
/// grouping only saves loads of `a`).
fn dot_rows(a: &[f32], rows: &[f32], out: &mut [f32]) {
    let w = a.len();
    let mut quads = rows.chunks_exact(4 * w);
    let mut outs = out.chunks_exact_mut(4);
    for (quad, o) in (&mut quads).zip(&mut outs) {
        let (r0, rest) = quad.split_at(w);
        let (r1, rest) = rest.split_at(w);
        let (r2, r3) = rest.split_at(w);
        o.copy_from_slice(&dots4(a, [r0, r1, r2, r3]));
    }
    for (o, row) in outs.into_remainder().iter_mut().zip(quads.remainder().chunks_exact(w)) {
        *o = dot(a, row);
    }
}

/// `dot(a, row)` for four rows of `a`'s length at once.
#[cfg_attr(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
fn dots4_portable(a: &[f32], rows: [&[f32]; 4]) -> [f32; 4] {
    let [r0, r1, r2, r3] = rows;
    let mut acc = [[0.0f32; LANES]; 4];
    for ((((x, y0), y1), y2), y3) in a
        .chunks_exact(LANES)
        .zip(r0.chunks_exact(LANES))
        .zip(r1.chunks_exact(LANES))
        .zip(r2.chunks_exact(LANES))
        .zip(r3.chunks_exact(LANES))
    {
        for l in 0..LANES {
            acc[0][l] += x[l] * y0[l];
            acc[1][l] += x[l] * y1[l];
            acc[2][l] += x[l] * y2[l];
            acc[3][l] += x[l] * y3[l];
        }
    }
    acc.map(combine)
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
use dots4_portable as dots4;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use simd128::dots4;
#[cfg(target_arch = "x86_64")]
use sse2::dots4;

/// SIMD128 by hand: LLVM's own vectorisation of the portable loop took 2.6 times as long in
/// wasm (docs/learned-features.md).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use core::arch::wasm32::*;

    use super::{combine, LANES};

    /// The portable `dots4`: lanes 0..4 of each sum in one `f32x4`, lanes 4..8 in another, the
    /// same products added in the same order, so the same bits.
    #[inline(always)]
    pub(super) fn dots4(a: &[f32], rows: [&[f32]; 4]) -> [f32; 4] {
        let n = a.len();
        // Checked once here so the loop's loads need no bounds checks of their own.
        assert!(n.is_multiple_of(LANES) && rows.iter().all(|r| r.len() >= n));
        let (x, rows) = (a.as_ptr(), rows.map(|r| r.as_ptr()));
        let (mut lo, mut hi) = ([f32x4_splat(0.0); 4], [f32x4_splat(0.0); 4]);
        let mut j = 0;
        while j < n {
            // SAFETY: j + LANES <= n and `a` and every row hold at least n values;
            // `v128_load` reads unaligned memory.
            unsafe {
                let (x0, x1) = (v128_load(x.add(j).cast()), v128_load(x.add(j + 4).cast()));
                for g in 0..4 {
                    lo[g] = f32x4_add(lo[g], f32x4_mul(x0, v128_load(rows[g].add(j).cast())));
                    hi[g] = f32x4_add(hi[g], f32x4_mul(x1, v128_load(rows[g].add(j + 4).cast())));
                }
            }
            j += LANES;
        }
        std::array::from_fn(|g| {
            let (l, h) = (lo[g], hi[g]);
            combine([
                f32x4_extract_lane::<0>(l),
                f32x4_extract_lane::<1>(l),
                f32x4_extract_lane::<2>(l),
                f32x4_extract_lane::<3>(l),
                f32x4_extract_lane::<0>(h),
                f32x4_extract_lane::<1>(h),
                f32x4_extract_lane::<2>(h),
                f32x4_extract_lane::<3>(h),
            ])
        })
    }
}

/// The same by hand in SSE2, which every x86_64 processor has (so no detection is needed); the
/// portable loop vectorised by LLVM ran slower natively than these lanes do in wasm.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use core::arch::x86_64::*;

    use super::{combine, LANES};

    /// The portable `dots4`: lanes 0..4 of each sum in one `__m128`, lanes 4..8 in another, the
    /// same products added in the same order (SSE2 has no fused multiply-add), so the same bits.
    #[inline(always)]
    pub(super) fn dots4(a: &[f32], rows: [&[f32]; 4]) -> [f32; 4] {
        let n = a.len();
        // Checked once here so the loop's loads need no bounds checks of their own.
        assert!(n.is_multiple_of(LANES) && rows.iter().all(|r| r.len() >= n));
        let (x, rows) = (a.as_ptr(), rows.map(|r| r.as_ptr()));
        let mut out = [0.0f32; 4];
        // SAFETY: SSE2 is part of x86_64; j + LANES <= n and `a` and every row hold at least n
        // values; the loads and stores are unaligned ones.
        unsafe {
            let (mut lo, mut hi) = ([_mm_setzero_ps(); 4], [_mm_setzero_ps(); 4]);
            let mut j = 0;
            while j < n {
                let (x0, x1) = (_mm_loadu_ps(x.add(j)), _mm_loadu_ps(x.add(j + 4)));
                for g in 0..4 {
                    lo[g] = _mm_add_ps(lo[g], _mm_mul_ps(x0, _mm_loadu_ps(rows[g].add(j))));
                    hi[g] = _mm_add_ps(hi[g], _mm_mul_ps(x1, _mm_loadu_ps(rows[g].add(j + 4))));
                }
                j += LANES;
            }
            for g in 0..4 {
                let mut lanes = [0.0f32; LANES];
                _mm_storeu_ps(lanes.as_mut_ptr(), lo[g]);
                _mm_storeu_ps(lanes.as_mut_ptr().add(4), hi[g]);
                out[g] = combine(lanes);
            }
        }
        out
    }
}

/// Mean of each of the `dp` columns over `n` rows, in f64.
fn column_means(rows: &[f32], n: usize, dp: usize) -> Vec<f64> {
    let mut mean = vec![0.0f64; dp];
    for row in rows.chunks_exact(dp) {
        mean.iter_mut().zip(row).for_each(|(m, &v)| *m += f64::from(v));
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    mean
}

/// The ZCA whitening matrix `V diag(1/√(λ + ε)) Vᵀ` (d×d, row-major) of the rows' covariance.
fn zca(rows: &[f32], mean: &[f64], n: usize, d: usize, epsilon: f64) -> Vec<f64> {
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
fn scaled_outer(v: &[f64], g: &[f64], d: usize) -> Vec<f64> {
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
fn symmetric_eigen(a: &mut [f64], d: usize) -> (Vec<f64>, Vec<f64>) {
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

/// k-means over the rows of `points` (`dp` values each): centroids start at k distinct rows
/// drawn with `rng`, then `iterations` rounds of assigning each row to its nearest centroid (the
/// first on ties) and moving each centroid to its rows' mean. A centroid left without rows takes
/// the row farthest from its own centroid, the farthest first, so no centroid is wasted.
fn kmeans(points: &[f32], dp: usize, k: usize, iterations: usize, rng: &mut Mt19937) -> Vec<f32> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> LearnedParams {
        LearnedParams {
            side: 16,
            patch: 4,
            stride: 2,
            centroids: 8,
            grid: 2,
            epsilon: 0.1,
            patches: 400,
            iterations: 5,
        }
    }

    /// Seeded photos with some structure: a gradient, stripes and noise that vary per photo.
    fn photos(count: u32) -> Vec<Vec<u8>> {
        (0..count)
            .map(|s| {
                let mut rng = Mt19937::new(s);
                (0..PHOTO_BYTES)
                    .map(|i| {
                        let (x, y, c) = ((i / 3) % 64, i / 192, i % 3);
                        let stripe = if (x / (2 + s as usize % 5) + y / 7).is_multiple_of(2) { 90 } else { 0 };
                        ((x * (c + 1) + y) % 120 + stripe + rng.below(40)) as u8
                    })
                    .collect()
            })
            .collect()
    }

    fn learn(params: &LearnedParams) -> Dictionary {
        let photos = photos(6);
        Dictionary::learn(photos.iter().map(|p| p.as_slice()), params, 7).unwrap()
    }

    #[test]
    fn whitening_makes_a_samples_covariance_close_to_the_identity() {
        // Correlated 4-dimensional points: x = A·g for standard-ish g.
        let (n, d) = (4000, 4);
        let mut rng = Mt19937::new(3);
        let a = [[2.0, 0.0, 0.0, 0.0], [1.5, 0.5, 0.0, 0.0], [0.3, -1.0, 3.0, 0.0], [0.0, 0.2, 0.4, 0.1]];
        let mut rows = vec![0.0f32; n * padded(d)];
        for row in rows.chunks_exact_mut(padded(d)) {
            let g: Vec<f64> = (0..d).map(|_| (0..12).map(|_| rng.next_f64()).sum::<f64>() - 6.0).collect();
            for i in 0..d {
                row[i] = (0..d).map(|j| a[i][j] * g[j]).sum::<f64>() as f32 + 5.0;
            }
        }
        let mean = column_means(&rows, n, padded(d));
        // A tiny ε: whitening is then nearly exact, the covariance of W(x − m) nearly I.
        let w = zca(&rows, &mean, n, d, 1e-9);
        let white: Vec<f64> = rows
            .chunks_exact(padded(d))
            .flat_map(|r| {
                (0..d)
                    .map(|i| (0..d).map(|j| w[i * d + j] * (f64::from(r[j]) - mean[j])).sum::<f64>())
                    .collect::<Vec<_>>()
            })
            .collect();
        for i in 0..d {
            for j in 0..d {
                let c: f64 = white.chunks_exact(d).map(|r| r[i] * r[j]).sum::<f64>() / (n - 1) as f64;
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((c - expected).abs() < 1e-4, "covariance[{i}][{j}] = {c}");
            }
        }
        // ZCA's matrix is symmetric (a rotation back after scaling along the eigenvectors).
        for i in 0..d {
            for j in 0..d {
                assert!((w[i * d + j] - w[j * d + i]).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn jacobi_finds_the_eigenvalues_of_a_hand_made_matrix() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, ∓1)/√2.
        let (mut values, vectors) = symmetric_eigen(&mut [2.0, 1.0, 1.0, 2.0], 2);
        let v0 = [vectors[0], vectors[2]];
        assert!((v0[0].abs() - 0.5f64.sqrt()).abs() < 1e-12 && (v0[0].abs() - v0[1].abs()).abs() < 1e-12);
        values.sort_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-12 && (values[1] - 3.0).abs() < 1e-12, "{values:?}");
    }

    #[test]
    fn kmeans_on_hand_made_clusters_finds_them() {
        let centres = [[10.0f32, 0.0], [0.0, 10.0], [-10.0, -10.0]];
        let mut rng = Mt19937::new(1);
        let mut points = Vec::new();
        for i in 0..300 {
            let c = centres[i % 3];
            points.extend([c[0] + rng.next_f64() as f32 - 0.5, c[1] + rng.next_f64() as f32 - 0.5]);
            points.extend([0.0; 6]);
        }
        let found = kmeans(&points, 8, 3, 10, &mut Mt19937::new(5));
        for c in centres {
            let hit = found.chunks_exact(8).any(|f| (f[0] - c[0]).abs() < 0.2 && (f[1] - c[1]).abs() < 0.2);
            assert!(hit, "no centroid near {c:?}: {found:?}");
        }
    }

    #[test]
    fn kmeans_reseeds_an_empty_cluster_with_the_farthest_point() {
        // 39 identical points and an outlier at 100: both centroids start on the identical
        // points (with this seed), one gets every tie and the other nothing, so it moves to the
        // point farthest from its centroid, the outlier.
        let mut points = vec![0.0f32; 8 * 40];
        points[3 * 8] = 100.0;
        // After one round the first centroid is the mean of all 40 (2.5), the second the outlier.
        let found = kmeans(&points, 8, 2, 1, &mut Mt19937::new(0));
        let firsts: Vec<f32> = found.chunks_exact(8).map(|c| c[0]).collect();
        assert_eq!(firsts, [2.5, 100.0]);
    }

    #[test]
    fn the_triangle_activation_keeps_what_is_closer_than_average() {
        // Distances 1, 2, 6: mean 3, activations 2, 1, 0.
        let z = [1.0f32, 2.0, 6.0];
        let mean = sum(&z) / 3.0;
        assert_eq!(z.map(|zk| triangle(mean, zk)), [2.0, 1.0, 0.0]);
    }

    #[test]
    fn pooling_sums_each_quadrant() {
        // One centroid at the whitened origin, the others far: every position's activation for
        // the far ones is 0, and each quadrant's feature for the near one is the sum over its
        // positions. A photo of one colour makes every normalised patch 0, so every position has
        // the same activation a and each of the 4 quadrants sums (positions / 4) of them.
        let params = LearnedParams {
            side: 16,
            patch: 4,
            stride: 2,
            centroids: 3,
            grid: 2,
            epsilon: 0.1,
            patches: 3,
            iterations: 1,
        };
        let d = params.dim();
        let dp = padded(d);
        let mut identity = vec![0.0f32; d * dp];
        (0..d).for_each(|i| identity[i * dp + i] = 1.0);
        let mut centroids = vec![0.0f32; 3 * dp];
        centroids[dp] = 3.0;
        centroids[2 * dp] = 4.0;
        let dict = Dictionary::new(params, vec![0.0; dp], identity, centroids);
        let f = dict.extract(&vec![77; PHOTO_BYTES]).unwrap();
        // Distances 0, 3, 4: mean 7/3; activations 7/3, 0, 0. Positions 7 a side, quadrants
        // of 4x4, 4x3, 3x4 and 3x3 positions (rows and columns 0..3 | 4..6).
        let a = f64::from(7.0f32 / 3.0);
        let expected = [16.0 * a, 0.0, 0.0, 12.0 * a, 0.0, 0.0, 12.0 * a, 0.0, 0.0, 9.0 * a, 0.0, 0.0];
        assert_eq!(f.len(), 12);
        for (got, want) in f.iter().zip(expected) {
            assert!((got - want).abs() < 1e-4, "{f:?}");
        }
    }

    #[test]
    fn downscaling_averages_blocks() {
        let mut photo = vec![0u8; PHOTO_BYTES];
        // The top-left 2x2 block's red values 10, 20, 30, 41 average to 25.25.
        for (i, v) in [(0, 10), (1, 20), (64, 30), (65, 41)] {
            photo[i * 3] = v;
        }
        assert_eq!(downscale(&photo, 2)[0], 25.25);
        assert_eq!(downscale(&photo, 1)[3], 20.0);
    }

    #[test]
    fn the_vector_dots_are_the_portable_ones_to_the_bit() {
        let mut rng = Mt19937::new(4);
        let mut v = |n: usize| (0..n).map(|_| (rng.next_f64() as f32 - 0.5) * 300.0).collect::<Vec<f32>>();
        let (a, rows) = (v(112), v(4 * 112));
        let rows: Vec<&[f32]> = rows.chunks_exact(112).collect();
        let rows = [rows[0], rows[1], rows[2], rows[3]];
        assert_eq!(dots4(&a, rows).map(f32::to_bits), dots4_portable(&a, rows).map(f32::to_bits));
    }

    #[test]
    fn lane_sums_do_not_depend_on_how_rows_are_grouped() {
        let mut rng = Mt19937::new(9);
        let a: Vec<f32> = (0..24).map(|_| rng.next_f64() as f32 - 0.5).collect();
        let rows: Vec<f32> = (0..24 * 7).map(|_| rng.next_f64() as f32 * 100.0).collect();
        let mut out = vec![0.0; 7];
        dot_rows(&a, &rows, &mut out);
        for (o, row) in out.iter().zip(rows.chunks_exact(24)) {
            assert_eq!(o.to_bits(), dot(&a, row).to_bits());
        }
    }

    #[test]
    fn learned_features_have_the_announced_length_and_are_seeded() {
        let params = small();
        let dict = learn(&params);
        let photo = &photos(7)[6];
        let f = dict.extract(photo).unwrap();
        assert_eq!(f.len(), dict.features());
        assert_eq!(dict.features(), 4 * 8);
        assert!(f.iter().all(|v| v.is_finite() && *v >= 0.0) && f.iter().any(|&v| v > 0.0));
        assert_eq!(learn(&params), dict);
        let other = Dictionary::learn(photos(6).iter().map(|p| p.as_slice()), &params, 8).unwrap();
        assert_ne!(other, dict);
    }

    #[test]
    fn a_dictionary_read_back_from_json_extracts_identically() {
        let dict = learn(&small());
        let json = serde_json::to_string(&dict).unwrap();
        let back: Dictionary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, dict);
        for photo in photos(3) {
            let (a, b) = (dict.extract(&photo).unwrap(), back.extract(&photo).unwrap());
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }

    #[test]
    fn the_centroid_picture_tiles_every_centroid() {
        let dict = learn(&small());
        let picture = dict.centroid_picture().unwrap();
        // 8 centroids in rows of 3: 3 x 3 tiles of 4 pixels with 1-pixel gaps.
        assert_eq!((picture.width, picture.height), (14, 14));
        assert_eq!(picture.rgba.len(), 14 * 14 * 4);
        // Each tile is stretched to the full range, so some channel of tile 0 reaches 255 and some 0.
        let tile: Vec<u8> = (0..4)
            .flat_map(|y| (0..4).flat_map(move |x| (0..3).map(move |c| (y * 14 + x) * 4 + c)))
            .map(|i| picture.rgba[i])
            .collect();
        assert!(tile.contains(&255) && tile.contains(&0));
    }

    #[test]
    fn rejects_bad_params() {
        let ok = small();
        assert!(ok.validate().is_ok());
        let cases = [
            LearnedParams { side: 24, ..ok },
            LearnedParams { side: 4, ..ok },
            LearnedParams { patch: 1, ..ok },
            LearnedParams { patch: 17, ..ok },
            LearnedParams { stride: 0, ..ok },
            LearnedParams { centroids: 0, ..ok },
            LearnedParams { grid: 0, ..ok },
            LearnedParams { grid: 8, ..ok },
            LearnedParams { epsilon: 0.0, ..ok },
            LearnedParams { epsilon: f64::NAN, ..ok },
            LearnedParams { patches: 7, ..ok },
            LearnedParams { iterations: 0, ..ok },
            LearnedParams { side: 64, patch: 16, patches: 200_000, ..ok },
        ];
        for params in cases {
            assert!(matches!(params.validate(), Err(Error::Setting(_))), "{params:?}");
            let photos = photos(1);
            assert!(matches!(
                Dictionary::learn(photos.iter().map(|p| p.as_slice()), &params, 0),
                Err(Error::Setting(_))
            ));
        }
    }

    #[test]
    fn rejects_no_photos_and_photos_of_the_wrong_size() {
        assert!(matches!(Dictionary::learn(std::iter::empty(), &small(), 0), Err(Error::Dataset(_))));
        let short = [0u8; 12];
        assert!(matches!(
            Dictionary::learn([&short[..]], &small(), 0),
            Err(Error::MismatchedShapes { actual: 12, .. })
        ));
        let dict = learn(&small());
        assert!(matches!(dict.extract(&short), Err(Error::MismatchedShapes { actual: 12, .. })));
    }

    #[test]
    fn rejects_dictionary_files_that_do_not_fit_their_params() {
        let dict = learn(&small());
        let mut value = serde_json::to_value(&dict).unwrap();
        value["centroids"].as_array_mut().unwrap().pop();
        assert!(serde_json::from_value::<Dictionary>(value).is_err());
        let mut value = serde_json::to_value(&dict).unwrap();
        value["params"]["patch"] = 5.into();
        assert!(serde_json::from_value::<Dictionary>(value).is_err());
        let mut value = serde_json::to_value(&dict).unwrap();
        value["mean"][0] = 1e300.into();
        assert!(serde_json::from_value::<Dictionary>(value).unwrap_err().to_string().contains("finite f32"));
    }
}
