// Training: Train and Stop, the progress bar and status while a run goes, and what a finished or
// stopped run leaves (accuracies, a row in the runs table, the weights picture, the mistakes);
// the course's learning-rate comparison (three runs one after another); saving the model and
// loading one.
import { $ } from './dom.js';
import { call, on, stopRun } from './link.js';
import { attempt, setStatus } from './messages.js';
import { percent } from './words.js';
import { linkSettings, readSettings } from './settings.js';
import { appendCosts, endRun, hideEndedRuns, lastCosts, newRun } from './chart.js';
import { showMistakes, showWeights } from './learned.js';
import { showEvaluation } from './evaluation.js';

/** The page's words for how a run computes its gradients (the core's Arithmetic). */
const ARITHMETIC = { Kernel: 'integer SIMD kernel', Float64: 'float64 reference' };
/** Train waits for a photo and for no run or comparison to be going; the core says what else a
 * run needs (photos of both classes, settings it takes). */
const trainable = { running: false, comparing: false, stopAsked: false, anyPhotos: false };
/** The course's figure: raw pixels from zeros, 1500 iterations at each of these rates. */
const COMPARED_RATES = [0.01, 0.001, 0.0001];
const COMPARED_ITERATIONS = 1500;
/** Called with the next run that finishes or stops. */
const onTrained = [];

export function wireTraining() {
  $('train-form').addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(train);
  });
  $('stop').addEventListener('click', stop);
  $('compare-learning-rates').addEventListener('click', () => attempt(compareLearningRates));
  on('features', features);
  on('started', started);
  on('progress', progress);
  on('trained', trained);
  $('save-model').addEventListener('click', () => attempt(saveModel));
  $('load-model').addEventListener('change', (event) => attempt(() => loadModel(event.target)));
}

/** Follows the photos' class counts: Train needs photos. */
export function countsChanged([cats, dogs]) {
  trainable.anyPhotos = cats + dogs > 0;
  showButtons();
}

function showButtons() {
  const busy = trainable.running || trainable.comparing;
  $('stop').disabled = !busy;
  $('train').disabled = busy || !trainable.anyPhotos;
  $('compare-learning-rates').disabled = busy || !trainable.anyPhotos;
}

/** Starts a run of the form's settings (and puts them in the URL), or of `settings`. */
async function train(settings) {
  if (!settings) {
    settings = readSettings();
    linkSettings();
  }
  setStatus(settings.features === 'raw' ? 'Starting…' : `Computing ${settings.features} features…`);
  await call('train', settings);
  trainable.running = true;
  showButtons();
  $('train-accuracy').textContent = '–';
  $('test-accuracy').textContent = '–';
}

/** Stops the run going, and a comparison with it. */
function stop() {
  trainable.stopAsked = true;
  stopRun();
}

/** The course's figure on the current photos and split: raw pixels from zeros, without λ or
 * flips, 1500 iterations at each rate, one run after another, drawn together (earlier runs are
 * hidden, not removed). Stop ends the comparison. */
async function compareLearningRates() {
  const base = { ...readSettings(), features: 'raw', iterations: COMPARED_ITERATIONS, l2: 0, flip: false, randomSeed: undefined };
  hideEndedRuns();
  Object.assign(trainable, { comparing: true, stopAsked: false });
  try {
    for (const learningRate of COMPARED_RATES) {
      const done = new Promise((resolve) => onTrained.push(resolve));
      await train({ ...base, learningRate });
      // A Stop pressed between two runs reached no run: it stops this one.
      if (trainable.stopAsked) stopRun();
      await done;
      if (trainable.stopAsked) break;
    }
  } finally {
    trainable.comparing = false;
    showButtons();
  }
}

/** The run's features being computed (before its first step): Stop works meanwhile. */
function features({ features, learning, round, rounds, done, total }) {
  $('progress').max = Math.max(1, learning ? rounds : total);
  $('progress').value = learning ? round : done;
  const rounded = rounds > 0 ? ` (round ${round} of ${rounds})` : '';
  setStatus(learning ? `Learning the patches of ${features} from the training photos${rounded}…` : `Computing ${features} features: ${done} of ${total}…`);
}

/** A run's name in the chart's legend: what tells runs apart. */
function runName({ features, learningRate, l2, flip }, total) {
  return `${features} · rate ${learningRate} · ${total} it${l2 ? ` · λ ${l2}` : ''}${flip ? ' · flips' : ''}`;
}

/** The run is ready: its features are there and the first step comes next. */
function started(run) {
  newRun(runName(run.settings, run.total), run.total);
  $('progress').max = run.total;
  $('progress').value = 0;
  const features = run.featureSeconds >= 0.05 ? ` (features in ${featureTime(run)})` : '';
  setStatus(`Training on ${run.trainCount} photos, ${run.testCount} held out, with the ${ARITHMETIC[run.arithmetic]} on ${workerCount(run.workers)}${features}…`);
}

function progress({ iteration, total, train, test, rate, weights }) {
  const { cost, testCost } = appendCosts(train, test);
  if (weights) showWeights('raw', weights, null);
  $('progress').value = iteration;
  const held = testCost === undefined ? '' : ` · held-out cost ${testCost.toFixed(6)}`;
  setStatus(`Iteration ${iteration} of ${total} · cost ${cost?.toFixed(6)}${held} · ${Math.round(rate)} it/s`);
}

const workerCount = (n) => (n === 1 ? '1 worker' : `${n} workers`);

/** How long the run's features took, and on how many workers when more than one computed them. */
const featureTime = ({ featureSeconds, featureWorkers }) =>
  `${featureSeconds.toFixed(1)} s${featureWorkers > 1 ? ` on ${workerCount(featureWorkers)}` : ''}`;

function trained(run) {
  for (const resolve of onTrained.splice(0)) resolve(run);
  if (!run.prepared) {
    endRun();
    trainable.running = false;
    showButtons();
    setStatus(run.failed ? 'The run stopped (the error line says why); the previous model, if any, still classifies.' : 'Stopped while computing features; the previous model, if any, still classifies.');
    return;
  }
  const { stopped, iteration, total, seconds, trainAccuracy, testAccuracy } = run;
  endRun();
  addRunRow(run);
  showWeights(run.features, run.weights, run.centroids);
  showEvaluation(run.classes, run.testCount);
  showMistakes(run.mistakes, run.testCount);
  trainable.running = false;
  showButtons();
  $('train-accuracy').textContent = percent(trainAccuracy);
  $('test-accuracy').textContent = testAccuracy === undefined ? 'nothing held out' : percent(testAccuracy);
  $('save-model').disabled = false;
  const how = stopped ? `Stopped at iteration ${iteration} of ${total}` : `Trained ${iteration} iterations`;
  const features = run.featureSeconds >= 0.05 ? ` · features in ${featureTime(run)}` : '';
  const perStep = iteration > 0 ? ` · ${(1000 * run.stepSeconds / iteration).toPrecision(3)} ms a step on ${workerCount(run.workers)}` : '';
  setStatus(`${how} in ${seconds.toFixed(1)} s (${ARITHMETIC[run.arithmetic]})${features}${perStep} · cost ${lastCosts().cost?.toFixed(6)} · train accuracy ${percent(trainAccuracy)}`);
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
