// The training worker's helpers (helper.js): the other workers a run's features and gradient
// steps are spread over. The pool only carries messages; which photos and rows each helper gets,
// and how their answers are kept and added, the core decides (train/jobs.rs, train/shard.rs), so
// a model is the same for any number of workers. Each helper answers its requests in the order
// they were sent, so an answer always finds its request, even one a stopped run left behind.
// Helpers start when a run first needs them, stay for the next runs, and are let go when fewer
// are asked for.

export class Pool {
  /** @param {WebAssembly.Module} module the compiled core, shared with every helper */
  constructor(module) {
    this.module = module;
    this.helpers = [];
  }

  /** Exactly `count` helpers, starting or letting go as needed. */
  resize(count) {
    while (this.helpers.length > count) this.helpers.pop().worker.terminate();
    while (this.helpers.length < count) {
      const worker = new Worker(new URL('../helper.js', import.meta.url), { type: 'module' });
      const helper = { worker, waiting: [] };
      worker.onmessage = ({ data }) => answered(helper, data);
      worker.onerror = (event) => answered(helper, { type: 'error', error: event.message || 'a helper worker failed to start' });
      worker.postMessage({ type: 'init', module: this.module });
      this.helpers.push(helper);
    }
  }

  /** Sends helper k - 1 shard k of the run (`rows(k)` its bytes, k from 1); resolves once
   * every helper has built its shard. */
  load(count, rows) {
    return this.sendParts(count, 'rows', rows);
  }

  /** Sends helper k - 1 part k of a dictionary's patches (`rows(k)` its bytes, k from 1);
   * resolves once every helper holds its part. */
  loadPatches(count, rows) {
    return this.sendParts(count, 'patches', rows);
  }

  /** `count` helpers, helper k - 1 sent part k (`part(k)`'s bytes, moved) in a message `type`. */
  sendParts(count, type, part) {
    this.resize(count);
    return Promise.all(this.helpers.map((helper, k) => {
      const rows = part(k + 1);
      return ask(helper, { type, rows }, [rows.buffer]);
    }));
  }

  /** Every helper's assignments of its patches to `centroids` (a Float32Array), one after
   * another in part order. */
  async assign(centroids) {
    const answers = await Promise.all(this.helpers.map((helper) => ask(helper, { type: 'assign', centroids })));
    return concat(answers.map((a) => a.values), Uint32Array);
  }

  /** Sends `count` helpers the run's featurizer (the lead's `featurizer()` bytes); resolves once
   * every helper has built it. */
  loadFeatures(count, featurizer) {
    this.resize(count);
    return Promise.all(this.helpers.map((helper) => ask(helper, { type: 'featurizer', featurizer })));
  }

  /** Hands job k ({ number, bytes }, from the lead's `featureJob`) to helper k; resolves with
   * each job's number and its features (a Float64Array), in the jobs' order. */
  features(jobs) {
    return Promise.all(jobs.map(({ number, bytes }, k) =>
      ask(this.helpers[k], { type: 'features', job: bytes }, [bytes.buffer]).then(({ values }) => ({ number, rows: values }))));
  }

  /** Every helper's partial sums at `model` (a Float64Array), one after another in shard order. */
  async step(model) {
    const answers = await Promise.all(this.helpers.map((helper) => ask(helper, { type: 'step', model })));
    return concat(answers.map((a) => a.values), Float64Array);
  }
}

/** The typed arrays `parts` one after another in one array of `Type`. */
function concat(parts, Type) {
  const all = new Type(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/** Posts one request to a helper and resolves with its answer (answers come in request order). */
function ask(helper, message, transfer = []) {
  return new Promise((resolve, reject) => {
    helper.waiting.push({ resolve, reject });
    helper.worker.postMessage(message, transfer);
  });
}

function answered(helper, data) {
  const waiting = helper.waiting.shift();
  if (!waiting) return;
  if (data.type === 'error') waiting.reject(new Error(`a helper worker failed: ${data.error}`));
  else waiting.resolve(data);
}
