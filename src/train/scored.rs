//! One part of a training run's split (its training or its held-out photos) as the rows that
//! score a model on it: accuracy, cost and the photos classified wrong.
//!
//! Raw photos stay bytes: 12,288 bytes a photo, where float64 features would take 98,304 (a
//! gigabyte at 10,000 photos). A run on the fast kernel scores them with the kernel's integer dot
//! products; a run on the float64 reference scores them as the reference would, one float64 row
//! at a time, so its numbers do not depend on the kernel's rounding. Other feature kinds are a
//! few hundred standardised float64 values a photo, so they are kept as rows.

use std::ops::Range;
use std::rc::Rc;

use ndarray::{Array1, Array2};
use serde::Serialize;

use crate::data::dataset::PhotoId;
use crate::model::metrics::accuracy;
use crate::model::{example_cost, sigmoid, Gradients, Model};
use crate::photo::{Label, THRESHOLD};
use crate::train::blocks::Partial;
use crate::train::kernel::FastObjective;
use crate::train::optimize::Objective;
use crate::train::shard::ShardRows;
use crate::{Error, Result};

/// A part of a split: its photos' ids and their rows.
pub struct Scored {
    ids: Vec<PhotoId>,
    rows: Rows,
}

/// A held-out photo the model classified wrong.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mistake {
    /// The photo.
    pub id: PhotoId,
    /// Its label when the run started.
    pub label: Label,
    /// The probability of label 1 the model gave it.
    pub probability: f64,
}

impl Mistake {
    /// How far the probability is from the undecided one half: larger is more confidently wrong.
    pub fn wrongness(&self) -> f64 {
        (self.probability - THRESHOLD).abs()
    }
}

enum Rows {
    /// The photos' bytes, shared with the trainer when it trains on the same photos.
    Bytes { rows: Rc<FastObjective>, logits: Logits },
    /// Feature rows with their labels.
    Floats { x: Array2<f64>, labels: Vec<u8> },
}

/// How the logits of photos kept as bytes are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logits {
    /// The fast kernel's integer dot products (weights rounded to 16 bits), for runs it trains.
    Kernel,
    /// Float64 rows of byte / 255, the reference's features, for runs the reference trains.
    Float64,
}

impl Scored {
    /// Photos `ids` as bytes (each byte meaning byte / 255), scored as `logits` says.
    pub fn bytes(ids: Vec<PhotoId>, rows: Rc<FastObjective>, logits: Logits) -> Scored {
        Scored { ids, rows: Rows::Bytes { rows, logits } }
    }

    /// Photos `ids` as feature rows (one per photo, in the same order) with their labels.
    pub fn floats(ids: Vec<PhotoId>, x: Array2<f64>, labels: Vec<u8>) -> Scored {
        Scored { ids, rows: Rows::Floats { x, labels } }
    }

    /// The photos' ids.
    pub fn ids(&self) -> &[PhotoId] {
        &self.ids
    }

    /// Their labels, in the same order.
    pub fn labels(&self) -> &[u8] {
        match &self.rows {
            Rows::Bytes { rows, .. } => rows.labels(),
            Rows::Floats { labels, .. } => labels,
        }
    }

    /// Number of photos.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the part has no photos (nothing held out).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The feature rows (float parts only).
    #[cfg(test)]
    pub fn floats_x(&self) -> Option<&Array2<f64>> {
        match &self.rows {
            Rows::Bytes { .. } => None,
            Rows::Floats { x, .. } => Some(x),
        }
    }

    /// Each photo's logit under `model`.
    fn logits(&self, model: &Model) -> Result<Vec<f64>> {
        match &self.rows {
            Rows::Bytes { rows, logits: Logits::Kernel } => rows.logits(model),
            Rows::Bytes { rows, .. } if rows.features() != model.features() => Err(Error::MismatchedShapes {
                what: "model weights",
                expected: rows.features(),
                actual: model.features(),
            }),
            Rows::Bytes { rows, logits: Logits::Float64 } => Ok(float64_logits(rows, model)),
            Rows::Floats { x, .. } if x.ncols() != model.features() => {
                Err(Error::MismatchedShapes { what: "model weights", expected: x.ncols(), actual: model.features() })
            }
            Rows::Floats { x, .. } => Ok(x.rows().into_iter().map(|row| model.logit(row)).collect()),
        }
    }

    /// Percent of the photos `model` classifies right.
    pub fn accuracy(&self, model: &Model) -> Result<f64> {
        let predictions: Vec<u8> =
            self.logits(model)?.into_iter().map(|z| Label::for_probability(sigmoid(z)).value()).collect();
        Ok(accuracy(&predictions, self.labels()))
    }

    /// The mean cost of `model` on the photos (NaN when there are none).
    pub fn cost(&self, model: &Model) -> Result<f64> {
        let total: f64 =
            self.logits(model)?.into_iter().zip(self.labels()).map(|(z, &y)| example_cost(z, f64::from(y))).sum();
        Ok(total / self.len() as f64)
    }

    /// Each photo's id, label and probability of label 1 under `model`, in part order.
    pub fn predictions(&self, model: &Model) -> Result<Vec<(PhotoId, Label, f64)>> {
        let probabilities = self.logits(model)?.into_iter().map(sigmoid);
        let labelled = self.ids.iter().zip(self.labels()).zip(probabilities);
        labelled.map(|((&id, &label), p)| Ok((id, Label::new(label)?, p))).collect()
    }
}

/// Each photo's logit from the float64 row the reference trains on (raw features: byte / 255), one row at a time, so no float copy of all the photos is held.
fn float64_logits(rows: &FastObjective, model: &Model) -> Vec<f64> {
    let value: [f64; 256] = std::array::from_fn(|q| q as f64 / 255.0);
    let mut x = Array1::zeros(rows.features());
    let logit = |row: &[u8]| {
        x.iter_mut().zip(row).for_each(|(v, &q)| *v = value[usize::from(q)]);
        model.logit(x.view())
    };
    rows.rows().map(logit).collect()
}

/// The fast objective of the training photos, shared by the trainer (which owns its objective)
/// and the training part's scoring, so their bytes are held once.
pub struct SharedBytes(pub Rc<FastObjective>);

impl Objective for SharedBytes {
    fn features(&self) -> usize {
        Objective::features(self.0.as_ref())
    }

    fn examples(&self) -> usize {
        Objective::examples(self.0.as_ref())
    }

    fn partials(&self, model: &Model, blocks: Range<usize>) -> Result<Vec<Partial>> {
        self.0.partials(model, blocks)
    }

    fn propagate_from(&self, model: &Model, partials: &[Partial]) -> Result<(Gradients, f64)> {
        self.0.propagate_from(model, partials)
    }

    fn shard(&self, rows: Range<usize>) -> Result<ShardRows> {
        self.0.shard(rows)
    }

    fn shard_message(&self, rows: Range<usize>) -> Result<Vec<u8>> {
        self.0.shard_message(rows)
    }

    fn exact_sums(&self) -> bool {
        self.0.exact_sums()
    }
}
