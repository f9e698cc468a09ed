//! Photos as 64x64 RGB `u8` rows with their labels and stable ids: adding, removing and
//! relabelling them by id, reading a folder, a stratified seeded split, and the float64 matrix
//! the reference path uses.
//!
//! A photo's id never changes and is never reused, while its index (its place in the rows)
//! shifts when an earlier photo is removed; whatever outlives one call (a run's split, its
//! mistakes, the page's thumbnails) names photos by id.

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};

use crate::decode::prepare_bytes;
use serde::Serialize;

use crate::data::labels::Classes;
use crate::data::rng::Mt19937;
use crate::photo::{Label, PHOTO_BYTES};
use crate::threads::Threads;
use crate::{Error, Result};

/// Labelled photos, 12,288 bytes each; scaling by 1/255 happens in the math, not here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pixels: Vec<u8>,
    labels: Vec<u8>,
    names: Vec<String>,
    ids: Vec<PhotoId>,
    next_id: u32,
}

/// A photo's name for as long as it is in its data set: ids count up from 0 and are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PhotoId(pub u32);

/// Which photos (by index at the time of the split) a run trains on and which it holds out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    /// Indices of the training photos, in photo order.
    pub train: Vec<usize>,
    /// Indices of the held-out photos, in photo order.
    pub held_out: Vec<usize>,
}

impl Split {
    /// Every photo of `data` for training, none held out.
    pub fn all(data: &Dataset) -> Split {
        Split { train: (0..data.len()).collect(), held_out: Vec::new() }
    }
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

    /// Adds one prepared photo (12,288 bytes) with label 0 or 1 and returns its new id. When
    /// memory runs out this is an error and the photos already there stay.
    pub fn push(&mut self, name: &str, pixels: &[u8], label: u8) -> Result<PhotoId> {
        if pixels.len() != PHOTO_BYTES {
            return Err(Error::MismatchedShapes { what: "photo bytes", expected: PHOTO_BYTES, actual: pixels.len() });
        }
        Label::new(label)?;
        if self.pixels.len() == self.pixels.capacity() {
            // A quarter more, not double: while growing, the old and the new buffer both exist,
            // and doubling would leave up to half of the new one unused.
            self.reserve((self.len() / 4).max(16))?;
        }
        self.pixels.extend_from_slice(pixels);
        self.labels.push(label);
        self.names.push(name.to_string());
        let id = PhotoId(self.next_id);
        self.ids.push(id);
        self.next_id += 1;
        Ok(id)
    }

    /// Adds one prepared photo as [`Self::push`] does, under the id it had before (a kept
    /// photo restored): ids only grow, so `id` must be past every id given so far.
    pub fn push_as(&mut self, id: PhotoId, name: &str, pixels: &[u8], label: u8) -> Result<PhotoId> {
        // u32::MAX is refused too: the id after it could not be counted.
        if id.0 < self.next_id || id.0 == u32::MAX {
            return Err(Error::PhotoIdTaken { id: id.0, next: self.next_id });
        }
        let next = std::mem::replace(&mut self.next_id, id.0);
        self.push(name, pixels, label).inspect_err(|_| self.next_id = next)
    }

    /// Makes room for `photos` more photos at once, so adding many grows the pixels once.
    pub fn reserve(&mut self, photos: usize) -> Result<()> {
        let bytes =
            photos.checked_mul(PHOTO_BYTES).ok_or_else(|| Error::Dataset(format!("{photos} photos are too many")))?;
        self.pixels.try_reserve_exact(bytes).map_err(|_| {
            Error::Dataset(format!("there is no memory left for {photos} more photos ({} kept)", self.len()))
        })
    }

    /// Removes photo `id`; the photos after it move up one index, their ids stay.
    pub fn remove(&mut self, id: PhotoId) -> Result<()> {
        let index = self.index_of(id)?;
        self.pixels.drain(index * PHOTO_BYTES..(index + 1) * PHOTO_BYTES);
        self.labels.remove(index);
        self.names.remove(index);
        self.ids.remove(index);
        Ok(())
    }

    /// Gives photo `id` label 0 or 1.
    pub fn set_label(&mut self, id: PhotoId, label: Label) -> Result<()> {
        let index = self.index_of(id)?;
        self.labels[index] = label.value();
        Ok(())
    }

    /// Where photo `id` is now.
    pub fn index_of(&self, id: PhotoId) -> Result<usize> {
        // Ids only grow, so the rows are sorted by id.
        self.ids.binary_search(&id).map_err(|_| Error::NoSuchPhoto(id.0))
    }

    /// The pixels of photo `id`.
    pub fn photo_by_id(&self, id: PhotoId) -> Result<&[u8]> {
        Ok(self.photo(self.index_of(id)?))
    }

    /// Ids, one per photo, in photo order (ascending).
    pub fn ids(&self) -> &[PhotoId] {
        &self.ids
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
        &self.pixels[index * PHOTO_BYTES..(index + 1) * PHOTO_BYTES]
    }

    /// How many photos have label 0 and label 1.
    pub fn class_counts(&self) -> [usize; 2] {
        let ones = self.labels.iter().filter(|&&l| l == 1).count();
        [self.len() - ones, ones]
    }

    /// Errors unless there is at least one photo of each class.
    pub fn check_trainable(&self, classes: &Classes) -> Result<()> {
        match self.class_counts() {
            [0, 0] => Err(Error::NoPhotos),
            [0, _] | [_, 0] => {
                Err(Error::OneClass { counts: self.class_counts(), classes: classes.names().map(String::from) })
            }
            _ => Ok(()),
        }
    }

    /// The photos as rows of float64 features, each byte divided by 255 as in the tutorial.
    pub fn features_f64(&self) -> Array2<f64> {
        let scaled: Vec<f64> = self.pixels.iter().map(|&p| f64::from(p) / 255.0).collect();
        Array2::from_shape_vec((self.len(), PHOTO_BYTES), scaled).expect("pixels hold len() rows of PHOTO_BYTES")
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

    /// The split `split` makes, as indices: the same photos, in photo order.
    pub fn split_indices(&self, test_share: f64, seed: u32) -> Result<Split> {
        let is_test = self.split_mask(test_share, seed)?;
        let (held_out, train) = (0..self.len()).partition(|&i| is_test[i]);
        Ok(Split { train, held_out })
    }

    /// Each photo's fold for `folds`-fold cross-validation, stratified: each class is shuffled with
    /// its own draws from one `Mt19937(seed)` and dealt round the folds, so every fold holds a
    /// near-equal share of each class and the same seed always deals the same folds.
    pub fn folds(&self, folds: usize, seed: u32) -> Result<Vec<usize>> {
        if folds < 2 || folds > self.len() {
            return Err(Error::Setting(format!("cross-validation needs 2 to {} folds, got {folds}", self.len())));
        }
        let mut rng = Mt19937::new(seed);
        let mut fold = vec![0; self.len()];
        for class in 0..2u8 {
            let mut members: Vec<usize> = (0..self.len()).filter(|&i| self.labels[i] == class).collect();
            rng.shuffle(&mut members);
            for (n, &i) in members.iter().enumerate() {
                fold[i] = n % folds;
            }
        }
        Ok(fold)
    }

    /// Which photos `split` holds out (true) and which it trains on, by index.
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
/// reported. A missing folder, or one with no usable photo, is an error. Photos are decoded on
/// every core ([`Threads::available`]).
pub fn load_folder(dir: &Path, classes: &Classes) -> Result<(Dataset, Vec<Skipped>)> {
    load_folder_on(dir, classes, Threads::available())
}

/// [`load_folder`] decoding on `threads`: each file is decoded on its own, so the photos are the
/// same on any count.
pub fn load_folder_on(dir: &Path, classes: &Classes, threads: Threads) -> Result<(Dataset, Vec<Skipped>)> {
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
    for (prepared, (_, relative, label)) in prepare_all(&labelled, threads).into_iter().zip(&labelled) {
        match prepared {
            Ok(pixels) => {
                data.push(relative, &pixels, *label)?;
            }
            Err(reason) => skipped.push(Skipped { file: relative.clone(), reason }),
        }
    }
    if data.is_empty() {
        return Err(Error::Dataset(format!(
            "{} holds no usable photos ({} files skipped)",
            dir.display(),
            skipped.len()
        )));
    }
    Ok((data, skipped))
}

/// Reads and prepares the photos on `threads`, in order.
fn prepare_all(files: &[(PathBuf, String, u8)], threads: Threads) -> Vec<std::result::Result<Vec<u8>, String>> {
    threads.map(files.len(), |i| {
        let (path, relative, _) = &files[i];
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        prepare_bytes(&bytes, relative).map_err(|e| match e {
            Error::Image { problem, .. } => problem.to_string(),
            other => other.to_string(),
        })
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
        vec![value; PHOTO_BYTES]
    }

    #[test]
    fn restored_photos_keep_their_ids_and_later_ones_count_on() {
        let mut data = Dataset::new();
        assert_eq!(data.push_as(PhotoId(3), "a", &photo(1), 0).unwrap(), PhotoId(3));
        assert_eq!(data.push_as(PhotoId(7), "b", &photo(2), 1).unwrap(), PhotoId(7));
        assert_eq!(data.push("c", &photo(3), 1).unwrap(), PhotoId(8));
        assert_eq!(data.photo_by_id(PhotoId(7)).unwrap(), &photo(2)[..]);
    }

    #[test]
    fn rejects_a_restored_id_already_given() {
        let mut data = Dataset::new();
        data.push_as(PhotoId(5), "a", &photo(1), 0).unwrap();
        assert!(matches!(data.push_as(PhotoId(5), "b", &photo(1), 0), Err(Error::PhotoIdTaken { id: 5, next: 6 })));
        assert!(matches!(data.push_as(PhotoId(u32::MAX), "b", &photo(1), 0), Err(Error::PhotoIdTaken { .. })));
        // A bad photo leaves the next id where it was.
        assert!(data.push_as(PhotoId(9), "c", &[0; 3], 0).is_err());
        assert_eq!(data.push("d", &photo(1), 0).unwrap(), PhotoId(6));
        assert_eq!(data.len(), 2);
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
        assert_eq!(f.dim(), (2, PHOTO_BYTES));
        assert_eq!(f[[1, 5]], 1.0 / 255.0);
    }

    #[test]
    fn folds_are_stratified_seeded_and_cover_every_photo() {
        let data = sample(40, 60);
        let fold = data.folds(5, 7).unwrap();
        for k in 0..5 {
            let members: Vec<usize> = (0..data.len()).filter(|&i| fold[i] == k).collect();
            let dogs = members.iter().filter(|&&i| data.labels()[i] == 1).count();
            assert_eq!((members.len() - dogs, dogs), (8, 12), "fold {k}");
        }
        assert_eq!(data.folds(5, 7).unwrap(), fold);
        assert_ne!(data.folds(5, 8).unwrap(), fold);
        assert!(matches!(data.folds(1, 7), Err(Error::Setting(_))));
        assert!(matches!(data.folds(101, 7), Err(Error::Setting(_))));
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
        data.set_label(PhotoId(0), Label::ONE).unwrap();
        data.remove(PhotoId(1)).unwrap();
        assert_eq!(data.labels(), [1, 1]);
        assert_eq!(data.photo(1), photo(2).as_slice());
        assert!(matches!(data.remove(PhotoId(5)), Err(Error::NoSuchPhoto(5))));
        assert!(matches!(data.push("x", &photo(0), 2), Err(Error::BadLabel(2))));
    }

    #[test]
    fn rejects_a_single_class_or_nothing() {
        let classes = Classes::default();
        assert!(matches!(Dataset::new().check_trainable(&classes), Err(Error::NoPhotos)));
        let err = sample(0, 3).check_trainable(&classes).unwrap_err();
        assert!(matches!(&err, Error::OneClass { counts: [0, 3], .. }), "{err}");
        assert!(matches!(Dataset::new().check_trainable(&classes), Err(Error::NoPhotos)));
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
