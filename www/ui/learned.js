// What the model learned: the raw model's weights picture and the held-out photos it got wrong.
// Mistakes are named by the core's photo ids, so removing a photo takes away its own mistake
// and no other, and every other keeps its picture, name and label.
import { $, photoCanvas } from './dom.js';
import { phrase, sayClass } from './words.js';
import { nameOf } from './photos.js';

/** The last run's mistakes as shown: their list items by photo id, the ids of those sent without
 * a picture, and how many the run had among how many held out. */
let shown = { items: new Map(), unpictured: new Set(), removed: 0, total: 0, testCount: 0 };

/** A raw model's weights, or a learned model's patches, scaled up without smoothing; the other
 * kinds weigh histograms, not pixels. */
export function showWeights(features, rgba, centroids) {
  const canvas = $('weights');
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  canvas.hidden = !rgba;
  showCentroids(centroids);
  if (rgba) {
    context.putImageData(new ImageData(rgba, 64, 64), 0, 0);
    $('weights-caption').replaceChildren(...phrase`Each pixel's weights (red + green + blue): blue pushes towards ${1}, orange towards ${0}, white is ignored.`);
  } else if (centroids) {
    const also = features === 'learned' ? '' : ' (it weighs gradient histograms and colour counts too)';
    $('weights-caption').replaceChildren(...phrase`The small patches the model learned from your photos, in their colours: first those that push hardest towards ${1} (blue frames), last those that push hardest towards ${0} (orange frames)`, `${also}.`);
  } else {
    $('weights-caption').textContent = `A ${features} model weighs gradient histograms${features === 'hog+color' ? ' and colour counts' : ''}, not pixels, so its weights make no picture; train on raw pixels or learned patches to see one.`;
  }
}

function showCentroids(picture) {
  const canvas = $('centroids');
  canvas.hidden = !picture;
  if (!picture) return;
  canvas.width = picture.width;
  canvas.height = picture.height;
  canvas.getContext('2d').putImageData(new ImageData(picture.rgba, picture.width, picture.height), 0, 0);
}

/** The run's mistakes, most confidently wrong first: the worker sends the pictures of the first
 * few dozen still there, and the rest are counted. */
export function showMistakes(mistakes, testCount) {
  shown = { items: new Map(), unpictured: new Set(), removed: 0, total: mistakes.length, testCount };
  for (const mistake of mistakes) {
    const name = nameOf(mistake.id);
    if (name === undefined) shown.removed++;
    else if (mistake.rgba) shown.items.set(mistake.id, mistakeItem(mistake, name));
    else shown.unpictured.add(mistake.id);
  }
  $('mistakes').replaceChildren(...shown.items.values());
  showMistakeCounts();
}

/** Takes away the mistake of a photo that was removed, if it was one. */
export function forgetPhoto(id) {
  const item = shown.items.get(id);
  if (item) item.remove();
  if (shown.items.delete(id) || shown.unpictured.delete(id)) {
    shown.removed++;
    showMistakeCounts();
  }
}

function showMistakeCounts() {
  const { items, unpictured, removed, total, testCount } = shown;
  const gone = removed ? ` ${removed} of them removed since.` : '';
  $('mistakes-count').textContent = testCount === 0
    ? 'Nothing was held out, so there is nothing to get wrong.'
    : `${total} of ${testCount} held-out photos classified wrong.${gone}`;
  $('mistakes-more').textContent = unpictured.size ? `Showing ${items.size}; ${unpictured.size} more not shown.` : '';
}

/** A mistake's picture and name, and what the model said: the other class than its label. */
function mistakeItem({ id, label, probability, rgba }, name) {
  const li = document.createElement('li');
  li.dataset.id = id;
  li.append(photoCanvas(rgba, name), 'said ', ...sayClass(1 - label, probability, 0));
  return li;
}
