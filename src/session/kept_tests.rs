//! The session's side of recording, keeping and carrying work: webcam frames added as photos,
//! photos added back from their prepared bytes under their ids, and the project file.

use super::*;
use crate::data::fixtures::{png, striped, BLUE, RED};
use crate::decode::prepare_square_frame;
use crate::photo::PHOTO_BYTES;
use crate::train::optimize::{Init, Settings};
use crate::train::plan::PathChoice;

/// A `width` x `height` RGBA frame, red in its middle square and blue outside it.
fn frame(width: u32, height: u32) -> Vec<u8> {
    let side = width.min(height);
    let (left, top) = ((width - side) / 2, (height - side) / 2);
    let inside = |x: u32, y: u32| (left..left + side).contains(&x) && (top..top + side).contains(&y);
    (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .flat_map(|(x, y)| if inside(x, y) { [RED[0], RED[1], RED[2], 255] } else { [BLUE[0], BLUE[1], BLUE[2], 255] })
        .collect()
}

fn hog_options() -> RunOptions {
    let train = TrainOptions {
        features: FeatureSpec::new(FeatureKind::Hog),
        settings: Settings { learning_rate: 0.05, iterations: 20, record_every: 1 },
        l2: 1.0,
        flip: false,
        init: Init::Zeros,
        path: PathChoice::Fastest,
    };
    RunOptions { train, test_share: 0.25, split_seed: 1 }
}

fn trained() -> Session {
    let mut s = Session::new();
    for i in 0..6 {
        s.add(&format!("cat.{i}.png"), &striped(false, i), None).unwrap();
        s.add(&format!("dog.{i}.png"), &striped(true, i), None).unwrap();
    }
    s.start(&hog_options()).unwrap();
    while s.preparing().is_some() {
        s.prepare(usize::MAX).unwrap();
    }
    while s.steps(100).unwrap() > 0 {}
    s
}

fn settings() -> ProjectSettings {
    ProjectSettings {
        features: FeatureKind::Hog,
        learning_rate: 0.05,
        iterations: 20,
        l2: 1.0,
        flip: false,
        random_seed: None,
        test_share: 0.25,
        split_seed: 1,
    }
}

#[test]
fn a_webcam_frame_is_kept_as_its_middle_square() {
    let mut s = Session::new();
    let id = s.add_frame(&frame(64, 48), 64, 48, Label::ONE).unwrap();
    assert_eq!(s.photo(id).unwrap(), &prepare_square_frame(&frame(64, 48), 64, 48).unwrap()[..]);
    assert!(s.photo(id).unwrap().chunks(3).all(|p| p == RED), "the blue sides are cropped off");
    assert_eq!((s.photo_name(id).unwrap(), s.counts()), (WEBCAM_FRAME, [0, 1]));
    assert!(matches!(s.add_frame(&[0; 7], 2, 2, Label::ZERO), Err(Error::FrameSize { .. })));
    assert_eq!(s.data().len(), 1);
}

#[test]
fn classifying_a_frame_sees_what_recording_kept() {
    let mut s = Session::new();
    for _ in 0..4 {
        s.add_frame(&frame(64, 48), 64, 48, Label::ZERO).unwrap();
        s.add("dog.png", &png(BLUE), None).unwrap();
    }
    s.start(&RunOptions { test_share: 0.0, ..hog_options() }).unwrap();
    while s.preparing().is_some() {
        s.prepare(usize::MAX).unwrap();
    }
    while s.steps(100).unwrap() > 0 {}
    let kept = s.predict_frame(&frame(64, 48), 64, 48).unwrap();
    let square = s.predict_frame(&frame(48, 48), 48, 48).unwrap();
    assert_eq!(kept, square);
}

#[test]
fn prepared_photos_come_back_under_their_ids() {
    let (mut s, pixels) = (Session::new(), vec![9; PHOTO_BYTES]);
    assert_eq!(s.add_prepared(Some(PhotoId(4)), "cat.4.png", &pixels, Label::ZERO).unwrap(), PhotoId(4));
    assert_eq!(s.add_prepared(None, "x", &pixels, Label::ONE).unwrap(), PhotoId(5));
    assert_eq!(s.add("cat.png", &png(RED), None).unwrap().0, PhotoId(6));
    assert_eq!((s.photo(PhotoId(4)).unwrap(), s.photo_name(PhotoId(4)).unwrap()), (&pixels[..], "cat.4.png"));
    assert!(matches!(
        s.add_prepared(Some(PhotoId(6)), "y", &pixels, Label::ONE),
        Err(Error::PhotoIdTaken { id: 6, next: 7 })
    ));
    assert!(matches!(s.add_prepared(None, "z", &pixels[1..], Label::ONE), Err(Error::MismatchedShapes { .. })));
    assert!(matches!(s.photo_name(PhotoId(99)), Err(Error::NoSuchPhoto(99))));
    assert_eq!(s.counts(), [2, 1]);
}

/// What the page does with a project file: a session of its classes, its photos added back from
/// their bytes, its model loaded.
fn imported(bytes: Vec<u8>) -> Session {
    let project = Project::read(bytes, "p.catdog").unwrap();
    let mut s = Session::with_classes(project.classes().clone());
    for photo in (0..project.len()).filter_map(|i| project.photo(i)) {
        s.add_prepared(None, photo.name, photo.pixels, photo.label).unwrap();
    }
    if let Some(model) = project.model() {
        s.load_model_json(&model.to_json()).unwrap();
    }
    s
}

#[test]
fn an_imported_project_predicts_as_the_exported_session() {
    let s = trained();
    let copy = imported(s.project(&settings()).unwrap());
    assert_eq!((copy.data().pixels(), copy.data().labels()), (s.data().pixels(), s.data().labels()));
    assert_eq!(copy.data().names(), s.data().names());
    assert_eq!(copy.model_json().unwrap(), s.model_json().unwrap());
    for photo in [striped(true, 40), striped(false, 41), png(RED)] {
        assert_eq!(copy.predict_photo(&photo).unwrap(), s.predict_photo(&photo).unwrap());
    }
    // Exported again, the copy gives the same file.
    assert_eq!(copy.project(&settings()).unwrap(), s.project(&settings()).unwrap());
}

#[test]
fn a_project_without_a_model_imports_photos_only() {
    let mut s = Session::with_classes(Classes::new("noncat", "cat").unwrap());
    s.add("cat.1.png", &png(BLUE), None).unwrap();
    let copy = imported(s.project(&settings()).unwrap());
    assert_eq!((copy.classes(), copy.counts()), (s.classes(), [0, 1]));
    assert!(matches!(copy.model_json(), Err(Error::NoModel)));
}

#[test]
fn rejects_exporting_settings_no_run_could_use() {
    let bad = ProjectSettings { test_share: 1.5, ..settings() };
    assert!(matches!(trained().project(&bad), Err(Error::Setting(_))));
}
