//! Photo bytes or an RGBA frame → the model's input: 64x64 RGB, `u8`, row-major, 12,288 bytes.
//!
//! Both the CLI and the page go through here, so a photo gives the same pixels everywhere.

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, RgbaImage};

use crate::{Error, Result};

/// Side of the square the model sees, in pixels.
pub const SIDE: u32 = 64;
/// Colour channels per pixel (RGB).
pub const CHANNELS: usize = 3;
/// Bytes (features) per prepared photo: 64 * 64 * 3.
pub const FEATURES: usize = (SIDE as usize) * (SIDE as usize) * CHANNELS;

/// Decodes a JPEG, PNG, WebP, GIF (first frame) or BMP, applies its EXIF orientation and
/// resizes it to 64x64 RGB. `name` only serves the error message.
pub fn prepare_bytes(bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    let image = decode(bytes).map_err(|e| Error::Image { name: name.to_string(), reason: e })?;
    Ok(resize_rgb(image.to_rgb8()))
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
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
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

/// Bicubic (Catmull-Rom) resize to 64x64; an image already that size is kept byte for byte.
fn resize_rgb(image: RgbImage) -> Vec<u8> {
    if image.dimensions() == (SIDE, SIDE) {
        return image.into_raw();
    }
    imageops::resize(&image, SIDE, SIDE, FilterType::CatmullRom).into_raw()
}

#[cfg(test)]
mod tests {
    use super::*;
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
            assert_eq!(prepared.len(), FEATURES, "{format:?}");
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
