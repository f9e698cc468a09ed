//! Histogram of oriented gradients (HOG) of one prepared 64x64 RGB photo, after Dalal & Triggs,
//! "Histograms of Oriented Gradients for Human Detection", CVPR 2005: centred [-1, 0, 1]
//! gradients per channel keeping the strongest channel, unsigned orientations voted into bins
//! by magnitude, cells, and overlapping blocks of cells with L2-Hys normalisation.

use serde::{Deserialize, Serialize};

use crate::photo::{CHANNELS, PHOTO_BYTES, SIDE};
use crate::{Error, Result};

const SIDE_PX: usize = SIDE as usize;

/// Dalal & Triggs's L2-Hys clipping threshold: no normalised component may exceed 0.2.
const HYS_CLIP: f64 = 0.2;
/// The ε in `v / sqrt(‖v‖² + ε²)`, so a flat block (v = 0) stays 0 instead of dividing by 0.
const EPSILON: f64 = 1e-6;

/// Sizes of the HOG descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HogParams {
    /// Side of a square cell in pixels; must divide 64.
    pub cell: usize,
    /// Side of a square block in cells (blocks overlap, one cell apart).
    pub block: usize,
    /// Unsigned orientation bins over 0..180 degrees.
    pub bins: usize,
}

impl Default for HogParams {
    /// Dalal & Triggs's best for people: 8x8-pixel cells, 2x2-cell blocks, 9 bins.
    fn default() -> Self {
        HogParams { cell: 8, block: 2, bins: 9 }
    }
}

impl HogParams {
    /// Rejects sizes the descriptor cannot be computed with.
    pub fn validate(&self) -> Result<()> {
        if self.cell < 2 || !SIDE_PX.is_multiple_of(self.cell) {
            return Err(Error::Setting(format!(
                "the HOG cell must be at least 2 pixels and divide {SIDE_PX}, got {}",
                self.cell
            )));
        }
        if self.block == 0 || self.block > self.cells_per_side() {
            return Err(Error::Setting(format!(
                "the HOG block must be 1 to {} cells, got {}",
                self.cells_per_side(),
                self.block
            )));
        }
        if !(2..=36).contains(&self.bins) {
            return Err(Error::Setting(format!("HOG needs 2 to 36 orientation bins, got {}", self.bins)));
        }
        Ok(())
    }

    /// Cells along one side of the photo.
    pub fn cells_per_side(&self) -> usize {
        SIDE_PX / self.cell
    }

    /// Length of the descriptor: blocks × cells per block × bins.
    pub fn features(&self) -> usize {
        let blocks = self.cells_per_side() + 1 - self.block;
        blocks * blocks * self.block * self.block * self.bins
    }
}

/// The HOG descriptor of a 64x64 RGB photo (12,288 bytes, row-major), blocks in row order.
pub fn hog(pixels: &[u8], params: &HogParams) -> Result<Vec<f64>> {
    let cells = cell_histograms(pixels, params)?;
    Ok(normalise_blocks(&cells, params))
}

/// Per-cell orientation histograms, cells in row order, `bins` values each. A pixel's gradient
/// magnitude is split linearly between the two bins whose centres (0°, 180°/bins, …) are
/// nearest its orientation, as Dalal & Triggs interpolate to avoid aliasing.
pub fn cell_histograms(pixels: &[u8], params: &HogParams) -> Result<Vec<f64>> {
    params.validate()?;
    if pixels.len() != PHOTO_BYTES {
        return Err(Error::MismatchedShapes { what: "photo bytes", expected: PHOTO_BYTES, actual: pixels.len() });
    }
    let n = params.cells_per_side();
    let mut hist = vec![0.0; n * n * params.bins];
    let bin_width = std::f64::consts::PI / params.bins as f64;
    for y in 0..SIDE_PX {
        for x in 0..SIDE_PX {
            let (gx, gy) = strongest_gradient(pixels, x, y);
            let magnitude = gx.hypot(gy);
            if magnitude == 0.0 {
                continue;
            }
            // Unsigned: a gradient and its opposite are the same edge, so fold into [0, π).
            let angle = gy.atan2(gx).rem_euclid(std::f64::consts::PI);
            let position = angle / bin_width;
            let lower = position.floor();
            let upper_share = position - lower;
            let base = ((y / params.cell) * n + x / params.cell) * params.bins;
            let lower = lower as usize % params.bins;
            hist[base + lower] += magnitude * (1.0 - upper_share);
            hist[base + (lower + 1) % params.bins] += magnitude * upper_share;
        }
    }
    Ok(hist)
}

/// The centred-difference gradient (x to the right, y downwards) of the channel where it is
/// strongest, as Dalal & Triggs do for colour images; edges repeat their border pixel.
fn strongest_gradient(pixels: &[u8], x: usize, y: usize) -> (f64, f64) {
    let at = |x: usize, y: usize, c: usize| f64::from(pixels[(y * SIDE_PX + x) * CHANNELS + c]) / 255.0;
    let (left, right) = (x.saturating_sub(1), (x + 1).min(SIDE_PX - 1));
    let (up, down) = (y.saturating_sub(1), (y + 1).min(SIDE_PX - 1));
    let mut best = (0.0, 0.0);
    let mut best_sq = -1.0;
    for c in 0..CHANNELS {
        let gx = at(right, y, c) - at(left, y, c);
        let gy = at(x, down, c) - at(x, up, c);
        let sq = gx * gx + gy * gy;
        if sq > best_sq {
            best = (gx, gy);
            best_sq = sq;
        }
    }
    best
}

/// Concatenates every block (block x block cells, stepping one cell) after L2-Hys.
fn normalise_blocks(cells: &[f64], params: &HogParams) -> Vec<f64> {
    let n = params.cells_per_side();
    let blocks = n + 1 - params.block;
    let mut out = Vec::with_capacity(params.features());
    for by in 0..blocks {
        for bx in 0..blocks {
            let start = out.len();
            for cy in by..by + params.block {
                for cx in bx..bx + params.block {
                    let base = (cy * n + cx) * params.bins;
                    out.extend_from_slice(&cells[base..base + params.bins]);
                }
            }
            l2_hys(&mut out[start..]);
        }
    }
    out
}

/// L2-Hys (Dalal & Triggs 2005, section 6.4): L2-normalise, clip at 0.2, L2-normalise again.
pub fn l2_hys(v: &mut [f64]) {
    l2_normalise(v);
    v.iter_mut().for_each(|x| *x = x.min(HYS_CLIP));
    l2_normalise(v);
}

fn l2_normalise(v: &mut [f64]) {
    let norm = (v.iter().map(|x| x * x).sum::<f64>() + EPSILON * EPSILON).sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grey photo whose value at (x, y) is `f(x, y)`.
    fn grey(f: impl Fn(usize, usize) -> u8) -> Vec<u8> {
        (0..SIDE_PX * SIDE_PX).flat_map(|i| [f(i % SIDE_PX, i / SIDE_PX); 3]).collect()
    }

    fn bin_totals(hist: &[f64], bins: usize) -> Vec<f64> {
        (0..bins).map(|b| hist.iter().skip(b).step_by(bins).sum()).collect()
    }

    #[test]
    fn a_vertical_edge_votes_only_for_the_horizontal_gradient_bin() {
        let photo = grey(|x, _| if x < 20 { 0 } else { 255 });
        let totals = bin_totals(&cell_histograms(&photo, &HogParams::default()).unwrap(), 9);
        // Pixels 19 and 20 each see a step of 1 across their centred difference: 64 rows × 2.
        assert!((totals[0] - 128.0).abs() < 1e-9, "{totals:?}");
        assert!(totals[1..].iter().all(|&t| t == 0.0), "{totals:?}");
    }

    #[test]
    fn the_edge_lands_in_the_cells_that_contain_it() {
        let photo = grey(|x, _| if x < 20 { 0 } else { 255 });
        let params = HogParams::default();
        let hist = cell_histograms(&photo, &params).unwrap();
        // Columns 19 and 20 are in cell column 2 (pixels 16..24); each of the 8 cell rows gets 8 × 2.
        for cy in 0..8 {
            for cx in 0..8 {
                let expected = if cx == 2 { 16.0 } else { 0.0 };
                assert!((hist[(cy * 8 + cx) * 9] - expected).abs() < 1e-9, "cell ({cx}, {cy})");
            }
        }
    }

    #[test]
    fn a_horizontal_edge_splits_between_the_bins_around_ninety_degrees() {
        let photo = grey(|_, y| if y < 33 { 200 } else { 10 });
        let totals = bin_totals(&cell_histograms(&photo, &HogParams::default()).unwrap(), 9);
        // 90° lies halfway between the centres of bin 4 (80°) and bin 5 (100°).
        assert!((totals[4] - totals[5]).abs() < 1e-9 && totals[4] > 0.0, "{totals:?}");
        assert!((totals[4] + totals[5] - totals.iter().sum::<f64>()).abs() < 1e-9);
    }

    #[test]
    fn a_diagonal_ramp_is_interpolated_between_neighbouring_bins() {
        // Value rises with x + y: the gradient points at 45°, a quarter of the way from 40° to 60°.
        // Border pixels take one-sided differences, so only cells away from the border count.
        let photo = grey(|x, y| (x + y) as u8);
        let hist = cell_histograms(&photo, &HogParams::default()).unwrap();
        let inner: Vec<f64> = (1..7)
            .flat_map(|cy| (1..7).map(move |cx| cy * 8 + cx))
            .flat_map(|c| hist[c * 9..c * 9 + 9].to_vec())
            .collect();
        let totals = bin_totals(&inner, 9);
        let all: f64 = totals.iter().sum();
        assert!((totals[2] / all - 0.75).abs() < 1e-9 && (totals[3] / all - 0.25).abs() < 1e-9, "{totals:?}");
    }

    #[test]
    fn the_strongest_channel_gives_the_gradient() {
        // Red steps by 255 along x, green by 100 along y: the red (horizontal) gradient wins.
        let photo: Vec<u8> = (0..SIDE_PX * SIDE_PX)
            .flat_map(|i| {
                let (x, y) = (i % SIDE_PX, i / SIDE_PX);
                [if x < 30 { 0 } else { 255 }, if y < 30 { 0 } else { 100 }, 0]
            })
            .collect();
        let hist = cell_histograms(&photo, &HogParams::default()).unwrap();
        let cell = |cx: usize, cy: usize| &hist[(cy * 8 + cx) * 9..(cy * 8 + cx + 1) * 9];
        assert!(cell(3, 0)[0] > 0.0 && cell(3, 0)[1..].iter().all(|&v| v == 0.0));
        assert!(cell(0, 3)[4] > 0.0 && cell(0, 3)[0] == 0.0);
    }

    #[test]
    fn blocks_are_l2_hys_normalised() {
        let photo = grey(|x, y| ((x * 37 + y * 11) % 256) as u8);
        let params = HogParams::default();
        let descriptor = hog(&photo, &params).unwrap();
        assert_eq!(descriptor.len(), 7 * 7 * 4 * 9);
        for block in descriptor.chunks(36) {
            let norm = block.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!((norm - 1.0).abs() < 1e-6, "norm {norm}");
            assert!(block.iter().all(|&v| (0.0..=1.0).contains(&v)));
        }
    }

    #[test]
    fn l2_hys_clips_a_dominant_component() {
        let mut v = [10.0, 1.0, 1.0, 0.0];
        l2_hys(&mut v);
        // After the first normalisation 10/√102 ≈ 0.99 is clipped to 0.2, then [0.2, 0.099, 0.099]
        // is normalised again.
        let (a, b) = (0.2, 1.0 / 102f64.sqrt());
        let norm = (a * a + 2.0 * b * b).sqrt();
        for (got, want) in v.iter().zip([a / norm, b / norm, b / norm, 0.0]) {
            assert!((got - want).abs() < 1e-6, "{v:?}");
        }
    }

    #[test]
    fn a_flat_photo_gives_zeros_not_nan() {
        let descriptor = hog(&grey(|_, _| 90), &HogParams::default()).unwrap();
        assert!(descriptor.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn rejects_bad_sizes() {
        let photo = grey(|_, _| 0);
        for params in [
            HogParams { cell: 7, ..HogParams::default() },
            HogParams { cell: 1, ..HogParams::default() },
            HogParams { block: 9, ..HogParams::default() },
            HogParams { block: 0, ..HogParams::default() },
            HogParams { bins: 1, ..HogParams::default() },
        ] {
            assert!(matches!(hog(&photo, &params), Err(Error::Setting(_))), "{params:?}");
        }
        let err = hog(&photo[..100], &HogParams::default()).unwrap_err();
        assert!(matches!(err, Error::MismatchedShapes { actual: 100, .. }));
    }
}
