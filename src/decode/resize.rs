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
        (-b - 6.0 * c) * a.powi(3)
            + (6.0 * b + 30.0 * c) * a.powi(2)
            + (-12.0 * b - 48.0 * c) * a
            + (8.0 * b + 24.0 * c)
    } else {
        0.0
    };
    k / 6.0
}

/// Floats the horizontal pass may read past the last pixel: its 4-lane loads take one float more
/// than a pixel's three.
const PAD: usize = 4;

/// The vertical pass: `width` x `axis.taps.len()` RGB floats (then [`PAD`] zeros), each a sum over
/// its taps in order, starting from 0 (the image crate's order; vectorised only across the row,
/// whose values are independent sums, so every float is the same).
fn vertical(pixels: &[u8], width: usize, axis: &Axis) -> Vec<f32> {
    let row_len = width * 3;
    let mut out = vec![0.0f32; row_len * axis.taps.len() + PAD];
    for (row, taps) in out.chunks_exact_mut(row_len).zip(&axis.taps) {
        let weights = &axis.weights[taps.start..taps.start + taps.len];
        let Some(sources) = pixels.get(taps.left * row_len..(taps.left + taps.len) * row_len) else { continue };
        vertical_row(sources, weights, row);
    }
    out
}

/// One output row of the vertical pass: `row[i]` is the sum over `k` of `sources[k * row.len() + i]`
/// times `weights[k]`. `sources` holds `weights.len()` rows of `row.len()` bytes.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn vertical_row(sources: &[u8], weights: &[f32], row: &mut [f32]) {
    for (&w, source) in weights.iter().zip(sources.chunks_exact(row.len())) {
        for (t, &p) in row.iter_mut().zip(source) {
            *t += f32::from(p) * w;
        }
    }
}

/// [`vertical_row`] 16 values at a time in four f32x4 sums (each lane its own value's sum, its
/// products added in the same order), which stay in registers over the taps.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn vertical_row(sources: &[u8], weights: &[f32], row: &mut [f32]) {
    use core::arch::wasm32::*;
    let row_len = row.len();
    if sources.len() != weights.len() * row_len {
        return;
    }
    let mut i = 0;
    while i + 16 <= row_len {
        let mut sums = [f32x4_splat(0.0); 4];
        for (k, &w) in weights.iter().enumerate() {
            let w = f32x4_splat(w);
            // SAFETY: k < weights.len() and i + 16 <= row_len, so the 16 bytes at
            // k * row_len + i lie inside `sources` (checked above); `v128_load` reads unaligned memory.
            let bytes = unsafe { v128_load(sources.as_ptr().add(k * row_len + i).cast()) };
            let (low, high) = (u16x8_extend_low_u8x16(bytes), u16x8_extend_high_u8x16(bytes));
            let words = [
                u32x4_extend_low_u16x8(low),
                u32x4_extend_high_u16x8(low),
                u32x4_extend_low_u16x8(high),
                u32x4_extend_high_u16x8(high),
            ];
            for (sum, word) in sums.iter_mut().zip(words) {
                *sum = f32x4_add(*sum, f32x4_mul(f32x4_convert_i32x4(word), w));
            }
        }
        for (j, sum) in sums.into_iter().enumerate() {
            // SAFETY: i + 16 <= row_len = row.len(); `v128_store` writes unaligned memory.
            unsafe { v128_store(row.as_mut_ptr().add(i + 4 * j).cast(), sum) };
        }
        i += 16;
    }
    for (k, &w) in weights.iter().enumerate() {
        for (t, &p) in row[i..].iter_mut().zip(&sources[k * row_len + i..(k + 1) * row_len]) {
            *t += f32::from(p) * w;
        }
    }
}

/// The horizontal pass over the vertical pass's `width` x `height` floats (padded), clamped to
/// 0..=255 and rounded half away from zero, as image's `FloatNearest` does.
fn horizontal(columns: &[f32], width: usize, height: usize, axis: &Axis) -> Vec<u8> {
    let new_width = axis.taps.len();
    let mut sums = vec![0.0f32; new_width * height * 3 + PAD];
    // Every tap reads inside its row: `axis` keeps left + len <= width.
    let fits = axis.taps.iter().all(|t| t.left + t.len <= width && t.start + t.len <= axis.weights.len());
    if fits && columns.len() >= width * height * 3 + PAD {
        horizontal_sums(columns, width, height, axis, &mut sums);
    }
    let mut out = vec![0u8; new_width * height * 3];
    to_u8_all(&sums[..out.len()], &mut out);
    out
}

/// Every output pixel's three sums, at `sums[3 * (y * new_width + x)..]`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn horizontal_sums(columns: &[f32], width: usize, height: usize, axis: &Axis, sums: &mut [f32]) {
    let new_width = axis.taps.len();
    for (out_row, row) in sums.chunks_exact_mut(new_width * 3).zip(columns.chunks_exact(width * 3)).take(height) {
        for (pixel, taps) in out_row.chunks_exact_mut(3).zip(&axis.taps) {
            let weights = &axis.weights[taps.start..taps.start + taps.len];
            let sources = row.chunks_exact(3).skip(taps.left);
            let mut t = [0.0f32; 3];
            for (&w, source) in weights.iter().zip(sources) {
                t[0] += source[0] * w;
                t[1] += source[1] * w;
                t[2] += source[2] * w;
            }
            pixel.copy_from_slice(&t);
        }
    }
}

/// [`horizontal_sums`] with a pixel's three sums in one f32x4 (the fourth lane is a neighbour's
/// value, unused), four rows at a time so that the sums do not wait on each other.
/// The caller checked that every tap lies in its row and that `columns` has [`PAD`] floats more.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn horizontal_sums(columns: &[f32], width: usize, height: usize, axis: &Axis, sums: &mut [f32]) {
    use core::arch::wasm32::*;
    const ROWS: usize = 4;
    let (row_len, new_width) = (width * 3, axis.taps.len());
    let (columns, weights) = (columns.as_ptr(), axis.weights.as_ptr());
    let out = sums.as_mut_ptr();
    let mut y = 0;
    while y < height {
        let rows = ROWS.min(height - y);
        for (x, taps) in axis.taps.iter().enumerate() {
            let mut t = [f32x4_splat(0.0); ROWS];
            for k in 0..taps.len {
                // SAFETY: start + len <= weights.len(), left + len <= width, rows below height,
                // and a load at the last pixel of the last row reads into the padding.
                unsafe {
                    let w = v128_load32_splat(weights.add(taps.start + k).cast());
                    let at = columns.add(y * row_len + 3 * (taps.left + k));
                    for (r, t) in t.iter_mut().enumerate().take(rows) {
                        *t = f32x4_add(*t, f32x4_mul(v128_load(at.add(r * row_len).cast()), w));
                    }
                }
            }
            for (r, t) in t.into_iter().enumerate().take(rows) {
                let at = ((y + r) * new_width + x) * 3;
                if x + 1 < new_width {
                    // SAFETY: `at + 4` is inside the row; the fourth lane lands on the next
                    // pixel's first sum, written after this.
                    unsafe { v128_store(out.add(at).cast(), t) };
                } else {
                    // The row's last pixel: the next row's first pixel is already written.
                    // SAFETY: the pixel's three floats are inside `sums`.
                    unsafe {
                        *out.add(at) = f32x4_extract_lane::<0>(t);
                        *out.add(at + 1) = f32x4_extract_lane::<1>(t);
                        *out.add(at + 2) = f32x4_extract_lane::<2>(t);
                    }
                }
            }
        }
        y += rows;
    }
}

/// [`to_u8`] of every sum, one at a time.
fn to_u8_each(sums: &[f32], out: &mut [u8]) {
    for (p, &t) in out.iter_mut().zip(sums) {
        *p = to_u8(t);
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use to_u8_each as to_u8_all;

/// [`to_u8`] of every sum, 16 at a time: `pmax`/`pmin` are `clamp` including NaN (to 0, as
/// `NaN as u8`), and the truncation and the halfway test are the same operations.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn to_u8_all(sums: &[f32], out: &mut [u8]) {
    use core::arch::wasm32::*;
    let round = |t: v128| {
        let t = f32x4_pmin(f32x4_splat(255.0), f32x4_pmax(f32x4_splat(0.0), t));
        let whole = i32x4_trunc_sat_f32x4(t);
        let half = f32x4_ge(f32x4_sub(t, f32x4_convert_i32x4(whole)), f32x4_splat(0.5));
        // `half` is all ones (-1) where the fraction is at least one half.
        i32x4_sub(whole, half)
    };
    let done = out.len() / 16 * 16;
    for (chunk, sums) in out.chunks_exact_mut(16).zip(sums.chunks_exact(16)) {
        // SAFETY: each load reads 4 of the chunk's 16 floats; the store writes its 16 bytes.
        unsafe {
            let t: [v128; 4] = std::array::from_fn(|j| round(v128_load(sums.as_ptr().add(4 * j).cast())));
            let bytes = u8x16_narrow_i16x8(i16x8_narrow_i32x4(t[0], t[1]), i16x8_narrow_i32x4(t[2], t[3]));
            v128_store(chunk.as_mut_ptr().cast(), bytes);
        }
    }
    to_u8_each(&sums[done..], &mut out[done..]);
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
        for (w, h, nw, nh) in [
            (125, 94, 32, 80),
            (10, 10, 97, 3),
            (500, 375, 64, 64),
            (64, 200, 64, 64),
            (200, 64, 64, 64),
            (125, 94, 1, 64),
            (125, 94, 64, 1),
            (3, 2, 1, 1),
            (1, 1, 5, 7),
        ] {
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
