// A helper worker of the training worker (worker.js): its own wasm instance. While a run is
// readied it assigns its part of a learned kind's patches to the centroids the lead sends each
// k-means round, then computes the features of the photos the lead hands it with the run's
// featurizer (see the core's train/jobs.rs). While the run trains it holds one shard of the
// training rows, and each step answers with the partial sums of its shard's blocks at the model
// the lead sent, which the lead adds in order with its own (train/shard.rs). It keeps no photos
// and no model.
// Messages in: { type: 'patches', rows }, { type: 'assign', centroids },
// { type: 'featurizer', featurizer }, { type: 'features', job },
// { type: 'rows', rows } (a run's shard, replacing the last), { type: 'step', model }.
// Messages out, one per message in and in the same order: { type: 'loaded' }, or
// { type: 'assigned' | 'features' | 'partials', values } (a typed array), or
// { type: 'error', error }.
import init, { ClusterHelper, FeatureHelper, TrainingShard } from './pkg/catdog.js';

let ready = null;
/** What this helper holds, each replaced by the next message of its kind. */
const held = { shard: null, patches: null, featurizer: null };

self.onmessage = ({ data }) => {
  try {
    if (data.type === 'init') ready = init({ module_or_path: data.module });
    else if (data.type === 'rows') ready.then(() => hold('shard', () => new TrainingShard(data.rows))).catch(fail);
    else if (data.type === 'patches') ready.then(() => hold('patches', () => new ClusterHelper(data.rows))).catch(fail);
    else if (data.type === 'featurizer') ready.then(() => hold('featurizer', () => new FeatureHelper(data.featurizer))).catch(fail);
    else if (data.type === 'assign') ready.then(() => answer('assigned', held.patches?.assign(data.centroids))).catch(fail);
    else if (data.type === 'features') ready.then(() => answer('features', held.featurizer?.compute(data.job))).catch(fail);
    else if (data.type === 'step') answer('partials', held.shard?.partials(data.model));
  } catch (err) {
    fail(err);
  }
};

/** Frees what is held under `name`, then holds what `make` builds (nothing, if it throws). */
function hold(name, make) {
  held[name]?.free();
  held[name] = null;
  held[name] = make();
  self.postMessage({ type: 'loaded' });
}

/** Answers with `values`, a typed array the core returned (moved, not copied); undefined means
 * the message came before what it needs. */
function answer(type, values) {
  if (values === undefined) throw new Error(`this helper holds nothing to answer with ${type}`);
  self.postMessage({ type, values }, [values.buffer]);
}

function fail(err) {
  self.postMessage({ type: 'error', error: err instanceof Error ? err.message : String(err) });
}
