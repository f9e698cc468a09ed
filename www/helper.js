// A helper worker of the training worker (worker.js): its own wasm instance holding one shard
// of a run's training rows. Each step the lead sends the model; this worker answers with the
// partial sums of its shard's blocks, which the lead adds in order with its own (see the core's
// train/shard.rs). It holds no photos and no model of its own between steps.
// Messages in: { type: 'rows', rows } (a run's shard, replacing the last), { type: 'step', model }.
// Messages out: { type: 'loaded' } or { type: 'partials', partials }, or { type: 'error', error }.
import init, { TrainingShard } from './pkg/catdog.js';

let ready = null;
let shard = null;

self.onmessage = ({ data }) => {
  try {
    if (data.type === 'init') ready = init({ module_or_path: data.module });
    else if (data.type === 'rows') ready.then(() => load(data.rows)).catch(fail);
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

function step(model) {
  if (!shard) throw new Error('this helper has no rows yet');
  const partials = new Float64Array(shard.partials(model));
  self.postMessage({ type: 'partials', partials }, [partials.buffer]);
}

function fail(err) {
  self.postMessage({ type: 'error', error: err instanceof Error ? err.message : String(err) });
}
