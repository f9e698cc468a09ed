// Training: Train and Stop, the progress bar and status while a run goes, and what a finished or
// stopped run leaves (accuracies, a row in the runs table, the weights picture, the mistakes);
// saving the model and loading one.
import { $ } from './dom.js';
import { call, on, stopRun } from './link.js';
import { attempt, setStatus } from './messages.js';
import { percent } from './words.js';
import { readSettings } from './settings.js';
import { appendCosts, lastCosts, newRun } from './chart.js';
import { showMistakes, showWeights } from './learned.js';

/** The page's words for how a run computes its gradients (the core's Arithmetic). */
const ARITHMETIC = { Kernel: 'integer SIMD kernel', Float64: 'float64 reference' };
/** Train waits for a photo of each class and for no run to be going. */
const trainable = { running: false, bothClasses: false };

export function wireTraining() {
  $('train-form').addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(train);
  });
  $('stop').addEventListener('click', stopRun);
  on('features', features);
  on('started', started);
  on('progress', progress);
  on('trained', trained);
  $('save-model').addEventListener('click', () => attempt(saveModel));
  $('load-model').addEventListener('change', (event) => attempt(() => loadModel(event.target)));
}

/** Follows the photos' class counts: Train needs a photo of each class. */
export function countsChanged([cats, dogs]) {
  trainable.bothClasses = cats > 0 && dogs > 0;
  showButtons();
}

function showButtons() {
  $('stop').disabled = !trainable.running;
  $('train').disabled = trainable.running || !trainable.bothClasses;
}

async function train() {
  const settings = readSettings();
  setStatus(settings.features === 'raw' ? 'Starting…' : `Computing ${settings.features} features…`);
  await call('train', settings);
  trainable.running = true;
  showButtons();
  $('train-accuracy').textContent = '–';
  $('test-accuracy').textContent = '–';
}

/** The run's features being computed (before its first step): Stop works meanwhile. */
function features({ features, learning, done, total }) {
  $('progress').max = Math.max(1, total);
  $('progress').value = done;
  setStatus(learning ? `Learning the patches of ${features} from the training photos…` : `Computing ${features} features: ${done} of ${total}…`);
}

/** The run is ready: its features are there and the first step comes next. */
function started(run) {
  newRun(run.total);
  $('progress').max = run.total;
  $('progress').value = 0;
  const features = run.featureSeconds >= 0.05 ? ` (features in ${run.featureSeconds.toFixed(1)} s)` : '';
  setStatus(`Training on ${run.trainCount} photos, ${run.testCount} held out, with the ${ARITHMETIC[run.arithmetic]}${features}…`);
}

function progress({ iteration, total, train, test, rate }) {
  const { cost, testCost } = appendCosts(train, test);
  $('progress').value = iteration;
  const held = testCost === undefined ? '' : ` · held-out cost ${testCost.toFixed(6)}`;
  setStatus(`Iteration ${iteration} of ${total} · cost ${cost?.toFixed(6)}${held} · ${Math.round(rate)} it/s`);
}

function trained(run) {
  if (!run.prepared) {
    trainable.running = false;
    showButtons();
    setStatus('Stopped while computing features; the previous model, if any, still classifies.');
    return;
  }
  const { stopped, iteration, total, seconds, trainAccuracy, testAccuracy } = run;
  addRunRow(run);
  showWeights(run.features, run.weights, run.centroids);
  showMistakes(run.mistakes, run.testCount);
  trainable.running = false;
  showButtons();
  $('train-accuracy').textContent = percent(trainAccuracy);
  $('test-accuracy').textContent = testAccuracy === undefined ? 'nothing held out' : percent(testAccuracy);
  $('save-model').disabled = false;
  const how = stopped ? `Stopped at iteration ${iteration} of ${total}` : `Trained ${iteration} iterations`;
  const features = run.featureSeconds >= 0.05 ? ` · features in ${run.featureSeconds.toFixed(1)} s` : '';
  setStatus(`${how} in ${seconds.toFixed(1)} s (${ARITHMETIC[run.arithmetic]})${features} · cost ${lastCosts().cost?.toFixed(6)} · train accuracy ${percent(trainAccuracy)}`);
}

/** One row per finished or stopped run, newest last, so runs with different features line up
 * (kept runs are added back through it when the page opens). */
export function addRunRow({ features, l2, flip, iteration, trainAccuracy, testAccuracy, seconds }) {
  const row = document.createElement('tr');
  const test = testAccuracy === undefined ? 'nothing held out' : percent(testAccuracy);
  for (const value of [features, String(l2), flip ? 'yes' : 'no', String(iteration), percent(trainAccuracy), test, seconds.toFixed(1)]) {
    row.insertCell().textContent = value;
  }
  $('runs').tBodies[0].append(row);
}

async function saveModel() {
  const text = await call('modelJson');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  link.download = 'catdog-model.json';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

async function loadModel(input) {
  const [file] = input.files;
  input.value = '';
  if (!file) return;
  const loaded = await call('loadModel', { text: await file.text() });
  showWeights(loaded.features, loaded.weights, loaded.centroids);
  setStatus(`Loaded the model in ${file.name} (${loaded.features} features); classify a photo or a webcam frame.`);
}
