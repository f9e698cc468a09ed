// A helper worker of the training worker (worker.js): its own wasm instance. While a run is
// readied it assigns its part of a learned kind's patches to the centroids the lead sends each
// k-means round, then computes the features of the photos the lead hands it, with the run's
// featurizer (see the core's train/jobs.rs); while it trains, it holds one shard of the run's training rows
// and each step answers with the partial sums of its shard's blocks at the model the lead sent,
// which the lead adds in order with its own (train/shard.rs). It keeps no photos and no model.
// Messages in: { type: 'patches', rows }, { type: 'assign', centroids },
// { type: 'featurizer', featurizer }, { type: 'features', job },
// { type: 'rows', rows } (a run's shard, replacing the last), { type: 'step', model }.
// Messages out, one per message in and in the same order: { type: 'loaded' },
// { type: 'assigned', assigned }, { type: 'features', rows }, { type: 'partials', partials }, or { type: 'error', error }.
import init, { ClusterHelper, FeatureHelper, TrainingShard } from './pkg/catdog.js';

let ready = null;
let shard = null;
let featurizer = null;
let patches = null;

self.onmessage = ({ data }) => {
  try {
    if (data.type === 'init') ready = init({ module_or_path: data.module });
    else if (data.type === 'rows') ready.then(() => load(data.rows)).catch(fail);
    else if (data.type === 'patches') ready.then(() => loadPatches(data.rows)).catch(fail);
    else if (data.type === 'assign') ready.then(() => assign(data.centroids)).catch(fail);
    else if (data.type === 'featurizer') ready.then(() => loadFeatures(data.featurizer)).catch(fail);
    else if (data.type === 'features') ready.then(() => features(data.job)).catch(fail);
    else if (data.type === 'step') step(data.model);
  } catch (err) {
    fail(err);
  }
};

function load(rows) {
  shard?.free();
  shard = null;
  shard = new TrainingShard(rows);
  self.postMessage({ type: 'loaded' });
}

function loadPatches(rows) {
  patches?.free();
  patches = null;
  patches = new ClusterHelper(rows);
  self.postMessage({ type: 'loaded' });
}

function assign(centroids) {
  if (!patches) throw new Error('this helper has no patches yet');
  const assigned = patches.assign(centroids);
  self.postMessage({ type: 'assigned', assigned }, [assigned.buffer]);
}

function loadFeatures(bytes) {
  featurizer?.free();
  featurizer = null;
  featurizer = new FeatureHelper(bytes);
  self.postMessage({ type: 'loaded' });
}

function features(job) {
  if (!featurizer) throw new Error('this helper has no featurizer yet');
  const rows = featurizer.compute(job);
  self.postMessage({ type: 'features', rows }, [rows.buffer]);
}

function step(model) {
  if (!shard) throw new Error('this helper has no rows yet');
  const partials = shard.partials(model);
  self.postMessage({ type: 'partials', partials }, [partials.buffer]);
}

function fail(err) {
  self.postMessage({ type: 'error', error: err instanceof Error ? err.message : String(err) });
}
