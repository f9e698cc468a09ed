//! Features of photos computed once and kept across runs, by photo id, feature spec and
//! orientation, and the feature rows a run reads from them. A learned kind's features depend on
//! its dictionary too: the cache keeps one dictionary per set of learned sizes, with what it was
//! learned from, and a new one for those sizes drops the rows the old one gave.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use ndarray::Array2;

use crate::data::dataset::{Dataset, PhotoId};
use crate::features::fitted::Featurizer;
use crate::features::learned::{Dictionary, LearnedParams};
use crate::features::{flip_horizontal, FeatureKind, FeatureSpec};
use crate::threads::Threads;
use crate::{Error, Result};

/// Features of photos by id, per spec and orientation, computed once and kept across runs (raw
/// pixels are never kept: they are the photos' own bytes).
#[derive(Default)]
pub struct FeatureCache {
    rows: HashMap<(FeatureSpec, bool), HashMap<PhotoId, Vec<f64>>>,
    dictionaries: HashMap<LearnedParams, Learned>,
}

/// A dictionary with what it was learned from: its seed and the training photos.
struct Learned {
    seed: u32,
    photos: Vec<PhotoId>,
    dictionary: Arc<Dictionary>,
}

impl FeatureCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets photo `id`'s features (it was removed).
    pub fn forget(&mut self, id: PhotoId) {
        self.rows.values_mut().for_each(|rows| drop(rows.remove(&id)));
    }

    /// How many photos have features of `spec` (mirrored or not) kept.
    pub fn count(&self, spec: &FeatureSpec, flipped: bool) -> usize {
        self.rows.get(&(*spec, flipped)).map_or(0, HashMap::len)
    }

    /// The kept features of photo `id`, to plant a value in a test.
    #[cfg(test)]
    pub(crate) fn row_mut(&mut self, spec: &FeatureSpec, flipped: bool, id: PhotoId) -> Option<&mut Vec<f64>> {
        self.rows.get_mut(&(*spec, flipped))?.get_mut(&id)
    }

    /// The kept features of photo `id`, if any.
    pub fn get(&self, spec: &FeatureSpec, flipped: bool, id: PhotoId) -> Option<&[f64]> {
        self.rows.get(&(*spec, flipped))?.get(&id).map(Vec::as_slice)
    }

    /// The dictionary of sizes `params` learned with `seed` from exactly `photos`, if kept.
    pub fn dictionary(&self, params: &LearnedParams, seed: u32, photos: &[PhotoId]) -> Option<Arc<Dictionary>> {
        let kept = self.dictionaries.get(params)?;
        (kept.seed == seed && kept.photos == photos).then(|| kept.dictionary.clone())
    }

    /// Keeps a newly learned dictionary for its sizes, forgetting the features of the one before.
    pub(crate) fn keep_dictionary(&mut self, seed: u32, photos: Vec<PhotoId>, dictionary: Arc<Dictionary>) {
        let params = *dictionary.params();
        self.rows.retain(|(spec, _), _| !(spec.needs_dictionary() && spec.learned == params));
        self.dictionaries.insert(params, Learned { seed, photos, dictionary });
    }

    /// Computes and keeps the features of `photos` (id, mirrored, pixels) not kept already,
    /// spread over `threads`; each photo's features are computed alone, so they are the same
    /// bits on any count. The first error, in the photos' order, is returned.
    pub(crate) fn compute(
        &mut self,
        features: &Featurizer,
        photos: &[(PhotoId, bool, &[u8])],
        threads: Threads,
    ) -> Result<()> {
        let spec = features.spec();
        let computed = threads.map(photos.len(), |i| {
            let (id, flipped, pixels) = photos[i];
            self.get(spec, flipped, id).is_none().then(|| features_of(features, flipped, pixels))
        });
        for (&(id, flipped, _), row) in photos.iter().zip(computed) {
            if let Some(row) = row {
                self.insert(spec, flipped, id, row?);
            }
        }
        Ok(())
    }

    /// Keeps the features of photo `id` (mirrored or not), computed elsewhere by `features_of`.
    pub(crate) fn insert(&mut self, spec: &FeatureSpec, flipped: bool, id: PhotoId, row: Vec<f64>) {
        self.rows.entry((*spec, flipped)).or_default().insert(id, row);
    }

    /// Appends the features of photos `indices` of `data` to `values`, computing those not kept.
    pub(crate) fn extend(
        &mut self,
        values: &mut Vec<f64>,
        features: &Featurizer,
        flipped: bool,
        data: &Dataset,
        indices: &[usize],
    ) -> Result<()> {
        let rows = self.rows.entry((*features.spec(), flipped)).or_default();
        for &i in indices {
            let row = match rows.entry(data.ids()[i]) {
                Entry::Occupied(row) => row.into_mut(),
                Entry::Vacant(slot) => slot.insert(features_of(features, flipped, data.photo(i))?),
            };
            values.extend_from_slice(row);
        }
        Ok(())
    }
}

/// The features of one photo, mirrored first when asked.
pub(crate) fn features_of(features: &Featurizer, flipped: bool, photo: &[u8]) -> Result<Vec<f64>> {
    if flipped {
        return features.extract(&flip_horizontal(photo)?);
    }
    features.extract(photo)
}

/// The features of photos `indices` as rows, unstandardised: all of them as they are, then
/// (with `mirrored_too`) all of them mirrored. One buffer sized up front, so a large matrix is
/// never briefly held twice.
pub(crate) fn matrix(
    features: &Featurizer,
    data: &Dataset,
    indices: &[usize],
    mirrored_too: bool,
    cache: &mut FeatureCache,
) -> Result<Array2<f64>> {
    let orientations: &[bool] = if mirrored_too { &[false, true] } else { &[false] };
    let mut values = Vec::with_capacity(orientations.len() * indices.len() * features.features());
    for &flipped in orientations {
        if features.spec().kind == FeatureKind::Raw {
            for &i in indices {
                values.extend(features_of(features, flipped, data.photo(i))?);
            }
        } else {
            cache.extend(&mut values, features, flipped, data, indices)?;
        }
    }
    let shape = (orientations.len() * indices.len(), features.features());
    let actual = values.len();
    Array2::from_shape_vec(shape, values).map_err(|_| Error::MismatchedShapes {
        what: "feature values",
        expected: shape.0 * shape.1,
        actual,
    })
}
