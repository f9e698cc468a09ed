//! What `./build.sh bench` times in V8: one gradient-descent iteration of the fast kernel on
//! seeded synthetic photos, photo decoding + resizing, and learning the default dictionary of
//! learned features then extracting the features of every photo, exported for node.

use catdog::data::rng::Mt19937;
use catdog::decode::prepare_bytes;
use catdog::features::learned::{Dictionary, LearnedParams};
use catdog::model::Model;
use catdog::photo::PHOTO_BYTES;
use catdog::train::kernel::FastObjective;
use catdog::train::optimize::{Settings, Trainer};
use catdog::train::prepare::DICTIONARY_SEED;
use wasm_bindgen::prelude::*;

/// Gradient descent on `m` synthetic photos, stepped one iteration at a time from JS.
#[wasm_bindgen]
pub struct KernelBench {
    trainer: Trainer,
}

#[wasm_bindgen]
impl KernelBench {
    /// Seeded photos and labels, the same as the native benchmark's.
    #[wasm_bindgen(constructor)]
    pub fn new(m: usize) -> Result<KernelBench, JsError> {
        let mut rng = Mt19937::new(0);
        let pixels: Vec<u8> = (0..m * PHOTO_BYTES).map(|_| (rng.next_u32() >> 24) as u8).collect();
        let labels: Vec<u8> = (0..m).map(|_| (rng.next_u32() >> 31) as u8).collect();
        let objective = FastObjective::from_levels(pixels, &labels, PHOTO_BYTES, 1.0 / 255.0, 0.0)?;
        let settings = Settings { learning_rate: 0.005, iterations: usize::MAX, record_every: 1 };
        Ok(KernelBench { trainer: Trainer::new(Box::new(objective), Model::zeros(PHOTO_BYTES), settings)? })
    }

    /// One iteration; returns its cost.
    pub fn step(&mut self) -> Result<f64, JsError> {
        Ok(self.trainer.step()?)
    }
}

/// Decodes and resizes one photo to 64x64 RGB; returns its first byte so the work is not dropped.
#[wasm_bindgen]
pub fn prepare(bytes: &[u8]) -> Result<u8, JsError> {
    Ok(prepare_bytes(bytes, "photo")?[0])
}

/// Learned features on a set of prepared photos: node adds the photos, then times `learn` and
/// `extract_all` (the native benchmark's measurement, bench/native.rs).
#[wasm_bindgen]
pub struct FeaturesBench {
    photos: Vec<Vec<u8>>,
    dictionary: Option<Dictionary>,
}

#[wasm_bindgen]
impl FeaturesBench {
    /// No photos yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> FeaturesBench {
        FeaturesBench { photos: Vec::new(), dictionary: None }
    }

    /// `m` seeded synthetic photos, the native benchmark's when the shared photos are absent.
    pub fn synthetic(m: usize) -> FeaturesBench {
        let mut rng = Mt19937::new(0);
        let pixels: Vec<u8> = (0..m * PHOTO_BYTES).map(|_| (rng.next_u32() >> 24) as u8).collect();
        FeaturesBench { photos: pixels.chunks_exact(PHOTO_BYTES).map(<[u8]>::to_vec).collect(), dictionary: None }
    }

    /// Decodes and resizes one photo file (not timed by node) and keeps it.
    pub fn add(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.photos.push(prepare_bytes(bytes, "photo")?);
        Ok(())
    }

    /// Number of photos kept.
    pub fn photos(&self) -> usize {
        self.photos.len()
    }

    /// Learns the default dictionary from every photo with the page's seed; returns its features
    /// per photo.
    pub fn learn(&mut self) -> Result<usize, JsError> {
        let photos = self.photos.iter().map(Vec::as_slice);
        let dictionary = Dictionary::learn(photos, &LearnedParams::default(), DICTIONARY_SEED)?;
        let features = dictionary.features();
        self.dictionary = Some(dictionary);
        Ok(features)
    }

    /// Extracts the features of every photo with the last dictionary learned; returns the hash of
    /// their bits in hex (FNV-1a, the native benchmark's).
    pub fn extract_all(&self) -> Result<String, JsError> {
        let dictionary = self.dictionary.as_ref().ok_or_else(|| JsError::new("learn first"))?;
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        for photo in &self.photos {
            for v in dictionary.extract(photo)? {
                hash = (hash ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3);
            }
        }
        Ok(format!("{hash:016x}"))
    }
}

impl Default for FeaturesBench {
    fn default() -> Self {
        FeaturesBench::new()
    }
}
