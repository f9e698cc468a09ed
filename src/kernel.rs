//! The fast objective: the tutorial's cost and gradients computed straight from `u8` pixels,
//! reading each photo once per iteration.
//!
//! Each byte `q` stands for the feature `scale * q + offset` (for photos `q / 255`), and the
//! scale is folded into the weights, so no float copy of the photos exists. Photos go through in
//! groups of [`GROUP`]: one pass over the weights gives the logits of the group as exact integer
//! dot products (see [`Weights`]), then, while the group's bytes are still in cache, one pass adds
//! `(a - y) q` of all of them into a float32 gradient block. Blocks of [`BLOCK`] photos are added
//! into a float64 total, so rounding does not grow with the number of photos. Both passes are
//! written once with wasm SIMD128 intrinsics and once in plain Rust (native, or wasm without
//! SIMD) adding in the same order, so both give the same sums (only the float64 `exp` and `ln_1p`
//! of each photo's cost come from different maths libraries).

use crate::dataset::Dataset;
use crate::model::{example_cost, sigmoid, Gradients, Model};
use crate::train::Objective;
use crate::{Error, Result};

/// Float32 partial sums per example (one 128-bit vector).
pub const LANES: usize = 4;
/// Bytes handled per step (one 128-bit vector); rows are padded with zeros to a multiple of this.
pub const CHUNK: usize = 16;
/// Photos whose logits and gradient contributions are computed in one pass over the weights.
pub const GROUP: usize = 4;
/// Photos summed in float32 before their gradient is added into the float64 total.
pub const BLOCK: usize = 64;

/// Cost and gradients of logistic regression on byte-coded features, in float32.
pub struct FastObjective {
    levels: Vec<u8>,
    labels: Vec<u8>,
    features: usize,
    stride: usize,
    scale: f64,
    offset: f64,
}

/// The running float64 sums of one propagate.
#[derive(Default)]
struct Totals {
    cost: f64,
    dz: f64,
}

impl FastObjective {
    /// The photos of a data set, each byte meaning `byte / 255` as in the tutorial.
    pub fn new(data: &Dataset) -> Result<Self> {
        Self::from_levels(data.pixels().to_vec(), data.labels(), crate::image_prep::FEATURES, 1.0 / 255.0, 0.0)
    }

    /// Examples as rows of `features` bytes, byte `q` meaning `scale * q + offset`; labels 0 or 1.
    /// The rows are kept as given (no copy) when `features` is a multiple of [`CHUNK`].
    pub fn from_levels(levels: Vec<u8>, labels: &[u8], features: usize, scale: f64, offset: f64) -> Result<Self> {
        if features == 0 || levels.len() != labels.len() * features {
            return Err(Error::MismatchedShapes { what: "bytes of the examples", expected: labels.len() * features, actual: levels.len() });
        }
        if labels.is_empty() {
            return Err(Error::Dataset("there are no examples".into()));
        }
        if let Some(bad) = labels.iter().find(|&&l| l > 1) {
            return Err(Error::Label(format!("label {bad} is neither 0 nor 1")));
        }
        if !(scale.is_finite() && offset.is_finite()) {
            return Err(Error::Setting(format!("the byte scale {scale} and offset {offset} must be finite")));
        }
        let stride = features.div_ceil(CHUNK) * CHUNK;
        Ok(FastObjective { levels: pad_rows(levels, features, stride), labels: labels.to_vec(), features, stride, scale, offset })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always false: an objective has at least one example.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The tutorial's `predict` on the objective's own examples: 1 where the logit is above 0.
    pub fn predict(&self, model: &Model) -> Result<Vec<u8>> {
        let (w, bias) = self.fold(model)?;
        Ok(self.levels.chunks_exact(self.stride).map(|row| u8::from(sigmoid(dots::<1>(&w, [row])[0] + bias) > 0.5)).collect())
    }

    /// The weights `scale * w` as [`Weights`] padded to the stride, and the bias with the
    /// offset folded in.
    fn fold(&self, model: &Model) -> Result<(Weights, f64)> {
        if model.features() != self.features {
            return Err(Error::MismatchedShapes { what: "model weights", expected: self.features, actual: model.features() });
        }
        let scaled: Vec<f64> = model.w.iter().map(|&w| w * self.scale).collect();
        Ok((Weights::new(&scaled, self.stride), model.b + self.offset * model.w.sum()))
    }

    /// The logit of each of the objective's own examples, for scoring without a float copy
    /// of the rows (accuracies, a held-out cost, the examples classified wrong).
    pub fn logits(&self, model: &Model) -> Result<Vec<f64>> {
        let (w, bias) = self.fold(model)?;
        Ok(self.levels.chunks_exact(self.stride).map(|row| dots::<1>(&w, [row])[0] + bias).collect())
    }

    /// The labels of the examples, 0 or 1.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }
}

impl Objective for FastObjective {
    fn features(&self) -> usize {
        self.features
    }

    fn propagate(&self, model: &Model) -> Result<(Gradients, f64)> {
        let (w, bias) = self.fold(model)?;
        let mut grad = vec![0f64; self.stride];
        let mut block = vec![0f32; self.stride];
        let mut totals = Totals::default();
        let rows = self.levels.chunks(BLOCK * self.stride).zip(self.labels.chunks(BLOCK));
        for (levels, labels) in rows {
            block.fill(0.0);
            run_block(&w, bias, levels, labels, &mut block, &mut totals);
            grad.iter_mut().zip(&block).for_each(|(g, &b)| *g += f64::from(b));
        }
        let m = self.len() as f64;
        let dw = grad[..self.features].iter().map(|&g| (self.scale * g + self.offset * totals.dz) / m).collect();
        Ok((Gradients { dw, db: totals.dz / m }, totals.cost / m))
    }
}

/// Weights as two 16-bit integers each, `w ≈ step * (hi + lo / 2^15)` (30 bits, closer than
/// float32), so the logits are exact integer dot products of bytes: wasm's `i32x4.dot_i16x8_s`
/// (x86's `pmaddwd`) does 8 multiplies and 4 adds at once, and no byte is converted to a float.
pub struct Weights {
    hi: Vec<i16>,
    lo: Vec<i16>,
    step: f64,
}

/// Bytes per integer partial sum: 256 * 255 * 32767 < 2^31, so an `i32` cannot overflow.
const SEGMENT: usize = 256;

impl Weights {
    /// Splits `w`, padded with zeros to `stride`.
    fn new(w: &[f64], stride: usize) -> Weights {
        let largest = w.iter().fold(0f64, |m, &v| m.max(v.abs()));
        let step = if largest > 0.0 && largest.is_finite() { largest / 32767.0 } else { 1.0 };
        let (mut hi, mut lo) = (vec![0i16; stride], vec![0i16; stride]);
        for (j, &v) in w.iter().enumerate() {
            let units = (v / step).clamp(-32767.0, 32767.0);
            let high = units.round();
            // |units - high| <= 1/2, so the remainder in 1/2^15 units is within ±16384.
            hi[j] = high as i16;
            lo[j] = ((units - high) * 32768.0).round() as i16;
        }
        Weights { hi, lo, step }
    }

    /// `w · row` from the two exact integer sums.
    #[inline(always)]
    fn combine(&self, hi: i64, lo: i64) -> f64 {
        self.step * (hi as f64 + lo as f64 / 32768.0)
    }
}

fn pad_rows(levels: Vec<u8>, features: usize, stride: usize) -> Vec<u8> {
    if features == stride {
        return levels;
    }
    let mut padded = vec![0u8; levels.len() / features * stride];
    padded.chunks_exact_mut(stride).zip(levels.chunks_exact(features)).for_each(|(to, from)| to[..features].copy_from_slice(from));
    padded
}

/// One block of photos, with the widest vector instructions this machine has.
fn run_block(w: &Weights, bias: f64, levels: &[u8], labels: &[u8], block: &mut [f32], totals: &mut Totals) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just checked to support AVX2, the only requirement of this function.
        return unsafe { run_block_avx2(w, bias, levels, labels, block, totals) };
    }
    run_block_portable(w, bias, levels, labels, block, totals)
}

/// The same code compiled for AVX2: LLVM vectorises the lanes 8 floats at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_block_avx2(w: &Weights, bias: f64, levels: &[u8], labels: &[u8], block: &mut [f32], totals: &mut Totals) {
    run_block_portable(w, bias, levels, labels, block, totals)
}

/// Logits, cost and gradient contributions of the photos in `levels`, `GROUP` at a time.
#[inline(always)]
fn run_block_portable(w: &Weights, bias: f64, levels: &[u8], labels: &[u8], block: &mut [f32], totals: &mut Totals) {
    let stride = w.hi.len();
    let grouped = labels.len() / GROUP * GROUP;
    for (rows, labels) in levels[..grouped * stride].chunks_exact(GROUP * stride).zip(labels.chunks_exact(GROUP)) {
        let rows: [&[u8]; GROUP] = std::array::from_fn(|i| &rows[i * stride..(i + 1) * stride]);
        let z = dots(w, rows);
        let dz = std::array::from_fn(|i| totals.add(z[i] + bias, labels[i]));
        accumulate(block, dz, rows);
    }
    for (row, &label) in levels[grouped * stride..].chunks_exact(stride).zip(&labels[grouped..]) {
        let z = dots(w, [row])[0];
        let dz = totals.add(z + bias, label);
        accumulate(block, [dz], [row]);
    }
}

impl Totals {
    /// Adds one example's cost and `a - y`; returns `a - y` for its gradient.
    #[inline(always)]
    fn add(&mut self, z: f64, label: u8) -> f32 {
        let y = f64::from(label);
        self.cost += example_cost(z, y);
        let dz = sigmoid(z) - y;
        self.dz += dz;
        dz as f32
    }
}

// `dots` and `accumulate` do the work; both versions add in the same order.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use portable::{accumulate, dots};
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use simd128::{accumulate, dots};

/// Plain Rust in the order the SIMD128 code adds: LLVM vectorises it natively.
#[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128"), allow(dead_code))]
mod portable {
    use super::{Weights, CHUNK, SEGMENT};

    /// `w · row` for `G` rows at once, reading `w` once, as exact integer sums.
    #[inline(always)]
    pub(super) fn dots<const G: usize>(w: &Weights, rows: [&[u8]; G]) -> [f64; G] {
        let n = w.hi.len();
        let rows = rows.map(|r| &r[..n]);
        let mut total = [(0i64, 0i64); G];
        for start in (0..n).step_by(SEGMENT) {
            let end = (start + SEGMENT).min(n);
            let (hi, lo) = (&w.hi[start..end], &w.lo[start..end]);
            for g in 0..G {
                let x = &rows[g][start..end];
                let (mut h, mut l) = (0i32, 0i32);
                for ((&x, &hi), &lo) in x.iter().zip(hi).zip(lo) {
                    h += i32::from(hi) * i32::from(x);
                    l += i32::from(lo) * i32::from(x);
                }
                total[g].0 += i64::from(h);
                total[g].1 += i64::from(l);
            }
        }
        total.map(|(h, l)| w.combine(h, l))
    }

    /// `block += Σ dz[g] row[g]` for `G` rows, reading and writing `block` once.
    #[inline(always)]
    pub(super) fn accumulate<const G: usize>(block: &mut [f32], dz: [f32; G], rows: [&[u8]; G]) {
        let rows = rows.map(|r| &r[..block.len()]);
        for (j, bc) in block.chunks_exact_mut(CHUNK).enumerate() {
            for (i, b) in bc.iter_mut().enumerate() {
                let mut s = *b;
                for g in 0..G {
                    s += dz[g] * f32::from(rows[g][j * CHUNK + i]);
                }
                *b = s;
            }
        }
    }
}

/// The same sums with wasm SIMD128: 16 bytes become four `f32x4` (zero-extended, then a signed
/// conversion, exact for 0..=255 and one instruction on x86 where the unsigned one is not).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use core::arch::wasm32::*;

    use super::{Weights, CHUNK, LANES, SEGMENT};

    /// Loads 16 bytes. SAFETY of the `unsafe` inside: the slice is checked to hold 16 bytes, and
    /// `v128_load` reads unaligned memory, so the read stays inside the slice.
    #[inline(always)]
    fn load<T>(chunk: &[T]) -> v128 {
        assert_eq!(std::mem::size_of_val(chunk), 16);
        unsafe { v128_load(chunk.as_ptr().cast()) }
    }

    /// Bytes `x[4k..4k+4]` as floats, for k = 0..4.
    #[inline(always)]
    fn floats(x: v128) -> [v128; 4] {
        let (lo, hi) = (u16x8_extend_low_u8x16(x), u16x8_extend_high_u8x16(x));
        [u32x4_extend_low_u16x8(lo), u32x4_extend_high_u16x8(lo), u32x4_extend_low_u16x8(hi), u32x4_extend_high_u16x8(hi)]
            .map(|i| f32x4_convert_i32x4(i))
    }

    /// `w · row` for `G` rows at once: the portable code's integer sums, 8 products per step.
    #[inline(always)]
    pub(super) fn dots<const G: usize>(w: &Weights, rows: [&[u8]; G]) -> [f64; G] {
        let n = w.hi.len();
        let rows = rows.map(|r| &r[..n]);
        let mut total = [(0i64, 0i64); G];
        for start in (0..n).step_by(SEGMENT) {
            let mut acc = [(i32x4_splat(0), i32x4_splat(0)); G];
            for j in (start..(start + SEGMENT).min(n)).step_by(CHUNK) {
                let hi = [load(&w.hi[j..j + 8]), load(&w.hi[j + 8..j + 16])];
                let lo = [load(&w.lo[j..j + 8]), load(&w.lo[j + 8..j + 16])];
                for g in 0..G {
                    let x = load(&rows[g][j..j + CHUNK]);
                    let x = [u16x8_extend_low_u8x16(x), u16x8_extend_high_u8x16(x)];
                    let dot = |w: [v128; 2]| i32x4_add(i32x4_dot_i16x8(x[0], w[0]), i32x4_dot_i16x8(x[1], w[1]));
                    acc[g] = (i32x4_add(acc[g].0, dot(hi)), i32x4_add(acc[g].1, dot(lo)));
                }
            }
            for g in 0..G {
                total[g].0 += lanes(acc[g].0);
                total[g].1 += lanes(acc[g].1);
            }
        }
        total.map(|(h, l)| w.combine(h, l))
    }

    /// Sum of the four `i32` lanes.
    #[inline(always)]
    fn lanes(v: v128) -> i64 {
        [i32x4_extract_lane::<0>(v), i32x4_extract_lane::<1>(v), i32x4_extract_lane::<2>(v), i32x4_extract_lane::<3>(v)].map(i64::from).iter().sum()
    }

    /// `block += Σ dz[g] row[g]` for `G` rows, in the portable order.
    #[inline(always)]
    pub(super) fn accumulate<const G: usize>(block: &mut [f32], dz: [f32; G], rows: [&[u8]; G]) {
        let rows = rows.map(|r| &r[..block.len()]);
        let dz = dz.map(|d| f32x4_splat(d));
        for (j, bc) in block.chunks_exact_mut(CHUNK).enumerate() {
            // Photo by photo, so only four partial sums and one photo's floats are live at once.
            let mut s: [v128; 4] = std::array::from_fn(|k| load(&bc[LANES * k..LANES * (k + 1)]));
            for g in 0..G {
                let a = floats(load(&rows[g][j * CHUNK..(j + 1) * CHUNK]));
                for k in 0..4 {
                    s[k] = f32x4_add(s[k], f32x4_mul(dz[g], a[k]));
                }
            }
            for (k, out) in bc.chunks_exact_mut(LANES).enumerate() {
                // SAFETY: `out` is 4 floats (16 bytes) of `block`, borrowed mutably here.
                unsafe { v128_store(out.as_mut_ptr().cast(), s[k]) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::propagate;
    use crate::rng::Mt19937;
    use crate::train::F64Objective;
    use ndarray::{Array1, Array2};

    /// Random byte examples and the same examples as float64 rows for the reference.
    fn random_case(rng: &mut Mt19937, m: usize, n: usize, scale: f64, offset: f64) -> (Vec<u8>, Vec<u8>, Array2<f64>, Array1<f64>) {
        let levels: Vec<u8> = (0..m * n).map(|_| rng.below(256) as u8).collect();
        let labels: Vec<u8> = (0..m).map(|_| rng.below(2) as u8).collect();
        let x = Array2::from_shape_fn((m, n), |(i, j)| scale * f64::from(levels[i * n + j]) + offset);
        let y = labels.iter().map(|&l| f64::from(l)).collect();
        (levels, labels, x, y)
    }

    fn random_model(rng: &mut Mt19937, n: usize, size: f64) -> Model {
        Model { w: (0..n).map(|_| size * (2.0 * rng.next_f64() - 1.0)).collect(), b: size * (rng.next_f64() - 0.5) }
    }

    fn relative(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(1e-300)
    }

    #[test]
    fn matches_the_float64_reference_on_small_random_data() {
        let mut rng = Mt19937::new(7);
        // Sizes that exercise groups, remainders, blocks and row padding.
        for (m, n) in [(1, 3), (5, 17), (67, 40), (130, 64)] {
            let (levels, labels, x, y) = random_case(&mut rng, m, n, 1.0 / 255.0, -0.5);
            let fast = FastObjective::from_levels(levels.clone(), &labels, n, 1.0 / 255.0, -0.5).unwrap();
            let model = random_model(&mut rng, n, 0.3);
            let (g, cost) = fast.propagate(&model).unwrap();
            let (r, reference) = propagate(&model, x.view(), y.view()).unwrap();
            assert!(relative(cost, reference) < 1e-5, "m={m} n={n}: {cost} vs {reference}");
            assert!((g.db - r.db).abs() < 1e-6, "db {} vs {}", g.db, r.db);
            let worst = g.dw.iter().zip(&r.dw).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(worst < 1e-5, "m={m} n={n}: dw differs by {worst}");
            assert_eq!(fast.predict(&model).unwrap(), model.predict(x.view()));
        }
    }

    #[test]
    fn cost_is_never_nan_and_gradients_stay_finite() {
        // Property: for any bytes, labels and weights up to 1e6, the cost is finite and >= 0.
        let mut rng = Mt19937::new(11);
        for case in 0..200 {
            let (m, n) = (1 + rng.below(9), 1 + rng.below(40));
            let size = 10f64.powi(rng.below(13) as i32 - 6);
            let (levels, labels, _, _) = random_case(&mut rng, m, n, 1.0 / 255.0, 0.0);
            let fast = FastObjective::from_levels(levels.clone(), &labels, n, 1.0 / 255.0, 0.0).unwrap();
            let (g, cost) = fast.propagate(&random_model(&mut rng, n, size)).unwrap();
            assert!(cost.is_finite() && cost >= 0.0, "case {case}: cost {cost}");
            assert!(g.db.is_finite() && g.dw.iter().all(|v| v.is_finite()), "case {case}");
        }
    }

    #[test]
    fn trains_like_the_reference_on_photo_sized_rows() {
        let mut rng = Mt19937::new(3);
        let n = crate::image_prep::FEATURES;
        let (levels, labels, x, y) = random_case(&mut rng, 70, n, 1.0 / 255.0, 0.0);
        let settings = crate::train::Settings { learning_rate: 0.005, iterations: 30, record_every: 1 };
        let fast = FastObjective::from_levels(levels.clone(), &labels, n, 1.0 / 255.0, 0.0).unwrap();
        let a = crate::train::optimize(Box::new(fast), Model::zeros(n), settings, |_, _| {}).unwrap();
        let b = crate::train::optimize(Box::new(F64Objective::new(x, y).unwrap()), Model::zeros(n), settings, |_, _| {}).unwrap();
        for (i, (c, r)) in a.costs.iter().zip(&b.costs).enumerate() {
            assert!(relative(*c, *r) < 1e-5, "iteration {i}: {c} vs {r}");
        }
    }

    #[test]
    fn weights_split_into_two_integers_keep_30_bits() {
        let w = [0.7, -0.0123456789, 3.3e-7, 0.0, -0.7];
        let split = Weights::new(&w, 16);
        for (j, &v) in w.iter().enumerate() {
            let back = split.combine(i64::from(split.hi[j]), i64::from(split.lo[j]));
            assert!((back - v).abs() <= 0.7 * 1e-9, "{v} came back as {back}");
        }
        assert_eq!((split.hi[5..].iter().all(|&h| h == 0), split.lo[5..].iter().all(|&l| l == 0)), (true, true));
    }

    #[test]
    fn rejects_bad_shapes_and_labels() {
        let err = FastObjective::from_levels(vec![1, 2, 3], &[0, 1], 2, 1.0, 0.0).err().unwrap();
        assert!(matches!(err, Error::MismatchedShapes { expected: 4, actual: 3, .. }), "{err}");
        assert!(matches!(FastObjective::from_levels(vec![], &[], 2, 1.0, 0.0), Err(Error::Dataset(_))));
        assert!(matches!(FastObjective::from_levels(vec![1, 2], &[2], 2, 1.0, 0.0), Err(Error::Label(_))));
        assert!(matches!(FastObjective::from_levels(vec![1, 2], &[1], 2, f64::NAN, 0.0), Err(Error::Setting(_))));
        let fast = FastObjective::from_levels(vec![1, 2], &[1], 2, 1.0, 0.0).unwrap();
        assert!(matches!(fast.propagate(&Model::zeros(3)), Err(Error::MismatchedShapes { expected: 2, actual: 3, .. })));
        assert!(matches!(FastObjective::new(&Dataset::new()), Err(Error::Dataset(_))));
    }
}
