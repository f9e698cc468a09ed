// The training form's settings: each feature kind's defaults (from the core, through the page's
// wasm instance) filled in when the kind is chosen, and the form read into a run's settings.
// A run's settings go into the page's URL fragment (#features=raw&rate=0.005&…) when it
// starts, and a URL with them fills the form when the page opens, so a link reproduces a run.
import { $ } from './dom.js';
import { attempt } from './messages.js';
import { RunSettings, featuresNamed } from '../pkg/catdog.js';

/** Explains and fills in the chosen kind whenever the menu changes; the tutorial's button picks
 * the tutorial's model: raw pixels, its learning rate and iterations (the core's raw defaults),
 * from zeros. */
export function wireSettings() {
  showWorkers();
  $('features').addEventListener('change', () => attempt(chooseFeatures));
  window.addEventListener('hashchange', () => attempt(settingsFromLink));
  $('tutorial').addEventListener('click', () => attempt(() => {
    $('features').value = 'raw';
    $('init').value = 'zeros';
    chooseFeatures();
    $('features-help').textContent = `The tutorial's settings. ${$('features-help').textContent}`;
  }));
}

/** The most workers a run may use (the training worker refuses more). */
const MAX_WORKERS = 8;

/** One worker per core, but for the page's own (at least 1, at most MAX_WORKERS), and how many
 * cores this device says it has. */
function showWorkers() {
  const cores = navigator.hardwareConcurrency || 1;
  $('workers').value = Math.min(MAX_WORKERS, Math.max(1, cores - 1));
  $('workers-help').textContent = `A run (learning the patches, the features, the training) is spread over this many workers, each on a core (this device has ${cores}, and the page itself needs one); the model is the same for any number.`;
}

/** Fills the settings with the chosen kind's defaults and explains the kind; needs the page's
 * wasm instance initialised. */
export function chooseFeatures() {
  const option = $('features').selectedOptions[0];
  $('features-help').textContent = option.dataset.help;
  const defaults = new RunSettings(featuresNamed(option.value));
  $('learning-rate').value = defaults.learningRate;
  $('iterations').value = defaults.iterations;
  $('l2').value = defaults.l2;
  $('flip').checked = defaults.flip;
  defaults.free();
}

/** The fragment's keys and the form's inputs they fill (a box's value is 1 or 0). */
const LINKED = { features: 'features', rate: 'learning-rate', iterations: 'iterations', l2: 'l2', flip: 'flip', init: 'init', seed: 'seed', test: 'test-share' };

/** Writes the form's settings into the URL fragment, without a new history entry. */
export function linkSettings() {
  const fragment = new URLSearchParams();
  for (const [key, id] of Object.entries(LINKED)) fragment.set(key, $(id).type === 'checkbox' ? Number($(id).checked) : $(id).value);
  history.replaceState(null, '', `#${fragment}`);
}

/** Fills the form from the URL fragment, if it has settings: the kind's defaults first, then
 * each value given. A value the form has no place for is refused with a message; the rest are
 * taken, and Train checks them as it checks typed ones. */
export function settingsFromLink() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (![...fragment.keys()].some((key) => key in LINKED)) return;
  const refused = [];
  const features = fragment.get('features');
  if (features !== null) {
    if ([...$('features').options].some((o) => o.value === features)) $('features').value = features;
    else refused.push(`features=${features}`);
  }
  chooseFeatures();
  for (const [key, id] of Object.entries(LINKED)) {
    const value = fragment.get(key);
    if (key === 'features' || value === null) continue;
    const input = $(id);
    if (input.type === 'checkbox' && (value === '0' || value === '1')) input.checked = value === '1';
    else if (input.tagName === 'SELECT' && [...input.options].some((o) => o.value === value)) input.value = value;
    else if (input.type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) input.value = value;
    else refused.push(`${key}=${value}`);
  }
  if (refused.length) throw new Error(`The link's settings ${refused.join(', ')} are not ones this page has; the others were taken.`);
}

/** The form as the worker's `train` request takes it; the core checks the ranges it knows. */
export function readSettings() {
  const number = (id, name) => {
    const value = Number($(id).value);
    if ($(id).value.trim() === '' || !Number.isFinite(value)) throw new Error(`${name} must be a number`);
    return value;
  };
  const iterations = number('iterations', 'Iterations');
  const seed = number('seed', 'The seed');
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error('Iterations must be a whole number of at least 1');
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error('The seed must be a whole number from 0 to 4294967295');
  const workers = number('workers', 'Workers');
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) throw new Error(`Workers must be a whole number from 1 to ${MAX_WORKERS}`);
  return {
    features: $('features').value,
    learningRate: number('learning-rate', 'The learning rate'),
    l2: number('l2', 'The L2 penalty'),
    flip: $('flip').checked,
    iterations,
    seed,
    randomSeed: $('init').value === 'random' ? seed : undefined,
    testShare: number('test-share', 'The held-out share') / 100,
    workers,
  };
}

/** Fills the form with settings as `readSettings` gives them (kept, or from a project), keeping
 * the chosen kind's explanation; they are not replaced by the kind's defaults. */
export function writeSettings(settings) {
  const { features, learningRate, iterations, l2, flip, randomSeed, testShare, seed, workers } = settings;
  $('features').value = features;
  if (workers !== undefined) $('workers').value = workers;
  $('features-help').textContent = $('features').selectedOptions[0]?.dataset.help ?? '';
  $('learning-rate').value = learningRate;
  $('iterations').value = iterations;
  $('l2').value = l2;
  $('flip').checked = flip;
  $('init').value = randomSeed === undefined ? 'zeros' : 'random';
  $('seed').value = seed;
  // toPrecision: 0.07 * 100 is 7.000000000000001 in floating point.
  $('test-share').value = Number((testShare * 100).toPrecision(12));
}
