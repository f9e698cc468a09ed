//! The wasm facade in headless Chromium: photos in, training, a prediction out, errors as messages.

#![cfg(target_arch = "wasm32")]

use catdog::web::Catdog;
use image::{ImageFormat, Rgb, RgbImage};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn png(label: u8) -> Vec<u8> {
    let colour = if label == 0 { Rgb([220, 60, 40]) } else { Rgb([30, 70, 210]) };
    let mut out = std::io::Cursor::new(Vec::new());
    RgbImage::from_pixel(70, 50, colour).write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

#[wasm_bindgen_test]
fn trains_on_dropped_photos_and_classifies_one() {
    let mut handle = Catdog::new();
    assert_eq!(handle.add_photo("cat.1.png", &png(0)).ok(), Some(0));
    assert_eq!(handle.add_photo("pets/dog/x.png", &png(1)).ok(), Some(1));
    assert_eq!((handle.count(0), handle.count(1)), (1, 1));
    assert!(handle.start_training(0.05, 200).is_ok());
    let first = handle.train_steps(1).ok().unwrap();
    let last = handle.train_steps(500).ok().unwrap();
    assert_eq!(handle.iteration(), 200);
    assert!(last < first && last.is_finite());
    assert!(handle.predict_photo(&png(1)).ok().unwrap() > 0.5);
    let rgba: Vec<u8> = [220u8, 60, 40, 255].repeat(8 * 8);
    assert!(handle.predict_frame(&rgba, 8, 8).ok().unwrap() < 0.5);
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    let mut handle = Catdog::new();
    assert!(handle.add_photo("holiday.png", &png(0)).is_err());
    assert!(handle.add_photo("cat.txt", b"text").is_err());
    assert!(handle.predict_photo(&png(0)).is_err());
    assert!(handle.start_training(0.01, 10).is_err());
    assert!(handle.predict_frame(&[1, 2, 3], 5, 5).is_err());
    assert_eq!(handle.count(0) + handle.count(1), 0);
}
