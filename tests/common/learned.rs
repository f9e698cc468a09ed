//! The learned features' cross-target check, shared by tests/features.rs (native) and
//! tests/web.rs (wasm): the hash of the features of photos made in code, with a dictionary of
//! sizes of its own (so the defaults can change without moving it) learned from them.

use catdog::features::learned::{Dictionary, LearnedParams};

/// What both targets must give.
pub const LEARNED_FEATURES_HASH: u64 = 0xfeca_4236_6cf4_7b9a;

/// FNV-1a of every feature's bits, photo after photo.
pub fn learned_features_hash() -> u64 {
    let photos: Vec<Vec<u8>> = (0..6u32)
        .map(|k| {
            (0..64 * 64 * 3u32).map(|i| ((i * (k + 3) + (i / 192) * (k * 5 + 1) + (i / 7) % 13) % 256) as u8).collect()
        })
        .collect();
    let params = LearnedParams {
        side: 32,
        patch: 6,
        stride: 2,
        centroids: 64,
        grid: 2,
        epsilon: 0.1,
        patches: 2000,
        iterations: 10,
    };
    let dictionary = Dictionary::learn(photos.iter().map(Vec::as_slice), &params, 7).expect("valid sizes");
    let features = photos.iter().flat_map(|p| dictionary.extract(p).expect("64x64x3 photos"));
    features
        .flat_map(f64::to_le_bytes)
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}
