//! The project file: written and read back as it was, and every kind of bad file refused.

use super::*;
use crate::data::fixtures::flat;
use crate::features::fitted::Featurizer;
use crate::features::FeatureSpec;
use crate::model::file::TrainingInfo;
use crate::model::Model;
use crate::train::optimize::{Init, Settings};

/// Every field away from the defaults, so a field lost on the way shows.
fn settings() -> ProjectSettings {
    let defaults = ProjectSettings::for_features(FeatureKind::HogColor);
    ProjectSettings {
        learning_rate: 0.02,
        iterations: 310,
        flip: true,
        random_seed: Some(7),
        test_share: 0.25,
        split_seed: 3,
        ..defaults
    }
}

#[test]
fn the_defaults_are_the_kinds() {
    let d = ProjectSettings::for_features(FeatureKind::HogColor);
    assert_eq!((d.learning_rate, d.iterations, d.l2, d.flip, d.random_seed), (0.01, 300, 3000.0, false, None));
    assert_eq!((d.test_share, d.split_seed), (0.2, 1));
}

fn model(classes: Classes) -> SavedModel {
    let mut w = Model::zeros(PHOTO_BYTES);
    w.w[5] = 0.25;
    w.b = -0.5;
    let training =
        TrainingInfo::new(&Settings { learning_rate: 0.005, iterations: 10, record_every: 1 }, Init::Zeros, 4);
    SavedModel {
        classes,
        model: w,
        features: Featurizer::fixed(FeatureSpec::new(FeatureKind::Raw)).unwrap(),
        standardizer: None,
        training,
        costs: vec![0.693, 0.5],
    }
}

fn written() -> Vec<u8> {
    Project::write(&Classes::default(), &settings(), Some(&model(Classes::default())), &flat(2)).unwrap()
}

/// The file with its header replaced by `edit` of the header's JSON (the length rewritten).
fn with_header(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let bytes = written();
    let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[PREAMBLE..PREAMBLE + len]).unwrap();
    edit(&mut header);
    let header = serde_json::to_vec(&header).unwrap();
    let mut out = bytes[..12].to_vec();
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&bytes[PREAMBLE + len..]);
    out
}

fn problem(bytes: Vec<u8>) -> ProjectProblem {
    match Project::read(bytes, "p.catdog") {
        Err(Error::Project { name, problem }) if name == "p.catdog" => problem,
        other => panic!("expected a project problem, got {other:?}"),
    }
}

#[test]
fn a_project_reads_back_as_it_was_written() {
    let data = flat(2);
    let project = Project::read(written(), "p.catdog").unwrap();
    assert_eq!(project.classes(), &Classes::default());
    assert_eq!(project.settings(), &settings());
    assert_eq!(project.model(), Some(&model(Classes::default())));
    assert_eq!(project.len(), data.len());
    for i in 0..data.len() {
        let photo = project.photo(i).unwrap();
        assert_eq!(photo.name, data.names()[i]);
        assert_eq!(photo.label.value(), data.labels()[i]);
        assert_eq!(photo.pixels, data.photo(i));
    }
    assert_eq!(project.photo(data.len()), None);
    assert_eq!(project.dataset().unwrap(), data);
}

#[test]
fn a_project_without_photos_or_model_reads_back_empty() {
    let classes = Classes::new("noncat", "cat").unwrap();
    let plain = ProjectSettings { random_seed: None, ..settings() };
    let project = Project::read(Project::write(&classes, &plain, None, &Dataset::new()).unwrap(), "p.catdog").unwrap();
    assert!(project.is_empty() && project.model().is_none());
    assert_eq!((project.classes(), project.settings()), (&classes, &plain));
}

#[test]
fn the_file_is_the_preamble_the_header_and_the_pixels() {
    let bytes = written();
    assert_eq!(&bytes[..8], MAGIC);
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), VERSION);
    let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    assert_eq!(&bytes[PREAMBLE + len..], flat(2).pixels());
}

#[test]
fn rejects_a_file_that_is_not_a_project() {
    assert_eq!(problem(Vec::new()), ProjectProblem::NotAProject);
    assert_eq!(problem(b"{\"format\":\"catdog-model\"}".to_vec()), ProjectProblem::NotAProject);
}

#[test]
fn rejects_another_version() {
    let mut bytes = written();
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    assert_eq!(problem(bytes), ProjectProblem::Version { found: 2, supported: VERSION });
}

#[test]
fn rejects_a_file_cut_short() {
    let bytes = written();
    assert_eq!(problem(bytes[..10].to_vec()), ProjectProblem::Truncated { needed: PREAMBLE as u64, actual: 10 });
    assert!(matches!(problem(bytes[..40].to_vec()), ProjectProblem::Truncated { actual: 40, .. }));
    let short = bytes.len() - 1;
    assert_eq!(
        problem(bytes[..short].to_vec()),
        ProjectProblem::Truncated { needed: bytes.len() as u64, actual: short as u64 }
    );
}

#[test]
fn rejects_bytes_after_the_last_photo() {
    let mut bytes = written();
    bytes.extend_from_slice(&[0; 5]);
    assert_eq!(problem(bytes), ProjectProblem::TrailingBytes { extra: 5 });
}

#[test]
fn rejects_a_damaged_header() {
    let mut bytes = written();
    bytes[PREAMBLE] = b'[';
    assert!(matches!(problem(bytes), ProjectProblem::Header(_)));
    let unknown = with_header(|h| h["extra"] = 1.into());
    assert!(matches!(problem(unknown), ProjectProblem::Header(m) if m.contains("extra")));
    let kind = with_header(|h| h["settings"]["features"] = "sift".into());
    assert!(matches!(problem(kind), ProjectProblem::Header(m) if m.contains("sift")));
}

#[test]
fn rejects_more_photos_than_pixels() {
    let more = with_header(|h| {
        let first = h["photos"][0].clone();
        h["photos"].as_array_mut().unwrap().push(first);
    });
    assert!(matches!(problem(more), ProjectProblem::Truncated { .. }));
}

#[test]
fn rejects_a_label_other_than_0_or_1() {
    let bad = with_header(|h| h["photos"][1]["label"] = 2.into());
    assert!(matches!(problem(bad), ProjectProblem::BadLabel { index: 1, label: 2, .. }));
}

#[test]
fn rejects_bad_class_names() {
    let same = with_header(|h| h["classes"] = serde_json::json!(["cat", "cat"]));
    assert!(matches!(problem(same), ProjectProblem::BadClasses(_)));
    let one = with_header(|h| h["classes"] = serde_json::json!(["cat"]));
    assert!(matches!(problem(one), ProjectProblem::Header(_)));
}

#[test]
fn rejects_bad_settings() {
    let rate = with_header(|h| h["settings"]["learning_rate"] = (-1.0).into());
    assert!(matches!(problem(rate), ProjectProblem::Settings(m) if m.contains("learning rate")));
    let share = with_header(|h| h["settings"]["test_share"] = 1.0.into());
    assert!(matches!(problem(share), ProjectProblem::Settings(_)));
    let iterations = with_header(|h| h["settings"]["iterations"] = 0.into());
    assert!(matches!(problem(iterations), ProjectProblem::Settings(_)));
    let bad = ProjectSettings { l2: f64::NAN, ..settings() };
    let written = Project::write(&Classes::default(), &bad, None, &flat(1));
    assert!(matches!(written, Err(Error::Setting(m)) if m.contains("λ")));
}

#[test]
fn rejects_a_damaged_model() {
    let bad = with_header(|h| h["model"] = "{\"format\":\"catdog-model\"}".into());
    assert!(matches!(problem(bad), ProjectProblem::Model(_)));
}

#[test]
fn rejects_a_model_of_other_classes() {
    let other = model(Classes::new("noncat", "cat").unwrap()).to_json();
    let bad = with_header(|h| h["model"] = other.into());
    assert!(matches!(problem(bad), ProjectProblem::ModelClasses { .. }));
    let written =
        Project::write(&Classes::default(), &settings(), Some(&model(Classes::new("a", "b").unwrap())), &flat(1));
    assert!(matches!(written, Err(Error::OtherClasses { .. })));
}
