//! The project's JPEG decoder against jpeg-decoder, the comparison `tests/jpeg.rs` makes on every
//! photo: whenever the project's decoder takes a file, jpeg-decoder must take it too, at the same
//! scaled size, with exactly the same pixels. Files the project's decoder refuses or declines
//! (jpeg-decoder then decides, or fills a short scan with grey) are not compared.

#![no_main]

use catdog::decode::{jpeg, requested_size, MAX_PIXELS};
use libfuzzer_sys::fuzz_target;

/// jpeg-decoder's pixels at the scale photo preparation asks for, or why it gave none.
fn jpeg_decoder_pixels(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>), String> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(|e| format!("read_info: {e}"))?;
    let info = decoder.info().ok_or("no info after read_info")?;
    let (width, height) = requested_size(info.width, info.height);
    let (width, height) = decoder.scale(width, height).map_err(|e| format!("scale: {e}"))?;
    let pixels = decoder.decode().map_err(|e| format!("decode: {e}"))?;
    Ok((u32::from(width), u32::from(height), pixels))
}

fuzz_target!(|data: &[u8]| {
    let Ok(fast) = jpeg::decode(data, requested_size, MAX_PIXELS) else { return };
    let (width, height, pixels) = match jpeg_decoder_pixels(data) {
        Ok(decoded) => decoded,
        Err(why) => panic!("the project's decoder took a file jpeg-decoder rejects ({why})"),
    };
    assert_eq!((fast.width, fast.height), (width, height), "scaled size");
    if let Some(i) = (0..pixels.len().max(fast.pixels.len())).find(|&i| fast.pixels.get(i) != pixels.get(i)) {
        panic!(
            "pixels differ from jpeg-decoder's at byte {i} of {}x{}x{}: {:?} against {:?}",
            width,
            height,
            fast.channels,
            fast.pixels.get(i),
            pixels.get(i)
        );
    }
});
