//! Files whose headers declare far more pixels than they hold: each is refused from its header,
//! with its size and the limit in the message, before anything is allocated for it. This test
//! binary holds nothing else, so its peak memory (read from Linux's /proc) shows that.

mod common;

use catdog::decode::{prepare_bytes, prepare_bytes_reference, prepare_rgba, MAX_PIXELS};
use catdog::{Error, ImageProblem};
use common::files;

/// The problem `prepare_bytes` finds in `bytes`, after checking the message names the file.
fn refused(bytes: &[u8], name: &str) -> (ImageProblem, String) {
    let err = prepare_bytes(bytes, name).unwrap_err();
    let message = err.to_string();
    assert!(message.contains(name), "{message}");
    match err {
        Error::Image { problem, .. } => (problem, message),
        other => panic!("{name}: {other}"),
    }
}

fn assert_too_large(bytes: &[u8], name: &str, width: u32, height: u32) {
    let (problem, message) = refused(bytes, name);
    assert_eq!(problem, ImageProblem::TooLarge { width, height, limit: MAX_PIXELS }, "{message}");
    assert!(
        message.contains(&format!("{width}x{height} pixels")) && message.contains("64-megapixel limit"),
        "{message}"
    );
}

#[test]
fn rejects_a_png_that_declares_100000x100000_pixels_in_74_bytes() {
    let bomb = files::png_bomb();
    assert!(bomb.len() < 100, "{} bytes", bomb.len());
    assert_too_large(&bomb, "bomb.png", 100_000, 100_000);
    let message = prepare_bytes(&bomb, "bomb.png").unwrap_err().to_string();
    assert_eq!(message, "cannot read bomb.png: it is 100000x100000 pixels, more than the 64-megapixel limit");
}

#[test]
fn rejects_a_baseline_jpeg_that_declares_65500x65500_pixels_in_the_projects_decoder() {
    let bomb = files::jpeg_bomb();
    assert!(bomb.len() < 2000, "{} bytes", bomb.len());
    let refused = catdog::decode::jpeg::decode(&bomb, catdog::decode::requested_size, MAX_PIXELS).err();
    assert_eq!(refused, Some(catdog::decode::jpeg::Refused::TooLarge { width: 65500, height: 65500 }));
    assert_too_large(&bomb, "bomb.jpg", 65500, 65500);
}

#[test]
fn rejects_a_jpeg_that_declares_65500x65500_pixels_in_jpeg_decoder() {
    // The reference path is jpeg-decoder then the image crate, without the project's decoder.
    let err = prepare_bytes_reference(&files::jpeg_bomb(), "bomb.jpg").unwrap_err();
    assert!(
        matches!(err, Error::Image { problem: ImageProblem::TooLarge { width: 65500, height: 65500, .. }, .. }),
        "{err}"
    );
    // A progressive one, which the project's decoder leaves to jpeg-decoder.
    assert_too_large(&files::progressive_jpeg_bomb(), "bomb-progressive.jpg", 65500, 65500);
}

#[test]
fn rejects_gif_webp_and_bmp_that_declare_huge_sizes() {
    assert_too_large(&files::gif_bomb(), "bomb.gif", 65535, 65535);
    assert_too_large(&files::webp_bomb(), "bomb.webp", 16000, 16000);
    assert_too_large(&files::bmp_bomb(), "bomb.bmp", 60_000, 60_000);
}

#[test]
fn rejects_camera_frames_over_the_limit_before_reading_them() {
    // The size alone decides: no frame of 65535x65535 RGBA (17 GB) is needed to be refused.
    let err = prepare_rgba(&[0; 16], 65535, 65535).unwrap_err();
    assert!(matches!(err, Error::FrameTooLarge { width: 65535, height: 65535, limit: MAX_PIXELS }), "{err}");
    assert_eq!(err.to_string(), "a camera frame of 65535x65535 pixels is more than the 64-megapixel limit");
    // 32768 x 32768 x 4 is 2^32: it wraps to 0 in a 32-bit usize; the size check comes first.
    assert!(matches!(prepare_rgba(&[], 32768, 32768), Err(Error::FrameTooLarge { .. })));
}

/// Peak resident memory of this process in kB (Linux), or `None` elsewhere.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn the_bombs_allocate_nothing_like_their_declared_size() {
    // Each declares 0.8 to 30 GB of pixels; before these limits the JPEG took about 290 MB
    // and the PNG aborted the process. All of them, decoded twice, stay far below even one.
    for _ in 0..2 {
        for (bomb, name) in [
            (files::png_bomb(), "bomb.png"),
            (files::jpeg_bomb(), "bomb.jpg"),
            (files::progressive_jpeg_bomb(), "bomb2.jpg"),
            (files::gif_bomb(), "bomb.gif"),
            (files::webp_bomb(), "bomb.webp"),
            (files::bmp_bomb(), "bomb.bmp"),
        ] {
            assert!(prepare_bytes(&bomb, name).is_err());
            assert!(prepare_bytes_reference(&bomb, name).is_err());
        }
    }
    let Some(peak) = peak_kb() else {
        eprintln!("SKIPPED: the peak memory check reads /proc/self/status (Linux only)");
        return;
    };
    eprintln!("peak resident memory: {peak} kB");
    assert!(peak < 64 * 1024, "peak resident memory {peak} kB");
}
