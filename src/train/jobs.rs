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

use crate::features::fitted::Featurizer;
use crate::model::file;
use crate::photo::PHOTO_BYTES;
use crate::train::cache::features_of;
use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"CDFJOB01";
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

#[cfg(test)]
mod tests;
