//! The wasm facade in headless Chromium: photos in, training with a held-out part, predictions
//! out, errors as messages, and the loss chart drawn into a real DOM canvas.

#![cfg(target_arch = "wasm32")]

use catdog::data::rng::Mt19937;
use catdog::model::{propagate, Model};
use catdog::train::kernel::{FastObjective, DZ_UNITS};
use catdog::train::optimize::Objective;
use catdog::web::{
    features_name, features_named, Arithmetic, Catdog, ClusterHelper, FeatureHelper, Features, RunSettings, RunsChart,
    TrainingShard,
};
use image::{ImageFormat, Rgb, RgbImage};
use ndarray::{Array1, Array2};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

#[path = "common/learned.rs"]
mod learned;

wasm_bindgen_test_configure!(run_in_browser);

fn png(label: u8) -> Vec<u8> {
    let colour = if label == 0 { Rgb([220, 60, 40]) } else { Rgb([30, 70, 210]) };
    let mut out = std::io::Cursor::new(Vec::new());
    RgbImage::from_pixel(70, 50, colour).write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

fn handle_with(n: usize) -> Catdog {
    let mut handle = Catdog::new();
    for i in 0..n {
        assert_eq!(handle.add_photo(&format!("cat.{i}.png"), &png(0), None).ok().map(|a| a.label), Some(0));
        assert_eq!(handle.add_photo(&format!("pets/dog/{i}.png"), &png(1), None).ok().map(|a| a.label), Some(1));
    }
    handle
}

/// The SIMD128 kernel (only compiled for wasm) against the float64 reference, within the bounds
/// of its rounding of `a - y`, on photo-sized rows and on rows that need padding.
#[wasm_bindgen_test]
fn the_simd_kernel_agrees_with_the_reference() {
    let mut rng = Mt19937::new(5);
    for (m, n) in [(37, 12288), (9, 40), (261, 16)] {
        let levels: Vec<u8> = (0..m * n).map(|_| rng.below(256) as u8).collect();
        let labels: Vec<u8> = (0..m).map(|_| rng.below(2) as u8).collect();
        let x = Array2::from_shape_fn((m, n), |(i, j)| f64::from(levels[i * n + j]) / 255.0 - 0.5);
        let y: Array1<f64> = labels.iter().map(|&l| f64::from(l)).collect();
        let model = Model { w: (0..n).map(|_| 0.02 * (rng.next_f64() - 0.5)).collect(), b: 0.1 };
        let fast = FastObjective::from_levels(levels, &labels, n, 1.0 / 255.0, -0.5).unwrap();
        let (g, cost) = fast.propagate(&model).unwrap();
        let (r, expected) = propagate(&model, x.view(), y.view()).unwrap();
        let dz = fast.logit_error_bound(&model);
        assert!((cost - expected).abs() <= dz, "m={m}: cost {cost} vs {expected}");
        assert!((g.db - r.db).abs() <= dz / 4.0 + 0.5 / (DZ_UNITS * m as f64), "m={m}: db {} vs {}", g.db, r.db);
        let worst = g.dw.iter().zip(&r.dw).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst <= 0.5 * (dz / 4.0 + 1.0 / DZ_UNITS), "m={m} n={n}: dw differs by {worst}");
        let z = x.dot(&model.w) + model.b;
        let (ours, theirs) = (fast.predict(&model).unwrap(), model.predict(x.view()));
        assert!(
            (0..m).all(|i| z[i].abs() <= dz || ours[i] == theirs[i]),
            "m={m}: predictions differ away from the boundary"
        );
    }
}

/// Run settings as the page makes them: a kind's defaults, then the user's changes.
fn settings(features: Features, learning_rate: f64, iterations: usize, l2: f64, flip: bool) -> RunSettings {
    RunSettings { learning_rate, iterations, l2, flip, ..RunSettings::new(features) }
}

#[wasm_bindgen_test]
fn trains_on_dropped_photos_and_classifies_one() {
    let mut handle = handle_with(5);
    assert_eq!(handle.add_photo("IMG_7.png", &png(1), Some(1)).ok().map(|a| (a.id, a.label)), Some((10, 1)));
    assert_eq!((handle.count(0), handle.count(1), handle.len()), (5, 6, 11));
    assert_eq!(handle.photo(0).ok().map(|p| p.len()), Some(64 * 64 * 3));
    assert!(handle.start_training(&settings(Features::Raw, 0.05, 200, 0.0, false)).is_ok());
    assert_eq!((handle.train_count(), handle.test_count()), (9, 2));
    assert_eq!(handle.train_steps(1).ok(), Some(1));
    assert_eq!(handle.train_steps(500).ok(), Some(199));
    assert_eq!((handle.iteration(), handle.iterations()), (200, 200));
    let (train, test) = (handle.train_costs(0), handle.test_costs(0));
    assert_eq!((train.len(), test.len(), handle.train_costs(150).len()), (200, 200, 50));
    assert!(train[199] < train[0] && test[199] < test[0]);
    let evaluation = handle.evaluation().ok().unwrap();
    assert_eq!((evaluation.train_accuracy, evaluation.test_accuracy), (100.0, Some(100.0)));
    let dog = handle.predict_photo(&png(1)).ok().unwrap();
    assert!(dog.label == 1 && dog.probability > 0.5);
    assert_eq!(dog.probabilities, [1.0 - dog.probability, dog.probability]);
    let rgba: Vec<u8> = [220u8, 60, 40, 255].repeat(8 * 8);
    assert_eq!(handle.predict_frame(&rgba, 8, 8).ok().map(|p| p.label), Some(0));
    assert_eq!(evaluation.mistakes.len(), 0);
    let rows: Vec<_> = evaluation.classes.iter().map(|c| (c.label, c.predicted.clone(), c.accuracy)).collect();
    assert_eq!(rows, [(0, vec![1, 0], Some(100.0)), (1, vec![0, 1], Some(100.0))]);
    assert_eq!(handle.weight_picture().ok().map(|p| p.len()), Some(64 * 64 * 4));
    assert_eq!(handle.feature_kind(), Some(Features::Raw));
    assert_eq!(handle.arithmetic(), Some(Arithmetic::Kernel));
}

#[wasm_bindgen_test]
fn hog_color_runs_with_its_defaults_and_has_no_weights_picture() {
    let d = RunSettings::new(Features::HogColor);
    let raw = RunSettings::new(Features::Raw);
    assert!(d.l2 > 0.0 && raw.l2 == 0.0 && raw.iterations > 0 && raw.learning_rate > 0.0);
    assert_eq!(features_named("hog+color").ok(), Some(Features::HogColor));
    assert_eq!(features_name(Features::HogColor), "hog+color");
    let mut handle = handle_with(5);
    assert!(handle.start_training(&settings(Features::HogColor, d.learning_rate, 50, d.l2, true)).is_ok());
    assert_eq!(handle.train_steps(50).ok(), Some(50));
    assert_eq!(handle.feature_kind(), Some(Features::HogColor));
    assert_eq!(handle.arithmetic(), Some(Arithmetic::Float64));
    // Flat red cats and blue dogs differ in colour alone, which the colour histogram sees.
    let evaluation = handle.evaluation().ok().unwrap();
    assert_eq!((evaluation.test_accuracy, evaluation.mistakes.len()), (Some(100.0), 0));
    assert!(handle.weight_picture().is_err());
    let text = handle.model_json().ok().unwrap();
    let mut fresh = Catdog::new();
    assert!(fresh.load_model_json(&text).is_ok());
    let probability = |h: &Catdog| h.predict_photo(&png(1)).ok().map(|p| p.probability);
    assert_eq!(probability(&fresh), probability(&handle));
}

#[wasm_bindgen_test]
fn relabels_removes_and_round_trips_the_model() {
    let mut handle = handle_with(2);
    assert!(handle.set_label(0, 1).is_ok());
    assert!(handle.remove(1).is_ok());
    assert!(!handle.has(1) && handle.has(2));
    assert_eq!((handle.count(0), handle.count(1)), (1, 2));
    let once = RunSettings {
        random_seed: Some(3),
        test_share: 0.0,
        split_seed: 0,
        ..settings(Features::Raw, 0.05, 5, 0.0, false)
    };
    assert!(handle.start_training(&once).is_ok());
    assert_eq!(handle.train_steps(5).ok(), Some(5));
    assert_eq!(handle.evaluation().ok().map(|e| e.test_accuracy), Some(None));
    let text = handle.model_json().ok().unwrap();
    let mut fresh = Catdog::new();
    assert!(fresh.load_model_json(&text).is_ok());
    let probability = |h: &Catdog| h.predict_photo(&png(1)).ok().map(|p| p.probability);
    assert_eq!(probability(&fresh), probability(&handle));
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    let mut handle = Catdog::new();
    assert!(handle.add_photo("holiday.png", &png(0), None).is_err());
    assert!(handle.add_photo("cat.txt", b"text", None).is_err());
    assert!(handle.add_photo("x.png", &png(0), Some(7)).is_err());
    assert!(handle.predict_photo(&png(0)).is_err());
    assert!(handle.start_training(&settings(Features::Raw, 0.01, 10, 0.0, false)).is_err());
    assert!(handle.train_steps(1).is_err());
    assert!(handle.predict_frame(&[1, 2, 3], 5, 5).is_err());
    assert!(handle.remove(0).is_err() && handle.set_label(0, 1).is_err() && handle.photo(0).is_err());
    assert!(handle.load_model_json("{").is_err());
    assert_eq!(handle.len(), 0);
    assert!(handle.set_classes("cat", "CAT").is_err() && handle.set_classes("", "dog").is_err());
    assert_eq!(handle.class_names(), ["cat", "dog"]);
    assert!(handle.set_classes("Kitten", "puppy").is_ok());
    assert_eq!(handle.class_names(), ["kitten", "puppy"]);
    let mut trained = handle_with(2);
    assert!(trained.start_training(&settings(Features::Raw, f64::NAN, 10, 0.0, false)).is_err());
    let everything_held_out = RunSettings { test_share: 1.0, ..settings(Features::Raw, 0.01, 10, 0.0, false) };
    assert!(trained.start_training(&everything_held_out).is_err());
    assert!(trained.start_training(&settings(Features::Hog, 0.01, 10, -1.0, false)).is_err());
    assert!(trained.evaluation().is_err() && trained.weight_picture().is_err());
    assert!(features_named("sift").is_err());
    assert!(RunsChart::new().draw("no-such-canvas").is_err());
    assert!(RunsChart::new().append(&[0.5], &[]).is_err() && RunsChart::new().set_shown(3, false).is_err());
}

/// A helper worker's side of readying and training a run, through the exports the page's
/// workers call: a feature job computed by a `FeatureHelper` and kept by the lead, a shard's
/// partials, and bad messages refused with an error.
#[wasm_bindgen_test]
fn helpers_compute_the_leads_jobs_and_refuse_bad_messages() {
    let mut lead = handle_with(4);
    lead.start_training(&settings(Features::Hog, 0.01, 5, 1.0, false)).unwrap();
    let helper = FeatureHelper::new(&lead.featurizer().unwrap()).unwrap();
    let job = lead.feature_job(3).unwrap();
    let rows = helper.compute(&job.bytes).unwrap();
    assert_eq!(rows.len(), 3 * helper.features());
    assert!(lead.features_done(job.number, &rows[1..]).is_err(), "a short answer");
    let progress = lead.features_done(job.number, &rows).unwrap().unwrap();
    assert_eq!((progress.learning, progress.done, progress.total), (false, 3, 8));
    assert!(lead.features_done(job.number, &rows).is_err(), "an answer twice");
    assert!(helper.compute(&job.bytes[..20]).is_err() && FeatureHelper::new(b"{").is_err());
    assert!(ClusterHelper::new(&[1, 2, 3]).is_err() && lead.cluster_rows(1, 2).is_err());
    assert_eq!(lead.cluster_parts(2), 0);
    while lead.is_preparing() {
        lead.prepare_features(100).unwrap();
    }
    assert_eq!(lead.shard_count(2), 1, "6 training photos are one block: one shard");
    assert!(lead.shard_rows(1, 2).is_err() && TrainingShard::new(&[0; 8]).is_err());
    assert_eq!(lead.train_steps(5).unwrap(), 5);
}

fn canvas(id: &str) -> HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: HtmlCanvasElement = document.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_id(id);
    canvas.set_width(400);
    canvas.set_height(250);
    document.body().unwrap().append_child(&canvas).unwrap();
    canvas
}

/// RGBA bytes of the canvas's columns `0..width`.
fn pixels(canvas: &HtmlCanvasElement, width: f64) -> Vec<u8> {
    let context: CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    context.get_image_data(0.0, 0.0, width, 250.0).unwrap().data().to_vec()
}

fn count(rgba: &[u8], test: impl Fn(&[u8]) -> bool) -> usize {
    rgba.chunks(4).filter(|p| test(p)).count()
}

fn near(colour: [u8; 3]) -> impl Fn(&[u8]) -> bool {
    move |p| p.iter().zip(colour).all(|(&a, b)| a.abs_diff(b) < 40)
}

/// Dark pixels: axis lines and, left of the y axis, only the text of its labels.
fn dark(p: &[u8]) -> bool {
    p[3] > 0 && p[..3].iter().all(|&c| c < 110)
}

#[wasm_bindgen_test]
fn the_loss_chart_draws_curves_and_text_into_a_canvas() {
    const BLUE: [u8; 3] = [37, 99, 235];
    const ORANGE: [u8; 3] = [234, 88, 12];
    let empty = canvas("chart-empty");
    assert!(RunsChart::new().draw("chart-empty").is_ok());
    let full = canvas("chart-full");
    let train: Vec<f64> = (0..100).map(|i| 0.7 / (1.0 + f64::from(i) / 10.0)).collect();
    let test: Vec<f64> = train.iter().map(|c| c + 0.05).collect();
    let mut chart = RunsChart::new();
    chart.start_run("first", 100);
    assert!(chart.append(&train, &test).is_ok());
    chart.start_run("second", 100);
    assert!(chart.append(&test, &[]).is_ok());
    assert!(chart.draw("chart-full").is_ok());
    // The y axis sits about 68 px in (margin + label area): the strip left of it holds only text.
    let (empty_text, full_text) = (count(&pixels(&empty, 60.0), dark), count(&pixels(&full, 60.0), dark));
    assert!(empty_text > 50 && full_text > 50, "text pixels: empty chart {empty_text}, full chart {full_text}");
    let (empty_all, full_all) = (pixels(&empty, 400.0), pixels(&full, 400.0));
    assert_eq!((count(&empty_all, near(BLUE)), count(&empty_all, near(ORANGE))), (0, 0));
    let (blue, orange) = (count(&full_all, near(BLUE)), count(&full_all, near(ORANGE)));
    assert!(blue > 200 && orange > 200, "curve pixels: blue {blue}, orange {orange}");
}

/// The fast JPEG path (catdog::decode::jpeg + catdog::decode::resize) in wasm: the reference path's bytes, and the
/// bytes it gives natively (tests/jpeg.rs asserts the same hash for the same photo).
#[wasm_bindgen_test]
fn a_generated_jpeg_prepares_to_the_bytes_native_gives() {
    use catdog::decode::{prepare_bytes, prepare_bytes_reference};
    let image = RgbImage::from_fn(500, 375, |x, y| Rgb([(x / 2) as u8, (y * 2 / 3) as u8, ((x * y) % 251) as u8]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, ImageFormat::Jpeg).unwrap();
    let prepared = prepare_bytes(bytes.get_ref(), "p.jpg").unwrap();
    assert!(prepared == prepare_bytes_reference(bytes.get_ref(), "p.jpg").unwrap());
    let fnv = prepared.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    assert_eq!(fnv, 0xff4c_e5db_b9a3_ac25);
}

/// The SIMD128 resize (only compiled for wasm) against the image crate's, byte for byte, on noise
/// (the hardest case for rounding): shrinking, enlarging, one pixel wide or high.
#[wasm_bindgen_test]
fn the_simd_resize_gives_the_image_crates_bytes() {
    use catdog::decode::resize::catmull_rom_rgb;
    use image::imageops::{self, FilterType};
    let mut rng = Mt19937::new(11);
    for (w, h, nw, nh) in [
        (125, 94, 64, 64),
        (94, 125, 64, 64),
        (1, 1, 64, 64),
        (1, 200, 64, 64),
        (333, 1, 64, 64),
        (17, 9, 97, 3),
        (125, 94, 1, 5),
        (63, 65, 64, 64),
    ] {
        let image =
            RgbImage::from_fn(w, h, |_, _| Rgb([rng.below(256) as u8, rng.below(256) as u8, rng.below(256) as u8]));
        let expected = imageops::resize(&image, nw, nh, FilterType::CatmullRom).into_raw();
        assert!(catmull_rom_rgb(image.as_raw(), w, h, nw, nh) == expected, "{w}x{h} -> {nw}x{nh}");
    }
}

/// The learned features of photos made in code, with a dictionary learned from them, hash to
/// the bits native code gives (tests/features.rs asserts the same hash).
#[wasm_bindgen_test]
fn learned_features_have_the_bits_native_code_gives() {
    let hash = learned::learned_features_hash();
    assert_eq!(hash, learned::LEARNED_FEATURES_HASH, "{hash:#x}");
}

/// Recording, keeping and carrying work through the facade: a webcam frame as a photo, a photo
/// added back from its bytes under its kept id, and a project file read back whole or refused.
#[wasm_bindgen_test]
fn frames_kept_photos_and_project_files_go_through_the_handle() {
    let mut handle = handle_with(3);
    let frame: Vec<u8> = [220u8, 60, 40, 255].repeat(12 * 8);
    let got = handle.add_frame(&frame, 12, 8, 0).ok().map(|a| (a.id, a.label));
    assert_eq!(got, Some((6, 0)));
    assert_eq!(handle.photo_name(6).ok().as_deref(), Some("webcam frame"));
    assert!(handle.add_frame(&frame, 5, 5, 0).is_err() && handle.add_frame(&frame, 12, 8, 2).is_err());
    let pixels = handle.photo(6).ok().unwrap();
    assert_eq!(handle.add_prepared(Some(40), "kept.png", &pixels, 1).ok().map(|a| (a.id, a.label)), Some((40, 1)));
    assert!(handle.add_prepared(Some(40), "again.png", &pixels, 1).is_err());
    assert!(handle.add_prepared(None, "short.png", &pixels[1..], 1).is_err());
    assert_eq!(handle.add_photo("cat.9.png", &png(0), None).ok().map(|a| a.id), Some(41));

    assert!(handle.start_training(&settings(Features::Raw, 0.05, 50, 0.0, false)).is_ok());
    while handle.train_steps(100).ok() > Some(0) {}
    let settings = settings(Features::Hog, 0.02, 70, 5.0, true);
    let bytes = handle.export_project(&settings).ok().unwrap();
    let project = catdog::web::ProjectFile::read(bytes.clone(), "p.catdog").ok().unwrap();
    assert_eq!((project.len(), project.class_names()), (handle.len(), vec!["cat".to_string(), "dog".to_string()]));
    assert_eq!((project.photo_name(7).as_deref(), project.photo_label(7)), Some(("kept.png", 1)).unzip());
    assert_eq!(project.photo_pixels(7), Some(pixels));
    assert_eq!(project.photo_name(handle.len()), None);
    let back = project.settings();
    assert_eq!(
        (back.features, back.learning_rate, back.iterations, back.l2, back.flip),
        (Features::Hog, 0.02, 70, 5.0, true)
    );
    assert_eq!(project.model_json(), handle.model_json().ok());
    let mut fresh = Catdog::with_classes("cat", "dog").ok().unwrap();
    assert!(fresh.load_model_json(&project.model_json().unwrap()).is_ok());
    assert_eq!(
        fresh.predict_photo(&png(1)).ok().map(|p| p.probability),
        handle.predict_photo(&png(1)).ok().map(|p| p.probability)
    );

    assert!(catdog::web::ProjectFile::read(bytes[..bytes.len() - 1].to_vec(), "p.catdog").is_err());
    assert!(catdog::web::ProjectFile::read(b"{}".to_vec(), "p.catdog").is_err());
    assert!(Catdog::with_classes("cat", "cat").is_err());
    assert!(handle.export_project(&RunSettings { test_share: 1.0, ..settings }).is_err());
}
