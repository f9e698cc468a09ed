//! Features of photos computed once and kept across runs, by photo id, feature spec and
//! orientation, and the feature rows a run reads from them.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use ndarray::Array2;

use crate::data::dataset::{Dataset, PhotoId};
use crate::features::{flip_horizontal, FeatureKind, FeatureSpec};
use crate::{Error, Result};

/// Features of photos by id, per spec and orientation, computed once and kept across runs (raw
/// pixels are never kept: they are the photos' own bytes).
#[derive(Default)]
pub struct FeatureCache {
    rows: HashMap<(FeatureSpec, bool), HashMap<PhotoId, Vec<f64>>>,
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

    /// Computes and keeps the features of photo `id` (pixels `photo`), unless they are kept already.
    pub(crate) fn compute(&mut self, spec: &FeatureSpec, flipped: bool, id: PhotoId, photo: &[u8]) -> Result<()> {
        let rows = self.rows.entry((*spec, flipped)).or_default();
        if let Entry::Vacant(slot) = rows.entry(id) {
            slot.insert(features_of(spec, flipped, photo)?);
        }
        Ok(())
    }

    /// Appends the features of photos `indices` of `data` to `values`, computing those not kept.
    pub(crate) fn extend(
        &mut self,
        values: &mut Vec<f64>,
        spec: &FeatureSpec,
        flipped: bool,
        data: &Dataset,
        indices: &[usize],
    ) -> Result<()> {
        let rows = self.rows.entry((*spec, flipped)).or_default();
        for &i in indices {
            let row = match rows.entry(data.ids()[i]) {
                Entry::Occupied(row) => row.into_mut(),
                Entry::Vacant(slot) => slot.insert(features_of(spec, flipped, data.photo(i))?),
            };
            values.extend_from_slice(row);
        }
        Ok(())
    }
}

/// The features of one photo, mirrored first when asked.
fn features_of(spec: &FeatureSpec, flipped: bool, photo: &[u8]) -> Result<Vec<f64>> {
    if flipped {
        return spec.extract(&flip_horizontal(photo)?);
    }
    spec.extract(photo)
}

/// The features of photos `indices` as rows, unstandardised: all of them as they are, then
/// (with `mirrored_too`) all of them mirrored. One buffer sized up front, so a large matrix is
/// never briefly held twice.
pub(crate) fn matrix(
    spec: &FeatureSpec,
    data: &Dataset,
    indices: &[usize],
    mirrored_too: bool,
    cache: &mut FeatureCache,
) -> Result<Array2<f64>> {
    let orientations: &[bool] = if mirrored_too { &[false, true] } else { &[false] };
    let mut values = Vec::with_capacity(orientations.len() * indices.len() * spec.features());
    for &flipped in orientations {
        if spec.kind == FeatureKind::Raw {
            for &i in indices {
                values.extend(features_of(spec, flipped, data.photo(i))?);
            }
        } else {
            cache.extend(&mut values, spec, flipped, data, indices)?;
        }
    }
    let shape = (orientations.len() * indices.len(), spec.features());
    let actual = values.len();
    Array2::from_shape_vec(shape, values).map_err(|_| Error::MismatchedShapes {
        what: "feature values",
        expected: shape.0 * shape.1,
        actual,
    })
}
