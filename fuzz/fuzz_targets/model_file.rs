//! Any UTF-8 text through `SavedModel::from_json`, as `catdog predict --model` and the page's
//! "Load model" read it: it never panics, and a model it accepts predicts a probability in [0, 1]
//! for any photo, without panicking, or says why it cannot.

#![no_main]

use catdog::model::file::SavedModel;
use catdog::photo::PHOTO_BYTES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(model) = SavedModel::from_json(text) else { return };
    // Black, white and a ramp through every byte value: flat photos are HOG's and the learned
    // patches' degenerate cases (no gradient, no contrast).
    let photos = [vec![0u8; PHOTO_BYTES], vec![255u8; PHOTO_BYTES], (0..PHOTO_BYTES).map(|i| i as u8).collect()];
    for photo in &photos {
        if let Ok(p) = model.probability(photo) {
            assert!((0.0..=1.0).contains(&p), "probability {p}");
        }
    }
    // What it reads, it writes back as a file it reads again, unchanged.
    let again = SavedModel::from_json(&model.to_json()).expect("a model it read, written again, reads back");
    assert!(again == model, "the model changed in a write and read");
});
