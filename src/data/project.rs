//! The project file: a whole piece of work in one file (the photos' prepared 64x64 RGB bytes,
//! their names and labels, the class names, the page's settings and the current model), so it
//! can be carried to another browser or machine and trained further there.
//!
//! Version 1, byte by byte: the 8 bytes `CATDOGPJ`; the version, a little-endian u32; the
//! header's length, a little-endian u32; the header, JSON (`classes`, `settings`, `model`, the
//! model file's own JSON text or null, and `photos`, each photo's `name` and `label`); then each
//! photo's 12,288 bytes in the header's order, and nothing after. The pixels stay binary: 10,000
//! photos are 123 MB of them, which base64 would make a third bigger and JSON numbers three times.
//!
//! Reading checks everything before anything is used, and borrows the pixels from the file's own
//! bytes, so a bad file is an error that changes nothing and a good one is not copied.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error as ThisError;

use crate::data::dataset::Dataset;
use crate::data::labels::Classes;
use crate::features::{FeatureKind, FeatureSpec};
use crate::model::file::SavedModel;
use crate::photo::{Label, PHOTO_BYTES};
use crate::train::plan::TrainOptions;
use crate::{Error, Result};

/// The file's first bytes.
pub const MAGIC: &[u8; 8] = b"CATDOGPJ";
/// The version written, and the only one read.
pub const VERSION: u32 = 1;
/// Bytes before the header: magic, version, header length.
const PREAMBLE: usize = MAGIC.len() + 4 + 4;

/// What is wrong with a file given as a project, in words that fit after "cannot read NAME: ".
#[derive(Debug, Clone, PartialEq, ThisError)]
pub enum ProjectProblem {
    #[error("it is not a catdog project file")]
    NotAProject,
    #[error("it is a project file of version {found}; this catdog reads version {supported}")]
    Version { found: u32, supported: u32 },
    #[error("the file is cut short: it should have {needed} bytes, it has {actual}")]
    Truncated { needed: u64, actual: u64 },
    #[error("{extra} bytes follow the last photo")]
    TrailingBytes { extra: u64 },
    #[error("its header is damaged: {0}")]
    Header(String),
    #[error("photo {index} ({name}) has label {label}, neither 0 nor 1")]
    BadLabel { index: usize, name: String, label: u8 },
    #[error("its class names {0:?} are not two different words of letters")]
    BadClasses([String; 2]),
    #[error("its settings are not valid: {0}")]
    Settings(String),
    #[error("its model is not valid: {0}")]
    Model(String),
    #[error("its model classifies '{}' and '{}', its photos '{}' and '{}'", model[0], model[1], project[0], project[1])]
    ModelClasses { model: [String; 2], project: [String; 2] },
}

/// The page's training settings as a project keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSettings {
    #[serde(with = "kind_name")]
    pub features: FeatureKind,
    pub learning_rate: f64,
    pub iterations: usize,
    pub l2: f64,
    pub flip: bool,
    /// Random initial weights with this seed; zeros when `None`.
    pub random_seed: Option<u32>,
    /// Share of each class held out, at least 0 and below 1.
    pub test_share: f64,
    pub split_seed: u32,
}

impl ProjectSettings {
    /// The defaults of `kind` (the CLI's too), from zeros, a fifth of each class held out with
    /// seed 1: the page's settings before the user changes any.
    pub fn for_features(kind: FeatureKind) -> Self {
        let t = TrainOptions::for_features(FeatureSpec::new(kind));
        ProjectSettings {
            features: kind,
            learning_rate: t.settings.learning_rate,
            iterations: t.settings.iterations,
            l2: t.l2,
            flip: t.flip,
            random_seed: None,
            test_share: 0.2,
            split_seed: 1,
        }
    }

    /// The ranges any run needs (the finer checks are the run's own when it starts).
    fn check(&self) -> std::result::Result<(), String> {
        let bad = Err;
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!("the learning rate is {}, it must be a positive number", self.learning_rate));
        }
        if self.iterations == 0 {
            return bad("the iterations must be at least 1".into());
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return bad(format!("λ is {}, it must be a number at least 0", self.l2));
        }
        if !(0.0..1.0).contains(&self.test_share) {
            return bad(format!("the held-out share is {}, it must be at least 0 and below 1", self.test_share));
        }
        Ok(())
    }
}

/// A feature kind as its name (`hog+color`) in the header.
mod kind_name {
    use super::*;

    pub fn serialize<S: Serializer>(kind: &FeatureKind, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(kind.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<FeatureKind, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    classes: [String; 2],
    settings: ProjectSettings,
    model: Option<String>,
    photos: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    label: u8,
}

/// One photo of a project.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProjectPhoto<'a> {
    pub name: &'a str,
    pub label: Label,
    /// 64x64 RGB, as prepared when it was added.
    pub pixels: &'a [u8],
}

/// A project file read and checked, holding its bytes (the photos' pixels are read from them).
#[derive(Debug)]
pub struct Project {
    classes: Classes,
    settings: ProjectSettings,
    model: Option<SavedModel>,
    photos: Vec<(String, Label)>,
    bytes: Vec<u8>,
    pixels_at: usize,
}

impl Project {
    /// The project file of `data`'s photos (in their order) with `classes`, `settings` and
    /// `model`. Refuses what [`Project::read`] would refuse, so every file written reads back.
    pub fn write(
        classes: &Classes,
        settings: &ProjectSettings,
        model: Option<&SavedModel>,
        data: &Dataset,
    ) -> Result<Vec<u8>> {
        settings.check().map_err(Error::Setting)?;
        if let Some((file, current)) = model.and_then(|m| other_classes(m, classes)) {
            return Err(Error::OtherClasses { file, current });
        }
        let photos = data.names().iter().zip(data.labels()).map(|(name, &label)| Entry { name: name.clone(), label });
        let header = Header {
            classes: classes.names().map(String::from),
            settings: *settings,
            model: model.map(SavedModel::to_json),
            photos: photos.collect(),
        };
        let header = serde_json::to_vec(&header).map_err(|e| Error::Dataset(e.to_string()))?;
        let header_len = u32::try_from(header.len())
            .map_err(|_| Error::Dataset(format!("the names of {} photos are over 4 GB", data.len())))?;
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(PREAMBLE + header.len() + data.pixels().len()).map_err(|_| {
            Error::Dataset(format!("there is no memory left to write a project of {} photos", data.len()))
        })?;
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&header_len.to_le_bytes());
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(data.pixels());
        Ok(bytes)
    }

    /// Reads a project file, checking every part; the error says what is wrong with it (`name`
    /// only serves the message).
    pub fn read(bytes: Vec<u8>, name: &str) -> Result<Project> {
        Self::parse(bytes).map_err(|problem| Error::Project { name: name.to_string(), problem })
    }

    fn parse(bytes: Vec<u8>) -> std::result::Result<Project, ProjectProblem> {
        let size = bytes.len() as u64;
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(ProjectProblem::NotAProject);
        }
        let word = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let (Some(version), Some(header_len)) = (word(MAGIC.len()), word(MAGIC.len() + 4)) else {
            return Err(ProjectProblem::Truncated { needed: PREAMBLE as u64, actual: size });
        };
        if version != VERSION {
            return Err(ProjectProblem::Version { found: version, supported: VERSION });
        }
        let pixels_at = PREAMBLE as u64 + u64::from(header_len);
        if size < pixels_at {
            return Err(ProjectProblem::Truncated { needed: pixels_at, actual: size });
        }
        // pixels_at <= the length of bytes, so it fits a usize.
        let header: Header = serde_json::from_slice(&bytes[PREAMBLE..pixels_at as usize])
            .map_err(|e| ProjectProblem::Header(e.to_string()))?;
        let needed = pixels_at + header.photos.len() as u64 * PHOTO_BYTES as u64;
        if size < needed {
            return Err(ProjectProblem::Truncated { needed, actual: size });
        }
        if size > needed {
            return Err(ProjectProblem::TrailingBytes { extra: size - needed });
        }
        let [negative, positive] = &header.classes;
        let classes =
            Classes::new(negative, positive).map_err(|_| ProjectProblem::BadClasses(header.classes.clone()))?;
        header.settings.check().map_err(ProjectProblem::Settings)?;
        let model = match &header.model {
            Some(text) => {
                let model = SavedModel::from_json(text).map_err(|e| ProjectProblem::Model(e.to_string()))?;
                if let Some((model, project)) = other_classes(&model, &classes) {
                    return Err(ProjectProblem::ModelClasses { model, project });
                }
                Some(model)
            }
            None => None,
        };
        let photos = header
            .photos
            .into_iter()
            .enumerate()
            .map(|(index, Entry { name, label })| match Label::new(label) {
                Ok(label) => Ok((name, label)),
                Err(_) => Err(ProjectProblem::BadLabel { index, name, label }),
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Project { classes, settings: header.settings, model, photos, bytes, pixels_at: pixels_at as usize })
    }

    /// The class names, label 0 first.
    pub fn classes(&self) -> &Classes {
        &self.classes
    }

    /// The settings the page had.
    pub fn settings(&self) -> &ProjectSettings {
        &self.settings
    }

    /// The model, if there was one.
    pub fn model(&self) -> Option<&SavedModel> {
        self.model.as_ref()
    }

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.photos.len()
    }

    /// True when the project has no photos.
    pub fn is_empty(&self) -> bool {
        self.photos.is_empty()
    }

    /// The photos as a data set, in the project's order (ids from 0), for training on.
    pub fn dataset(&self) -> Result<Dataset> {
        let mut data = Dataset::new();
        data.reserve(self.len())?;
        for photo in (0..self.len()).filter_map(|i| self.photo(i)) {
            data.push(photo.name, photo.pixels, photo.label.value())?;
        }
        Ok(data)
    }

    /// Photo `index` (in the order they were written), if there is one.
    pub fn photo(&self, index: usize) -> Option<ProjectPhoto<'_>> {
        let (name, label) = self.photos.get(index)?;
        let at = self.pixels_at + index * PHOTO_BYTES;
        // read() checked that the bytes hold every photo's pixels.
        Some(ProjectPhoto { name, label: *label, pixels: self.bytes.get(at..at + PHOTO_BYTES)? })
    }
}

/// The model's class names and the project's, when they differ.
fn other_classes(model: &SavedModel, classes: &Classes) -> Option<([String; 2], [String; 2])> {
    let names = |c: &Classes| c.names().map(String::from);
    (model.classes != *classes).then(|| (names(&model.classes), names(classes)))
}

#[cfg(test)]
mod tests;
