//! A run's features computed on the page's helper workers while the run is readied.
//!
//! Each photo's features are computed alone, by the same code wherever it runs
//! (`cache::features_of`), so which worker computed them changes nothing. The lead worker hands
//! a helper a [`FeatureJob`]: a numbered list of photos (their 64x64 bytes, and whether to mirror
//! each). The helper's [`FeatureWorker`] answers with their features in the same order, and the
//! lead keeps them as if it had computed them (`Preparation::take_back`). A helper is sent the
//! run's featurizer once, as a model file writes it ([`file::featurizer_to_json`], whose floats
//! read back to the bit), so a learned kind's dictionary is learned once, on the lead.
//!
//! Jobs travel as bytes ([`FeatureJob::to_bytes`]): a header, one byte per photo (mirrored or
//! not), then the photos' pixels. Their shapes are checked on arrival, so a wrong message is an
//! error, never a panic.
//!
//! Before that, a learned kind's dictionary is learned a k-means round at a time
//! (`Preparation::cluster_round`): each helper is sent its part of the whitened patches once
//! ([`ClusterRows`]), then each round the centroids; its [`ClusterWorker`] assigns every patch of
//! its part to the nearest centroid with the lead's own code (`kmeans::assign`), and the lead
//! moves the centroids from all the parts' assignments in patch order, so the dictionary is the
//! same bits on any number of workers.

use crate::features::fitted::Featurizer;
use crate::features::learned::kmeans::assign;
use crate::model::file;
use crate::photo::PHOTO_BYTES;
use crate::train::cache::features_of;
use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"CDFJOB01";
const ROWS_MAGIC: &[u8; 8] = b"CDKROW01";
/// Magic, then the job's number and its photo count (u32 each).
const HEADER: usize = 8 + 4 + 4;

/// Photos whose features a helper worker computes.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureJob {
    /// Which of the lead's jobs this is, to match the answer.
    pub number: u32,
    /// Whether each photo is mirrored before its features are computed.
    pub flipped: Vec<bool>,
    /// The photos' 64x64x3 bytes, one after another.
    pub pixels: Vec<u8>,
}

impl FeatureJob {
    /// Number of photos.
    pub fn len(&self) -> usize {
        self.flipped.len()
    }

    /// True when the job has no photos.
    pub fn is_empty(&self) -> bool {
        self.flipped.is_empty()
    }

    /// The message a helper worker is sent.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.len() + self.pixels.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.number.to_le_bytes());
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        out.extend(self.flipped.iter().map(|&f| u8::from(f)));
        out.extend_from_slice(&self.pixels);
        out
    }

    /// Reads a message made by [`Self::to_bytes`], checking its shapes.
    pub fn from_bytes(bytes: &[u8]) -> Result<FeatureJob> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(Error::Shard("the photos do not start with a feature job's header"));
        }
        let u32_at = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let (number, count) = (u32_at(8), u32_at(12) as usize);
        let body = &bytes[HEADER..];
        if count.checked_mul(PHOTO_BYTES + 1) != Some(body.len()) {
            return Err(Error::Shard("the photos are not as long as their header says"));
        }
        let (flags, pixels) = body.split_at(count);
        if flags.iter().any(|&f| f > 1) {
            return Err(Error::Shard("a photo is neither mirrored nor not"));
        }
        Ok(FeatureJob { number, flipped: flags.iter().map(|&f| f == 1).collect(), pixels: pixels.to_vec() })
    }
}

/// A helper worker's part of readying a run: the run's featurizer.
pub struct FeatureWorker {
    features: Featurizer,
}

impl FeatureWorker {
    /// The featurizer the lead sent (`featurizer_to_json`'s text as bytes).
    pub fn new(featurizer: &[u8]) -> Result<FeatureWorker> {
        let text = std::str::from_utf8(featurizer).map_err(|_| Error::Shard("the features sent are not text"))?;
        Ok(FeatureWorker { features: file::featurizer_from_json(text)? })
    }

    /// Features a photo gives.
    pub fn features(&self) -> usize {
        self.features.features()
    }

    /// The features of the job's photos, one row after another in the job's order.
    pub fn compute(&self, job: &FeatureJob) -> Result<Vec<f64>> {
        let mut rows = Vec::with_capacity(job.len() * self.features());
        for (&flipped, photo) in job.flipped.iter().zip(job.pixels.chunks_exact(PHOTO_BYTES)) {
            rows.extend(features_of(&self.features, flipped, photo)?);
        }
        Ok(rows)
    }
}

/// The featurizer as a helper is sent it.
pub fn featurizer_to_bytes(features: &Featurizer) -> Vec<u8> {
    file::featurizer_to_json(features).into_bytes()
}

/// A helper's part of the whitened patches a dictionary is learned from: `dp` values a patch.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRows {
    /// Values in each patch (padded to whole lanes).
    pub dp: usize,
    /// The patches, one after another.
    pub values: Vec<f32>,
}

impl ClusterRows {
    /// The message a helper worker is sent: a header (magic, `dp`, patches), then the values.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 4 * self.values.len());
        out.extend_from_slice(ROWS_MAGIC);
        out.extend_from_slice(&(self.dp as u32).to_le_bytes());
        out.extend_from_slice(&((self.values.len() / self.dp.max(1)) as u32).to_le_bytes());
        self.values.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        out
    }

    /// Reads a message made by [`Self::to_bytes`], checking its shapes.
    pub fn from_bytes(bytes: &[u8]) -> Result<ClusterRows> {
        if bytes.len() < HEADER || &bytes[..8] != ROWS_MAGIC {
            return Err(Error::Shard("the patches do not start with their header"));
        }
        let u32_at = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let (dp, rows) = (u32_at(8), u32_at(12));
        let body = &bytes[HEADER..];
        if dp == 0 || rows == 0 || rows.checked_mul(dp).and_then(|v| v.checked_mul(4)) != Some(body.len()) {
            return Err(Error::Shard("the patches are not as long as their header says"));
        }
        let values = body.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        Ok(ClusterRows { dp, values })
    }
}

/// A helper worker's part of learning a dictionary: its patches, assigned again each round.
pub struct ClusterWorker {
    rows: ClusterRows,
}

impl ClusterWorker {
    /// The patches the lead sent ([`ClusterRows::to_bytes`]).
    pub fn new(rows: &[u8]) -> Result<ClusterWorker> {
        Ok(ClusterWorker { rows: ClusterRows::from_bytes(rows)? })
    }

    /// Patches held.
    pub fn len(&self) -> usize {
        self.rows.values.len() / self.rows.dp
    }

    /// Never true: a part has patches.
    pub fn is_empty(&self) -> bool {
        self.rows.values.is_empty()
    }

    /// Each patch's nearest of `centroids` and its squared distance, as the lead reads them
    /// ([`assignments_from_wire`]): two numbers a patch, the centroid's index and the distance's
    /// bits.
    pub fn assign(&self, centroids: &[f32]) -> Result<Vec<u32>> {
        let dp = self.rows.dp;
        if centroids.is_empty() || !centroids.len().is_multiple_of(dp) {
            return Err(Error::MismatchedShapes { what: "centroids", expected: dp, actual: centroids.len() });
        }
        let mut assigned = vec![(0, 0.0); self.len()];
        assign(&self.rows.values, dp, centroids, &mut assigned);
        Ok(assigned.iter().flat_map(|&(j, d)| [j as u32, d.to_bits()]).collect())
    }
}

/// Assignments as [`ClusterWorker::assign`] sends them, each index checked against `k` centroids.
pub fn assignments_from_wire(wire: &[u32], k: usize) -> Result<Vec<(usize, f32)>> {
    wire.chunks_exact(2)
        .map(|pair| match pair[0] as usize {
            j if j < k => Ok((j, f32::from_bits(pair[1]))),
            _ => Err(Error::Shard("a patch was assigned to a centroid that is not there")),
        })
        .collect()
}

#[cfg(test)]
mod tests;
