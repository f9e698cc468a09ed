// The training worker: owns the wasm `Catdog` handle (photos, their features and the model),
// decodes photos, trains in slices of about 40 ms so a Stop message gets through, and posts small
// messages back (at the end of a run: accuracies, the confusion matrix, the held-out mistakes, the
// weights picture).
// Photos are named by the ids the core gives them; the worker keeps no list of its own.
// Requests carry `reqId` and get one reply { reqId, ok, value | error }; progress and added
// photos are pushed as events, with the wasm memory's size. Thumbnails' pixels are sent only
// when the page asks, so thousands of photos do not mean thousands of pictures in messages.
// The work is kept here too (ui/store.js): each change the worker makes is written as it is made,
// and `restore` adds the kept work back when the page opens.
import init, { Arithmetic, Catdog, Features, ProjectFile, RunSettings, featuresName, featuresNamed } from './pkg/catdog.js';
import { openStore } from './ui/store.js';
import { Pool } from './ui/pool.js';

const SLICE_MS = 40;
/** Added photos are reported at most this often, so 10,000 photos are a few hundred messages. */
const BATCH_MS = 100;
/** Files read ahead while one is decoded, so decoding does not wait for each read. */
const READ_AHEAD = 8;
/** Held-out mistakes sent with their picture; the rest are only counted. */
const MISTAKE_PICTURES = 60;
const PHOTO_RGBA = 64 * 64 * 4;
/** A raw run's weights picture goes with progress at most this often (a few times a second). */
const WEIGHTS_MS = 250;
/** Compiled once here and handed to the page for its chart, so the wasm is downloaded once. */
const compiled = fetch(new URL('./pkg/catdog_bg.wasm', import.meta.url))
  .then((response) => {
    if (!response.ok) throw new Error(`the classifier could not be downloaded (HTTP ${response.status})`);
    return response.arrayBuffer();
  })
  .then((bytes) => WebAssembly.compile(bytes));
/** The instance's exports, for the size of its memory; the module, for helper workers. */
let wasm;
let wasmModule;
const ready = compiled.then((module) => init({ module_or_path: (wasmModule = module) })).then((exports) => {
  wasm = exports;
  return new Catdog();
});
let handle;
/** The run in progress: a new Train or a Stop replaces or ends it. */
let run = null;
/** The helper workers a run's features and steps are spread over, once a run asks for more than
 * one worker (see `pool()`). */
let helpers = null;
/** The most workers a run may ask for. */
const MAX_WORKERS = 8;
/** Requests are handled one after another (adding awaits file reads); Stop jumps the queue. */
let queue = Promise.resolve();

self.onmessage = ({ data }) => {
  if (data.type === 'stop') {
    if (run) run.stopped = true;
    return;
  }
  queue = queue.then(() => answer(data));
};

async function answer(data) {
  try {
    handle ??= await ready;
    const value = await handlers[data.type](data);
    keepClasses();
    self.postMessage({ reqId: data.reqId, ok: true, value });
  } catch (err) {
    self.postMessage({ reqId: data.reqId, ok: false, error: messageOf(err) });
  }
}

function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

const counts = () => [handle.count(0), handle.count(1)];
/** Bytes of wasm memory: it only grows, so this is also the peak so far. */
const memory = () => wasm.memory.buffer.byteLength;

const handlers = {
  hello: async () => ({ classes: handle.classNames(), counts: counts(), module: await compiled, memory: memory() }),

  /** Adds files one by one, posting what was added or skipped in batches so the page can show progress. */
  async add({ items }) {
    // One allocation for the batch's pixels; without room the photos are still tried one by one.
    try { handle.reserve(items.length); } catch { /* each add then says what is wrong */ }
    let batch = { added: [], skipped: [], since: performance.now() };
    const reads = items.slice(0, READ_AHEAD).map(read);
    for (let k = 0; k < items.length; k++) {
      if (k + READ_AHEAD < items.length) reads.push(read(items[k + READ_AHEAD]));
      const { name, label } = items[k];
      try {
        const bytes = await reads[k];
        reads[k] = null;
        const got = handle.addPhoto(name, bytes, label);
        batch.added.push({ id: got.id, name, label: got.label });
        got.free();
      } catch (err) {
        batch.skipped.push({ name, reason: messageOf(err) });
      }
      if (performance.now() - batch.since > BATCH_MS) {
        keepAdded(batch.added);
        postAdded(batch);
        batch = { added: [], skipped: [], since: performance.now() };
      }
    }
    keepAdded(batch.added);
    postAdded(batch);
    return counts();
  },

  /** A webcam frame (RGBA) kept as a photo of `label`: its middle square, prepared by the core as
   * frames are for classifying. Listed with the other photos (event 'added'); the reply carries
   * its thumbnail for the record button's strip. */
  record({ rgba, width, height, label }) {
    const got = handle.addFrame(rgba, width, height, label);
    const added = [{ id: got.id, name: handle.photoName(got.id), label: got.label }];
    got.free();
    keepAdded(added);
    postAdded({ added, skipped: [] });
    return { id: added[0].id, rgba: toRgba(handle.photo(added[0].id)) };
  },

  /** The 64x64 RGBA pictures of the photos `wanted` (ids) still there, one after another. */
  thumbs({ wanted }) {
    const found = wanted.filter((id) => handle.has(id));
    const rgba = new Uint8ClampedArray(found.length * PHOTO_RGBA);
    found.forEach((id, k) => rgba.set(toRgba(handle.photo(id)), k * PHOTO_RGBA));
    return { ids: found, rgba };
  },

  remove({ id }) {
    handle.remove(id);
    kept?.removePhoto(id);
    return counts();
  },

  /** Renames the classes (the core refuses bad names); answers with the names it keeps. */
  rename({ names: [negative, positive] }) {
    handle.setClasses(negative, positive);
    return handle.classNames();
  },

  relabel({ id, label }) {
    handle.setLabel(id, label);
    kept?.relabel(id, label);
    return counts();
  },

  train({ features, learningRate, iterations, l2, flip, randomSeed, testShare, seed, workers = 1 }) {
    if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
      throw new Error(`the number of workers must be a whole number from 1 to ${MAX_WORKERS}`);
    }
    if (run) run.stopped = true;
    const started = performance.now();
    const settings = runSettings({ features, learningRate, iterations, l2, flip, randomSeed, testShare, seed });
    try {
      handle.startTraining(settings);
    } finally {
      settings.free();
    }
    // The features come first, in slices (event 'features'); event 'started' says the run is ready.
    run = { stopped: false, started, sent: 0, weightsAt: -Infinity, perStep: null, perPhoto: null, prepared: false, workers, featureWorkers: 1, shards: 1, loaded: null, settings: { features, learningRate, l2, flip } };
    // Helpers start now, so they are ready by the time the first features are handed out.
    if (workers > 1) pool().resize(workers - 1);
    setTimeout(slice, 0, run);
    return {};
  },

  predictPhoto: ({ file }) => file.arrayBuffer().then((b) => plain(handle.predictPhoto(new Uint8Array(b)))),
  /** A live frame is averaged with the live frames before it (in the core); a single one is not. */
  predictFrame: ({ rgba, width, height, live }) => plain(live ? handle.predictLiveFrame(rgba, width, height) : handle.predictFrame(rgba, width, height)),
  stopLive: () => handle.stopLive(),
  modelJson: () => handle.modelJson(),
  loadModel({ text }) {
    handle.loadModelJson(text);
    kept?.putMeta('model', text);
    return modelShown();
  },

  ...keeping(),
};

/** The form's settings (as ui/settings.js reads them) as the core's RunSettings; free it after. */
function runSettings({ features, learningRate, iterations, l2, flip, randomSeed, testShare, seed }) {
  return Object.assign(new RunSettings(featuresNamed(features)), { learningRate, iterations, l2, flip, randomSeed, testShare, splitSeed: seed });
}

/** The current model as the page shows it: its kind, and its weights or patches if it has them. */
function modelShown() {
  return { features: featuresName(handle.featureKind()), weights: weights(), centroids: centroids() };
}

/** A prediction as a message can carry it: the class, the probability of label 1, and both
 * classes' probabilities (label 0 first). */
function plain(prediction) {
  const { label, probability } = prediction;
  const probabilities = Array.from(prediction.probabilities);
  prediction.free();
  return { label, probability, probabilities };
}

/** A file's bytes; a read that fails becomes that file's skip reason. */
function read({ file }) {
  const bytes = file.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  bytes.catch(() => {});
  return bytes;
}

function postAdded({ added, skipped }) {
  self.postMessage({ type: 'added', added, skipped, counts: counts(), memory: memory() });
}

/** The weights picture of a raw-pixel model; null for other kinds, which see no pixels. */
function weights() {
  return handle.featureKind() === Features.Raw ? new Uint8ClampedArray(handle.weightPicture()) : null;
}

/** A learned model's patches ({ width, height, rgba }), ordered by their push; null for other kinds. */
function centroids() {
  const kind = handle.featureKind();
  if (kind !== Features.Learned && kind !== Features.LearnedHogColor) return null;
  const picture = handle.centroidPicture();
  const { width, height } = picture;
  const rgba = new Uint8ClampedArray(picture.rgba);
  picture.free();
  return { width, height, rgba };
}

/** The held-out photos the model got wrong (most confidently wrong first), each with its id,
 * its label at the start of the run and the probability of label 1; the first MISTAKE_PICTURES
 * with their picture, if the photo is still there. */
function mistakes(list) {
  return list.map((mistake, k) => {
    const { id, label, probability } = mistake;
    mistake.free();
    return { id, label, probability, rgba: k < MISTAKE_PICTURES && handle.has(id) ? toRgba(handle.photo(id)) : null };
  });
}

/** The core's evaluation as a message carries it: accuracies, the confusion matrix's rows (true
 * class, the counts it was classified as, its accuracy) and the mistakes. */
function results() {
  const evaluation = handle.evaluation();
  const { trainAccuracy, testAccuracy } = evaluation;
  const classes = evaluation.classes.map((row) => {
    const { label, accuracy } = row;
    const predicted = Array.from(row.predicted);
    row.free();
    return { label, predicted, accuracy };
  });
  const wrong = mistakes(evaluation.mistakes);
  evaluation.free();
  return { trainAccuracy, testAccuracy, classes, mistakes: wrong };
}

/** 64x64 RGB from the core → RGBA for a canvas's ImageData. */
function toRgba(rgb) {
  const rgba = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i]; rgba[j + 1] = rgb[i + 1]; rgba[j + 2] = rgb[i + 2]; rgba[j + 3] = 255;
  }
  return rgba;
}

/** Computes features, or runs steps, for about SLICE_MS, reports, then yields to the event loop
 * so Stop is handled. */
function slice(current) {
  if (current !== run) return;
  try {
    if (!current.prepared) {
      if (!current.stopped && current.workers > 1 && handle.clusterParts(current.workers) > 1) return spreadRound(current);
      if (!current.stopped && current.workers > 1 && current.perPhoto) return spreadFeatures(current);
      if (!current.stopped) prepareFor(current, SLICE_MS);
      return afterPreparing(current);
    }
    if (current.shards > 1) return shardedSlice(current);
    if (!current.stopped) runFor(current, SLICE_MS);
    report(current);
    if (current.stopped || handle.iteration() >= handle.iterations()) return finish(current);
    setTimeout(slice, 0, current);
  } catch (err) {
    failed(current, err);
  }
}

/** After a slice of readying a run: it starts once its features are all in (if the slice did not
 * start it), a Stop ends it, else the next slice follows. */
function afterPreparing(current) {
  if (!current.prepared && !handle.isPreparing()) runReady(current);
  if (current.stopped) return finish(current);
  setTimeout(slice, 0, current);
}

/** A run that failed says why and ends (unless a new run replaced it meanwhile). */
function failed(current, err) {
  if (current !== run) return;
  self.postMessage({ type: 'error', error: messageOf(err) });
  current.failed = true;
  finish(current);
}

/** Features in batches sized from the measured time per photo (drawing a learned kind's
 * patches, and each of its k-means rounds, is a call of its own); posts how far they are, and
 * 'started' once the run is ready. */
function prepareFor(current, ms) {
  const start = performance.now();
  do {
    const left = ms - (performance.now() - start);
    const batch = current.perPhoto ? Math.max(1, Math.floor(left / current.perPhoto)) : 4;
    const t = performance.now();
    const progress = handle.prepareFeatures(batch);
    if (progress && !progress.learning && progress.done > 0) current.perPhoto = (performance.now() - t) / Math.min(batch, progress.done);
    featuresReport(current, progress);
    if (!handle.isPreparing()) return runReady(current);
  } while (performance.now() - start < ms);
}

/** A k-means round of a learned kind's dictionary spread over the helpers: each holds a part of
 * the whitened patches (sent once a run) and assigns it to the centroids sent each round while
 * this worker assigns part 0; the core moves the centroids from all the parts in order. The
 * first slice (this worker alone) draws and whitens the patches. */
async function spreadRound(current) {
  try {
    const parts = handle.clusterParts(current.workers);
    await (current.patchesSent ??= pool().loadPatches(parts - 1, (k) => handle.clusterRows(k, parts)));
    if (current !== run) return;
    const assigned = pool().assign(handle.clusterCentroids());
    handle.beginClusterRound(parts);
    const others = await assigned;
    if (current !== run) return;
    featuresReport(current, handle.finishClusterRound(others));
    afterPreparing(current);
  } catch (err) {
    failed(current, err);
  }
}

/** Features spread over the helpers for about SLICE_MS: each helper is handed a job of the photos
 * it can do in that time (from the measured time per photo) and this worker computes as many
 * meanwhile; the helpers' features are kept as they come. The first slice of features (this
 * worker alone) measures the time per photo; raw pixels, or features all kept, hand out no job. A Stop, or a new run, is seen between rounds. */
async function spreadFeatures(current) {
  try {
    const jobs = featureJobs(current);
    if (jobs.length === 0) {
      prepareFor(current, SLICE_MS);
    } else {
      await (current.featurizerSent ??= pool().loadFeatures(current.workers - 1, handle.featurizer()));
      if (current !== run) return;
      current.featureWorkers = Math.max(current.featureWorkers, jobs.length + 1);
      const answers = pool().features(jobs);
      let progress = handle.prepareFeatures(jobs[0].photos);
      for (const { number, rows } of await answers) {
        if (current !== run) return;
        progress?.free();
        progress = handle.featuresDone(number, rows);
      }
      if (current !== run) return;
      featuresReport(current, progress);
    }
    afterPreparing(current);
  } catch (err) {
    failed(current, err);
  }
}

/** One job for each helper, of the photos a worker computes in about SLICE_MS (fewer, or none,
 * when fewer are left to hand out). */
function featureJobs(current) {
  const photos = Math.max(1, Math.floor(SLICE_MS / current.perPhoto));
  const jobs = [];
  for (let k = 0; k < current.workers - 1; k++) {
    const job = handle.featureJob(photos);
    if (!job) break;
    jobs.push({ number: job.number, bytes: job.bytes, photos });
    job.free();
  }
  return jobs;
}

/** Posts how far a run's features are (`progress` from the core, freed here). */
function featuresReport(current, progress) {
  if (!progress) return;
  const { learning, round, rounds, done, total } = progress;
  progress.free();
  self.postMessage({ type: 'features', features: current.settings.features, learning, round, rounds, done, total, memory: memory() });
}

function runReady(current) {
  current.prepared = true;
  spread(current);
  current.settings.arithmetic = Arithmetic[handle.arithmetic()];
  const seconds = (performance.now() - current.started) / 1000;
  current.featureSeconds = seconds;
  self.postMessage({
    type: 'started', total: handle.iterations(), trainCount: handle.trainCount(), testCount: handle.testCount(),
    arithmetic: current.settings.arithmetic, featureSeconds: seconds, featureWorkers: current.featureWorkers, settings: current.settings, workers: current.shards,
  });
}

/** The helper workers, started when a run first asks for more than one worker. */
function pool() {
  helpers ??= new Pool(wasmModule);
  return helpers;
}

/** Cuts the run's training rows for its workers (the core gives fewer shards than workers when
 * there are fewer blocks of photos) and sends the helpers theirs; steps wait until they have. */
function spread(current) {
  current.shards = current.workers > 1 ? handle.shardCount(current.workers) : 1;
  if (current.shards < 2) return;
  current.loaded = pool().load(current.shards - 1, (k) => handle.shardRows(k, current.workers));
}

/** Steps spread over the helpers for about SLICE_MS: each step sends the model out, computes
 * this worker's shard meanwhile, and adds the helpers' sums in when they come. A Stop, or a new
 * run, is seen between steps. */
async function shardedSlice(current) {
  try {
    await current.loaded;
    const start = performance.now();
    current.stepsFrom ??= start;
    while (!current.stopped && current === run && performance.now() - start < SLICE_MS) {
      const model = handle.stepModel();
      const others = pool().step(model);
      if (!handle.beginStep(current.shards)) break;
      const sums = await others;
      if (current !== run) return;
      handle.finishStep(sums);
    }
    if (current !== run) return;
    report(current);
    if (current.stopped || handle.iteration() >= handle.iterations()) return finish(current);
    setTimeout(slice, 0, current);
  } catch (err) {
    failed(current, err);
  }
}

/** Steps in batches sized from the measured time per step, so a slice lasts about `ms`. */
function runFor(current, ms) {
  const start = performance.now();
  current.stepsFrom ??= start;
  do {
    const left = ms - (performance.now() - start);
    const batch = current.perStep ? Math.max(1, Math.floor(left / current.perStep)) : 1;
    const t = performance.now();
    const n = handle.trainSteps(batch);
    if (n === 0) return;
    current.perStep = (performance.now() - t) / n;
  } while (performance.now() - start < ms);
}

function report(current) {
  const train = handle.trainCosts(current.sent);
  const test = handle.testCosts(current.sent);
  current.sent += train.length;
  const iteration = handle.iteration();
  const now = performance.now();
  const seconds = (now - current.started) / 1000;
  // Not every report: the picture is redrawn live, but only a few times a second.
  let picture = null;
  if (current.settings.features === 'raw' && now - current.weightsAt >= WEIGHTS_MS) {
    picture = weights();
    current.weightsAt = now;
  }
  const transfer = [train.buffer, test.buffer, ...(picture ? [picture.buffer] : [])];
  self.postMessage({ type: 'progress', iteration, total: handle.iterations(), train, test, rate: iteration / seconds, weights: picture, memory: memory() }, transfer);
}

function finish(current) {
  run = null;
  if (!current.prepared || current.failed) {
    self.postMessage({ type: 'trained', ...current.settings, stopped: true, prepared: false, failed: !!current.failed, memory: memory() });
    return;
  }
  const maybe = (f) => { try { return f(); } catch { return undefined; } };
  const trained = {
    type: 'trained',
    ...current.settings,
    prepared: true,
    workers: current.shards,
    featureSeconds: current.featureSeconds,
    featureWorkers: current.featureWorkers,
    stopped: current.stopped,
    iteration: handle.iteration(),
    total: handle.iterations(),
    seconds: (performance.now() - current.started) / 1000,
    stepSeconds: current.stepsFrom === undefined ? 0 : (performance.now() - current.stepsFrom) / 1000,
    testCount: handle.testCount(),
    ...(maybe(results) ?? { mistakes: [] }),
    weights: maybe(weights) ?? null,
    centroids: maybe(centroids) ?? null,
    memory: memory(),
  };
  self.postMessage(trained);
  keepRun(trained, maybe(() => handle.modelJson()));
}

// ---- Keeping the work (ui/store.js), restoring it, and project files ----

/** The kept work, once `restore` has opened it; null when nothing can be kept, and then why. */
let kept = null;
let notKept = 'the kept work is not open yet';
/** The class names last kept, so a rename is kept once. */
let keptClasses = '';
/** Kept photos read per transaction while restoring: 6 MB of pixels at a time. */
const RESTORE_BATCH = 500;

function notice(text) {
  self.postMessage({ type: 'error', error: text });
}

function keepAdded(added) {
  kept?.addPhotos(added.map(({ id, name, label }) => ({ id, name, label, pixels: handle.photo(id) })));
}

function keepClasses() {
  const names = handle.classNames();
  if (!kept || names.join('\n') === keptClasses) return;
  keptClasses = names.join('\n');
  // A rename renames the current model too: keep both in one change, or a reload would find a
  // model for the old names.
  let model;
  try { model = handle.modelJson(); } catch { model = undefined; }
  kept.putMetas(model === undefined ? { classes: names } : { classes: names, model });
}

/** A finished run's row of the runs table and its model, kept together. */
function keepRun(trained, modelJson) {
  if (!kept || !trained.prepared || modelJson === undefined) return;
  const { features, l2, flip, iteration, trainAccuracy, testAccuracy, seconds } = trained;
  kept.runFinished({ features, l2, flip, iteration, trainAccuracy, testAccuracy, seconds }, modelJson);
}

/** The settings as the page's form takes them, from the core's RunSettings (freed). */
function plainSettings(settings) {
  const { features, learningRate, iterations, l2, flip, randomSeed, testShare, splitSeed } = settings;
  settings.free();
  return { features: featuresName(features), learningRate, iterations, l2, flip, randomSeed, testShare, seed: splitSeed };
}

function keeping() {
  return {
    /** Opens the kept work and adds it back: the classes first, then the photos under their
     * ids in batches (event 'restoring' says how far), then the model. Says what came back,
     * whether this tab keeps its changes, and any problem. */
    async restore() {
      const opened = await openStore(notice);
      if (!opened.store) {
        notKept = opened.problem;
        return { writer: false, problem: opened.problem, photos: 0, runs: [], classes: handle.classNames() };
      }
      const store = opened.store;
      store.onKept = () => self.postMessage({ type: 'kept' });
      const meta = await store.read();
      if (meta.classes && meta.classes.join('\n') !== handle.classNames().join('\n')) {
        const fresh = Catdog.withClasses(...meta.classes);
        handle.free();
        handle = fresh;
      }
      keptClasses = meta.classes?.join('\n') ?? '';
      const total = await store.countPhotos();
      try { handle.reserve(total); } catch { /* each photo then says what is wrong */ }
      let done = 0;
      for await (const batch of store.photos(RESTORE_BATCH)) {
        const found = { added: [], skipped: [] };
        for (const { id, name, label, pixels } of batch) {
          try {
            const got = handle.addPrepared(id, name, pixels, label);
            found.added.push({ id: got.id, name, label: got.label });
            got.free();
          } catch (err) {
            found.skipped.push({ name, reason: `the kept photo could not be restored: ${messageOf(err)}` });
          }
        }
        done += batch.length;
        postAdded(found);
        self.postMessage({ type: 'restoring', done, total });
      }
      let model = null;
      let problem = null;
      if (meta.model) {
        try {
          handle.loadModelJson(meta.model);
          model = modelShown();
        } catch (err) {
          problem = `the kept model could not be restored: ${messageOf(err)}`;
        }
      }
      if (opened.writer) kept = store;
      else notKept = 'another tab of this page keeps the work';
      return { writer: opened.writer, problem, photos: done, runs: meta.runs, settings: meta.settings, model, classes: handle.classNames() };
    },

    /** Keeps the form's settings (as ui/settings.js reads them). */
    keepSettings({ settings }) {
      kept?.putMeta('settings', settings);
    },

    /** Removes all the kept work; the page then reloads, empty. */
    async clearAll() {
      try {
        if (!kept) throw new Error(notKept);
        await kept.clear();
      } catch (err) {
        throw new Error(`Nothing was cleared: ${messageOf(err)}.`);
      }
    },

    /** The project file of the photos, the classes, `settings` (the form's) and the model. */
    exportProject({ settings }) {
      const run = runSettings(settings);
      try {
        return handle.exportProject(run);
      } finally {
        run.free();
        // The file was made in wasm memory, which stays grown.
        self.postMessage({ type: 'memory', memory: memory() });
      }
    },

    /** Reads a project file and, if it is whole, makes it the kept work (replacing all of it in
     * one transaction); the page then reloads and restores it. A bad file changes nothing. */
    async importProject({ file }) {
      const project = ProjectFile.read(new Uint8Array(await file.arrayBuffer()), file.name);
      try {
        if (!kept) throw new Error(`it cannot be kept here: ${notKept}`);
        const photos = Array.from({ length: project.len() }, (_, k) => ({
          name: project.photoName(k), label: project.photoLabel(k), pixels: project.photoPixels(k),
        }));
        await kept.replace(photos, { classes: project.classNames(), settings: plainSettings(project.settings()), model: project.modelJson() });
        return { photos: photos.length };
      } finally {
        project.free();
      }
    },
  };
}
