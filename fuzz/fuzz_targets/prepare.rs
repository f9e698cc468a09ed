//! Any bytes through `catdog::decode::prepare_bytes`, the one photo preparation the CLI and the
//! page call (the project's JPEG decoder, jpeg-decoder, then each of the image crate's decoders):
//! it never panics, a photo it accepts is 64x64 RGB, and it is exactly the bytes of the
//! reference path (jpeg-decoder and the image crate's resize) whenever that accepts the file too.

#![no_main]

use catdog::decode::{prepare_bytes, prepare_bytes_reference};
use catdog::photo::PHOTO_BYTES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(prepared) = prepare_bytes(data, "fuzz") else { return };
    assert_eq!(prepared.len(), PHOTO_BYTES);
    if let Ok(reference) = prepare_bytes_reference(data, "fuzz") {
        assert!(prepared == reference, "prepared bytes differ from the reference path's");
    }
});
