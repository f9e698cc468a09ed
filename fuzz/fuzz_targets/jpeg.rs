//! Any bytes through the project's own JPEG decoder (`catdog::decode::jpeg::decode`) at the
//! scale photo preparation asks for: it never panics, and the pixels it gives fill exactly the
//! size it says.

#![no_main]

use catdog::decode::{jpeg, requested_size, MAX_PIXELS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = jpeg::decode(data, requested_size, MAX_PIXELS) else { return };
    assert!(decoded.channels == 1 || decoded.channels == 3, "{} channels", decoded.channels);
    let expected = decoded.width as usize * decoded.height as usize * decoded.channels;
    assert_eq!(decoded.pixels.len(), expected, "{}x{}", decoded.width, decoded.height);
});
