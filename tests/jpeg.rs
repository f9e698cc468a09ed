//! The fast JPEG path (`catdog::decode::jpeg` + `catdog::decode::resize`) against jpeg-decoder and the image
//! crate's resize: the same bytes for every photo, and no panic on damaged ones.

mod common;

use std::io::Cursor;

use catdog::decode::jpeg;
use catdog::decode::{prepare_bytes, prepare_bytes_reference, requested_size};
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder};

/// jpeg-decoder's pixels at the scale image_prep asks for, or `None` where it fails.
fn jpeg_decoder_pixels(bytes: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (width, height) = requested_size(info.width, info.height);
    let (width, height) = decoder.scale(width, height).ok()?;
    Some((u32::from(width), u32::from(height), decoder.decode().ok()?))
}

/// Whether the fast decoder gives jpeg-decoder's pixels (or declines); true when it took the file.
fn check(bytes: &[u8], what: &str) -> bool {
    let Ok(fast) = jpeg::decode(bytes, requested_size, catdog::decode::MAX_PIXELS) else { return false };
    let (width, height, pixels) =
        jpeg_decoder_pixels(bytes).unwrap_or_else(|| panic!("{what}: fast decoder took a file jpeg-decoder rejects"));
    assert_eq!((fast.width, fast.height), (width, height), "{what}: size");
    assert!(fast.pixels == pixels, "{what}: pixels differ from jpeg-decoder's");
    true
}

fn photos(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> =
        walkdir(dir).into_iter().filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg"))).collect();
    files.sort();
    files
}

fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .expect("reading a photo folder")
        .flat_map(|entry| {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walkdir(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[test]
fn every_catsdogs_photo_prepares_to_the_same_bytes() {
    let Some(dir) = common::shared("data/catsdogs") else { return };
    let files = photos(&dir);
    assert!(files.len() >= 800, "{} photos", files.len());
    let mut fast = 0;
    for path in &files {
        let bytes = std::fs::read(path).expect("reading a photo");
        let name = path.display().to_string();
        if check(&bytes, &name) {
            fast += 1;
        } else {
            // Only photos too small for a reduced scale go to jpeg-decoder (252x125, 160x106, ...).
            let (width, height, _) = jpeg_decoder_pixels(&bytes).expect("a photo");
            assert!(width.min(height) < 128, "{name}: {width}x{height} not taken by the fast decoder");
        }
        let prepared = prepare_bytes(&bytes, &name).expect("a photo");
        assert!(prepared == prepare_bytes_reference(&bytes, &name).expect("a photo"), "{name}: prepared bytes differ");
    }
    assert!(fast * 100 >= files.len() * 95, "only {fast} of {} photos decoded by the fast decoder", files.len());
}

/// A smooth pattern with some noise, so the encoder has detail at every frequency.
fn pattern(width: u32, height: u32, channels: usize) -> Vec<u8> {
    let mut s = width * 31 + height;
    (0..width * height * channels as u32)
        .map(|i| {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let (x, y) = ((i / channels as u32) % width, (i / channels as u32) / width);
            let smooth = (x * 255 / width.max(1) + y * 128 / height.max(1)) as u8;
            smooth.wrapping_add((s >> 28) as u8).wrapping_add((i % channels as u32) as u8 * 40)
        })
        .collect()
}

fn image_crate_jpeg(width: u32, height: u32, channels: usize, quality: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let color = if channels == 1 { ExtendedColorType::L8 } else { ExtendedColorType::Rgb8 };
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(&pattern(width, height, channels), width, height, color)
        .expect("encoding a test JPEG");
    out.into_inner()
}

#[test]
fn generated_jpegs_decode_to_jpeg_decoders_pixels() {
    let sizes =
        [(1, 1), (7, 13), (64, 64), (65, 80), (127, 129), (130, 300), (500, 375), (513, 257), (1000, 800), (2000, 130)];
    for (width, height) in sizes {
        for channels in [3, 1] {
            for quality in [30, 75, 95, 100] {
                let bytes = image_crate_jpeg(width, height, channels, quality);
                let what = format!("{width}x{height}x{channels} q{quality}");
                let scaled = width.min(height) >= 128;
                assert!(check(&bytes, &what) || !scaled, "{what}: not taken by the fast decoder");
                assert!(
                    prepare_bytes(&bytes, &what).unwrap() == prepare_bytes_reference(&bytes, &what).unwrap(),
                    "{what}: prepared bytes differ"
                );
            }
        }
    }
}

/// A test JPEG from jpeg-encoder, which writes what the image crate's encoder never does.
fn layout_jpeg(
    width: u16,
    height: u16,
    sampling: jpeg_encoder::SamplingFactor,
    restart: u16,
    optimized: bool,
    progressive: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_sampling_factor(sampling);
    encoder.set_restart_interval(restart);
    encoder.set_optimized_huffman_tables(optimized);
    encoder.set_progressive(progressive);
    encoder
        .encode(&pattern(width.into(), height.into(), 3), width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encoding a test JPEG");
    out
}

/// Every chroma sampling jpeg-encoder writes, restart intervals of 1 and 7 MCUs, and optimised
/// Huffman tables (which it writes as one scan per component; not with restarts, where
/// jpeg-encoder 0.7.1 leaves symbols out of its tables and trips its own debug assertion): whatever the fast decoder takes
/// gives jpeg-decoder's pixels, and it takes the single-scan 4:4:4, 4:2:2 and 4:2:0 files, with
/// or without restarts. The rest (other samplings, several scans, progressive) go to jpeg-decoder.
#[test]
fn jpegs_of_every_layout_decode_to_jpeg_decoders_pixels() {
    use jpeg_encoder::SamplingFactor::*;
    for (width, height) in [(500, 375), (333, 257), (130, 1001)] {
        for sampling in [F_1_1, F_2_1, F_1_2, F_2_2, F_4_1, F_4_2, F_1_4, F_2_4] {
            for (restart, optimized) in [(0, false), (1, false), (7, false), (0, true)] {
                let bytes = layout_jpeg(width, height, sampling, restart, optimized, false);
                let what = format!("{width}x{height} {sampling:?} restart {restart} optimized {optimized}");
                let common = !optimized && matches!(sampling, F_1_1 | F_2_1 | F_2_2);
                assert!(check(&bytes, &what) || !common, "{what}: not taken by the fast decoder");
                assert!(
                    prepare_bytes(&bytes, &what).unwrap() == prepare_bytes_reference(&bytes, &what).unwrap(),
                    "{what}: prepared bytes differ"
                );
            }
        }
    }
    let progressive = layout_jpeg(500, 375, F_2_2, 0, false, true);
    assert!(!check(&progressive, "progressive"), "a progressive JPEG went through the baseline decoder");
    assert!(prepare_bytes(&progressive, "p").unwrap() == prepare_bytes_reference(&progressive, "p").unwrap());
}

/// Seeded damage: truncations at many offsets and flipped bytes never panic, and whatever the fast
/// decoder accepts is what jpeg-decoder gives.
#[test]
fn damaged_jpegs_never_panic_and_never_differ() {
    // The third has a restart marker every 3 MCUs, the restart path's damage too.
    let restarts = layout_jpeg(300, 200, jpeg_encoder::SamplingFactor::F_2_1, 3, false, false);
    let mut originals = vec![image_crate_jpeg(300, 200, 3, 90), image_crate_jpeg(257, 140, 1, 60), restarts];
    if let Some(dir) = common::shared("data/catsdogs") {
        originals.extend(photos(&dir).iter().take(3).map(|p| std::fs::read(p).expect("a photo")));
    }
    let mut s = 7u32;
    let mut next = |n: usize| {
        s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (s >> 8) as usize % n
    };
    for (k, original) in originals.iter().enumerate() {
        let step = (original.len() / 150).max(1);
        for cut in (0..original.len()).step_by(step) {
            let mut bytes = original[..cut].to_vec();
            check(&bytes, &format!("#{k} cut at {cut}"));
            // Cut short but closed with EOI: jpeg-decoder fills the rest with zero bits.
            bytes.extend_from_slice(&[0xff, 0xd9]);
            check(&bytes, &format!("#{k} cut at {cut} + EOI"));
            let _ = prepare_bytes(&bytes, "cut");
        }
        for round in 0..300 {
            let mut bytes = original.clone();
            for _ in 0..1 + round % 4 {
                let at = next(bytes.len());
                bytes[at] = match round % 3 {
                    0 => bytes[at] ^ (1 << next(8)),
                    1 => next(256) as u8,
                    _ => 0xff,
                };
            }
            check(&bytes, &format!("#{k} damage round {round}"));
            let _ = prepare_bytes(&bytes, "damaged");
        }
    }
}

/// FNV-1a, to compare prepared bytes with the wasm test's (tests/web.rs) without storing them.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// The same photo-like JPEG as tests/web.rs makes: the prepared bytes must be the same natively
/// and in wasm.
#[test]
fn a_generated_jpeg_prepares_to_the_bytes_wasm_gives() {
    let image = image::RgbImage::from_fn(500, 375, |x, y| {
        image::Rgb([(x / 2) as u8, (y * 2 / 3) as u8, ((x * y) % 251) as u8])
    });
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Jpeg).expect("encoding a test JPEG");
    let prepared = prepare_bytes(bytes.get_ref(), "p.jpg").expect("a JPEG");
    assert!(prepared == prepare_bytes_reference(bytes.get_ref(), "p.jpg").expect("a JPEG"));
    assert_eq!(fnv(&prepared), WASM_HASH, "update tests/web.rs too if the test image changes");
}

/// What tests/web.rs asserts for the same photo in Chromium.
const WASM_HASH: u64 = 0xff4c_e5db_b9a3_ac25;
