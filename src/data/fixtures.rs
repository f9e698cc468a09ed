//! Photos made in code for the unit tests: flat colours, and stripes that HOG can see.

use image::{ImageFormat, Rgb, RgbImage};

use crate::data::dataset::Dataset;
use crate::decode::prepare_bytes;

/// A 40x30 PNG of one colour.
pub fn png(colour: [u8; 3]) -> Vec<u8> {
    encode(&RgbImage::from_pixel(40, 30, Rgb(colour)))
}

/// The flat colour of the cats in [`flat`].
pub const RED: [u8; 3] = [220, 60, 40];
/// The flat colour of the dogs in [`flat`].
pub const BLUE: [u8; 3] = [30, 70, 210];

/// Cats striped across, dogs striped down, each with its own stripe width and colours: flat
/// colour would give HOG nothing to see.
pub fn striped(vertical: bool, i: usize) -> Vec<u8> {
    let period = 6 + (i % 5) as u32;
    let (light, dark) = ([200 + (i * 7 % 50) as u8, 180, 150], [30, 40 + (i * 11 % 60) as u8, 60]);
    let stripe = |x: u32, y: u32| (if vertical { x } else { y } / period).is_multiple_of(2);
    encode(&RgbImage::from_fn(64, 64, |x, y| if stripe(x, y) { Rgb(light) } else { Rgb(dark) }))
}

/// `n` red cats and `n` blue dogs, interleaved.
pub fn flat(n: usize) -> Dataset {
    photos(n, |label, _| png(if label == 0 { RED } else { BLUE }))
}

/// `n` striped cats and `n` striped dogs, interleaved.
pub fn stripes(n: usize) -> Dataset {
    photos(n, |label, i| striped(label == 1, i))
}

fn photos(n: usize, file: impl Fn(u8, usize) -> Vec<u8>) -> Dataset {
    let mut data = Dataset::new();
    for i in 0..n {
        for label in [0, 1] {
            let pixels = prepare_bytes(&file(label, i), "test").expect("a PNG made in code");
            data.push(&format!("{label}.{i}.png"), &pixels, label).expect("64x64 pixels");
        }
    }
    data
}

fn encode(img: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("PNG encoding in memory");
    out.into_inner()
}
