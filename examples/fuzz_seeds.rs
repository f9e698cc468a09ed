//! The fuzz targets' seed files (`fuzz/`), made in code, never committed: `cargo run --example
//! fuzz_seeds -- fuzz/seeds` writes `prepare/`, `jpeg/`, `jpeg_differential/` and `model_file/`
//! under the folder given. `./build.sh fuzz` runs it before fuzzing.
//!
//! JPEGs in every layout the two encoders write (the image crate's: baseline RGB and grey at
//! several qualities; jpeg-encoder's: each chroma sampling, restart intervals, optimised Huffman
//! tables, progressive, grey, CMYK, YCCK), with an EXIF orientation, cut short, and declaring
//! 65500x65500; PNG (RGB, RGBA, grey, 16-bit, palette), GIF (still and animated), WebP, BMP, their
//! bombs and other formats' first bytes; and a model file of each feature kind (and version 1).

// The bad-input tests' file builders (bombs, headers, PNGs byte by byte); `photo` is what their
// `small` asks of the module around them.
#[allow(dead_code)]
#[path = "../tests/common/files.rs"]
mod files;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use catdog::data::dataset::{Dataset, Split};
use catdog::data::labels::Classes;
use catdog::features::learned::LearnedParams;
use catdog::features::{FeatureKind, FeatureSpec};
use catdog::photo::PHOTO_BYTES;
use catdog::train::cache::FeatureCache;
use catdog::train::plan::{Plan, TrainOptions};
use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ExtendedColorType, Frame, ImageEncoder, ImageFormat, Rgb, RgbImage, RgbaImage};

/// A photo-like picture: two halves of different brightness with a little texture.
fn photo(label: u8, variant: u32, width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let texture = ((x * 7 + y * 13 + variant * 31) % 40) as u8;
        let bright = if (x < width / 2) == (label == 0) { 200 } else { 40 };
        Rgb([bright + texture / 2, 60 + texture, 50 + label * 100])
    })
}

/// The files of one target's seed folder.
struct Seeds {
    dir: PathBuf,
    count: usize,
}

impl Seeds {
    fn new(root: &Path, target: &str) -> std::io::Result<Seeds> {
        let dir = root.join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Seeds { dir, count: 0 })
    }

    fn add(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.count += 1;
        std::fs::write(self.dir.join(format!("{:03}-{name}", self.count)), bytes)
    }
}

fn image_crate_jpeg(image: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let color = if image.color().channel_count() == 1 { ExtendedColorType::L8 } else { ExtendedColorType::Rgb8 };
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(image.as_bytes(), image.width(), image.height(), color)
        .expect("encoding a seed JPEG");
    out.into_inner()
}

/// Settings of jpeg-encoder beyond the pixels.
#[derive(Clone, Copy)]
struct Layout {
    sampling: jpeg_encoder::SamplingFactor,
    restart: u16,
    optimized: bool,
    progressive: bool,
}

fn jpeg_encoder_jpeg(pixels: &[u8], (width, height): (u16, u16), color: jpeg_encoder::ColorType, l: Layout) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
    encoder.set_sampling_factor(l.sampling);
    encoder.set_restart_interval(l.restart);
    encoder.set_optimized_huffman_tables(l.optimized);
    encoder.set_progressive(l.progressive);
    encoder.encode(pixels, width, height, color).expect("encoding a seed JPEG");
    out
}

/// `jpeg` with an EXIF APP1 segment right after SOI saying orientation `orientation`.
fn with_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
    let tiff = [b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0];
    let length = (2 + 6 + tiff.len()) as u16;
    [&[0xff, 0xd8, 0xff, 0xe1][..], &length.to_be_bytes(), b"Exif\0\0", &tiff, &jpeg[2..]].concat()
}

/// Every JPEG seed, named.
fn jpegs() -> Vec<(String, Vec<u8>)> {
    use jpeg_encoder::SamplingFactor::*;
    let mut out = Vec::new();
    // Full size (8x8, 64x64: the project's decoder declines, jpeg-decoder decodes) and the reduced scales.
    for (width, height) in [(8, 8), (64, 64), (128, 128), (200, 130), (520, 140)] {
        let rgb = DynamicImage::ImageRgb8(photo(0, width, width, height));
        for quality in [30, 75, 100] {
            out.push((format!("image-{width}x{height}-q{quality}.jpg"), image_crate_jpeg(&rgb, quality)));
            out.push((
                format!("image-grey-{width}x{height}-q{quality}.jpg"),
                image_crate_jpeg(&rgb.grayscale(), quality),
            ));
        }
    }
    let (width, height) = (160u16, 130u16);
    let rgb = photo(1, 3, width.into(), height.into());
    let plain = Layout { sampling: F_2_2, restart: 0, optimized: false, progressive: false };
    for sampling in [F_1_1, F_2_1, F_1_2, F_2_2, F_4_1, F_4_2, F_1_4, F_2_4] {
        for restart in [0, 1, 5] {
            let layout = Layout { sampling, restart, ..plain };
            let name = format!("sampling-{sampling:?}-restart-{restart}.jpg");
            out.push((name, jpeg_encoder_jpeg(rgb.as_raw(), (width, height), jpeg_encoder::ColorType::Rgb, layout)));
        }
        // jpeg-encoder 0.7 leaves symbols out of optimised tables with restarts: none here.
        let layout = Layout { sampling, optimized: true, ..plain };
        let name = format!("sampling-{sampling:?}-optimized.jpg");
        out.push((name, jpeg_encoder_jpeg(rgb.as_raw(), (width, height), jpeg_encoder::ColorType::Rgb, layout)));
    }
    for sampling in [F_1_1, F_2_2] {
        let layout = Layout { sampling, progressive: true, ..plain };
        let name = format!("progressive-{sampling:?}.jpg");
        out.push((name, jpeg_encoder_jpeg(rgb.as_raw(), (width, height), jpeg_encoder::ColorType::Rgb, layout)));
    }
    let grey = DynamicImage::ImageRgb8(rgb.clone()).into_luma8();
    for restart in [0, 3] {
        let layout = Layout { restart, ..plain };
        let bytes = jpeg_encoder_jpeg(grey.as_raw(), (width, height), jpeg_encoder::ColorType::Luma, layout);
        out.push((format!("grey-restart-{restart}.jpg"), bytes));
    }
    let cmyk: Vec<u8> = rgb.pixels().flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 0]).collect();
    for color in [jpeg_encoder::ColorType::Cmyk, jpeg_encoder::ColorType::Ycck] {
        out.push((format!("{color:?}.jpg"), jpeg_encoder_jpeg(&cmyk, (width, height), color, plain)));
    }
    let baseline = image_crate_jpeg(&DynamicImage::ImageRgb8(photo(1, 5, 300, 200)), 85);
    for orientation in [3, 6, 8] {
        out.push((format!("exif-orientation-{orientation}.jpg"), with_orientation(&baseline, orientation)));
    }
    let scan = files::scan_start(&baseline);
    let cut = &baseline[..scan + (baseline.len() - scan) / 2];
    out.push(("cut.jpg".into(), cut.to_vec()));
    out.push(("cut-then-eoi.jpg".into(), [cut, &[0xff, 0xd9]].concat()));
    out.push(("header-only.jpg".into(), baseline[..scan].to_vec()));
    out.push(("bomb.jpg".into(), files::jpeg_declaring(&baseline, 65500, 65500)));
    out.push(("bomb-progressive.jpg".into(), files::progressive_jpeg_bomb()));
    out
}

fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    files::encoded(&image, format)
}

/// The other formats' seeds, named: each decoder path of photo preparation.
fn others() -> Vec<(String, Vec<u8>)> {
    let rgb = photo(0, 2, 90, 70);
    let rgba = RgbaImage::from_fn(90, 70, |x, y| image::Rgba([(x * 2) as u8, (y * 3) as u8, 90, (x + y) as u8]));
    let mut out = vec![
        ("rgb.png".into(), encoded(DynamicImage::ImageRgb8(rgb.clone()), ImageFormat::Png)),
        ("rgba.png".into(), encoded(DynamicImage::ImageRgba8(rgba.clone()), ImageFormat::Png)),
        ("grey.png".into(), encoded(DynamicImage::ImageRgb8(rgb.clone()).grayscale(), ImageFormat::Png)),
        (
            "rgb16.png".into(),
            encoded(DynamicImage::ImageRgb16(DynamicImage::ImageRgb8(rgb.clone()).into_rgb16()), ImageFormat::Png),
        ),
        ("64x64.png".into(), encoded(DynamicImage::ImageRgb8(photo(1, 1, 64, 64)), ImageFormat::Png)),
        ("rgb.gif".into(), encoded(DynamicImage::ImageRgb8(rgb.clone()), ImageFormat::Gif)),
        ("rgba.webp".into(), encoded(DynamicImage::ImageRgba8(rgba.clone()), ImageFormat::WebP)),
        ("rgb.webp".into(), encoded(DynamicImage::ImageRgb8(rgb.clone()), ImageFormat::WebP)),
        ("rgb.bmp".into(), encoded(DynamicImage::ImageRgb8(rgb.clone()), ImageFormat::Bmp)),
        ("rgba.bmp".into(), encoded(DynamicImage::ImageRgba8(rgba.clone()), ImageFormat::Bmp)),
        ("bomb.png".into(), files::png_bomb()),
        ("bomb.gif".into(), files::gif_bomb()),
        ("bomb.webp".into(), files::webp_bomb()),
        ("bomb.bmp".into(), files::bmp_bomb()),
        ("heic".into(), files::heic_header()),
        ("avif".into(), files::avif_header()),
        ("tiff".into(), files::tiff_header()),
        ("svg".into(), files::svg()),
        ("text".into(), b"Dear diary, today I met a cat.".to_vec()),
    ];
    // Two palette entries; each 8x8 row is a filter byte, then indices.
    let rows: Vec<u8> = (0..8).flat_map(|_| [0, 0, 0, 0, 0, 1, 1, 1, 1]).collect();
    out.push(("palette.png".into(), files::png(8, 8, 3, Some(&[230, 20, 20, 20, 20, 230]), &rows)));
    let mut gif = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut gif);
        for k in 0..2 {
            let frame = RgbaImage::from_fn(40, 30, |x, y| image::Rgba([(x * 6) as u8, (y * 8) as u8, k * 200, 255]));
            encoder.encode_frame(Frame::new(frame)).expect("encoding a seed GIF frame");
        }
    }
    out.push(("animated.gif".into(), gif));
    let png = encoded(DynamicImage::ImageRgb8(rgb), ImageFormat::Png);
    out.push(("cut.png".into(), png[..png.len() / 2].to_vec()));
    out
}

/// Photos of both classes for the seed models.
fn dataset() -> catdog::Result<Dataset> {
    let mut data = Dataset::new();
    for k in 0..8u32 {
        let label = (k % 2) as u8;
        let pixels = photo(label, k, 64, 64).into_raw();
        debug_assert_eq!(pixels.len(), PHOTO_BYTES);
        data.push(&format!("{k}.png"), &pixels, label)?;
    }
    Ok(data)
}

/// A model file of each feature kind, trained for a few steps; the learned kinds with a small
/// dictionary, so the files stay a few kilobytes (raw pixels' 12,288 weights are the largest).
fn models() -> catdog::Result<Vec<(String, Vec<u8>)>> {
    let data = dataset()?;
    let split = Split { train: (0..6).collect(), held_out: vec![6, 7] };
    let mut out = Vec::new();
    for kind in FeatureKind::ALL {
        let mut spec = FeatureSpec::new(kind);
        spec.learned = LearnedParams {
            side: 8,
            patch: 2,
            stride: 2,
            centroids: 4,
            grid: 2,
            epsilon: 0.01,
            patches: 40,
            iterations: 2,
        };
        let mut options = TrainOptions::for_features(spec);
        options.settings.iterations = 3;
        options.settings.record_every = 1;
        let mut plan = Plan::new(&options, &Classes::default(), &data, &split, &mut FeatureCache::new())?;
        plan.run(|_, _| {})?;
        let json = plan.saved().to_json();
        if kind == FeatureKind::Raw {
            out.push(("version-1-raw.json".into(), version_1(&json)?.into_bytes()));
        }
        out.push((format!("{}.json", kind.name().replace('+', "-")), json.into_bytes()));
    }
    Ok(out)
}

/// A raw model's file as version 1 wrote it: no L2 penalty or flips in its training record.
fn version_1(json: &str) -> catdog::Result<String> {
    let bad = |e: serde_json::Error| catdog::Error::ModelFile(catdog::error::ModelProblem::Invalid(e.to_string()));
    let mut value: serde_json::Value = serde_json::from_str(json).map_err(bad)?;
    value["version"] = 1.into();
    if let Some(training) = value["training"].as_object_mut() {
        training.remove("l2");
        training.remove("flip");
    }
    serde_json::to_string(&value).map_err(bad)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fuzz/seeds".into()));
    let jpegs = jpegs();
    let mut written = Vec::new();
    for target in ["jpeg", "jpeg_differential"] {
        let mut seeds = Seeds::new(&root, target)?;
        for (name, bytes) in &jpegs {
            seeds.add(name, bytes)?;
        }
        written.push((target, seeds.count));
    }
    let mut prepare = Seeds::new(&root, "prepare")?;
    for (name, bytes) in jpegs.iter().chain(&others()) {
        prepare.add(name, bytes)?;
    }
    written.push(("prepare", prepare.count));
    let mut model_file = Seeds::new(&root, "model_file")?;
    for (name, bytes) in models()? {
        model_file.add(&name, &bytes)?;
    }
    written.push(("model_file", model_file.count));
    for (target, count) in written {
        println!("{}: {count} seed files", root.join(target).display());
    }
    Ok(())
}
