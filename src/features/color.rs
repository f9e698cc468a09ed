//! The colour histogram of one prepared 64x64 RGB photo: pixels counted in HSV bins (hue ×
//! saturation × value) and divided by the pixel count, so the histogram sums to 1. HOG sees
//! shapes but not colour; fur colours and backgrounds are what this adds.

use serde::{Deserialize, Serialize};

use crate::photo::{CHANNELS, PHOTO_BYTES};
use crate::{Error, Result};

/// Bins per HSV axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColorParams {
    /// Hue bins over the colour circle.
    pub hue: usize,
    /// Saturation bins over 0..1.
    pub saturation: usize,
    /// Value (brightness) bins over 0..1.
    pub value: usize,
}

impl Default for ColorParams {
    /// 8 hues × 4 saturations × 4 values: 128 bins.
    fn default() -> Self {
        ColorParams { hue: 8, saturation: 4, value: 4 }
    }
}

impl ColorParams {
    /// Rejects bin counts outside 1..=32.
    pub fn validate(&self) -> Result<()> {
        for (axis, n) in [("hue", self.hue), ("saturation", self.saturation), ("value", self.value)] {
            if !(1..=32).contains(&n) {
                return Err(Error::Setting(format!("the colour histogram needs 1 to 32 {axis} bins, got {n}")));
            }
        }
        Ok(())
    }

    /// Number of bins.
    pub fn bins(&self) -> usize {
        self.hue * self.saturation * self.value
    }
}

/// The normalised HSV histogram, index `(h * saturation + s) * value + v`.
pub fn color_histogram(pixels: &[u8], params: &ColorParams) -> Result<Vec<f64>> {
    params.validate()?;
    if pixels.len() != PHOTO_BYTES {
        return Err(Error::MismatchedShapes { what: "photo bytes", expected: PHOTO_BYTES, actual: pixels.len() });
    }
    let mut hist = vec![0.0; params.bins()];
    let count = pixels.len() / CHANNELS;
    for rgb in pixels.chunks_exact(CHANNELS) {
        let (h, s, v) = hsv(rgb[0], rgb[1], rgb[2]);
        let bin = |x: f64, n: usize| ((x * n as f64) as usize).min(n - 1);
        let index =
            (bin(h, params.hue) * params.saturation + bin(s, params.saturation)) * params.value + bin(v, params.value);
        hist[index] += 1.0 / count as f64;
    }
    Ok(hist)
}

/// Hue, saturation and value, each in [0, 1] (hue 0 is red, 1/3 green, 2/3 blue); a grey has
/// hue 0 and saturation 0.
pub fn hsv(r: u8, g: u8, b: u8) -> (f64, f64, f64) {
    let (r, g, b) = (f64::from(r) / 255.0, f64::from(g) / 255.0, f64::from(b) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let chroma = max - min;
    if chroma == 0.0 {
        return (0.0, 0.0, max);
    }
    let sector = if max == r {
        ((g - b) / chroma).rem_euclid(6.0)
    } else if max == g {
        (b - r) / chroma + 2.0
    } else {
        (r - g) / chroma + 4.0
    };
    (sector / 6.0, chroma / max, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(rgb: [u8; 3]) -> Vec<u8> {
        rgb.repeat(PHOTO_BYTES / CHANNELS)
    }

    fn only_bin(hist: &[f64]) -> usize {
        let full: Vec<usize> = (0..hist.len()).filter(|&i| hist[i] != 0.0).collect();
        assert_eq!(full.len(), 1, "mass in bins {full:?}");
        assert!((hist[full[0]] - 1.0).abs() < 1e-12);
        full[0]
    }

    #[test]
    fn a_flat_colour_puts_all_mass_in_one_bin() {
        let params = ColorParams::default();
        // Pure red: hue 0, saturation 1 (last of 4), value 1 (last of 4).
        assert_eq!(only_bin(&color_histogram(&flat([255, 0, 0]), &params).unwrap()), 3 * 4 + 3);
        // Pure blue: hue 2/3, bin 5 of 8.
        assert_eq!(only_bin(&color_histogram(&flat([0, 0, 255]), &params).unwrap()), (5 * 4 + 3) * 4 + 3);
        // Black: everything 0.
        assert_eq!(only_bin(&color_histogram(&flat([0, 0, 0]), &params).unwrap()), 0);
        // Mid grey: saturation 0, value 128/255 in the third of 4 bins.
        assert_eq!(only_bin(&color_histogram(&flat([128, 128, 128]), &params).unwrap()), 2);
    }

    #[test]
    fn two_halves_share_the_mass() {
        let mut photo = flat([255, 0, 0]);
        photo[..PHOTO_BYTES / 2].copy_from_slice(&flat([0, 255, 0])[..PHOTO_BYTES / 2]);
        let hist = color_histogram(&photo, &ColorParams::default()).unwrap();
        assert_eq!(hist[15], 0.5);
        // Green: hue 1/3, bin 2 of 8.
        assert_eq!(hist[(2 * 4 + 3) * 4 + 3], 0.5);
        assert!((hist.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn hsv_matches_hand_values() {
        assert_eq!(hsv(255, 255, 0), (1.0 / 6.0, 1.0, 1.0));
        assert_eq!(hsv(0, 255, 255), (0.5, 1.0, 1.0));
        let (h, s, v) = hsv(255, 0, 51);
        assert!((h - (1.0 - 0.2 / 6.0)).abs() < 1e-12 && s == 1.0 && v == 1.0, "{h} {s} {v}");
        assert_eq!(hsv(51, 51, 51), (0.0, 0.0, 0.2));
    }

    #[test]
    fn rejects_bad_bins_and_sizes() {
        let bad = ColorParams { hue: 0, ..ColorParams::default() };
        assert!(matches!(color_histogram(&flat([1, 2, 3]), &bad), Err(Error::Setting(_))));
        assert!(matches!(
            color_histogram(&[0; 30], &ColorParams::default()),
            Err(Error::MismatchedShapes { actual: 30, .. })
        ));
    }
}
