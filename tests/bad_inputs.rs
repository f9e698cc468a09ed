//! What a user sees for each kind of bad file, and that the unusual good ones still decode: every
//! refusal names the file and says what is wrong in plain words, the same in the CLI and the page
//! (both print `Error`'s message).

mod common;

use catdog::decode::{prepare_bytes, MAX_PIXELS};
use catdog::photo::PHOTO_BYTES;
use catdog::{Error, ImageProblem};
use common::files;
use image::{DynamicImage, GrayImage, ImageBuffer, ImageFormat, Luma, Rgb};

/// The problem and the whole message for `bytes` named `name`.
fn refused(bytes: &[u8], name: &str) -> (ImageProblem, String) {
    let Err(err) = prepare_bytes(bytes, name) else { panic!("{name} was accepted") };
    match err {
        err @ Error::Image { .. } => {
            let message = err.to_string();
            let Error::Image { name: named, problem } = err else { unreachable!() };
            assert_eq!(named, name);
            assert!(message.starts_with(&format!("cannot read {name}: ")), "{message}");
            (problem, message)
        }
        other => panic!("{name}: {other}"),
    }
}

fn decodes(bytes: &[u8], name: &str) -> Vec<u8> {
    let prepared = prepare_bytes(bytes, name).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(prepared.len(), PHOTO_BYTES);
    prepared
}

#[test]
fn rejects_an_empty_file() {
    let (problem, message) = refused(&[], "empty.jpg");
    assert_eq!(problem, ImageProblem::Empty);
    assert_eq!(message, "cannot read empty.jpg: the file is empty");
}

#[test]
fn rejects_a_file_that_is_not_an_image() {
    let (problem, message) = refused(b"Dear diary, today I met a cat.", "diary.txt");
    assert_eq!(problem, ImageProblem::NotAnImage);
    assert_eq!(message, "cannot read diary.txt: it is not an image catdog reads (JPEG, PNG, WebP, GIF or BMP)");
}

#[test]
fn rejects_heic_tiff_avif_and_svg_by_name() {
    for (bytes, name, kind) in [
        (files::heic_header(), "IMG_0001.HEIC", "HEIC"),
        (files::tiff_header(), "scan.tif", "TIFF"),
        (files::avif_header(), "photo.avif", "AVIF"),
        (files::svg(), "logo.svg", "SVG"),
    ] {
        let (problem, message) = refused(&bytes, name);
        assert_eq!(problem, ImageProblem::Unsupported { kind }, "{message}");
        assert_eq!(
            message,
            format!("cannot read {name}: it is a {kind} image; catdog reads JPEG, PNG, WebP, GIF and BMP")
        );
    }
}

#[test]
fn rejects_a_truncated_png() {
    let png = files::small(ImageFormat::Png);
    let (problem, message) = refused(&png[..png.len() / 2], "cut.png");
    assert_eq!(problem, ImageProblem::Truncated, "{message}");
    assert_eq!(message, "cannot read cut.png: the file is cut short");
}

#[test]
fn rejects_a_jpeg_cut_short_with_or_without_its_end_marker() {
    let jpeg = files::small(ImageFormat::Jpeg);
    let cut = &jpeg[..files::scan_start(&jpeg) + (jpeg.len() - files::scan_start(&jpeg)) / 2];
    // A download that stopped: the file just ends.
    assert_eq!(refused(cut, "cut.jpg").0, ImageProblem::Truncated);
    // Cut, then closed with an end marker: jpeg-decoder would fill the rest with grey.
    let closed = [cut, &[0xff, 0xd9]].concat();
    assert_eq!(refused(&closed, "closed.jpg").0, ImageProblem::Truncated);
    // The same for a photo small enough to be decoded at full size (below 128 pixels a side).
    let tiny = files::encoded(&DynamicImage::ImageRgb8(common::photo(1, 2, 70, 50)), ImageFormat::Jpeg);
    let cut = &tiny[..files::scan_start(&tiny) + 40];
    assert_eq!(refused(&[cut, &[0xff, 0xd9]].concat(), "tiny.jpg").0, ImageProblem::Truncated);
    assert_eq!(refused(cut, "tiny.jpg").0, ImageProblem::Truncated);
}

#[test]
fn rejects_a_jpeg_whose_header_is_cut_short() {
    let jpeg = files::small(ImageFormat::Jpeg);
    let (problem, message) = refused(&jpeg[..100], "header.jpg");
    assert_eq!(problem, ImageProblem::Truncated, "{message}");
}

#[test]
fn rejects_damaged_entropy_data() {
    let jpeg = files::small(ImageFormat::Jpeg);
    let start = files::scan_start(&jpeg);
    // One bits throughout (0xFF 0x00 is a stuffed 0xFF): no Huffman code is all ones.
    let mut damaged = jpeg[..start].to_vec();
    damaged.extend(std::iter::repeat_n([0xff, 0x00], (jpeg.len() - start) / 2).flatten());
    damaged.extend_from_slice(&[0xff, 0xd9]);
    let (problem, message) = refused(&damaged, "damaged.jpg");
    assert_eq!(problem, ImageProblem::Damaged, "{message}");
    assert_eq!(message, "cannot read damaged.jpg: its image data is damaged");
}

#[test]
fn rejects_a_jpeg_with_a_hole_between_restart_markers() {
    let image = files::smooth(256, 192);
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_restart_interval(4);
    encoder.encode(image.as_raw(), 256, 192, jpeg_encoder::ColorType::Rgb).unwrap();
    let rst: Vec<usize> = (files::scan_start(&out)..out.len() - 1)
        .filter(|&i| out[i] == 0xff && (0xd0..=0xd7).contains(&out[i + 1]))
        .collect();
    // Half of the bytes between the 3rd and 4th restart markers are gone.
    let (from, to) = (rst[2] + 2, rst[3]);
    let holed = [&out[..from], &out[from + (to - from) / 2..]].concat();
    assert!(prepare_bytes(&out, "whole.jpg").is_ok());
    let (problem, message) = refused(&holed, "holed.jpg");
    assert_eq!(problem, ImageProblem::Damaged, "{message}");
}

#[test]
fn the_too_large_message_gives_the_size_and_the_limit() {
    let err = Error::Image {
        name: "pano.png".into(),
        problem: ImageProblem::TooLarge { width: 20000, height: 4000, limit: MAX_PIXELS },
    };
    assert_eq!(err.to_string(), "cannot read pano.png: it is 20000x4000 pixels, more than the 64-megapixel limit");
}

#[test]
fn sixteen_bit_grey_and_palette_pngs_still_decode() {
    let rgb16: ImageBuffer<Rgb<u16>, Vec<u16>> =
        ImageBuffer::from_fn(90, 70, |x, y| Rgb([(x * 700) as u16, (y * 900) as u16, 30000]));
    let wide = decodes(&files::encoded(&DynamicImage::ImageRgb16(rgb16), ImageFormat::Png), "deep.png");
    let grey = GrayImage::from_fn(90, 70, |x, y| Luma([((x + y) * 2) as u8]));
    let prepared = decodes(&files::encoded(&DynamicImage::ImageLuma8(grey), ImageFormat::Png), "grey.png");
    assert!(prepared.chunks(3).all(|p| p[0] == p[1] && p[1] == p[2]), "grey stays grey");
    // Two palette entries, red and blue; each 8x8 row: filter byte 0, then indices.
    let rows: Vec<u8> =
        (0..8).flat_map(|y| std::iter::once(0).chain((0..8).map(move |x| u8::from(x >= 4 && y < 8)))).collect();
    let palette = decodes(&files::png(8, 8, 3, Some(&[230, 20, 20, 20, 20, 230]), &rows), "palette.png");
    assert_eq!(&palette[..3], [230, 20, 20], "left is red");
    assert_eq!(&palette[63 * 3..64 * 3], [20, 20, 230], "right is blue");
    assert_ne!(wide, prepared);
}

#[test]
fn greyscale_progressive_and_cmyk_jpegs_still_decode() {
    let grey = GrayImage::from_fn(200, 150, |x, y| Luma([((x + y) / 2) as u8]));
    let prepared = decodes(&files::encoded(&DynamicImage::ImageLuma8(grey), ImageFormat::Jpeg), "grey.jpg");
    assert!(prepared.chunks(3).all(|p| p[0] == p[1] && p[1] == p[2]));
    let image = files::smooth(200, 150);
    let progressive = files::jpeg_encoder(image.as_raw(), 200, 150, jpeg_encoder::ColorType::Rgb, true);
    let baseline = files::jpeg_encoder(image.as_raw(), 200, 150, jpeg_encoder::ColorType::Rgb, false);
    let (a, b) = (decodes(&progressive, "progressive.jpg"), decodes(&baseline, "baseline.jpg"));
    let difference = a.iter().zip(&b).map(|(&a, &b)| u32::from(a.abs_diff(b))).max().unwrap();
    assert!(difference <= 8, "progressive and baseline differ by up to {difference} levels");
    let cmyk: Vec<u8> = image.pixels().flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 0]).collect();
    let from_cmyk = decodes(&files::jpeg_encoder(&cmyk, 200, 150, jpeg_encoder::ColorType::Cmyk, false), "cmyk.jpg");
    let difference = from_cmyk.iter().zip(&b).map(|(&a, &b)| u32::from(a.abs_diff(b))).max().unwrap();
    assert!(difference <= 24, "CMYK and RGB differ by up to {difference} levels");
}

#[test]
fn a_40_megapixel_jpeg_and_png_still_decode() {
    let (width, height) = (8000u32, 5000u32);
    let image = files::smooth(width, height);
    let jpeg = files::jpeg_encoder(image.as_raw(), width as u16, height as u16, jpeg_encoder::ColorType::Rgb, false);
    let from_jpeg = decodes(&jpeg, "big.jpg");
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
    .unwrap();
    drop(image);
    let from_png = decodes(&png, "big.png");
    let difference = from_jpeg.iter().zip(&from_png).map(|(&a, &b)| u32::from(a.abs_diff(b))).max().unwrap();
    assert!(difference <= 8, "{difference}");
}

/// A phone photo's 4032x3024 sensor picture in four coloured quadrants (red, green / blue,
/// white) with a little texture, as the JPEG a phone writes: `orientation` in an EXIF APP1.
fn phone_photo(orientation: u16, progressive: bool) -> Vec<u8> {
    let (width, height) = (4032u32, 3024u32);
    let pixels: Vec<u8> = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .flat_map(|(x, y)| {
            let grain = ((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40503)) >> 27) as u8;
            let [r, g, b] = QUADRANTS[usize::from(y >= height / 2) * 2 + usize::from(x >= width / 2)];
            [r.saturating_sub(grain), g.saturating_sub(grain), b.saturating_sub(grain)]
        })
        .collect();
    // A little-endian TIFF holding one IFD entry: tag 0x0112 (Orientation), type SHORT, count 1.
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
    exif.extend_from_slice(&orientation.to_le_bytes());
    exif.extend_from_slice(&[0; 6]);
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_progressive(progressive);
    encoder.add_app_segment(1, exif).unwrap();
    encoder.encode(&pixels, width as u16, height as u16, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

/// The quadrants' colours: top left, top right, bottom left, bottom right.
const QUADRANTS: [[u8; 3]; 4] = [[230, 30, 30], [30, 230, 30], [30, 30, 230], [240, 240, 240]];

/// Which of [`QUADRANTS`] is at each corner of a prepared photo (top left, top right, bottom
/// left, bottom right), by the nearest colour 8 pixels in from the corner.
fn corners(prepared: &[u8]) -> [usize; 4] {
    [(8, 8), (55, 8), (8, 55), (55, 55)].map(|(x, y)| {
        let p = &prepared[(y * 64 + x) * 3..][..3];
        let distance = |q: &[u8; 3]| q.iter().zip(p).map(|(&a, &b)| u32::from(a.abs_diff(b))).sum::<u32>();
        (0..4).min_by_key(|&k| distance(&QUADRANTS[k])).unwrap()
    })
}

#[test]
fn an_exif_rotated_phone_photo_is_turned_upright() {
    // Orientation 6: the phone was held upright, the picture must turn 90° clockwise, so its
    // bottom-left quadrant (blue) comes to the top left. 8 turns it anticlockwise, 3 half a turn.
    for progressive in [false, true] {
        for (orientation, expected) in [(1, [0, 1, 2, 3]), (6, [2, 0, 3, 1]), (8, [1, 3, 0, 2]), (3, [3, 2, 1, 0])] {
            let prepared = decodes(&phone_photo(orientation, progressive), "IMG_0001.jpg");
            assert_eq!(corners(&prepared), expected, "orientation {orientation}, progressive {progressive}");
        }
    }
}

#[test]
fn an_animated_gif_gives_its_first_frame() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame, Rgba, RgbaImage};
    let frame = |colour: [u8; 4]| {
        Frame::from_parts(RgbaImage::from_pixel(80, 60, Rgba(colour)), 0, 0, Delay::from_numer_denom_ms(100, 1))
    };
    let mut gif = Vec::new();
    GifEncoder::new(&mut gif)
        .encode_frames([frame([220, 30, 30, 255]), frame([30, 30, 220, 255]), frame([30, 220, 30, 255])])
        .unwrap();
    let prepared = decodes(&gif, "wave.gif");
    assert!(prepared.chunks(3).all(|p| p[0] > 200 && p[1] < 50 && p[2] < 50), "first frame red: {:?}", &prepared[..3]);
}

use image::ImageEncoder;
