//! Image files made byte by byte for the bad-input tests: headers that declare huge sizes over a
//! few bytes of data, files cut short or damaged, other formats' first bytes, and the less common
//! layouts of the formats catdog reads.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};

/// The photo helper's image as `format`, encoded by the image crate.
pub fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encoding a test image");
    out.into_inner()
}

/// A small RGB photo (the shared helper's cat) as `format`.
pub fn small(format: ImageFormat) -> Vec<u8> {
    encoded(&DynamicImage::ImageRgb8(super::photo(0, 1, 96, 80)), format)
}

/// `rgb` (3 bytes a pixel) as a JPEG by jpeg-encoder, which can write the layouts the image crate's
/// encoder does not.
pub fn jpeg_encoder(
    pixels: &[u8],
    width: u16,
    height: u16,
    color: jpeg_encoder::ColorType,
    progressive: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_progressive(progressive);
    encoder.encode(pixels, width, height, color).expect("encoding a test JPEG");
    out
}

/// A smooth RGB picture, for JPEGs.
pub fn smooth(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128]))
}

/// The offset of the first frame header (SOF0, SOF1 or SOF2) of a JPEG.
fn sof(jpeg: &[u8]) -> usize {
    (2..jpeg.len() - 1).find(|&i| jpeg[i] == 0xff && matches!(jpeg[i + 1], 0xc0..=0xc2)).expect("a frame header")
}

/// `jpeg` with the frame header saying `width` x `height`: the scan that follows is far too short.
pub fn jpeg_declaring(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let at = sof(jpeg) + 5;
    out[at..at + 2].copy_from_slice(&height.to_be_bytes());
    out[at + 2..at + 4].copy_from_slice(&width.to_be_bytes());
    out
}

/// The offset of the first byte of entropy-coded data after the first SOS.
pub fn scan_start(jpeg: &[u8]) -> usize {
    let sos = (2..jpeg.len() - 1).find(|&i| jpeg[i] == 0xff && jpeg[i + 1] == 0xda).expect("a scan");
    sos + 2 + usize::from(u16::from_be_bytes([jpeg[sos + 2], jpeg[sos + 3]]))
}

/// CRC-32 as PNG chunks use it (ISO 3309, bit by bit: the files here are tiny).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// `raw` as a zlib stream of stored (uncompressed) blocks.
fn zlib_stored(raw: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if raw.is_empty() { vec![&[]] } else { raw.chunks(65535).collect() };
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in raw {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&(b << 16 | a).to_be_bytes());
    out
}

/// A PNG of `width` x `height`, colour type `color` at 8 bits, with `plte` if given, whose image
/// data is `rows` (each row's filter byte included) stored uncompressed.
pub fn png(width: u32, height: u32, color: u8, plte: Option<&[u8]>, rows: &[u8]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, color, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    if let Some(plte) = plte {
        chunk(&mut out, b"PLTE", plte);
    }
    chunk(&mut out, b"IDAT", &zlib_stored(rows));
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A PNG whose header says 100000x100000 RGB, with one row of data: 30 GB to decode.
pub fn png_bomb() -> Vec<u8> {
    png(100_000, 100_000, 2, None, &[0; 4])
}

/// A GIF whose screen and one frame say 65535x65535, with a few bytes of data.
pub fn gif_bomb() -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x80, 0, 0]);
    out.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    out.extend_from_slice(&[0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0]);
    out.extend_from_slice(&[2, 2, 0x44, 0x01, 0, 0x3b]);
    out
}

/// A lossless WebP whose header says 16000x16000 (256 megapixels), with no image data.
pub fn webp_bomb() -> Vec<u8> {
    let (w, h) = (15999u32, 15999u32);
    let bits = w | h << 14;
    let mut vp8l = vec![0x2f];
    vp8l.extend_from_slice(&bits.to_le_bytes());
    vp8l.extend_from_slice(&[0; 9]);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(4 + 8 + vp8l.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WEBPVP8L");
    out.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    out.extend_from_slice(&vp8l);
    out
}

/// A 24-bit BMP whose header says 60000x60000 (BMP decoders allow 65535 a side), with 12 bytes of pixels.
pub fn bmp_bomb() -> Vec<u8> {
    let mut out = b"BM".to_vec();
    out.extend_from_slice(&(54u32 + 12).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&54u32.to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&60_000i32.to_le_bytes());
    out.extend_from_slice(&60_000i32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    out.extend_from_slice(&[0; 24]);
    out.extend_from_slice(&[0; 12]);
    out
}

/// A baseline JPEG (the project's decoder takes it) whose header says 65500x65500.
pub fn jpeg_bomb() -> Vec<u8> {
    jpeg_declaring(&small(ImageFormat::Jpeg), 65500, 65500)
}

/// A progressive JPEG (the project's decoder leaves it to jpeg-decoder) whose header says 65500x65500.
pub fn progressive_jpeg_bomb() -> Vec<u8> {
    let image = smooth(96, 80);
    jpeg_declaring(&jpeg_encoder(image.as_raw(), 96, 80, jpeg_encoder::ColorType::Rgb, true), 65500, 65500)
}

/// The first bytes of an iPhone photo (HEIC): an ISO base media `ftyp` box, brand `heic`.
pub fn heic_header() -> Vec<u8> {
    [&[0, 0, 0, 0x18][..], b"ftypheic", &[0, 0, 0, 0], b"mif1heic", &[0; 32]].concat()
}

/// The first bytes of an AVIF: an `ftyp` box, brand `avif`.
pub fn avif_header() -> Vec<u8> {
    [&[0, 0, 0, 0x1c][..], b"ftypavif", &[0, 0, 0, 0], b"avifmif1miaf", &[0; 32]].concat()
}

/// The first bytes of a little-endian TIFF.
pub fn tiff_header() -> Vec<u8> {
    [&b"II*\0"[..], &[8, 0, 0, 0, 0, 0], &[0; 32]].concat()
}

/// A small SVG drawing, with its XML declaration.
pub fn svg() -> Vec<u8> {
    b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\"><circle cx=\"32\" cy=\"32\" r=\"20\"/></svg>\n".to_vec()
}
