//! Photo bytes or an RGBA frame → the model's input: 64x64 RGB, `u8`, row-major, 12,288 bytes.
//!
//! Both the CLI and the page go through here, so a photo gives the same pixels everywhere.

pub mod jpeg;
pub mod resize;

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, RgbaImage};

use crate::photo::SIDE;
use crate::{Error, Result};

/// Decodes a JPEG, PNG, WebP, GIF (first frame) or BMP, applies its EXIF orientation and
/// resizes it to 64x64 RGB. `name` only serves the error message.
pub fn prepare_bytes(bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    let image = decode(bytes).map_err(|e| Error::Image { name: name.to_string(), reason: e })?;
    Ok(resize_rgb(image.into_rgb8()))
}

/// [`prepare_bytes`] through jpeg-decoder and the image crate's resize only, as it was before
/// [`crate::decode::jpeg`] and [`crate::decode::resize`]: the reference their tests hold them to, byte for byte.
pub fn prepare_bytes_reference(bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    let decoded = decode_jpeg_scaled(bytes).map(Ok).unwrap_or_else(|| decode_full(bytes));
    let image = decoded.map_err(|e| Error::Image { name: name.to_string(), reason: e })?.into_rgb8();
    if image.dimensions() == (SIDE, SIDE) {
        return Ok(image.into_raw());
    }
    Ok(imageops::resize(&image, SIDE, SIDE, FilterType::CatmullRom).into_raw())
}

/// Prepares an RGBA frame (a canvas's `ImageData`) exactly as a decoded photo.
pub fn prepare_rgba(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let expected = width as usize * height as usize * 4;
    let frame = (width > 0 && height > 0 && rgba.len() == expected)
        .then(|| RgbaImage::from_raw(width, height, rgba.to_vec()))
        .flatten()
        .ok_or(Error::FrameSize { width, height, expected, actual: rgba.len() })?;
    Ok(resize_rgb(DynamicImage::ImageRgba8(frame).to_rgb8()))
}

fn decode(bytes: &[u8]) -> std::result::Result<DynamicImage, String> {
    if let Some(image) = decode_jpeg_fast(bytes) {
        return Ok(image);
    }
    if let Some(image) = decode_jpeg_scaled(bytes) {
        return Ok(image);
    }
    decode_full(bytes)
}

/// Smallest side a JPEG is decoded to before the bicubic resize: the model's side, so the resize
/// only ever shrinks, and a 500x375 photo decodes at 1/4 (125x94). The DCT scaling averages each
/// 8x8 block's detail away, as the resize would: a couple of levels (of 255) from a full-size
/// decode, for nearly twice the photos per second (docs/performance.md).
pub const JPEG_MIN_SIDE: u16 = SIDE as u16;

/// The size to ask jpeg-decoder's `scale` for: the photo divided by the largest of 8, 4, 2 that
/// keeps both sides at least [`JPEG_MIN_SIDE`] (1, full size, if none does).
pub fn requested_size(width: u16, height: u16) -> (u16, u16) {
    let fits = |k: u16| width.div_ceil(k).min(height.div_ceil(k)) >= JPEG_MIN_SIDE;
    let scale = [8, 4, 2, 1].into_iter().find(|&k| fits(k)).unwrap_or(1);
    (width.div_ceil(scale), height.div_ceil(scale))
}

/// [`decode_jpeg_scaled`]'s pixels from [`crate::decode::jpeg`], several times faster, for the baseline
/// JPEGs it takes; `None` sends the others to jpeg-decoder.
fn decode_jpeg_fast(bytes: &[u8]) -> Option<DynamicImage> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return None;
    }
    let decoded = jpeg::decode(bytes, requested_size)?;
    let mut image = match decoded.channels {
        3 => DynamicImage::ImageRgb8(RgbImage::from_raw(decoded.width, decoded.height, decoded.pixels)?),
        1 => DynamicImage::ImageLuma8(image::GrayImage::from_raw(decoded.width, decoded.height, decoded.pixels)?),
        _ => return None,
    };
    if let Some(orientation) = decoded.exif.and_then(Orientation::from_exif_chunk) {
        image.apply_orientation(orientation);
    }
    Some(image)
}

/// A JPEG decoded at 1/8, 1/4 or 1/2 scale in the DCT (the largest that keeps both sides at least
/// [`JPEG_MIN_SIDE`]; full size if none does), upright from its EXIF orientation. `None` when it
/// is not a JPEG or not one this decoder handles (CMYK, 16-bit): the image crate decodes those
/// and reports their errors. The decoder runs without SIMD, so native and wasm get the same pixels.
fn decode_jpeg_scaled(bytes: &[u8]) -> Option<DynamicImage> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return None;
    }
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (width, height) = requested_size(info.width, info.height);
    let (width, height) = decoder.scale(width, height).ok()?;
    let pixels = decoder.decode().ok()?;
    let (width, height) = (u32::from(width), u32::from(height));
    let mut image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, pixels)?),
        jpeg_decoder::PixelFormat::L8 => DynamicImage::ImageLuma8(image::GrayImage::from_raw(width, height, pixels)?),
        _ => return None,
    };
    if let Some(orientation) = decoder.exif_data().and_then(Orientation::from_exif_chunk) {
        image.apply_orientation(orientation);
    }
    Some(image)
}

/// Any supported format at full size, through the image crate.
fn decode_full(bytes: &[u8]) -> std::result::Result<DynamicImage, String> {
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    if reader.format().is_none() {
        return Err("not a JPEG, PNG, WebP, GIF or BMP image".into());
    }
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    // A photo whose orientation tag cannot be read is still worth using upright as stored.
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// Bicubic (Catmull-Rom) resize to 64x64, the image crate's bytes; an image already that size is
/// kept byte for byte.
fn resize_rgb(image: RgbImage) -> Vec<u8> {
    let (width, height) = image.dimensions();
    if (width, height) == (SIDE, SIDE) {
        return image.into_raw();
    }
    resize::catmull_rom_rgb(image.as_raw(), width, height, SIDE, SIDE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::photo::{CHANNELS, PHOTO_BYTES};
    use image::{ImageFormat, Rgb};

    fn encode(image: &RgbImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).expect("encoding a test image");
        out.into_inner()
    }

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| Rgb([(x * 3) as u8, (y * 2) as u8, ((x + y) % 251) as u8]))
    }

    #[test]
    fn a_64x64_png_is_left_exactly_as_it_is() {
        let image = gradient(64, 64);
        let prepared = prepare_bytes(&encode(&image, ImageFormat::Png), "g.png").unwrap();
        assert_eq!(prepared, image.into_raw());
    }

    #[test]
    fn larger_photos_become_64x64_rgb() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Bmp, ImageFormat::Gif] {
            let prepared = prepare_bytes(&encode(&gradient(200, 150), format), "g").unwrap();
            assert_eq!(prepared.len(), PHOTO_BYTES, "{format:?}");
        }
    }

    #[test]
    fn a_flat_colour_stays_that_colour_after_resizing() {
        let image = RgbImage::from_pixel(130, 90, Rgb([200, 40, 90]));
        let prepared = prepare_bytes(&encode(&image, ImageFormat::Png), "flat.png").unwrap();
        assert!(prepared.chunks(3).all(|p| p == [200, 40, 90]));
    }

    #[test]
    fn rgba_frames_match_the_same_photo_decoded() {
        let image = gradient(96, 80);
        let rgba = DynamicImage::ImageRgb8(image.clone()).to_rgba8();
        let from_frame = prepare_rgba(rgba.as_raw(), 96, 80).unwrap();
        let from_png = prepare_bytes(&encode(&image, ImageFormat::Png), "g.png").unwrap();
        assert_eq!(from_frame, from_png);
    }

    /// A smooth photo-like pattern, so JPEG artefacts stay small.
    fn smooth(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
            Rgb([(255.0 * fx) as u8, (255.0 * fy) as u8, (127.0 + 100.0 * (6.0 * fx).sin() * (4.0 * fy).cos()) as u8])
        })
    }

    fn mean_abs_difference(a: &[u8], b: &[u8]) -> f64 {
        a.iter().zip(b).map(|(&a, &b)| f64::from(a.abs_diff(b))).sum::<f64>() / a.len() as f64
    }

    #[test]
    fn jpegs_decoded_at_reduced_scale_match_a_full_decode_closely() {
        for (width, height) in [(500, 375), (1200, 900), (300, 1100)] {
            let bytes = encode(&smooth(width, height), ImageFormat::Jpeg);
            let scaled = prepare_bytes(&bytes, "p.jpg").unwrap();
            let full = resize_rgb(decode_full(&bytes).unwrap().to_rgb8());
            let difference = mean_abs_difference(&scaled, &full);
            assert!(difference < 2.0, "{width}x{height}: mean difference {difference} levels");
        }
    }

    /// `jpeg` with an EXIF APP1 segment saying orientation 6 (turn 90 degrees clockwise).
    fn with_orientation_6(jpeg: &[u8]) -> Vec<u8> {
        let tiff: &[u8] = &[b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0];
        let length = (2 + 6 + tiff.len()) as u16;
        let mut out = vec![0xff, 0xd8, 0xff, 0xe1];
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(b"Exif\0\0");
        out.extend_from_slice(tiff);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn scaled_jpegs_are_turned_upright_from_exif() {
        // Red on the left, blue on the right; turned clockwise, red is on top.
        let image = RgbImage::from_fn(600, 300, |x, _| if x < 300 { Rgb([220, 30, 30]) } else { Rgb([30, 30, 220]) });
        let bytes = with_orientation_6(&encode(&image, ImageFormat::Jpeg));
        let prepared = prepare_bytes(&bytes, "turned.jpg").unwrap();
        let full = resize_rgb(decode_full(&bytes).unwrap().to_rgb8());
        let pixel = |x: usize, y: usize| &prepared[(y * SIDE as usize + x) * CHANNELS..][..CHANNELS];
        assert!(pixel(63, 0)[0] > 150 && pixel(63, 0)[2] < 100, "top-right is {:?}", pixel(63, 0));
        assert!(pixel(0, 63)[2] > 150 && pixel(0, 63)[0] < 100, "bottom-left is {:?}", pixel(0, 63));
        assert!(mean_abs_difference(&prepared, &full) < 2.0);
    }

    #[test]
    fn jpegs_keep_at_least_the_models_side_before_resizing() {
        let bytes = encode(&smooth(1200, 300), ImageFormat::Jpeg);
        let image = decode_jpeg_scaled(&bytes).unwrap();
        // 1/4 gives 300x75; 1/8 would give 150x38, below 64 on the short side.
        assert_eq!((image.width(), image.height()), (300, 75));
        let small = decode_jpeg_scaled(&encode(&smooth(100, 90), ImageFormat::Jpeg)).unwrap();
        assert_eq!((small.width(), small.height()), (100, 90));
    }

    #[test]
    fn rejects_bytes_that_are_not_an_image() {
        let err = prepare_bytes(b"hello, I am a text file", "notes.txt").unwrap_err();
        assert!(matches!(&err, Error::Image { name, .. } if name == "notes.txt"), "{err}");
    }

    #[test]
    fn rejects_a_truncated_photo() {
        let bytes = encode(&gradient(100, 100), ImageFormat::Png);
        let err = prepare_bytes(&bytes[..bytes.len() / 2], "cut.png").unwrap_err();
        assert!(matches!(err, Error::Image { .. }));
    }

    #[test]
    fn rejects_a_frame_of_the_wrong_size() {
        let err = prepare_rgba(&[0; 10], 2, 2).unwrap_err();
        assert!(matches!(err, Error::FrameSize { expected: 16, actual: 10, .. }));
        assert!(matches!(prepare_rgba(&[], 0, 0).unwrap_err(), Error::FrameSize { .. }));
    }
}
