//! From coefficients to pixels, exactly as jpeg-decoder 0.3.2 (MIT OR Apache-2.0) does it at
//! reduced scale: its IDCTs (`idct.rs`: `dequantize_and_idct_block_{4x4,2x2,1x1}`), its
//! upsamplers (`upsampler.rs`) and its YCbCr conversion (`decoder.rs`), ported line for line.
//! Integer arithmetic wraps where jpeg-decoder's does (`Wrapping<i32>`), for malicious files.

use super::{Component, Frame};

/// One component's samples, `stride` per row, blocks laid out as jpeg-decoder's worker lays them.
pub struct Plane {
    pub stride: usize,
    pub samples: Vec<u8>,
    /// The component's size in samples at this scale (jpeg-decoder's `component.size`).
    width: usize,
    height: usize,
    upsample: Upsample,
}

impl Plane {
    /// An empty plane for `component` at `scale` samples per block side.
    pub fn new(frame: &Frame, component: &Component, scale: usize) -> Option<Plane> {
        let blocks_x = frame.mcus_x * component.h;
        let blocks_y = frame.mcus_y * component.v;
        let (out_width, out_height) = output_size(frame, scale);
        Some(Plane {
            stride: blocks_x * scale,
            samples: vec![0; blocks_x * blocks_y * scale * scale],
            width: (usize::from(frame.width) * component.h * scale).div_ceil(frame.h_max * 8),
            height: (usize::from(frame.height) * component.v * scale).div_ceil(frame.v_max * 8),
            // Checked at the frame header (at full size, which picks the same for sizes above 1).
            upsample: Upsample::choose(component, frame, out_width, out_height)?,
        })
    }
}

/// The image's size at `scale` samples per 8: jpeg-decoder's `output_size`.
fn output_size(frame: &Frame, scale: usize) -> (usize, usize) {
    ((usize::from(frame.width) * scale).div_ceil(8), (usize::from(frame.height) * scale).div_ceil(8))
}

/// How samples become pixels.
#[derive(Clone, Copy)]
pub enum Transform {
    Grey,
    YCbCr,
}

/// jpeg-decoder's upsamplers for the common samplings (4:4:4, 4:2:2, 4:2:0); files with others
/// (4:4:0, 4:1:1, ...) go to jpeg-decoder, which keeps the page's wasm smaller.
#[derive(Clone, Copy)]
pub enum Upsample {
    H1V1,
    H2V1,
    H2V2,
}

impl Upsample {
    /// jpeg-decoder's `choose_upsampler`, for the three kept; `None` for the others.
    pub fn choose(c: &Component, frame: &Frame, out_width: usize, out_height: usize) -> Option<Upsample> {
        let h1 = c.h == frame.h_max || out_width == 1;
        let v1 = c.v == frame.v_max || out_height == 1;
        let h2 = c.h * 2 == frame.h_max;
        let v2 = c.v * 2 == frame.v_max;
        match (h1, v1, h2, v2) {
            (true, true, _, _) => Some(Upsample::H1V1),
            (_, true, true, _) => Some(Upsample::H2V1),
            (false, _, true, true) => Some(Upsample::H2V2),
            _ => None,
        }
    }

    /// Output row `row` of `plane`, upsampled into `out` (jpeg-decoder's `upsample_row`).
    fn row(self, plane: &Plane, row: usize, out_width: usize, out: &mut [u8]) -> Option<()> {
        let (input, width, height, stride) = (&plane.samples[..], plane.width, plane.height, plane.stride);
        match self {
            Upsample::H1V1 => out.get_mut(..out_width)?.copy_from_slice(input.get(row * stride..)?.get(..out_width)?),
            Upsample::H2V1 => h2(input.get(row * stride..)?.get(..width)?, out),
            Upsample::H2V2 => {
                let (near, far) = near_and_far(row, height);
                let near = input.get(near * stride..)?.get(..width)?;
                let far = input.get(far * stride..)?.get(..width)?;
                h2v2(near, far, out)?;
            }
        }
        Some(())
    }
}

/// The two input rows a vertically doubled output row mixes, 3:1 (jpeg-decoder computes them in
/// f32; for rows below 2^23 this is the same).
fn near_and_far(row: usize, height: usize) -> (usize, usize) {
    let near = row / 2;
    let far = if row.is_multiple_of(2) { near.saturating_sub(1) } else { (near + 1).min(height.saturating_sub(1)) };
    (near, far)
}

/// jpeg-decoder's `UpsamplerH2V1`: each sample becomes two, mixed 3:1 with its neighbour.
fn h2(input: &[u8], out: &mut [u8]) {
    let width = input.len();
    if width == 0 || out.len() < 2 * width {
        return;
    }
    if width == 1 {
        out[0] = input[0];
        out[1] = input[0];
        return;
    }
    out[0] = input[0];
    out[1] = ((u32::from(input[0]) * 3 + u32::from(input[1]) + 2) >> 2) as u8;
    for i in 1..width - 1 {
        let sample = 3 * u32::from(input[i]) + 2;
        out[i * 2] = ((sample + u32::from(input[i - 1])) >> 2) as u8;
        out[i * 2 + 1] = ((sample + u32::from(input[i + 1])) >> 2) as u8;
    }
    out[(width - 1) * 2] = ((u32::from(input[width - 1]) * 3 + u32::from(input[width - 2]) + 2) >> 2) as u8;
    out[(width - 1) * 2 + 1] = input[width - 1];
}

/// jpeg-decoder's `UpsamplerH2V2`: rows mixed 3:1, then samples mixed 3:1 with their neighbours.
fn h2v2(near: &[u8], far: &[u8], out: &mut [u8]) -> Option<()> {
    let width = near.len();
    let out = out.get_mut(..2 * width)?;
    let far = far.get(..width)?;
    let mix = |i: usize| 3 * u32::from(near[i]) + u32::from(far[i]);
    if width == 1 {
        let value = ((mix(0) + 2) >> 2) as u8;
        out[0] = value;
        out[1] = value;
        return Some(());
    }
    let mut t1 = mix(0);
    out[0] = ((t1 + 2) >> 2) as u8;
    let first = h2v2_inner(near, far, out);
    if first > 1 {
        t1 = mix(first - 1);
    }
    for i in first..width {
        let t0 = t1;
        t1 = mix(i);
        out[i * 2 - 1] = ((3 * t0 + t1 + 8) >> 4) as u8;
        out[i * 2] = ((3 * t1 + t0 + 8) >> 4) as u8;
    }
    out[width * 2 - 1] = ((t1 + 2) >> 2) as u8;
    Some(())
}

/// Nothing done here: [`h2v2`]'s loop writes `out[2i - 1]` and `out[2i]` from `i = 1`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn h2v2_inner(_near: &[u8], _far: &[u8], _out: &mut [u8]) -> usize {
    1
}

/// [`h2v2`]'s loop eight `i` at a time, in u16 lanes (at most 4 * 1020 + 8 before the shift):
/// writes `out[2i - 1]` and `out[2i]` for `i` from 1 up to the returned index. The last eight may
/// overlap the ones before (the same bytes written again). `near`, `far` are `out.len() / 2` long.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn h2v2_inner(near: &[u8], far: &[u8], out: &mut [u8]) -> usize {
    use core::arch::wasm32::*;
    let width = near.len();
    if width < 9 || far.len() != width || out.len() != 2 * width {
        return 1;
    }
    // SAFETY: 8 bytes from i - 1 and from i lie inside `near` and `far` (i + 8 <= width), the 16
    // bytes from 2i - 1 inside `out` (2i + 15 < 2 * width).
    let mix = |i: usize| unsafe {
        let near = u16x8_extend_low_u8x16(v128_load64_zero(near.as_ptr().add(i).cast()));
        let far = u16x8_extend_low_u8x16(v128_load64_zero(far.as_ptr().add(i).cast()));
        i16x8_add(i16x8_add(near, i16x8_shl(near, 1)), far)
    };
    let eight = i16x8_splat(8);
    let mut i = 1;
    while i < width {
        i = i.min(width - 8);
        let (t0, t1) = (mix(i - 1), mix(i));
        let odd = u16x8_shr(i16x8_add(i16x8_add(i16x8_add(t0, i16x8_shl(t0, 1)), t1), eight), 4);
        let even = u16x8_shr(i16x8_add(i16x8_add(i16x8_add(t1, i16x8_shl(t1, 1)), t0), eight), 4);
        let bytes = u8x16_narrow_i16x8(odd, even);
        let pairs = i8x16_shuffle::<0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15>(bytes, bytes);
        // SAFETY: see above.
        unsafe { v128_store(out.as_mut_ptr().add(2 * i - 1).cast(), pairs) };
        i += 8;
    }
    width
}

/// The decoded planes as width, height, channels and pixels (jpeg-decoder's `compute_image`).
pub fn assemble(
    frame: &Frame,
    planes: Vec<Plane>,
    scale: usize,
    transform: Transform,
) -> Option<(u32, u32, usize, Vec<u8>)> {
    let (width, height) = output_size(frame, scale);
    let pixels = match transform {
        Transform::Grey => {
            let plane = planes.first()?;
            let mut pixels = Vec::with_capacity(width * height);
            for row in 0..height {
                pixels.extend_from_slice(plane.samples.get(row * plane.stride..)?.get(..width)?);
            }
            pixels
        }
        Transform::YCbCr => colour(&planes, width, height)?,
    };
    Some((u32::try_from(width).ok()?, u32::try_from(height).ok()?, pixels.len() / (width * height), pixels))
}

/// Three planes upsampled row by row and converted from YCbCr to RGB.
fn colour(planes: &[Plane], width: usize, height: usize) -> Option<Vec<u8>> {
    let [a, b, c] = planes else { return None };
    let line_len = planes.iter().map(|p| p.width).max()? * 4;
    let mut lines = [vec![0u8; line_len], vec![0u8; line_len], vec![0u8; line_len]];
    let mut out = vec![0u8; width * height * 3];
    for (row, out_row) in out.chunks_exact_mut(width * 3).enumerate() {
        for (plane, line) in [a, b, c].into_iter().zip(&mut lines) {
            if let Upsample::H1V1 = plane.upsample {
                continue; // read in place below
            }
            // jpeg-decoder starts from a zeroed line for every row.
            line[..width].fill(0);
            plane.upsample.row(plane, row, width, line)?;
        }
        // A component that is not upsampled is its plane's row as it is (jpeg-decoder copies it).
        let [y, cb, cr] = [(a, &lines[0]), (b, &lines[1]), (c, &lines[2])].map(|(plane, line)| match plane.upsample {
            Upsample::H1V1 => plane.samples.get(row * plane.stride..).and_then(|s| s.get(..width)),
            _ => line.get(..width),
        });
        ycbcr_row(y?, cb?, cr?, out_row);
    }
    Some(out)
}

/// One row of pixels from `out.len() / 3` samples of each of Y, Cb and Cr, one at a time.
fn ycbcr_each(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
    for (((pixel, &y), &cb), &cr) in out.chunks_exact_mut(3).zip(y).zip(cb).zip(cr) {
        pixel.copy_from_slice(&ycbcr_to_rgb(y, cb, cr));
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use ycbcr_each as ycbcr_row;

/// [`ycbcr_row`] 16 pixels at a time. [`ycbcr_to_rgb`]'s `(y * 2^20 + 2^19 + k * c) >> 20` is
/// `y + ((2^19 + k * c) >> 20)` (the shift floors, and `y * 2^20` is a multiple of 2^20), all
/// exact in i32; the sum with `y` fits i16, and narrowing it to u8 saturates: the same clamp.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn ycbcr_row(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
    use core::arch::wasm32::*;
    let width = out.len() / 3;
    if y.len() < width || cb.len() < width || cr.len() < width {
        return;
    }
    let (kr, kgb, kgr, kb) =
        (i32x4_splat(FIXED_R_CR), i32x4_splat(FIXED_G_CB), i32x4_splat(FIXED_G_CR), i32x4_splat(FIXED_B_CB));
    let half = i32x4_splat(1 << (SHIFT - 1));
    // Eight pixels' three channels as i16: `y + ((2^19 + k * c ...) >> 20)`, in two i32x4 halves.
    let eight = |y: v128, cb: v128, cr: v128| {
        let cb = [i32x4_extend_low_i16x8(cb), i32x4_extend_high_i16x8(cb)];
        let cr = [i32x4_extend_low_i16x8(cr), i32x4_extend_high_i16x8(cr)];
        let add = |terms: [v128; 2]| {
            i16x8_add(y, i16x8_narrow_i32x4(i32x4_shr(terms[0], SHIFT as u32), i32x4_shr(terms[1], SHIFT as u32)))
        };
        [
            add([0, 1].map(|h| i32x4_add(half, i32x4_mul(kr, cr[h])))),
            add([0, 1].map(|h| i32x4_sub(i32x4_sub(half, i32x4_mul(kgb, cb[h])), i32x4_mul(kgr, cr[h])))),
            add([0, 1].map(|h| i32x4_add(half, i32x4_mul(kb, cb[h])))),
        ]
    };
    let offset = i16x8_splat(128);
    // Rows under 16 pixels take the scalar path.
    let done = if width < 16 { 0 } else { width };
    let mut x = 0;
    while x < done {
        // The last 16 overlap the ones before when the row is not a multiple of 16: the same
        // bytes are written again.
        x = x.min(width - 16);
        // SAFETY: x + 16 <= width <= each input's length, and 3 * (x + 16) <= out.len().
        unsafe {
            let (yv, cbv, crv) = (
                v128_load(y.as_ptr().add(x).cast()),
                v128_load(cb.as_ptr().add(x).cast()),
                v128_load(cr.as_ptr().add(x).cast()),
            );
            let low = eight(
                u16x8_extend_low_u8x16(yv),
                i16x8_sub(u16x8_extend_low_u8x16(cbv), offset),
                i16x8_sub(u16x8_extend_low_u8x16(crv), offset),
            );
            let high = eight(
                u16x8_extend_high_u8x16(yv),
                i16x8_sub(u16x8_extend_high_u8x16(cbv), offset),
                i16x8_sub(u16x8_extend_high_u8x16(crv), offset),
            );
            let [r, g, b] = [0, 1, 2].map(|c| u8x16_narrow_i16x8(low[c], high[c]));
            let rg_low = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(r, g);
            let rg_high = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(r, g);
            let out0 = i8x16_shuffle::<0, 1, 16, 2, 3, 17, 4, 5, 18, 6, 7, 19, 8, 9, 20, 10>(rg_low, b);
            // g5 r6 g6 r7 g7 | r8 g8 r9 g9 r10 g10, then b5..b9 put in between.
            let rg_mid = i8x16_shuffle::<11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 0, 0, 0, 0, 0>(rg_low, rg_high);
            let out1 = i8x16_shuffle::<0, 21, 1, 2, 22, 3, 4, 23, 5, 6, 24, 7, 8, 25, 9, 10>(rg_mid, b);
            let out2 = i8x16_shuffle::<26, 6, 7, 27, 8, 9, 28, 10, 11, 29, 12, 13, 30, 14, 15, 31>(rg_high, b);
            let at = out.as_mut_ptr().add(3 * x);
            v128_store(at.cast(), out0);
            v128_store(at.add(16).cast(), out1);
            v128_store(at.add(32).cast(), out2);
        }
        x += 16;
    }
    ycbcr_each(&y[done..], &cb[done..], &cr[done..], &mut out[3 * done..]);
}

/// [`ycbcr_to_rgb`]'s fixed-point shift and constants.
const SHIFT: i32 = 20;
const FIXED_R_CR: i32 = fixed(1.40200);
const FIXED_G_CB: i32 = fixed(0.34414);
const FIXED_G_CR: i32 = fixed(0.71414);
const FIXED_B_CB: i32 = fixed(1.77200);

/// jpeg-decoder's `fixed`: `x` in 20-bit fixed point, rounded.
const fn fixed(x: f32) -> i32 {
    (x * ((1 << SHIFT) as f32) + 0.5) as i32
}

/// jpeg-decoder's `ycbcr_to_rgb` (ITU-R BT.601 in 20-bit fixed point, after libjpeg-turbo).
/// Natively and for rows under 16 pixels in wasm (whose SIMD128 path does 16 at a time,
/// the last 16 overlapping); out of line, as copies of it inlined there would cost the page's wasm more than they save.
#[inline(never)]
fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let clamp = |v: i32| (v >> SHIFT).clamp(0, 255) as u8;
    let y = i32::from(y) * (1 << SHIFT) + (1 << SHIFT) / 2;
    let (cb, cr) = (i32::from(cb) - 128, i32::from(cr) - 128);
    [clamp(y + FIXED_R_CR * cr), clamp(y - FIXED_G_CB * cb - FIXED_G_CR * cr), clamp(y + FIXED_B_CB * cb)]
}

/// Dequantises `block` (natural order) and writes its `scale` x `scale` samples at the start of
/// `out`, `stride` apart: jpeg-decoder's `dequantize_and_idct_block` for scale 1, 2, 4.
#[inline(always)]
pub fn idct(scale: usize, block: &[i16; 64], quant: &[u16; 64], out: &mut [u8], stride: usize) -> Option<()> {
    // The last row must fit; the rows above it then do too.
    out.get((scale - 1) * stride..(scale - 1) * stride + scale)?;
    let at = |i: usize| i32::from(block[i]) * i32::from(quant[i]);
    match scale {
        1 => out[0] = clamp(at(0).wrapping_add(128 * 8) / 8),
        2 => idct_2x2([at(0), at(1), at(8), at(9)], out, stride),
        _ => idct_4x4(block, quant, out, stride),
    }
    Some(())
}

/// jpeg-decoder's `stbi_clamp`.
#[inline(always)]
fn clamp(x: i32) -> u8 {
    x.clamp(0, 255) as u8
}

/// jpeg-decoder's `dequantize_and_idct_block_2x2`, given the dequantised (0,0), (0,1), (1,0), (1,1).
#[inline(always)]
fn idct_2x2([s00, s01, s10, s11]: [i32; 4], out: &mut [u8], stride: usize) {
    const SCALE_BITS: u32 = 3;
    let bias = (1 << (SCALE_BITS - 1)) + (128 << SCALE_BITS);
    let x0 = s00.wrapping_add(s10).wrapping_add(bias);
    let x2 = s00.wrapping_sub(s10).wrapping_add(bias);
    let x1 = s01.wrapping_add(s11);
    let x3 = s01.wrapping_sub(s11);
    out[0] = clamp(x0.wrapping_add(x1) >> SCALE_BITS);
    out[1] = clamp(x0.wrapping_sub(x1) >> SCALE_BITS);
    out[stride] = clamp(x2.wrapping_add(x3) >> SCALE_BITS);
    out[stride + 1] = clamp(x2.wrapping_sub(x3) >> SCALE_BITS);
}

/// jpeg-decoder's `stbi_f2f`: a constant in 12-bit fixed point.
fn f2f(x: f32) -> i32 {
    (x * 4096.0 + 0.5) as i32
}

/// jpeg-decoder's `dequantize_and_idct_block_4x4` (after Dugad and Ahuja, via jidctred). Only
/// photos under 256 pixels on a side use 1/2 scale: kept out of line, for a smaller wasm.
#[inline(never)]
#[allow(clippy::excessive_precision)] // jpeg-decoder's constants, as written there
fn idct_4x4(block: &[i16; 64], quant: &[u16; 64], out: &mut [u8], stride: usize) {
    const CONST_BITS: u32 = 12;
    const PASS1_BITS: u32 = 2;
    const FINAL_BITS: u32 = CONST_BITS + PASS1_BITS + 3;
    let (c1, c2, c3) = (f2f(0.541196100), f2f(-1.847759065), f2f(0.765366865));
    let at = |i: usize| i32::from(block[i]) * i32::from(quant[i]);
    let mut temp = [0i32; 16];
    for i in 0..4 {
        let (s0, s1, s2, s3) = (at(i), at(i + 8), at(i + 16), at(i + 24));
        let x0 = s0.wrapping_add(s2) << PASS1_BITS;
        let x2 = s0.wrapping_sub(s2) << PASS1_BITS;
        let p1 = s1.wrapping_add(s3).wrapping_mul(c1);
        let t0 = p1.wrapping_add(s3.wrapping_mul(c2)).wrapping_add(512) >> (CONST_BITS - PASS1_BITS);
        let t2 = p1.wrapping_add(s1.wrapping_mul(c3)).wrapping_add(512) >> (CONST_BITS - PASS1_BITS);
        temp[i] = x0.wrapping_add(t2);
        temp[i + 12] = x0.wrapping_sub(t2);
        temp[i + 4] = x2.wrapping_add(t0);
        temp[i + 8] = x2.wrapping_sub(t0);
    }
    for i in 0..4 {
        let (s0, s1, s2, s3) = (temp[i * 4], temp[i * 4 + 1], temp[i * 4 + 2], temp[i * 4 + 3]);
        let bias = (1 << (FINAL_BITS - 1)) + (128 << FINAL_BITS);
        let x0 = (s0.wrapping_add(s2) << CONST_BITS).wrapping_add(bias);
        let x2 = (s0.wrapping_sub(s2) << CONST_BITS).wrapping_add(bias);
        let p1 = s1.wrapping_add(s3).wrapping_mul(c1);
        let t0 = p1.wrapping_add(s3.wrapping_mul(c2));
        let t2 = p1.wrapping_add(s1.wrapping_mul(c3));
        let row = &mut out[i * stride..i * stride + 4];
        row[0] = clamp(x0.wrapping_add(t2) >> FINAL_BITS);
        row[3] = clamp(x0.wrapping_sub(t2) >> FINAL_BITS);
        row[1] = clamp(x2.wrapping_add(t0) >> FINAL_BITS);
        row[2] = clamp(x2.wrapping_sub(t0) >> FINAL_BITS);
    }
}
