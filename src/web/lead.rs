//! What the lead worker's `Catdog` gives its helper workers and takes back from them: the
//! k-means rounds and the feature jobs of a run being readied (see `train::jobs`), then the
//! training rows' shards and each step's sums (see `train::shard`). The helpers' side is
//! `helper.rs`.

use wasm_bindgen::prelude::*;

use super::{page_error, Catdog, FeatureProgress};
use crate::train::jobs::featurizer_to_bytes;
use crate::train::shard::model_to_wire;
use crate::Error;

/// A feature job for a helper worker: its number (to match the answer) and its bytes.
#[wasm_bindgen(getter_with_clone)]
pub struct FeatureJobBytes {
    pub number: u32,
    pub bytes: Vec<u8>,
}

#[wasm_bindgen]
impl Catdog {
    /// The run's featurizer as the helper workers are sent it (a `FeatureHelper` is made from
    /// it), once a learned kind's dictionary is learned; undefined otherwise.
    pub fn featurizer(&self) -> Option<Vec<u8>> {
        self.session.preparation()?.featurizer().map(featurizer_to_bytes)
    }

    /// The centroids of the next k-means round of the dictionary being learned, for the
    /// helpers' `ClusterHelper`s; undefined unless a round is to run.
    #[wasm_bindgen(js_name = clusterCentroids)]
    pub fn cluster_centroids(&mut self) -> Option<Vec<f32>> {
        self.session.cluster_centroids()
    }

    /// The whitened patches of part `index` (1 or more: part 0 stays here) of the dictionary's
    /// k-means cut for `workers` workers, as a `ClusterHelper` is made from them.
    #[wasm_bindgen(js_name = clusterRows)]
    pub fn cluster_rows(&mut self, index: usize, workers: usize) -> Result<Vec<u8>, JsError> {
        Ok(self.session.cluster_rows(index, workers).map_err(page_error)?.to_bytes())
    }

    /// How many parts the dictionary's patches are cut into for `workers` workers (fewer when
    /// there are fewer blocks of patches); 0 unless a dictionary is being learned.
    #[wasm_bindgen(js_name = clusterParts)]
    pub fn cluster_parts(&mut self, workers: usize) -> usize {
        self.session.cluster_parts(workers)
    }

    /// Begins a k-means round on `workers` workers: assigns part 0 here while the helpers
    /// assign theirs.
    #[wasm_bindgen(js_name = beginClusterRound)]
    pub fn begin_cluster_round(&mut self, workers: usize) -> Result<(), JsError> {
        self.session.begin_cluster_round(workers).map_err(page_error)
    }

    /// Ends the round begun with the helpers' assignments (their `assign`s one after another in
    /// part order) and moves the centroids; says how far the run is.
    #[wasm_bindgen(js_name = finishClusterRound)]
    pub fn finish_cluster_round(&mut self, others: &[u32]) -> Result<Option<FeatureProgress>, JsError> {
        let progress = self.session.finish_cluster_round(others).map_err(page_error)?;
        Ok(progress.map(FeatureProgress::from))
    }

    /// The next `photos` features of the run being readied, for a helper worker's
    /// `FeatureHelper`; undefined while the dictionary is still to learn or none are left.
    #[wasm_bindgen(js_name = featureJob)]
    pub fn feature_job(&mut self, photos: usize) -> Option<FeatureJobBytes> {
        let job = self.session.hand_out_features(photos)?;
        Some(FeatureJobBytes { number: job.number, bytes: job.to_bytes() })
    }

    /// Keeps a helper's features for job `number` (its `compute`); once all are in, the run is
    /// ready. Undefined when the run was stopped or replaced meanwhile.
    #[wasm_bindgen(js_name = featuresDone)]
    pub fn features_done(&mut self, number: u32, rows: &[f64]) -> Result<Option<FeatureProgress>, JsError> {
        let progress = self.session.take_back_features(number, rows).map_err(page_error)?;
        Ok(progress.map(FeatureProgress::from))
    }

    /// How many workers the run's training rows are cut for when `workers` are asked (fewer
    /// when there are fewer blocks of 256 photos); 0 without a run.
    #[wasm_bindgen(js_name = shardCount)]
    pub fn shard_count(&self, workers: usize) -> usize {
        self.session.run().map_or(0, |r| r.shard_ranges(workers).len())
    }

    /// The training rows of shard `index` (1 or more: shard 0 stays here) of the run cut for
    /// `workers` workers, as a `TrainingShard` is made from them in a helper worker.
    #[wasm_bindgen(js_name = shardRows)]
    pub fn shard_rows(&self, index: usize, workers: usize) -> Result<Vec<u8>, JsError> {
        let run = self.session.run().ok_or(Error::NoRun).map_err(page_error)?;
        run.shard_message(index, workers).map_err(page_error)
    }

    /// The run's model as the helper workers are sent it each step.
    #[wasm_bindgen(js_name = stepModel)]
    pub fn step_model(&self) -> Result<Vec<f64>, JsError> {
        let run = self.session.run().ok_or(Error::NoRun).map_err(page_error)?;
        Ok(model_to_wire(run.model()))
    }

    /// Begins a step spread over `workers` workers: computes this worker's shard (and the
    /// held-out cost) while the helpers compute theirs. False once the run is done.
    #[wasm_bindgen(js_name = beginStep)]
    pub fn begin_step(&mut self, workers: usize) -> Result<bool, JsError> {
        self.session.begin_step(workers).map_err(page_error)
    }

    /// Ends the step begun, with the helpers' partial sums one after another in shard order.
    #[wasm_bindgen(js_name = finishStep)]
    pub fn finish_step(&mut self, others: &[f64]) -> Result<(), JsError> {
        self.session.finish_step(others).map_err(page_error)
    }
}
