//! Photos as 64x64 RGB `u8` rows with their labels: adding, removing and relabelling them,
//! reading a folder, a stratified seeded split, and the float64 matrix the reference path uses.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};

use crate::image_prep::{prepare_bytes, FEATURES};
use crate::labels::Classes;
use crate::rng::Mt19937;
use crate::{Error, Result};

/// Labelled photos, 12,288 bytes each; scaling by 1/255 happens in the math, not here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pixels: Vec<u8>,
    labels: Vec<u8>,
    names: Vec<String>,
}

/// A file left out of a data set, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file, relative to the folder read.
    pub file: String,
    /// What was wrong with it.
    pub reason: String,
}

impl Dataset {
    /// An empty data set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one prepared photo (12,288 bytes) with label 0 or 1. When memory runs out this is
    /// an error and the photos already there stay.
    pub fn push(&mut self, name: &str, pixels: &[u8], label: u8) -> Result<()> {
        if pixels.len() != FEATURES {
            return Err(Error::MismatchedShapes { what: "photo bytes", expected: FEATURES, actual: pixels.len() });
        }
        if label > 1 {
            return Err(Error::Label(format!("{name}: label {label} is neither 0 nor 1")));
        }
        if self.pixels.len() == self.pixels.capacity() {
            // A quarter more, not double: while growing, the old and the new buffer both exist,
            // and doubling would leave up to half of the new one unused.
            self.reserve((self.len() / 4).max(16))?;
        }
        self.pixels.extend_from_slice(pixels);
        self.labels.push(label);
        self.names.push(name.to_string());
        Ok(())
    }

    /// Makes room for `photos` more photos at once, so adding many grows the pixels once.
    pub fn reserve(&mut self, photos: usize) -> Result<()> {
        let bytes = photos.checked_mul(FEATURES).ok_or_else(|| Error::Dataset(format!("{photos} photos are too many")))?;
        self.pixels.try_reserve_exact(bytes).map_err(|_| Error::Dataset(format!("there is no memory left for {photos} more photos ({} kept)", self.len())))
    }

    /// Removes photo `index`.
    pub fn remove(&mut self, index: usize) -> Result<()> {
        self.check_index(index)?;
        self.pixels.drain(index * FEATURES..(index + 1) * FEATURES);
        self.labels.remove(index);
        self.names.remove(index);
        Ok(())
    }

    /// Gives photo `index` label 0 or 1.
    pub fn set_label(&mut self, index: usize, label: u8) -> Result<()> {
        self.check_index(index)?;
        if label > 1 {
            return Err(Error::Label(format!("label {label} is neither 0 nor 1")));
        }
        self.labels[index] = label;
        Ok(())
    }

    fn check_index(&self, index: usize) -> Result<()> {
        if index >= self.len() {
            return Err(Error::Dataset(format!("there is no photo number {index}; there are {}", self.len())));
        }
        Ok(())
    }

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no photos.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Labels, one per photo.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Names, one per photo.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// All pixels, photo after photo.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixels of photo `index`.
    pub fn photo(&self, index: usize) -> &[u8] {
        &self.pixels[index * FEATURES..(index + 1) * FEATURES]
    }

    /// How many photos have label 0 and label 1.
    pub fn class_counts(&self) -> [usize; 2] {
        let ones = self.labels.iter().filter(|&&l| l == 1).count();
        [self.len() - ones, ones]
    }

    /// Errors unless there is at least one photo of each class.
    pub fn check_trainable(&self, classes: &Classes) -> Result<()> {
        match self.class_counts() {
            [0, 0] => Err(Error::Dataset("there are no photos to train on".into())),
            [n, 0] | [0, n] => {
                let present = if self.labels[0] == 0 { classes.name(0) } else { classes.name(1) };
                Err(Error::Dataset(format!(
                    "all {n} photos are '{present}': training needs photos of both '{}' and '{}'",
                    classes.name(0),
                    classes.name(1)
                )))
            }
            _ => Ok(()),
        }
    }

    /// The photos as rows of float64 features, each byte divided by 255 as in the tutorial.
    pub fn features_f64(&self) -> Array2<f64> {
        let scaled: Vec<f64> = self.pixels.iter().map(|&p| f64::from(p) / 255.0).collect();
        Array2::from_shape_vec((self.len(), FEATURES), scaled).expect("pixels hold len() rows of FEATURES")
    }

    /// The labels as float64, for the cost.
    pub fn labels_f64(&self) -> Array1<f64> {
        self.labels.iter().map(|&l| f64::from(l)).collect()
    }

    /// Splits off `test_share` (0 to 1) of each class, chosen with `seed`: (train, test).
    /// Each class keeps at least one training photo.
    pub fn split(&self, test_share: f64, seed: u32) -> Result<(Dataset, Dataset)> {
        let is_test = self.split_mask(test_share, seed)?;
        let (mut train, mut test) = (Dataset::new(), Dataset::new());
        for (i, &held_out) in is_test.iter().enumerate() {
            let part = if held_out { &mut test } else { &mut train };
            part.push(&self.names[i], self.photo(i), self.labels[i])?;
        }
        Ok((train, test))
    }

    /// Which photos `split` holds out (true) and which it trains on, by index; for callers
    /// that keep per-photo data (such as cached features) beside the data set.
    pub fn split_mask(&self, test_share: f64, seed: u32) -> Result<Vec<bool>> {
        if !(0.0..1.0).contains(&test_share) {
            return Err(Error::Setting(format!("the test share must be at least 0 and below 1, got {test_share}")));
        }
        let mut rng = Mt19937::new(seed);
        let mut is_test = vec![false; self.len()];
        for class in 0..2u8 {
            let mut members: Vec<usize> = (0..self.len()).filter(|&i| self.labels[i] == class).collect();
            rng.shuffle(&mut members);
            let take = ((members.len() as f64 * test_share).round() as usize).min(members.len().saturating_sub(1));
            for &i in &members[..take] {
                is_test[i] = true;
            }
        }
        Ok(is_test)
    }
}

/// Reads every photo under `dir` (recursively, in name order), labelling each from its path
/// relative to `dir`. Files that are not photos, or whose names give no label, are skipped and
/// reported. A missing folder, or one with no usable photo, is an error.
pub fn load_folder(dir: &Path, classes: &Classes) -> Result<(Dataset, Vec<Skipped>)> {
    if !dir.is_dir() {
        return Err(Error::Dataset(format!("{} is not a folder", dir.display())));
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let mut skipped = Vec::new();
    let mut labelled = Vec::new();
    for path in files {
        let relative = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        match classes.label_for_path(&relative) {
            Ok(label) => labelled.push((path, relative, label)),
            Err(e) => skipped.push(Skipped { file: relative, reason: e.to_string() }),
        }
    }
    let mut data = Dataset::new();
    for (prepared, (_, relative, label)) in prepare_all(&labelled).into_iter().zip(&labelled) {
        match prepared {
            Ok(pixels) => data.push(relative, &pixels, *label)?,
            Err(reason) => skipped.push(Skipped { file: relative.clone(), reason }),
        }
    }
    if data.is_empty() {
        return Err(Error::Dataset(format!("{} holds no usable photos ({} files skipped)", dir.display(), skipped.len())));
    }
    Ok((data, skipped))
}

/// Reads and prepares the photos, on every core natively.
fn prepare_all(files: &[(PathBuf, String, u8)]) -> Vec<std::result::Result<Vec<u8>, String>> {
    let prepare = |(path, relative, _): &(PathBuf, String, u8)| {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        prepare_bytes(&bytes, relative).map_err(|e| match e {
            Error::Image { reason, .. } => reason,
            other => other.to_string(),
        })
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    if cfg!(target_arch = "wasm32") || threads < 2 {
        return files.iter().map(prepare).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(prepare).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let io = |source| Error::Io { path: dir.display().to_string(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(value: u8) -> Vec<u8> {
        vec![value; FEATURES]
    }

    fn sample(n_cats: usize, n_dogs: usize) -> Dataset {
        let mut data = Dataset::new();
        for i in 0..n_cats + n_dogs {
            let label = u8::from(i >= n_cats);
            data.push(&format!("p{i}"), &photo(i as u8), label).unwrap();
        }
        data
    }

    #[test]
    fn features_are_bytes_over_255() {
        let f = sample(1, 1).features_f64();
        assert_eq!(f.dim(), (2, FEATURES));
        assert_eq!(f[[1, 5]], 1.0 / 255.0);
    }

    #[test]
    fn split_is_stratified_seeded_and_complete() {
        let data = sample(40, 60);
        let (train, test) = data.split(0.2, 3).unwrap();
        assert_eq!(test.class_counts(), [8, 12]);
        assert_eq!(train.class_counts(), [32, 48]);
        assert_eq!(data.split(0.2, 3).unwrap().1, test);
        assert_ne!(data.split(0.2, 4).unwrap().1, test);
        let mut all: Vec<&String> = train.names().iter().chain(test.names()).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 100);
    }

    #[test]
    fn split_keeps_a_training_photo_of_each_class() {
        let (train, test) = sample(1, 1).split(0.9, 0).unwrap();
        assert_eq!(train.class_counts(), [1, 1]);
        assert!(test.is_empty());
    }

    #[test]
    fn remove_and_relabel() {
        let mut data = sample(2, 1);
        data.set_label(0, 1).unwrap();
        data.remove(1).unwrap();
        assert_eq!(data.labels(), [1, 1]);
        assert_eq!(data.photo(1), photo(2).as_slice());
        assert!(matches!(data.remove(5), Err(Error::Dataset(_))));
        assert!(matches!(data.set_label(0, 2), Err(Error::Label(_))));
    }

    #[test]
    fn rejects_a_single_class_or_nothing() {
        let classes = Classes::default();
        assert!(matches!(Dataset::new().check_trainable(&classes), Err(Error::Dataset(_))));
        let err = sample(0, 3).check_trainable(&classes).unwrap_err();
        assert!(err.to_string().contains("all 3 photos are 'dog'"), "{err}");
        assert!(sample(1, 1).check_trainable(&classes).is_ok());
    }

    #[test]
    fn rejects_photos_of_the_wrong_size_and_bad_shares() {
        let err = Dataset::new().push("x", &[0; 10], 0).unwrap_err();
        assert!(matches!(err, Error::MismatchedShapes { actual: 10, .. }));
        assert!(matches!(sample(2, 2).split(1.0, 0), Err(Error::Setting(_))));
        assert!(matches!(sample(2, 2).split(f64::NAN, 0), Err(Error::Setting(_))));
    }
}
