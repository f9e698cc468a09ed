//! The fast objective: the tutorial's cost and gradients computed straight from `u8` pixels,
//! reading each photo once per iteration, in integers.
//!
//! Each byte `q` stands for the feature `scale * q + offset` (for photos `q / 255`), and the
//! scale is folded into the weights, so no float copy of the photos exists. Photos go through in
//! groups of [`GROUP`]: one pass over the weights, rounded to 16-bit integers (see [`Weights`]),
//! gives the logits of the group as integer dot products; then, while the group's bytes are
//! still in cache, one pass adds `(a - y) q` of all of them into an integer gradient block, with
//! `a - y` rounded to a multiple of 1/[`DZ_UNITS`], each photo's rounding carried into the next
//! within a block of [`BLOCK`] photos, so that a block's sum stays within half a unit. Each
//! block's sums are a [`Partial`], added in block order (see [`blocks`]), so the numbers are the
//! same on any number of threads. Integer sums do not depend on their order, so the wasm SIMD128
//! code and the plain Rust (native, or wasm without SIMD) give the same numbers (only the float64
//! `exp` and `ln_1p` of each photo's cost come from different maths libraries).

use std::ops::Range;

use crate::data::dataset::Dataset;
use crate::model::{example_cost, sigmoid, Gradients, Model};
use crate::threads::Threads;
use crate::train::blocks::{self, block_range, Blocked, Partial};
use crate::train::optimize::{check_rows, Objective};
use crate::train::shard::{self, ShardRows};
use crate::{Error, Result};

/// Bytes handled per step (one 128-bit vector); rows are padded with zeros to a multiple of this.
pub const CHUNK: usize = 16;
/// Photos whose logits and gradient contributions are computed in one pass over the weights.
pub const GROUP: usize = 4;
/// Photos whose integer gradient sums are added into the float64 total at once (the blocks of
/// [`blocks`]): each adds at most 255 * 32767 to an `i32`, and 256 of them stay below 2^31.
pub const BLOCK: usize = blocks::BLOCK;
/// `a - y`, within (-1, 1), is rounded to a multiple of `1 / DZ_UNITS` for the gradient pass.
pub const DZ_UNITS: f64 = 32767.0;

/// Cost and gradients of logistic regression on byte-coded features, in integer sums.
pub struct FastObjective {
    levels: Vec<u8>,
    labels: Vec<u8>,
    features: usize,
    stride: usize,
    scale: f64,
    offset: f64,
    threads: Threads,
}

/// The running sums of one block.
#[derive(Default)]
struct Totals {
    cost: f64,
    /// Sum of the rounded `a - y`, in units of `1 / DZ_UNITS`.
    dz: i64,
    /// What rounding has left out of that sum so far, carried into the next photo's `a - y`.
    carry: f64,
}

impl FastObjective {
    /// The photos of a data set, each byte meaning `byte / 255` as in the tutorial.
    pub fn new(data: &Dataset) -> Result<Self> {
        Self::from_levels(data.pixels().to_vec(), data.labels(), crate::photo::PHOTO_BYTES, 1.0 / 255.0, 0.0)
    }

    /// Examples as rows of `features` bytes, byte `q` meaning `scale * q + offset`; labels 0 or 1.
    /// The rows are kept as given (no copy) when `features` is a multiple of [`CHUNK`].
    pub fn from_levels(levels: Vec<u8>, labels: &[u8], features: usize, scale: f64, offset: f64) -> Result<Self> {
        if features == 0 || levels.len() != labels.len() * features {
            return Err(Error::MismatchedShapes {
                what: "bytes of the examples",
                expected: labels.len() * features,
                actual: levels.len(),
            });
        }
        if labels.is_empty() {
            return Err(Error::Dataset("there are no examples".into()));
        }
        if let Some(bad) = labels.iter().find(|&&l| l > 1) {
            return Err(Error::BadLabel(*bad));
        }
        if !(scale.is_finite() && offset.is_finite()) {
            return Err(Error::Setting(format!("the byte scale {scale} and offset {offset} must be finite")));
        }
        let stride = features.div_ceil(CHUNK) * CHUNK;
        Ok(FastObjective {
            levels: pad_rows(levels, features, stride),
            labels: labels.to_vec(),
            features,
            stride,
            scale,
            offset,
            threads: Threads::ONE,
        })
    }

    /// The same objective with its blocks, and its logits, spread over `threads` (the same
    /// numbers on any count).
    pub fn on(self, threads: Threads) -> Self {
        FastObjective { threads, ..self }
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
        Ok(self.logits(model)?.into_iter().map(|z| u8::from(sigmoid(z) > 0.5)).collect())
    }

    /// The most a logit can be off for `model`: each weight is rounded by at most half a step
    /// (see [`Weights`]), times 255 per byte. A photo's cost moves by at most as much, and its
    /// `a - y` by a quarter of it before its own rounding to 1/[`DZ_UNITS`].
    pub fn logit_error_bound(&self, model: &Model) -> f64 {
        let largest = model.w.iter().fold(0f64, |m, w| m.max((w * self.scale).abs()));
        self.features as f64 * 255.0 * largest / 32767.0 / 2.0
    }

    /// The weights `scale * w` as [`Weights`] padded to the stride, and the bias with the
    /// offset folded in.
    fn fold(&self, model: &Model) -> Result<(Weights, f64)> {
        if model.features() != self.features {
            return Err(Error::MismatchedShapes {
                what: "model weights",
                expected: self.features,
                actual: model.features(),
            });
        }
        let scaled: Vec<f64> = model.w.iter().map(|&w| w * self.scale).collect();
        Ok((Weights::new(&scaled, self.stride), model.b + self.offset * model.w.sum()))
    }

    /// The logit of each of the objective's own examples, for scoring without a float copy
    /// of the rows (accuracies, a held-out cost, the examples classified wrong).
    pub fn logits(&self, model: &Model) -> Result<Vec<f64>> {
        let (w, bias) = self.fold(model)?;
        let group = GROUP * self.stride;
        let groups = self.threads.map(self.len().div_ceil(GROUP), |g| {
            let (rows, count) =
                group_rows(&self.levels[g * group..((g + 1) * group).min(self.levels.len())], self.stride);
            let z = dots(&w, rows);
            (z, count)
        });
        Ok(groups.into_iter().flat_map(|(z, count)| z.into_iter().take(count).map(move |z| z + bias)).collect())
    }

    /// The labels of the examples, 0 or 1.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Each example's bytes (without the padding), in order.
    pub fn rows(&self) -> impl Iterator<Item = &[u8]> {
        self.levels.chunks_exact(self.stride).map(|row| &row[..self.features])
    }
}

impl Blocked for FastObjective {
    type Prepared = (Weights, f64);

    fn examples(&self) -> usize {
        self.labels.len()
    }

    fn features(&self) -> usize {
        self.features
    }

    fn prepare(&self, model: &Model) -> Result<(Weights, f64)> {
        self.fold(model)
    }

    /// The block's integer sums (exact, as floats: under 2^31 each) and its float64 cost. The
    /// rounding carry of `a - y` starts at zero in each block, so a block's sums do not depend on
    /// the blocks before it.
    fn block(&self, _: &Model, (w, bias): &(Weights, f64), block: usize) -> Partial {
        let range = block_range(self.labels.len(), block);
        let levels = &self.levels[range.start * self.stride..range.end * self.stride];
        let mut sums = vec![0i32; self.stride];
        let mut totals = Totals::default();
        run_block(w, *bias, levels, &self.labels[range], &mut sums, &mut totals);
        Partial {
            dw: sums[..self.features].iter().map(|&s| f64::from(s)).collect(),
            db: totals.dz as f64,
            cost: totals.cost,
        }
    }

    fn finish(&self, total: Partial, examples: usize) -> (Gradients, f64) {
        let (m, dz) = (examples as f64, total.db);
        let dw = total.dw.iter().map(|&g| (self.scale * g + self.offset * dz) / (DZ_UNITS * m)).collect();
        (Gradients { dw, db: dz / (DZ_UNITS * m) }, total.cost / m)
    }
}

impl Objective for FastObjective {
    fn features(&self) -> usize {
        self.features
    }

    fn examples(&self) -> usize {
        self.labels.len()
    }

    fn partials(&self, model: &Model, blocks: Range<usize>) -> Result<Vec<Partial>> {
        blocks::partials_of(self, model, blocks, self.threads)
    }

    fn propagate_from(&self, _: &Model, partials: &[Partial]) -> Result<(Gradients, f64)> {
        blocks::finish_all(self, partials)
    }

    /// The weights' and the bias's sums are integers (`block`), under 2^31 a block, so adding
    /// them up is exact while a run has fewer than 2^22 blocks.
    fn exact_sums(&self) -> bool {
        true
    }

    /// Written straight from the photos' bytes: a shard of 10,000 photos' is tens of MB.
    fn shard_message(&self, rows: Range<usize>) -> Result<Vec<u8>> {
        check_rows(&rows, self.labels.len())?;
        let levels = self.levels[rows.start * self.stride..rows.end * self.stride].chunks_exact(self.stride);
        Ok(shard::bytes_message(&self.labels[rows], levels, self.features, (self.scale, self.offset)))
    }

    fn shard(&self, rows: Range<usize>) -> Result<ShardRows> {
        check_rows(&rows, self.labels.len())?;
        // Reserved to the byte (a collected flat_map would grow by doubling, and wasm memory
        // keeps whatever it grew to).
        let mut levels = Vec::with_capacity(rows.len() * self.features);
        for row in self.levels[rows.start * self.stride..rows.end * self.stride].chunks_exact(self.stride) {
            levels.extend_from_slice(&row[..self.features]);
        }
        let labels = self.labels[rows].to_vec();
        Ok(ShardRows::Bytes { levels, labels, features: self.features, scale: self.scale, offset: self.offset })
    }
}

/// Weights as 16-bit integers, `w ≈ step * units` with `step` the largest `|w|` / 32767, so the
/// logits are integer dot products of bytes: wasm's `i32x4.dot_i16x8_s` (x86's `pmaddwd`) does 8
/// multiplies and 4 adds at once, and no byte is converted to a float. Each weight is off by at
/// most half a step; on the tutorial's runs that moves the cost by under 1e-5 relative.
pub struct Weights {
    units: Vec<i16>,
    step: f64,
}

/// Bytes per integer partial sum: 256 * 255 * 32767 < 2^31, so an `i32` cannot overflow.
const SEGMENT: usize = 256;

impl Weights {
    /// Rounds `w`, padded with zeros to `stride`. This runs every iteration, so it avoids what
    /// wasm lacks as one instruction: `f64::max` and `round` are libm calls there, a comparison
    /// and `round_ties_even` (`f64.nearest`) are not.
    fn new(w: &[f64], stride: usize) -> Weights {
        let largest = w.iter().fold(0f64, |m, &v| if v.abs() > m { v.abs() } else { m });
        let step = if largest > 0.0 && largest.is_finite() { largest / 32767.0 } else { 1.0 };
        let (mut units, per_step) = (vec![0i16; stride], 1.0 / step);
        units
            .iter_mut()
            .zip(w)
            .for_each(|(u, &v)| *u = (v * per_step).round_ties_even().clamp(-32767.0, 32767.0) as i16);
        Weights { units, step }
    }

    /// `w · row` from its integer sum.
    #[inline(always)]
    fn combine(&self, sum: i64) -> f64 {
        self.step * sum as f64
    }
}

fn pad_rows(levels: Vec<u8>, features: usize, stride: usize) -> Vec<u8> {
    if features == stride {
        return levels;
    }
    let mut padded = vec![0u8; levels.len() / features * stride];
    padded
        .chunks_exact_mut(stride)
        .zip(levels.chunks_exact(features))
        .for_each(|(to, from)| to[..features].copy_from_slice(from));
    padded
}

/// One block of photos, with the widest vector instructions this machine has.
fn run_block(w: &Weights, bias: f64, levels: &[u8], labels: &[u8], block: &mut [i32], totals: &mut Totals) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just checked to support AVX2, the only requirement of this function.
        return unsafe { run_block_avx2(w, bias, levels, labels, block, totals) };
    }
    run_block_portable(w, bias, levels, labels, block, totals)
}

/// The same code compiled for AVX2: LLVM vectorises the integer sums 8 or 16 lanes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_block_avx2(w: &Weights, bias: f64, levels: &[u8], labels: &[u8], block: &mut [i32], totals: &mut Totals) {
    run_block_portable(w, bias, levels, labels, block, totals)
}

/// Logits, cost and gradient contributions of the photos in `levels`, `GROUP` at a time.
#[inline(always)]
fn run_block_portable(w: &Weights, bias: f64, levels: &[u8], labels: &[u8], block: &mut [i32], totals: &mut Totals) {
    let stride = w.units.len();
    for (rows, labels) in levels.chunks(GROUP * stride).zip(labels.chunks(GROUP)) {
        let (rows, count) = group_rows(rows, stride);
        let z = dots(w, rows);
        let dz = std::array::from_fn(|i| if i < count { totals.add(z[i] + bias, labels[i]) } else { 0 });
        accumulate(block, dz, rows);
    }
}

/// Up to `GROUP` consecutive rows as a full group, and how many are real: a short last group
/// repeats its last row (to be given no weight) rather than needing a second code path.
#[inline(always)]
fn group_rows(rows: &[u8], stride: usize) -> ([&[u8]; GROUP], usize) {
    let count = rows.len() / stride;
    (std::array::from_fn(|i| &rows[i.min(count - 1) * stride..][..stride]), count)
}

impl Totals {
    /// Adds one example's cost and `a - y`; returns `a - y` in units of `1 / DZ_UNITS`.
    #[inline(always)]
    fn add(&mut self, z: f64, label: u8) -> i16 {
        let y = f64::from(label);
        self.cost += example_cost(z, y);
        let exact = (sigmoid(z) - y) * DZ_UNITS + self.carry;
        let dz = exact.round_ties_even().clamp(-32767.0, 32767.0);
        self.carry = exact - dz;
        self.dz += dz as i64;
        dz as i16
    }
}

// `dots` and `accumulate` do the work; both versions give the same integer sums.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use portable::{accumulate, dots};
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use simd128::{accumulate, dots};

/// Plain Rust giving the SIMD128 code's integer sums: LLVM vectorises it natively.
#[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128"), allow(dead_code))]
mod portable {
    use super::{Weights, GROUP, SEGMENT};

    /// `w · row` for a group of rows at once, reading `w` once, as exact integer sums.
    #[inline(always)]
    pub(super) fn dots(w: &Weights, rows: [&[u8]; GROUP]) -> [f64; GROUP] {
        let n = w.units.len();
        let rows = rows.map(|r| &r[..n]);
        let mut total = [0i64; GROUP];
        for start in (0..n).step_by(SEGMENT) {
            let units = &w.units[start..(start + SEGMENT).min(n)];
            for g in 0..GROUP {
                let x = &rows[g][start..start + units.len()];
                total[g] += i64::from(x.iter().zip(units).map(|(&x, &u)| i32::from(u) * i32::from(x)).sum::<i32>());
            }
        }
        total.map(|t| w.combine(t))
    }

    /// `block += Σ dz[g] row[g]` for the group's rows, reading and writing `block` once.
    #[inline(always)]
    pub(super) fn accumulate(block: &mut [i32], dz: [i16; GROUP], rows: [&[u8]; GROUP]) {
        let rows = rows.map(|r| &r[..block.len()]);
        for (j, b) in block.iter_mut().enumerate() {
            let mut s = *b;
            for g in 0..GROUP {
                s += i32::from(dz[g]) * i32::from(rows[g][j]);
            }
            *b = s;
        }
    }
}

/// The same integer sums with wasm SIMD128: bytes are zero-extended to 16 bits and multiplied
/// pairwise with `i32x4.dot_i16x8_s` (x86's `pmaddwd`), 8 products per instruction.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use core::arch::wasm32::*;

    use super::{Weights, CHUNK, GROUP, SEGMENT};

    /// `w · row` for a group of rows at once: the portable code's integer sums, 8 products per step.
    #[inline(always)]
    pub(super) fn dots(w: &Weights, rows: [&[u8]; GROUP]) -> [f64; GROUP] {
        let n = w.units.len();
        // Checked once here so the loop's loads need no bounds checks of their own.
        assert!(n.is_multiple_of(CHUNK) && rows.iter().all(|r| r.len() >= n));
        let (units, rows) = (w.units.as_ptr(), rows.map(|r| r.as_ptr()));
        let mut total = [0i64; GROUP];
        for start in (0..n).step_by(SEGMENT) {
            let mut acc = [i32x4_splat(0); GROUP];
            let mut j = start;
            while j < (start + SEGMENT).min(n) {
                // SAFETY: j + CHUNK <= n, and `units` and every row hold at least n items;
                // `v128_load` reads unaligned memory.
                unsafe {
                    let units = [v128_load(units.add(j).cast()), v128_load(units.add(j + 8).cast())];
                    for g in 0..GROUP {
                        let x = v128_load(rows[g].add(j).cast());
                        let dot = i32x4_add(
                            i32x4_dot_i16x8(u16x8_extend_low_u8x16(x), units[0]),
                            i32x4_dot_i16x8(u16x8_extend_high_u8x16(x), units[1]),
                        );
                        acc[g] = i32x4_add(acc[g], dot);
                    }
                }
                j += CHUNK;
            }
            for g in 0..GROUP {
                total[g] += lanes(acc[g]);
            }
        }
        total.map(|t| w.combine(t))
    }

    /// Sum of the four `i32` lanes.
    #[inline(always)]
    fn lanes(v: v128) -> i64 {
        [i32x4_extract_lane::<0>(v), i32x4_extract_lane::<1>(v), i32x4_extract_lane::<2>(v), i32x4_extract_lane::<3>(v)]
            .map(i64::from)
            .iter()
            .sum()
    }

    /// `block += Σ dz[g] row[g]` for the group's rows. Two photos' bytes are interleaved, so one
    /// `i32x4.dot_i16x8_s` gives `dz[a] x[a][j] + dz[b] x[b][j]` for four features `j`.
    #[inline(always)]
    pub(super) fn accumulate(block: &mut [i32], dz: [i16; GROUP], rows: [&[u8]; GROUP]) {
        let n = block.len();
        assert!(n.is_multiple_of(CHUNK) && rows.iter().all(|r| r.len() >= n));
        let (sums, rows) = (block.as_mut_ptr(), rows.map(|r| r.as_ptr()));
        let pairs: [v128; GROUP / 2] = std::array::from_fn(|p| {
            let (a, b) = (dz[2 * p], dz[2 * p + 1]);
            i16x8(a, b, a, b, a, b, a, b)
        });
        let mut j = 0;
        while j < n {
            // SAFETY: j + CHUNK <= n, `block` and every row hold at least n items, and `block` is
            // borrowed mutably here; `v128_load`/`v128_store` access unaligned memory.
            unsafe {
                let mut s: [v128; 4] = std::array::from_fn(|k| v128_load(sums.add(j + 4 * k).cast()));
                for (p, &dz) in pairs.iter().enumerate() {
                    let a = v128_load(rows[2 * p].add(j).cast());
                    let b = v128_load(rows[2 * p + 1].add(j).cast());
                    let low = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(a, b);
                    let high = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(a, b);
                    let x = [
                        u16x8_extend_low_u8x16(low),
                        u16x8_extend_high_u8x16(low),
                        u16x8_extend_low_u8x16(high),
                        u16x8_extend_high_u8x16(high),
                    ];
                    for k in 0..4 {
                        s[k] = i32x4_add(s[k], i32x4_dot_i16x8(x[k], dz));
                    }
                }
                for (k, &sum) in s.iter().enumerate() {
                    v128_store(sums.add(j + 4 * k).cast(), sum);
                }
            }
            j += CHUNK;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::rng::Mt19937;
    use crate::model::propagate;
    use crate::train::optimize::F64Objective;
    use ndarray::{Array1, Array2};

    /// Random byte examples and the same examples as float64 rows for the reference.
    fn random_case(
        rng: &mut Mt19937,
        m: usize,
        n: usize,
        scale: f64,
        offset: f64,
    ) -> (Vec<u8>, Vec<u8>, Array2<f64>, Array1<f64>) {
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
        for (m, n) in [(1, 3), (5, 17), (67, 40), (130, 64), (301, 20)] {
            let (levels, labels, x, y) = random_case(&mut rng, m, n, 1.0 / 255.0, -0.5);
            let fast = FastObjective::from_levels(levels.clone(), &labels, n, 1.0 / 255.0, -0.5).unwrap();
            let model = random_model(&mut rng, n, 0.3);
            let (g, cost) = fast.propagate(&model).unwrap();
            let (r, reference) = propagate(&model, x.view(), y.view()).unwrap();
            let dz = fast.logit_error_bound(&model);
            assert!((cost - reference).abs() <= dz, "m={m} n={n}: {cost} vs {reference}");
            // With the carry, the rounded a - y of a block sum to within half a unit, and each is
            // within one.
            let db = dz / 4.0 + 0.5 * blocks::block_count(m) as f64 / (DZ_UNITS * m as f64);
            assert!((g.db - r.db).abs() <= db, "m={m}: db {} vs {}", g.db, r.db);
            let worst = g.dw.iter().zip(&r.dw).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(worst <= 0.5 * (dz / 4.0 + 1.0 / DZ_UNITS), "m={m} n={n}: dw differs by {worst}");
            let z = x.dot(&model.w) + model.b;
            let clear: Vec<usize> = (0..m).filter(|&i| z[i].abs() > dz).collect();
            let (ours, theirs) = (fast.predict(&model).unwrap(), model.predict(x.view()));
            assert!(clear.iter().all(|&i| ours[i] == theirs[i]), "m={m}: predictions differ away from the boundary");
        }
    }

    #[test]
    fn a_full_block_of_the_largest_terms_does_not_overflow() {
        // Every photo white, every label 1 and every logit very negative: each adds
        // -32767 * 255 to every integer sum, the most a block can hold.
        let n = 32;
        let fast = FastObjective::from_levels(vec![255; BLOCK * n], &[1; BLOCK], n, 1.0 / 255.0, 0.0).unwrap();
        let model = Model { w: Array1::from_elem(n, -10.0), b: 0.0 };
        let (g, _) = fast.propagate(&model).unwrap();
        assert!(g.dw.iter().all(|&d| (d + 1.0).abs() < 1e-4), "{:?}", &g.dw.as_slice().unwrap()[..4]);
        assert!((g.db + 1.0).abs() < 1e-4, "{}", g.db);
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
        let n = crate::photo::PHOTO_BYTES;
        let (levels, labels, x, y) = random_case(&mut rng, 70, n, 1.0 / 255.0, 0.0);
        let settings = crate::train::optimize::Settings { learning_rate: 0.005, iterations: 30, record_every: 1 };
        let fast = FastObjective::from_levels(levels.clone(), &labels, n, 1.0 / 255.0, 0.0).unwrap();
        let a = crate::train::optimize::optimize(Box::new(fast), Model::zeros(n), settings, |_, _| {}).unwrap();
        let b = crate::train::optimize::optimize(
            Box::new(F64Objective::new(x, y).unwrap()),
            Model::zeros(n),
            settings,
            |_, _| {},
        )
        .unwrap();
        for (i, (c, r)) in a.costs.iter().zip(&b.costs).enumerate() {
            assert!(relative(*c, *r) < 1e-5, "iteration {i}: {c} vs {r}");
        }
    }

    #[test]
    fn gradients_cost_and_logits_are_the_same_bits_on_any_number_of_threads() {
        let mut rng = Mt19937::new(12);
        let (m, n) = (1100, 70);
        let (levels, labels, _, _) = random_case(&mut rng, m, n, 1.0 / 255.0, -0.5);
        let model = random_model(&mut rng, n, 0.2);
        let on = |threads| {
            let fast = FastObjective::from_levels(levels.clone(), &labels, n, 1.0 / 255.0, -0.5).unwrap();
            let fast = fast.on(Threads::new(threads).unwrap());
            (fast.propagate(&model).unwrap(), fast.logits(&model).unwrap())
        };
        let one = on(1);
        (2..6).for_each(|t| assert_eq!(on(t), one, "{t} threads"));
    }

    #[test]
    fn a_shards_partials_are_the_whole_sets_blocks() {
        // What a page worker holding photos 512..1100 computes: the whole set's last blocks.
        let mut rng = Mt19937::new(13);
        let (m, n) = (1100, 40);
        let (levels, labels, _, _) = random_case(&mut rng, m, n, 1.0 / 255.0, 0.0);
        let model = random_model(&mut rng, n, 0.2);
        let whole = FastObjective::from_levels(levels.clone(), &labels, n, 1.0 / 255.0, 0.0).unwrap();
        let shards = blocks::shards(m, 2);
        let handed: Vec<Vec<Partial>> = shards
            .iter()
            .map(|s| {
                let part = levels[s.start * n..s.end * n].to_vec();
                let shard = FastObjective::from_levels(part, &labels[s.clone()], n, 1.0 / 255.0, 0.0).unwrap();
                blocks::partials(&shard, &model, Threads::ONE).unwrap()
            })
            .collect();
        let total = blocks::combine(n, handed.iter().flatten()).unwrap();
        assert_eq!(whole.finish(total, m), whole.propagate(&model).unwrap());
    }

    #[test]
    fn weights_are_rounded_to_half_a_step_of_the_largest() {
        let w = [0.7, -0.0123456789, 3.3e-7, 0.0, -0.7];
        let rounded = Weights::new(&w, 16);
        assert_eq!(rounded.step, 0.7 / 32767.0);
        for (j, &v) in w.iter().enumerate() {
            let back = rounded.combine(i64::from(rounded.units[j]));
            assert!((back - v).abs() <= rounded.step / 2.0, "{v} came back as {back}");
        }
        assert_eq!((rounded.units[0], rounded.units[4]), (32767, -32767));
        assert!(rounded.units[5..].iter().all(|&u| u == 0));
    }

    #[test]
    fn rejects_bad_shapes_and_labels() {
        let err = FastObjective::from_levels(vec![1, 2, 3], &[0, 1], 2, 1.0, 0.0).err().unwrap();
        assert!(matches!(err, Error::MismatchedShapes { expected: 4, actual: 3, .. }), "{err}");
        assert!(matches!(FastObjective::from_levels(vec![], &[], 2, 1.0, 0.0), Err(Error::Dataset(_))));
        assert!(matches!(FastObjective::from_levels(vec![1, 2], &[2], 2, 1.0, 0.0), Err(Error::BadLabel(2))));
        assert!(matches!(FastObjective::from_levels(vec![1, 2], &[1], 2, f64::NAN, 0.0), Err(Error::Setting(_))));
        let fast = FastObjective::from_levels(vec![1, 2], &[1], 2, 1.0, 0.0).unwrap();
        assert!(matches!(
            fast.propagate(&Model::zeros(3)),
            Err(Error::MismatchedShapes { expected: 2, actual: 3, .. })
        ));
        assert!(matches!(FastObjective::new(&Dataset::new()), Err(Error::Dataset(_))));
    }
}
