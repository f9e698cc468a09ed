// The page's main thread: DOM wiring only. The worker (worker.js) owns the photos and the model;
// this thread sends it files and settings, shows what it reports (the runs table, the weights
// picture, the mistakes), and loads the wasm module a second time, from the module the worker
// compiled, to draw the loss chart (plotters needs a DOM canvas) and read each feature kind's
// default settings.
import init, { RunSettings, drawLossChart, featuresNamed } from './pkg/catdog.js';

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
const pending = new Map();
let nextReq = 1;
let classes = ['cat', 'dog'];
/** Photos per class, as the worker last reported them. */
let counts = [0, 0];
let training = false;
/** The wasm module for the chart, once the worker has handed it over. */
let chartReady = null;

/** Sends a request to the worker; resolves with its value or rejects with its message. */
function call(type, payload = {}, transfer = []) {
  const reqId = nextReq++;
  worker.postMessage({ type, reqId, ...payload }, transfer);
  return new Promise((resolve, reject) => pending.set(reqId, { resolve, reject }));
}

worker.onmessage = ({ data }) => {
  if (data.reqId !== undefined) {
    const { resolve, reject } = pending.get(data.reqId);
    pending.delete(data.reqId);
    return data.ok ? resolve(data.value) : reject(new Error(data.error));
  }
  events[data.type](data);
};
worker.onerror = (event) => {
  const message = `The training worker failed: ${event.message ?? 'it could not start'}`;
  for (const { reject } of pending.values()) reject(new Error(message));
  pending.clear();
  showError(message);
};

function setStatus(text) {
  $('status').textContent = text;
}

function showError(message) {
  $('error').textContent = message;
}

function clearError() {
  $('error').textContent = '';
}

/** Runs an action, showing its failure in the page. */
async function attempt(action) {
  try {
    clearError();
    return await action();
  } catch (err) {
    showError(err.message);
    return undefined;
  }
}

// ---- Photos -------------------------------------------------------------------------------

const adding = { total: 0, done: 0, skipped: 0 };

/** Queues files ({ file, name, label? }) to the worker and shows progress as they are read. */
async function addFiles(items) {
  if (items.length === 0) return;
  clearError();
  adding.total += items.length;
  showAddProgress();
  await attempt(() => call('add', { items }));
}

function showAddProgress() {
  const bar = $('add-progress');
  bar.hidden = adding.done >= adding.total;
  bar.max = Math.max(1, adding.total);
  bar.value = adding.done;
  if (adding.done < adding.total) {
    setStatus(`Adding photos: ${adding.done} of ${adding.total}…`);
  } else {
    const kept = adding.total - adding.skipped;
    setStatus(`Added ${kept} photo${kept === 1 ? '' : 's'}${adding.skipped ? `, skipped ${adding.skipped}` : ''}. Press Train when you are ready.`);
    Object.assign(adding, { total: 0, done: 0, skipped: 0 });
  }
}

// The photos as the page knows them ({ id, name, label }, in the worker's order). Only the first
// `thumbs.limit` are shown, each with its picture (fetched from the worker) and controls; "Show
// more" raises the limit, so 10,000 photos are not 10,000 canvases. The shown ones are always a
// prefix of `photos`: photos are appended, and removing one pulls the next into view.
const photos = [];
const THUMBS_PAGE = 100;
const thumbs = { limit: THUMBS_PAGE, shown: 0, fetching: false };

/** Fetches and shows the pictures of the photos now within the limit, one request at a time. */
async function fillThumbs() {
  showThumbsMore();
  if (thumbs.fetching) return;
  const wanted = photos.slice(thumbs.shown, thumbs.limit).map((p) => p.id);
  if (wanted.length === 0) return;
  thumbs.fetching = true;
  // Not `attempt`: a fetch in the background must not clear a message the user has not read.
  const got = await call('thumbs', { wanted }).catch((err) => showError(err.message));
  thumbs.fetching = false;
  if (!got) return;
  const items = got.ids.map((id, k) => {
    const photo = photos.find((p) => p.id === id);
    return photo && thumbnail(photo, got.rgba.subarray(k * 64 * 64 * 4, (k + 1) * 64 * 64 * 4));
  }).filter(Boolean);
  $('thumbs').append(...items);
  thumbs.shown = $('thumbs').children.length;
  fillThumbs();
}

function showThumbsMore() {
  const hidden = photos.length - Math.min(photos.length, thumbs.limit);
  $('thumbs-more').hidden = hidden === 0;
  $('thumbs-hidden').textContent = `Showing ${photos.length - hidden} of ${photos.length} photos.`;
  $('thumbs-show-more').textContent = `Show ${Math.min(hidden, THUMBS_PAGE)} more`;
}

$('thumbs-show-more').addEventListener('click', () => {
  thumbs.limit += THUMBS_PAGE;
  fillThumbs();
});

const events = {
  added({ added, skipped, counts, memory }) {
    adding.done += added.length + skipped.length;
    adding.skipped += skipped.length;
    photos.push(...added);
    showCounts(counts);
    showMemory(memory);
    if (skipped.length) showSkipped(skipped);
    fillThumbs();
    showAddProgress();
  },
  progress: onProgress,
  trained: onTrained,
  error({ error }) {
    showError(error);
  },
};

function showSkipped(skipped) {
  $('skipped').append(...skipped.map(({ name, reason }) => {
    const li = document.createElement('li');
    li.textContent = reason.includes(name) ? reason : `${name}: ${reason}`;
    return li;
  }));
  $('skipped-box').hidden = false;
  $('skipped-count').textContent = $('skipped').children.length;
}

/** The worker's wasm memory: photos take 12 KB each, a run's copies and features more. */
function showMemory(bytes) {
  if (bytes !== undefined) $('memory').textContent = `${Math.round(bytes / 2 ** 20)} MB`;
}

function showCounts(now) {
  counts = now;
  const [cats, dogs] = now;
  $('count-cat').textContent = cats;
  $('count-dog').textContent = dogs;
  $('train').disabled = training || cats === 0 || dogs === 0;
}

/** A photo as the model sees it (64x64), with a label menu and a remove button. */
function thumbnail({ id, name, label }, rgba) {
  const li = document.createElement('li');
  li.dataset.id = id;
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  canvas.getContext('2d').putImageData(new ImageData(rgba, 64, 64), 0, 0);
  canvas.title = name;
  const select = document.createElement('select');
  select.setAttribute('aria-label', `Label of ${name}`);
  select.append(...classes.map((c, i) => new Option(c, i, false, i === label)));
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'remove';
  remove.textContent = '×';
  remove.setAttribute('aria-label', `Remove ${name}`);
  li.append(canvas, select, remove);
  return li;
}

$('thumbs').addEventListener('change', (event) => {
  const li = event.target.closest('li');
  const id = Number(li.dataset.id);
  const label = Number(event.target.value);
  attempt(async () => {
    showCounts(await call('relabel', { id, label }));
    const photo = photos.find((p) => p.id === id);
    if (photo) photo.label = label;
  });
});

$('thumbs').addEventListener('click', (event) => {
  if (!event.target.matches('button.remove')) return;
  const li = event.target.closest('li');
  const id = Number(li.dataset.id);
  attempt(async () => {
    showCounts(await call('remove', { id }));
    const index = photos.findIndex((p) => p.id === id);
    if (index >= 0) photos.splice(index, 1);
    li.remove();
    thumbs.shown = $('thumbs').children.length;
    fillThumbs();
  });
});

/** Files picked in an input: the name with its folder path when a folder was picked. */
function picked(input, label) {
  const items = [...input.files].map((file) => ({ file, name: file.webkitRelativePath || file.name, label }));
  input.value = '';
  return items;
}

$('add-files').addEventListener('change', (e) => addFiles(picked(e.target)));
$('add-folder').addEventListener('change', (e) => addFiles(picked(e.target)));
for (const input of document.querySelectorAll('.class-drop input')) {
  input.addEventListener('change', (e) => addFiles(picked(e.target, Number(input.dataset.label))));
}

/** Dropped files and folders, walked with webkitGetAsEntry; paths are relative to what was dropped. */
async function droppedFiles(dataTransfer) {
  const found = [];
  const walks = [...dataTransfer.items].filter((item) => item.kind === 'file').map((item) => {
    const entry = item.webkitGetAsEntry?.();
    if (entry?.isDirectory) return walk(entry, found);
    const file = item.getAsFile();
    if (file) found.push({ file, name: file.name });
    return undefined;
  });
  await Promise.all(walks);
  return found;
}

async function walk(entry, found) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    found.push({ file, name: entry.fullPath.replace(/^\//, '') });
    return;
  }
  const reader = entry.createReader();
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    await Promise.all(batch.filter((e) => !e.name.startsWith('.')).map((e) => walk(e, found)));
  }
}

/** Makes an element a drop target calling `onFiles` with what was dropped. */
function dropTarget(element, onFiles) {
  element.addEventListener('dragover', (e) => {
    e.preventDefault();
    element.classList.add('over');
  });
  element.addEventListener('dragleave', () => element.classList.remove('over'));
  element.addEventListener('drop', async (e) => {
    e.preventDefault();
    e.stopPropagation();
    element.classList.remove('over');
    const files = await attempt(() => droppedFiles(e.dataTransfer));
    if (files) onFiles(files);
  });
}

dropTarget($('drop-zone'), (files) => addFiles(files));
for (const zone of document.querySelectorAll('.class-drop')) {
  const label = Number(zone.dataset.label);
  dropTarget(zone, (files) => addFiles(files.map((f) => ({ ...f, label }))));
}
// A photo dropped beside a target should not make the browser navigate away to it.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

// ---- Training -----------------------------------------------------------------------------

/** A cost history that grows without copying on every append. */
class Series {
  constructor() { this.values = new Float64Array(1024); this.length = 0; }
  append(more) {
    if (this.length + more.length > this.values.length) {
      const grown = new Float64Array(Math.max(this.values.length * 2, this.length + more.length));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    this.values.set(more, this.length);
    this.length += more.length;
  }
  all() { return this.values.subarray(0, this.length); }
  last() { return this.length ? this.values[this.length - 1] : undefined; }
}

const curves = { train: new Series(), test: new Series(), total: 0 };
/** The page's words for how a run computes its gradients (the core's Arithmetic). */
const ARITHMETIC = { Kernel: 'integer SIMD kernel', Float64: 'float64 reference' };
let chartQueued = false;

function readSettings() {
  const number = (id, name) => {
    const value = Number($(id).value);
    if ($(id).value.trim() === '' || !Number.isFinite(value)) throw new Error(`${name} must be a number`);
    return value;
  };
  const iterations = number('iterations', 'Iterations');
  const seed = number('seed', 'The seed');
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error('Iterations must be a whole number of at least 1');
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error('The seed must be a whole number from 0 to 4294967295');
  return {
    features: $('features').value,
    learningRate: number('learning-rate', 'The learning rate'),
    l2: number('l2', 'The L2 penalty'),
    flip: $('flip').checked,
    iterations,
    seed,
    randomSeed: $('init').value === 'random' ? seed : undefined,
    testShare: number('test-share', 'The held-out share') / 100,
  };
}

$('train-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const settings = readSettings();
    setStatus(settings.features === 'raw' ? 'Starting…' : `Computing ${settings.features} features…`);
    const run = await call('train', settings);
    Object.assign(curves, { train: new Series(), test: new Series(), total: run.total });
    setTraining(true);
    $('progress').max = run.total;
    $('progress').value = 0;
    $('train-accuracy').textContent = '–';
    $('test-accuracy').textContent = '–';
    setStatus(`Training on ${run.trainCount} photos, ${run.testCount} held out, with the ${ARITHMETIC[run.arithmetic]}…`);
    drawChartSoon();
  });
});

$('stop').addEventListener('click', () => worker.postMessage({ type: 'stop' }));

function setTraining(on) {
  training = on;
  $('stop').disabled = !on;
  $('train').disabled = on;
}

function onProgress({ iteration, total, train, test, rate, memory }) {
  showMemory(memory);
  curves.train.append(train);
  curves.test.append(test);
  $('progress').value = iteration;
  const cost = curves.train.last();
  const testCost = curves.test.last();
  const held = testCost === undefined ? '' : ` · held-out cost ${testCost.toFixed(6)}`;
  setStatus(`Iteration ${iteration} of ${total} · cost ${cost?.toFixed(6)}${held} · ${Math.round(rate)} it/s`);
  drawChartSoon();
}

function onTrained(run) {
  const { stopped, iteration, total, seconds, trainAccuracy, testAccuracy } = run;
  addRunRow(run);
  showMemory(run.memory);
  showWeights(run.features, run.weights);
  showMistakes(run.mistakes, run.testCount);
  setTraining(false);
  showCounts(counts);
  $('train-accuracy').textContent = percent(trainAccuracy);
  $('test-accuracy').textContent = testAccuracy === undefined ? 'nothing held out' : percent(testAccuracy);
  $('save-model').disabled = false;
  const cost = curves.train.last();
  const how = stopped ? `Stopped at iteration ${iteration} of ${total}` : `Trained ${iteration} iterations`;
  setStatus(`${how} in ${seconds.toFixed(1)} s (${ARITHMETIC[run.arithmetic]}) · cost ${cost?.toFixed(6)} · train accuracy ${percent(trainAccuracy)}`);
  drawChartSoon();
}

/** One row per finished or stopped run, newest last, so runs with different features line up. */
function addRunRow({ features, l2, flip, iteration, trainAccuracy, testAccuracy, seconds }) {
  const row = document.createElement('tr');
  const test = testAccuracy === undefined ? 'nothing held out' : percent(testAccuracy);
  for (const value of [features, String(l2), flip ? 'yes' : 'no', String(iteration), percent(trainAccuracy), test, seconds.toFixed(1)]) {
    row.insertCell().textContent = value;
  }
  $('runs').tBodies[0].append(row);
}

/** A raw model's weights, scaled up without smoothing; other kinds weigh features, not pixels. */
function showWeights(features, rgba) {
  const canvas = $('weights');
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  canvas.hidden = !rgba;
  if (rgba) {
    context.putImageData(new ImageData(rgba, 64, 64), 0, 0);
    $('weights-caption').textContent = `Each pixel's weights (red + green + blue): blue pushes towards ${classes[1]}, orange towards ${classes[0]}, white is ignored.`;
  } else {
    $('weights-caption').textContent = `A ${features} model weighs gradient histograms${features === 'hog+color' ? ' and colour counts' : ''}, not pixels, so its weights make no picture; train on raw pixels to see one.`;
  }
}

/** Thumbnails of the held-out photos the model got wrong, with the probability it gave; the
 * worker sends the pictures of the first few dozen, and the rest are counted. */
function showMistakes(mistakes, testCount) {
  const shown = mistakes.filter((m) => m.rgba);
  $('mistakes').replaceChildren(...shown.map(mistakeItem));
  $('mistakes-count').textContent = testCount === 0
    ? 'Nothing was held out, so there is nothing to get wrong.'
    : `${mistakes.length} of ${testCount} held-out photos classified wrong.`;
  const more = mistakes.length - shown.length;
  $('mistakes-more').textContent = more > 0 ? `Showing ${shown.length}; ${more} more not shown.` : '';
}

function mistakeItem({ id, label, probability, rgba }) {
  const li = document.createElement('li');
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  canvas.getContext('2d').putImageData(new ImageData(rgba, 64, 64), 0, 0);
  canvas.title = photos.find((p) => p.id === id)?.name ?? '';
  li.append(canvas);
  // A mistake was predicted as the other class than its label.
  const said = 1 - label;
  const sure = said === 1 ? probability : 1 - probability;
  li.append(`said ${classes[said]} (${(sure * 100).toFixed(0)} %)`);
  return li;
}

function percent(value) {
  return value === undefined ? '–' : `${value.toFixed(1)} %`;
}

/** Redraws the chart at most once per animation frame, however often progress arrives. */
function drawChartSoon() {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(async () => {
    chartQueued = false;
    if (!chartReady) return;
    await attempt(async () => {
      await chartReady;
      fitChart();
      drawLossChart('loss-chart', curves.train.all(), curves.test.all(), curves.total);
    });
  });
}

/** Keeps the canvas's pixels at its displayed width, so text stays the size plotters asked for. */
function fitChart() {
  const canvas = $('loss-chart');
  const width = Math.round(canvas.clientWidth) || 640;
  const height = Math.round(Math.max(220, Math.min(360, width * 0.5)));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
}
window.addEventListener('resize', drawChartSoon);

$('save-model').addEventListener('click', () => attempt(async () => {
  const text = await call('modelJson');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  link.download = 'catdog-model.json';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}));

$('load-model').addEventListener('change', (event) => attempt(async () => {
  const file = event.target.files[0];
  event.target.value = '';
  if (!file) return;
  const loaded = await call('loadModel', { text: await file.text() });
  showWeights(loaded.features, loaded.weights);
  setStatus(`Loaded the model in ${file.name} (${loaded.features} features); classify a photo or a webcam frame.`);
}));

// ---- Features -----------------------------------------------------------------------------

/** Fills the settings with the chosen kind's defaults (from the core) and explains the kind. */
async function chooseFeatures() {
  const option = $('features').selectedOptions[0];
  $('features-help').textContent = option.dataset.help;
  await chartReady;
  const defaults = new RunSettings(featuresNamed(option.value));
  $('learning-rate').value = defaults.learningRate;
  $('iterations').value = defaults.iterations;
  $('l2').value = defaults.l2;
  $('flip').checked = defaults.flip;
  defaults.free();
}

$('features').addEventListener('change', () => attempt(chooseFeatures));

// ---- Classifying --------------------------------------------------------------------------

/** The core's prediction: its class, and the probability of label 1. */
function showPrediction({ label, probability }, source) {
  $('prediction-source').textContent = source;
  const sure = label === 1 ? probability : 1 - probability;
  $('prediction').textContent = `${classes[label]} (${(sure * 100).toFixed(1)} %)`;
}

async function classifyPhoto(file) {
  const image = $('predict-image');
  if (image.src) URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(file);
  image.alt = `The photo ${file.name}`;
  image.hidden = false;
  $('prediction').textContent = 'Classifying…';
  $('prediction-source').textContent = '';
  const prediction = await attempt(() => call('predictPhoto', { file }));
  if (prediction === undefined) $('prediction').textContent = 'No prediction.';
  else showPrediction(prediction, `the photo ${file.name}`);
}

$('predict-file').addEventListener('change', (event) => {
  const [file] = event.target.files;
  event.target.value = '';
  if (file) classifyPhoto(file);
});
dropTarget($('predict-zone'), ([first]) => first && classifyPhoto(first.file));

const webcam = { stream: null, frame: document.createElement('canvas') };

$('webcam-start').addEventListener('click', async () => {
  if (webcam.stream) return stopWebcam();
  try {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser offers no camera here (it needs https or localhost)');
    webcam.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    const video = $('video');
    video.srcObject = webcam.stream;
    video.hidden = false;
    await video.play();
    $('webcam-start').textContent = 'Stop the webcam';
    $('webcam-classify').disabled = false;
    $('webcam-live').disabled = false;
    $('webcam-message').textContent = '';
  } catch (err) {
    const why = err.name === 'NotAllowedError' ? 'permission to use the camera was denied'
      : err.name === 'NotFoundError' ? 'no camera was found' : err.message;
    $('webcam-message').textContent = `The webcam is not available: ${why}. Photos still work.`;
    showError(`The webcam is not available: ${why}.`);
    stopWebcam();
  }
});

function stopWebcam() {
  webcam.stream?.getTracks().forEach((track) => track.stop());
  webcam.stream = null;
  $('video').hidden = true;
  $('webcam-start').textContent = 'Start the webcam';
  $('webcam-classify').disabled = true;
  $('webcam-live').checked = false;
  $('webcam-live').disabled = true;
}

/** The current video frame as RGBA, through a canvas, to the worker's wasm preparation. */
async function classifyFrame() {
  const video = $('video');
  const { frame } = webcam;
  frame.width = video.videoWidth;
  frame.height = video.videoHeight;
  if (!frame.width || !frame.height) throw new Error('the camera has not sent a frame yet');
  const context = frame.getContext('2d', { willReadFrequently: true });
  context.drawImage(video, 0, 0);
  const { data, width, height } = context.getImageData(0, 0, frame.width, frame.height);
  const rgba = new Uint8Array(data.buffer);
  const prediction = await call('predictFrame', { rgba, width, height }, [rgba.buffer]);
  $('predict-image').hidden = true;
  showPrediction(prediction, 'the webcam frame');
}

$('webcam-classify').addEventListener('click', () => attempt(classifyFrame));

$('webcam-live').addEventListener('change', async (event) => {
  while (event.target.checked && webcam.stream) {
    const ok = await attempt(async () => { await classifyFrame(); return true; });
    if (!ok) event.target.checked = false;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
});

// ---- Start --------------------------------------------------------------------------------

attempt(async () => {
  const hello = await call('hello');
  chartReady = init({ module_or_path: hello.module });
  classes = hello.classes;
  showMemory(hello.memory);
  await chooseFeatures();
  showCounts(hello.counts);
  setStatus('Classifier ready: add cat and dog photos, then press Train.');
  drawChartSoon();
}).then(() => {
  if ($('error').textContent) setStatus('The classifier could not start.');
});
