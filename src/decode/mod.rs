//! Photo bytes or an RGBA frame → the model's input: 64x64 RGB, `u8`, row-major, 12,288 bytes.
//!
//! Both the CLI and the page go through here, so a photo gives the same pixels, and a bad file the
//! same [`ImageProblem`], everywhere.
//!
//! Limits come first. Every decoder's header is read and its declared width x height checked
//! against [`MAX_PIXELS`] before the decoder allocates anything for the pixels (the project's JPEG
//! decoder, jpeg-decoder's scaled path, each of the image crate's decoders), and the image crate's
//! decoders also get [`MAX_DECODE_BYTES`] as their `max_alloc`. A file that declares 100000x100000
//! pixels in 74 bytes is refused as [`ImageProblem::TooLarge`] with nothing allocated.
//!
//! A JPEG whose entropy-coded data ends before its last block is refused ([`ImageProblem::Truncated`];
//! [`ImageProblem::Damaged`] when the hole is between restart markers), not kept: jpeg-decoder would
//! fill the rest with grey, and a half-grey photo teaches the model nothing true about cats or
//! dogs, while the user can see a skipped line and fix the file. The project's decoder makes this
//! check for every baseline JPEG, at every size. A JPEG it does not take (progressive, CMYK, ...)
//! goes to jpeg-decoder and then the image crate, whose own errors say truncated or damaged.

pub mod jpeg;
pub mod resize;

use std::io::Cursor;

use image::error::{ImageError, LimitErrorKind};
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::photo::SIDE;
use crate::{Error, ImageProblem, Result};

/// Most pixels (declared width x height) a photo or camera frame may have: 64 megapixels. This
/// takes a 50-megapixel phone photo (8160x6120) and a 61-megapixel full-frame camera's
/// (9504x6336), and keeps one decode under half a gigabyte even in the widest layout
/// ([`MAX_DECODE_BYTES`]); the model sees 64x64 of it anyway.
pub const MAX_PIXELS: u64 = 64_000_000;

/// Most bytes the image crate's decoders may allocate for one image (`image::Limits::max_alloc`),
/// and most bytes a decoded image may take: a photo of [`MAX_PIXELS`] in 16-bit RGBA, the widest
/// of the formats read here (8 bytes a pixel), 512 MB.
pub const MAX_DECODE_BYTES: u64 = MAX_PIXELS * 8;

/// Decodes a JPEG, PNG, WebP, GIF (first frame) or BMP, applies its EXIF orientation and
/// resizes it to 64x64 RGB. `name` only serves the error message.
pub fn prepare_bytes(bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    let image = decode(bytes).map_err(|problem| Error::Image { name: name.to_string(), problem })?;
    Ok(resize_rgb(image.into_rgb8()))
}

/// [`prepare_bytes`] through jpeg-decoder and the image crate's resize only, as it was before
/// [`crate::decode::jpeg`] and [`crate::decode::resize`]: the reference their tests hold them to, byte for byte.
pub fn prepare_bytes_reference(bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    let decoded = match decode_jpeg_scaled(bytes) {
        Ok(Some(image)) => Ok(image),
        Ok(None) => decode_full(bytes),
        Err(problem) => Err(problem),
    };
    let image = decoded.map_err(|problem| Error::Image { name: name.to_string(), problem })?.into_rgb8();
    if image.dimensions() == (SIDE, SIDE) {
        return Ok(image.into_raw());
    }
    Ok(imageops::resize(&image, SIDE, SIDE, FilterType::CatmullRom).into_raw())
}

/// Prepares an RGBA frame (a canvas's `ImageData`) exactly as a decoded photo. The frame must hold
/// width x height x 4 bytes and at most [`MAX_PIXELS`] pixels.
pub fn prepare_rgba(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    check_frame(rgba, width, height)?;
    // The image crate's RGBA to RGB keeps the colour and drops the alpha; done here without
    // copying the frame first.
    let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| &p[..3]).copied().collect();
    rgb_frame(rgb, width, height, rgba.len())
}

/// Prepares the largest square in the middle of an RGBA frame (a webcam's, through a canvas),
/// with [`prepare_rgba`]'s checks and resize: a frame kept as a photo is cropped rather than
/// squashed, and a frame classified is cropped the same way, so the model sees what it was
/// trained on.
pub fn prepare_square_frame(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    check_frame(rgba, width, height)?;
    let side = width.min(height);
    let (left, top) = (((width - side) / 2) as usize, ((height - side) / 2) as usize);
    // check_frame: rgba holds exactly height rows of width x 4 bytes.
    let rgb: Vec<u8> = rgba
        .chunks_exact(width as usize * 4)
        .skip(top)
        .take(side as usize)
        .flat_map(|row| row[left * 4..(left + side as usize) * 4].chunks_exact(4).flat_map(|p| &p[..3]))
        .copied()
        .collect();
    rgb_frame(rgb, side, side, rgba.len())
}

/// [`Error::FrameTooLarge`] past [`MAX_PIXELS`], [`Error::FrameSize`] unless `rgba` holds
/// width x height x 4 bytes (and at least one pixel).
fn check_frame(rgba: &[u8], width: u32, height: u32) -> Result<()> {
    check_size(width, height).map_err(|_| Error::FrameTooLarge { width, height, limit: MAX_PIXELS })?;
    // At most 64 megapixels: no overflow, even in wasm32's 32-bit usize.
    let expected = u64::from(width) * u64::from(height) * 4;
    if width == 0 || height == 0 || rgba.len() as u64 != expected {
        return Err(Error::FrameSize { width, height, expected, actual: rgba.len() });
    }
    Ok(())
}

/// `width` x `height` RGB pixels of a checked frame of `frame_bytes`, resized as every photo is.
fn rgb_frame(rgb: Vec<u8>, width: u32, height: u32, frame_bytes: usize) -> Result<Vec<u8>> {
    let expected = u64::from(width) * u64::from(height) * 4;
    let image = RgbImage::from_raw(width, height, rgb).ok_or(Error::FrameSize {
        width,
        height,
        expected,
        actual: frame_bytes,
    })?;
    Ok(resize_rgb(image))
}

/// [`ImageProblem::TooLarge`] when `width` x `height` is more than [`MAX_PIXELS`].
fn check_size(width: u32, height: u32) -> std::result::Result<(), ImageProblem> {
    match u64::from(width) * u64::from(height) > MAX_PIXELS {
        true => Err(ImageProblem::TooLarge { width, height, limit: MAX_PIXELS }),
        false => Ok(()),
    }
}

fn decode(bytes: &[u8]) -> std::result::Result<DynamicImage, ImageProblem> {
    if let Some(image) = decode_jpeg_fast(bytes)? {
        return Ok(image);
    }
    if let Some(image) = decode_jpeg_scaled(bytes)? {
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
/// JPEGs it takes; `Ok(None)` sends the others to jpeg-decoder.
fn decode_jpeg_fast(bytes: &[u8]) -> std::result::Result<Option<DynamicImage>, ImageProblem> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return Ok(None);
    }
    let decoded = match jpeg::decode(bytes, requested_size, MAX_PIXELS) {
        Ok(decoded) => decoded,
        Err(jpeg::Refused::Declined) => return Ok(None),
        Err(jpeg::Refused::TooLarge { width, height }) => {
            return Err(ImageProblem::TooLarge { width: width.into(), height: height.into(), limit: MAX_PIXELS })
        }
        Err(jpeg::Refused::Truncated) => return Err(ImageProblem::Truncated),
        Err(jpeg::Refused::Damaged) => return Err(ImageProblem::Damaged),
    };
    let (width, height) = (decoded.width, decoded.height);
    let mut image = match decoded.channels {
        3 => RgbImage::from_raw(width, height, decoded.pixels).map(DynamicImage::ImageRgb8),
        1 => image::GrayImage::from_raw(width, height, decoded.pixels).map(DynamicImage::ImageLuma8),
        _ => None,
    };
    if let (Some(image), Some(orientation)) = (&mut image, decoded.exif.and_then(Orientation::from_exif_chunk)) {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// A JPEG decoded at 1/8, 1/4 or 1/2 scale in the DCT (the largest that keeps both sides at least
/// [`JPEG_MIN_SIDE`]; full size if none does), upright from its EXIF orientation, its declared size
/// checked before it is decoded. `Ok(None)` when it is not a JPEG, or not one this decoder handles
/// (CMYK, 16-bit, a header it cannot read): the image crate decodes those and reports their errors. The decoder
/// runs without SIMD, so native and wasm get the same pixels.
fn decode_jpeg_scaled(bytes: &[u8]) -> std::result::Result<Option<DynamicImage>, ImageProblem> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return Ok(None);
    }
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(usize::try_from(MAX_DECODE_BYTES).unwrap_or(usize::MAX));
    let Some(info) = decoder.read_info().ok().and_then(|()| decoder.info()) else { return Ok(None) };
    check_size(info.width.into(), info.height.into())?;
    let (width, height) = requested_size(info.width, info.height);
    let Ok((width, height)) = decoder.scale(width, height) else { return Ok(None) };
    // Past the header, the file is jpeg-decoder's to judge: the image crate's JPEG decoder would
    // accept damaged or cut data, filled in.
    let pixels = match decoder.decode() {
        Ok(pixels) => pixels,
        Err(jpeg_decoder::Error::Io(_)) => return Err(ImageProblem::Truncated),
        Err(jpeg_decoder::Error::Format(_)) => return Err(ImageProblem::Damaged),
        Err(_) => return Ok(None),
    };
    let (width, height) = (u32::from(width), u32::from(height));
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8),
        jpeg_decoder::PixelFormat::L8 => {
            image::GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => None,
    };
    let Some(mut image) = image else { return Ok(None) };
    if let Some(orientation) = decoder.exif_data().and_then(Orientation::from_exif_chunk) {
        image.apply_orientation(orientation);
    }
    Ok(Some(image))
}

/// Any supported format at full size, through the image crate, its declared size checked first.
fn decode_full(bytes: &[u8]) -> std::result::Result<DynamicImage, ImageProblem> {
    if bytes.is_empty() {
        return Err(ImageProblem::Empty);
    }
    let format = match image::guess_format(bytes) {
        Ok(
            format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif | ImageFormat::Bmp),
        ) => format,
        _ => {
            return Err(
                unsupported_kind(bytes).map_or(ImageProblem::NotAnImage, |kind| ImageProblem::Unsupported { kind })
            )
        }
    };
    // The PNG and BMP decoders check their own limits on opening the file, before the image
    // crate gives their size: in wasm's 32-bit usize a bomb's pixel count overflows there, and
    // would be refused as needing too much memory (of "0x0 pixels") or as a kind of BMP not read.
    let declared = declared_size(bytes, format);
    if let Some((width, height)) = declared {
        check_size(width, height)?;
    }
    if format == ImageFormat::Jpeg && later_component_sampled_more(bytes) {
        return Err(ImageProblem::UnsupportedVariant { format: "JPEG" });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| problem(e, format, declared))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(ImageProblem::NeedsTooMuchMemory { width, height, limit: MAX_DECODE_BYTES });
    }
    // A photo whose orientation tag cannot be read is still worth using upright as stored.
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| problem(e, format, Some((width, height))))?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// The width and height a PNG's IHDR or a BMP's info header declares, read from their fixed
/// places; `None` for other formats or a header too short to hold them (the decoder then says).
fn declared_size(bytes: &[u8], format: ImageFormat) -> Option<(u32, u32)> {
    let u32_at = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let le_i32_at = |at: usize| Some(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?).unsigned_abs());
    let le_u16_at = |at: usize| Some(u32::from(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?)));
    match format {
        ImageFormat::Png if bytes.get(12..16) == Some(b"IHDR") => Some((u32_at(16)?, u32_at(20)?)),
        // The info header's size says its layout: 12 bytes (OS/2 1.x) hold 16-bit sides, the
        // others 32-bit signed ones (a negative height is a top-down BMP).
        ImageFormat::Bmp => match u32::from_le_bytes(bytes.get(14..18)?.try_into().ok()?) {
            12 => Some((le_u16_at(18)?, le_u16_at(20)?)),
            _ => Some((le_i32_at(18)?, le_i32_at(22)?)),
        },
        _ => None,
    }
}

/// Whether any frame header in a JPEG gives a later component larger sampling factors than the
/// first component's. zune-jpeg 0.5.15, the image crate's JPEG decoder, panics in its IDCT on such
/// a file (an `unwrap` on `None`, or an index out of range: found by fuzzing,
/// tests/fuzz_regressions.rs), and jpeg-decoder hands them on when it cannot give RGB or grey (a
/// CMYK frame, say); no camera writes them. Every SOF-looking marker counts, wherever it is,
/// because zune-jpeg skips bytes that are not markers to find one.
fn later_component_sampled_more(bytes: &[u8]) -> bool {
    (0..bytes.len().saturating_sub(1)).any(|at| {
        // SOF0 to SOF15 (C4 is DHT, C8 reserved, CC DAC): length, precision, height, width,
        // count, then each component's id, sampling factors (h << 4 | v) and table.
        let sof =
            bytes[at] == 0xff && matches!(bytes[at + 1], 0xc0..=0xcf) && !matches!(bytes[at + 1], 0xc4 | 0xc8 | 0xcc);
        let Some(&count) = bytes.get(at + 9).filter(|_| sof) else { return false };
        let Some(components) = bytes.get(at + 10..at + 10 + 3 * usize::from(count)) else { return false };
        let mut samplings = components.chunks_exact(3).map(|c| (c[1] >> 4, c[1] & 15));
        let Some((h, v)) = samplings.next() else { return false };
        samplings.any(|(other_h, other_v)| other_h > h || other_v > v)
    })
}

/// The image crate's error for a file of `format` (of `size`, once its header is read), in plain words.
fn problem(err: ImageError, format: ImageFormat, size: Option<(u32, u32)>) -> ImageProblem {
    let (width, height) = size.unwrap_or((0, 0));
    match err {
        ImageError::Limits(limit) => match limit.kind() {
            LimitErrorKind::DimensionError => ImageProblem::TooLarge { width, height, limit: MAX_PIXELS },
            _ => ImageProblem::NeedsTooMuchMemory { width, height, limit: MAX_DECODE_BYTES },
        },
        ImageError::Unsupported(_) => ImageProblem::UnsupportedVariant {
            format: match format {
                ImageFormat::Jpeg => "JPEG",
                ImageFormat::Png => "PNG",
                ImageFormat::WebP => "WebP",
                ImageFormat::Gif => "GIF",
                _ => "BMP",
            },
        },
        err if is_cut_short(&err) => ImageProblem::Truncated,
        _ => ImageProblem::Damaged,
    }
}

/// Whether the decoder ran out of bytes: an I/O "unexpected end of file" anywhere in the error's
/// chain, or the words the decoders use for it (zune-jpeg's "Not enough bytes", image-webp's and
/// gif's "unexpected EOF") where they do not keep the I/O error.
fn is_cut_short(err: &ImageError) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::UnexpectedEof) {
            return true;
        }
        let text = e.to_string().to_ascii_lowercase();
        if ["not enough bytes", "unexpected eof", "unexpected end", "end of file", "no more data"]
            .iter()
            .any(|w| text.contains(w))
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// The name of an image format catdog does not read, from the file's first bytes.
fn unsupported_kind(bytes: &[u8]) -> Option<&'static str> {
    // ISO base media files (HEIF, AVIF): a box size, then "ftyp" and the major brand.
    if bytes.get(4..8) == Some(b"ftyp") {
        return match bytes.get(8..12)? {
            b"avif" | b"avis" => Some("AVIF"),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => Some("HEIC"),
            _ => None,
        };
    }
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some("TIFF");
    }
    if starts(&[0xff, 0x0a]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Some("JPEG XL");
    }
    if starts(b"%PDF") {
        return Some("PDF");
    }
    if starts(b"8BPS") {
        return Some("Photoshop");
    }
    if starts(&[0, 0, 1, 0]) {
        return Some("ICO");
    }
    if starts(b"qoif") {
        return Some("QOI");
    }
    if starts(&[0x76, 0x2f, 0x31, 0x01]) {
        return Some("OpenEXR");
    }
    if starts(b"#?RADIANCE") || starts(b"#?RGBE") {
        return Some("Radiance HDR");
    }
    // SVG is text: an XML declaration, comments or a doctype may come before the <svg element.
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let text = head.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') && head.contains("<svg") {
        return Some("SVG");
    }
    None
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
        let image = decode_jpeg_scaled(&bytes).unwrap().unwrap();
        // 1/4 gives 300x75; 1/8 would give 150x38, below 64 on the short side.
        assert_eq!((image.width(), image.height()), (300, 75));
        let small = decode_jpeg_scaled(&encode(&smooth(100, 90), ImageFormat::Jpeg)).unwrap().unwrap();
        assert_eq!((small.width(), small.height()), (100, 90));
    }

    #[test]
    fn rejects_bytes_that_are_not_an_image() {
        let err = prepare_bytes(b"hello, I am a text file", "notes.txt").unwrap_err();
        assert!(
            matches!(&err, Error::Image { name, problem: ImageProblem::NotAnImage } if name == "notes.txt"),
            "{err}"
        );
    }

    #[test]
    fn rejects_a_truncated_photo() {
        let bytes = encode(&gradient(100, 100), ImageFormat::Png);
        let err = prepare_bytes(&bytes[..bytes.len() / 2], "cut.png").unwrap_err();
        assert!(matches!(err, Error::Image { problem: ImageProblem::Truncated, .. }), "{err}");
    }

    #[test]
    fn the_limit_takes_50_and_61_megapixel_cameras_and_refuses_80() {
        assert_eq!(check_size(8160, 6120), Ok(()));
        assert_eq!(check_size(9504, 6336), Ok(()));
        assert_eq!(check_size(8000, 8000), Ok(()));
        assert_eq!(
            check_size(10000, 8000),
            Err(ImageProblem::TooLarge { width: 10000, height: 8000, limit: MAX_PIXELS })
        );
        assert!(check_size(u32::MAX, u32::MAX).is_err());
    }

    #[test]
    fn rejects_a_jpeg_bomb_in_the_image_crates_decoder_too() {
        // decode_full is what a JPEG reaches when jpeg-decoder cannot read its header.
        let mut bomb = encode(&gradient(96, 80), ImageFormat::Jpeg);
        let sof = (2..bomb.len()).find(|&i| bomb[i] == 0xff && bomb[i + 1] == 0xc0).unwrap();
        bomb[sof + 5..sof + 9].copy_from_slice(&[0xff, 0xdc, 0xff, 0xdc]);
        let err = decode_full(&bomb).unwrap_err();
        assert_eq!(err, ImageProblem::TooLarge { width: 65500, height: 65500, limit: MAX_PIXELS });
    }

    #[test]
    fn png_and_bmp_sizes_are_read_from_their_headers_before_the_decoder() {
        // Where wasm's 32-bit usize makes the decoders refuse a bomb for other reasons, the
        // declared size is checked first, so the page says what the CLI says.
        let png = encode(&gradient(90, 70), ImageFormat::Png);
        assert_eq!(declared_size(&png, ImageFormat::Png), Some((90, 70)));
        let bmp = encode(&gradient(90, 70), ImageFormat::Bmp);
        assert_eq!(declared_size(&bmp, ImageFormat::Bmp), Some((90, 70)));
        let mut bomb = png.clone();
        bomb[16..24].copy_from_slice(&[0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0]);
        assert_eq!(declared_size(&bomb, ImageFormat::Png), Some((100_000, 100_000)));
        assert_eq!(
            decode_full(&bomb).unwrap_err(),
            ImageProblem::TooLarge { width: 100_000, height: 100_000, limit: MAX_PIXELS }
        );
        let mut top_down = bmp.clone();
        top_down[18..26].copy_from_slice(&[0x60, 0xea, 0, 0, 0xa0, 0x15, 0xff, 0xff]);
        assert_eq!(declared_size(&top_down, ImageFormat::Bmp), Some((60_000, 60_000)));
        assert_eq!(
            decode_full(&top_down).unwrap_err(),
            ImageProblem::TooLarge { width: 60_000, height: 60_000, limit: MAX_PIXELS }
        );
        assert_eq!(declared_size(&png[..20], ImageFormat::Png), None);
        assert_eq!(declared_size(&png, ImageFormat::Gif), None);
    }

    #[test]
    fn square_frames_are_the_middle_of_the_frame_prepared_as_a_photo() {
        let image = gradient(120, 80);
        let rgba = DynamicImage::ImageRgb8(image.clone()).to_rgba8();
        let middle = imageops::crop_imm(&image, 20, 0, 80, 80).to_image();
        let from_png = prepare_bytes(&encode(&middle, ImageFormat::Png), "middle.png").unwrap();
        assert_eq!(prepare_square_frame(rgba.as_raw(), 120, 80).unwrap(), from_png);
        let tall = DynamicImage::ImageRgb8(gradient(80, 120)).to_rgba8();
        let middle = imageops::crop_imm(&gradient(80, 120), 0, 20, 80, 80).to_image();
        let from_png = prepare_bytes(&encode(&middle, ImageFormat::Png), "middle.png").unwrap();
        assert_eq!(prepare_square_frame(tall.as_raw(), 80, 120).unwrap(), from_png);
        let square = DynamicImage::ImageRgb8(gradient(90, 90)).to_rgba8();
        assert_eq!(
            prepare_square_frame(square.as_raw(), 90, 90).unwrap(),
            prepare_rgba(square.as_raw(), 90, 90).unwrap()
        );
    }

    #[test]
    fn rejects_a_square_frame_of_the_wrong_size() {
        assert!(matches!(prepare_square_frame(&[0; 10], 2, 2), Err(Error::FrameSize { expected: 16, actual: 10, .. })));
        assert!(matches!(prepare_square_frame(&[], 0, 5), Err(Error::FrameSize { .. })));
        assert!(matches!(prepare_square_frame(&[0; 4], 65535, 65535), Err(Error::FrameTooLarge { .. })));
    }

    #[test]
    fn rejects_a_frame_of_the_wrong_size() {
        let err = prepare_rgba(&[0; 10], 2, 2).unwrap_err();
        assert!(matches!(err, Error::FrameSize { expected: 16, actual: 10, .. }));
        assert!(matches!(prepare_rgba(&[], 0, 0).unwrap_err(), Error::FrameSize { .. }));
    }
}
