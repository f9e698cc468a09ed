// The training form's settings: each feature kind's defaults (from the core, through the page's
// wasm instance) filled in when the kind is chosen, and the form read into a run's settings.
import { $ } from './dom.js';
import { attempt } from './messages.js';
import { RunSettings, featuresNamed } from '../pkg/catdog.js';

/** Explains and fills in the chosen kind whenever the menu changes; the tutorial's button picks
 * the tutorial's model: raw pixels, its learning rate and iterations (the core's raw defaults),
 * from zeros. */
export function wireSettings() {
  $('features').addEventListener('change', () => attempt(chooseFeatures));
  $('tutorial').addEventListener('click', () => attempt(() => {
    $('features').value = 'raw';
    $('init').value = 'zeros';
    chooseFeatures();
    $('features-help').textContent = `The tutorial's settings. ${$('features-help').textContent}`;
  }));
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

/** Fills the form with settings as `readSettings` gives them (kept, or from a project), keeping
 * the chosen kind's explanation; they are not replaced by the kind's defaults. */
export function writeSettings(settings) {
  const { features, learningRate, iterations, l2, flip, randomSeed, testShare, seed } = settings;
  $('features').value = features;
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
