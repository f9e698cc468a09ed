//! What `./build.sh bench` times in V8: one gradient-descent iteration of the fast kernel on
//! seeded synthetic photos, and photo decoding + resizing, exported for node.

use catdog::decode::prepare_bytes;
use catdog::photo::PHOTO_BYTES;
use catdog::train::kernel::FastObjective;
use catdog::model::Model;
use catdog::data::rng::Mt19937;
use catdog::train::optimize::{Settings, Trainer};
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
