//! What the page's helper workers hold: a shard of a run's training rows (see `train::shard`),
//! and while a run is readied its featurizer and a part of its dictionary's patches (see
//! `train::jobs`).

use wasm_bindgen::prelude::*;

use super::page_error;
use crate::train::jobs::{ClusterWorker, FeatureJob, FeatureWorker};
use crate::train::shard::{Shard, ShardRows};

/// A helper worker's shard of a run's training rows (see `train::shard`).
#[wasm_bindgen]
pub struct TrainingShard {
    shard: Shard,
}

#[wasm_bindgen]
impl TrainingShard {
    /// The shard of the rows a lead worker's `shardRows` gave.
    #[wasm_bindgen(constructor)]
    pub fn new(rows: &[u8]) -> Result<TrainingShard, JsError> {
        let shard = ShardRows::from_bytes(rows).and_then(Shard::new).map_err(page_error)?;
        Ok(TrainingShard { shard })
    }

    /// The partial sums of the shard's blocks at the model the lead sent (its `stepModel`).
    pub fn partials(&self, model: &[f64]) -> Result<Vec<f64>, JsError> {
        self.shard.partials(model).map_err(page_error)
    }

    /// Rows in the shard.
    pub fn len(&self) -> usize {
        self.shard.len()
    }

    /// Never true: a shard has rows.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.shard.is_empty()
    }
}

/// A helper worker's part of readying a run: the features of the photos the lead hands it.
#[wasm_bindgen]
pub struct FeatureHelper {
    worker: FeatureWorker,
}

#[wasm_bindgen]
impl FeatureHelper {
    /// The featurizer a lead worker's `featurizer` gave.
    #[wasm_bindgen(constructor)]
    pub fn new(featurizer: &[u8]) -> Result<FeatureHelper, JsError> {
        Ok(FeatureHelper { worker: FeatureWorker::new(featurizer).map_err(page_error)? })
    }

    /// The features of a job's photos (the lead's `featureJob` bytes), row after row.
    pub fn compute(&self, job: &[u8]) -> Result<Vec<f64>, JsError> {
        let job = FeatureJob::from_bytes(job).map_err(page_error)?;
        self.worker.compute(&job).map_err(page_error)
    }

    /// Features a photo gives.
    pub fn features(&self) -> usize {
        self.worker.features()
    }
}

/// A helper worker's part of learning a run's dictionary: its patches, assigned each round.
#[wasm_bindgen]
pub struct ClusterHelper {
    worker: ClusterWorker,
}

#[wasm_bindgen]
impl ClusterHelper {
    /// The patches a lead worker's `clusterRows` gave.
    #[wasm_bindgen(constructor)]
    pub fn new(rows: &[u8]) -> Result<ClusterHelper, JsError> {
        Ok(ClusterHelper { worker: ClusterWorker::new(rows).map_err(page_error)? })
    }

    /// Each patch's nearest of the lead's `clusterCentroids` and its distance, for `clusterRound`.
    pub fn assign(&self, centroids: &[f32]) -> Result<Vec<u32>, JsError> {
        self.worker.assign(centroids).map_err(page_error)
    }

    /// Patches held.
    pub fn len(&self) -> usize {
        self.worker.len()
    }

    /// Never true: a part has patches.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.worker.is_empty()
    }
}
