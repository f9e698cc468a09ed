//! Catmull-Rom resize of RGB bytes, byte for byte what `image::imageops::resize(..,
//! FilterType::CatmullRom)` (image 0.25) gives, about five times faster.
//!
//! The image crate recomputes every weight for every pixel and goes through its generic `Pixel`
//! machinery; here the weights are computed once per output row and column. The float operations
//! are the image crate's own, in its order (a vertical pass to f32, then a horizontal pass that
//! clamps and rounds), so the bytes cannot differ: the README's accuracy tables depend on them.
//! Ported from image 0.25.10's `imageops/sample.rs` (MIT OR Apache-2.0).

/// The input pixels one output pixel reads along one axis, and their normalised weights.
struct Taps {
    /// First input index read.
    left: usize,
    /// Offset of this output's weights in [`Axis::weights`].
    start: usize,
    /// How many weights (input pixels) it reads.
    len: usize,
}

/// Every output index's taps along one axis.
struct Axis {
    taps: Vec<Taps>,
    weights: Vec<f32>,
}

/// Resizes `width` x `height` RGB bytes (row-major, 3 bytes a pixel) to `new_width` x
/// `new_height` with the Catmull-Rom filter. `pixels` must hold exactly `width * height * 3` bytes.
pub fn catmull_rom_rgb(pixels: &[u8], width: u32, height: u32, new_width: u32, new_height: u32) -> Vec<u8> {
    let out_len = new_width as usize * new_height as usize * 3;
    if width == 0 || height == 0 || pixels.len() != width as usize * height as usize * 3 {
        // The image crate returns an empty (black) buffer for an empty image.
        return vec![0; out_len];
    }
    if (width, height) == (new_width, new_height) {
        return pixels.to_vec();
    }
    let columns = vertical(pixels, width as usize, &axis(height, new_height));
    horizontal(&columns, width as usize, new_height as usize, &axis(width, new_width))
}

/// The taps of every output index when `size` inputs become `new_size` outputs: image's
/// `vertical_sample` / `horizontal_sample` weight computation, once per index instead of per pixel.
fn axis(size: u32, new_size: u32) -> Axis {
    const SUPPORT: f32 = 2.0;
    let ratio = size as f32 / new_size as f32;
    let sratio = if ratio < 1.0 { 1.0 } else { ratio };
    let src_support = SUPPORT * sratio;
    let mut axis = Axis { taps: Vec::with_capacity(new_size as usize), weights: Vec::new() };
    for out in 0..new_size {
        let input = (out as f32 + 0.5) * ratio;
        let left = ((input - src_support).floor() as i64).clamp(0, i64::from(size) - 1);
        let right = ((input + src_support).ceil() as i64).clamp(left + 1, i64::from(size));
        let input = input - 0.5;
        let start = axis.weights.len();
        let mut sum = 0.0;
        for i in left..right {
            let w = catmull_rom((i as f32 - input) / sratio);
            axis.weights.push(w);
            sum += w;
        }
        for w in &mut axis.weights[start..] {
            *w /= sum;
        }
        axis.taps.push(Taps { left: left as usize, start, len: (right - left) as usize });
    }
    axis
}

/// image's `catmullrom_kernel`: `bc_cubic_spline(x, 0.0, 0.5)`, written out the same way so
/// the weights are the same floats.
fn catmull_rom(x: f32) -> f32 {
    let (b, c) = (0.0f32, 0.5f32);
    let a = x.abs();
    let k = if a < 1.0 {
        (12.0 - 9.0 * b - 6.0 * c) * a.powi(3) + (-18.0 + 12.0 * b + 6.0 * c) * a.powi(2) + (6.0 - 2.0 * b)
    } else if a < 2.0 {
        (-b - 6.0 * c) * a.powi(3) + (6.0 * b + 30.0 * c) * a.powi(2) + (-12.0 * b - 48.0 * c) * a + (8.0 * b + 24.0 * c)
    } else {
        0.0
    };
    k / 6.0
}

/// The vertical pass: `width` x `axis.taps.len()` RGB floats, each a sum over its taps in order
/// (a loop per row instead of per pixel; each sum still starts at 0 and adds the same products).
fn vertical(pixels: &[u8], width: usize, axis: &Axis) -> Vec<f32> {
    let row_len = width * 3;
    let mut out = vec![0.0f32; row_len * axis.taps.len()];
    for (row, taps) in out.chunks_exact_mut(row_len).zip(&axis.taps) {
        let weights = &axis.weights[taps.start..taps.start + taps.len];
        let sources = pixels.chunks_exact(row_len).skip(taps.left);
        for (&w, source) in weights.iter().zip(sources) {
            for (t, &p) in row.iter_mut().zip(source) {
                *t += f32::from(p) * w;
            }
        }
    }
    out
}

/// The horizontal pass over the vertical pass's `width` x `height` floats, clamped to 0..=255 and
/// rounded half away from zero, as image's `FloatNearest` does.
fn horizontal(columns: &[f32], width: usize, height: usize, axis: &Axis) -> Vec<u8> {
    let new_width = axis.taps.len();
    let mut out = vec![0u8; new_width * height * 3];
    for (out_row, row) in out.chunks_exact_mut(new_width * 3).zip(columns.chunks_exact(width * 3)) {
        for (pixel, taps) in out_row.chunks_exact_mut(3).zip(&axis.taps) {
            let weights = &axis.weights[taps.start..taps.start + taps.len];
            let sources = row.chunks_exact(3).skip(taps.left);
            let mut t = [0.0f32; 3];
            for (&w, source) in weights.iter().zip(sources) {
                t[0] += source[0] * w;
                t[1] += source[1] * w;
                t[2] += source[2] * w;
            }
            for (p, t) in pixel.iter_mut().zip(t) {
                *p = to_u8(t);
            }
        }
    }
    out
}

/// image's `clamp` then `FloatNearest` (`f32::round`, half away from zero) to a byte. Written
/// out because `round` is a libm call in wasm; for 0..=255 this is exact: the fraction
/// `t - trunc(t)` is computed without rounding error.
fn to_u8(t: f32) -> u8 {
    // f32::clamp is image's `clamp` (`if a < min {min} else if a > max {max} else {a}`).
    let t = t.clamp(0.0, 255.0);
    let whole = t as u8;
    whole + u8::from(t - f32::from(whole) >= 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::imageops::{self, FilterType};
    use image::RgbImage;

    /// Seeded bytes (an LCG): noise is the hardest case for matching rounding.
    fn noise(width: u32, height: u32, seed: u32) -> RgbImage {
        let mut s = seed;
        RgbImage::from_fn(width, height, |_, _| {
            let mut next = || {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (s >> 24) as u8
            };
            image::Rgb([next(), next(), next()])
        })
    }

    fn same_as_image(image: &RgbImage, new_width: u32, new_height: u32) {
        let (width, height) = image.dimensions();
        let expected = imageops::resize(image, new_width, new_height, FilterType::CatmullRom).into_raw();
        let actual = catmull_rom_rgb(image.as_raw(), width, height, new_width, new_height);
        assert!(actual == expected, "{width}x{height} -> {new_width}x{new_height} differs from image's resize");
    }

    #[test]
    fn matches_image_on_many_sizes_up_and_down() {
        let mut seed = 1;
        for width in [1, 2, 3, 5, 7, 13, 31, 63, 64, 65, 80, 100, 125, 127, 128, 200, 251, 333] {
            for height in [1, 4, 9, 17, 64, 66, 94, 150, 257] {
                seed += 1;
                same_as_image(&noise(width, height, seed), 64, 64);
            }
        }
    }

    #[test]
    fn matches_image_for_other_target_sizes() {
        for (w, h, nw, nh) in [(125, 94, 32, 80), (10, 10, 97, 3), (500, 375, 64, 64), (64, 200, 64, 64), (200, 64, 64, 64)] {
            same_as_image(&noise(w, h, w * h), nw, nh);
        }
    }

    #[test]
    fn rounding_is_f32_round_from_0_to_255() {
        // Every float near each halfway point, and a sparse sweep of the rest.
        let near_halves = (0..256).flat_map(|k| {
            let half = (k as f32 + 0.5).to_bits();
            half - 2000..half + 2000
        });
        for bits in near_halves.chain((0..255.0f32.to_bits()).step_by(4099)) {
            let t = f32::from_bits(bits);
            assert_eq!(to_u8(t), t.clamp(0.0, 255.0).round() as u8, "{t}");
        }
        assert_eq!((to_u8(-3.0), to_u8(300.0), to_u8(255.0)), (0, 255, 255));
    }

    #[test]
    fn flat_images_and_edge_cases() {
        let flat = RgbImage::from_pixel(90, 70, image::Rgb([255, 0, 128]));
        same_as_image(&flat, 64, 64);
        assert_eq!(catmull_rom_rgb(&[], 0, 0, 2, 2), vec![0; 12]);
        assert_eq!(catmull_rom_rgb(&[1, 2], 1, 1, 2, 2), vec![0; 12], "wrong length gives black, not a panic");
    }
}
