//! Dot products in `f32` over eight independent lanes summed in one fixed tree, so scalar,
//! SSE2 and SIMD128 code compute the very same sums; four rows at a time by hand in SIMD.

use super::LANES;

/// The lanes' sums added in one fixed tree.
pub(super) fn combine(acc: [f32; LANES]) -> f32 {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Sum of `a`: value i goes to lane i mod 8.
pub(super) fn sum(a: &[f32]) -> f32 {
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
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
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
pub(super) fn dot_rows(a: &[f32], rows: &[f32], out: &mut [f32]) {
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
pub(super) fn dots4_portable(a: &[f32], rows: [&[f32]; 4]) -> [f32; 4] {
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
pub(super) use dots4_portable as dots4;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) use simd128::dots4;
#[cfg(target_arch = "x86_64")]
pub(super) use sse2::dots4;

/// SIMD128 by hand: LLVM's own vectorisation of the portable loop took 2.6 times as long in
/// wasm (docs/learned-features.md).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use core::arch::wasm32::*;

    use super::{combine, LANES};

    /// The portable `dots4`: lanes 0..4 of each sum in one `f32x4`, lanes 4..8 in another, the
    /// same products added in the same order, so the same bits.
    #[inline(always)]
    pub(crate) fn dots4(a: &[f32], rows: [&[f32]; 4]) -> [f32; 4] {
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
    pub(crate) fn dots4(a: &[f32], rows: [&[f32]; 4]) -> [f32; 4] {
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
