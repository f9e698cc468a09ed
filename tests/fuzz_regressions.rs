//! Inputs the fuzz targets (`fuzz/`, docs/fuzzing.md) found to break photo preparation, each
//! made in code and held to the typed error it must give.

mod common;

use catdog::decode::prepare_bytes;
use catdog::{Error, ImageProblem};
use common::files;

/// The marker segments of a JPEG (each with its 0xFF, marker and length) of the kinds in `markers`.
fn segments(jpeg: &[u8], markers: &[u8]) -> Vec<u8> {
    let (mut out, mut pos) = (Vec::new(), 2);
    while jpeg[pos + 1] != 0xda {
        let length = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        if markers.contains(&jpeg[pos + 1]) {
            out.extend_from_slice(&jpeg[pos..pos + 2 + length]);
        }
        pos += 2 + length;
    }
    out
}

/// What the `prepare` target found, rebuilt: a 160x130 baseline frame of four components whose
/// fourth is sampled 2x2 and the others 1x1, the image crate's own quantisation and Huffman
/// tables, a scan of three of the components and one of all four, a few bytes of data each.
fn jpeg_with_a_later_component_sampled_more() -> Vec<u8> {
    let tables = segments(&files::small(image::ImageFormat::Jpeg), &[0xdb, 0xc4]);
    let sof =
        [&[0xff, 0xc0, 0, 20, 8, 0, 130, 0, 160, 4][..], &[0, 0x11, 1, 1, 0x11, 1, 2, 0x11, 1, 3, 0x22, 0]].concat();
    let first_scan = [0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0, 0xf1, 0x39, 0x6d, 0xe3, 0x81, 0xea];
    let second_scan =
        [0xff, 0xda, 0, 14, 4, 0, 0x11, 1, 0x11, 2, 0x11, 3, 0x00, 0, 63, 0, 0xfc, 0x99, 0xae, 0xab, 0xd7, 0xe8, 0x7f];
    [&[0xff, 0xd8][..], &sof, &tables, &first_scan, &second_scan, &[0xff, 0xd9]].concat()
}

/// `prepare` target, 2026-12-02: zune-jpeg 0.5.15, the image crate's JPEG decoder (which such a
/// file reaches when neither the project's decoder nor jpeg-decoder gives its pixels), panicked
/// ("called `Option::unwrap()` on a `None` value", idct/avx2.rs) on a JPEG whose fourth component
/// had larger sampling factors than the first. Such a file is now refused before it gets there.
#[test]
fn rejects_a_jpeg_whose_later_component_is_sampled_more_than_the_first() {
    let bytes = jpeg_with_a_later_component_sampled_more();
    let err = prepare_bytes(&bytes, "odd.jpg").unwrap_err();
    assert!(matches!(&err, Error::Image { problem: ImageProblem::UnsupportedVariant { format: "JPEG" }, .. }), "{err}");
    assert_eq!(err.to_string(), "cannot read odd.jpg: it is a kind of JPEG that catdog does not read");
}

/// The file as the fuzzer had it: bytes that are not a marker between SOI and the frame header,
/// which zune-jpeg skips to find the frame.
#[test]
fn rejects_it_with_stray_bytes_before_the_frame_header() {
    let bytes = [&[0xff, 0xd8, 0xff, 0x00, 0x00][..], &jpeg_with_a_later_component_sampled_more()[2..]].concat();
    let err = prepare_bytes(&bytes, "odd.jpg").unwrap_err();
    assert!(matches!(&err, Error::Image { problem: ImageProblem::UnsupportedVariant { format: "JPEG" }, .. }), "{err}");
}
