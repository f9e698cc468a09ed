// The photos section: adding files (pickers, folders, drops, the per-class targets) with progress
// and skip reasons, the class counts, and the thumbnails with their label menus and remove buttons.
import { $, photoCanvas } from './dom.js';
import { call, on } from './link.js';
import { attempt, clearError, setStatus, showError } from './messages.js';
import { dropTarget, picked } from './files.js';
import { classes, setClasses } from './words.js';

const THUMBS_PAGE = 100;
const PHOTO_RGBA = 64 * 64 * 4;

/** Each photo's name and label, in the order added, for its thumbnail and the mistakes' titles.
 * The core keeps both too but gives back neither (only ids and pixels), so the page keeps the name
 * it sent and the label the worker last confirmed. Ids are the core's and never shift. */
const photos = [];
const byId = new Map();
/** Thumbnails: the first `shown` photos have one; "Show more" raises `limit`, so 10,000 photos
 * are not 10,000 canvases. Removing a shown photo pulls the next one into view. */
const thumbs = { limit: THUMBS_PAGE, shown: 0, fetching: false };
/** Files sent to the worker and answered so far, for the progress bar and the status line. */
const adding = { total: 0, done: 0, skipped: 0 };
let skippedCount = 0;
/** Told the class counts after every change, and each photo removed. */
const hooks = { counts: () => {}, removed: () => {} };

/** Wires the section; `onCounts([cats, dogs])` and `onRemoved(id)` follow every change. */
export function wirePhotos({ onCounts, onRemoved }) {
  Object.assign(hooks, { counts: onCounts, removed: onRemoved });
  on('added', added);
  $('add-files').addEventListener('change', (e) => addFiles(picked(e.target)));
  $('add-folder').addEventListener('change', (e) => addFiles(picked(e.target)));
  dropTarget($('drop-zone'), addFiles);
  for (const zone of document.querySelectorAll('.class-drop')) {
    const label = Number(zone.dataset.label);
    zone.querySelector('input[type=file]').addEventListener('change', (e) => addFiles(picked(e.target, label)));
    dropTarget(zone, (files) => addFiles(files.map((f) => ({ ...f, label }))));
  }
  for (const input of classInputs()) input.addEventListener('change', rename);
  $('thumbs-show-more').addEventListener('click', () => {
    thumbs.limit += THUMBS_PAGE;
    fillThumbs();
  });
}

/** The name photo `id` was added under, if it is still there. */
export function nameOf(id) {
  return byId.get(id)?.name;
}

/** Shows the class counts the worker reported and passes them on. */
export function showCounts(counts) {
  counts.forEach((n, label) => { countOutput(label).textContent = n; });
  hooks.counts(counts);
}

const countOutput = (label) => document.querySelector(`[data-testid="class-count-${label}"]`);
const classInputs = () => [0, 1].map((label) => document.querySelector(`[data-testid="class-name-${label}"]`));

/** Shows the core's class names everywhere, the name boxes included; after a rename, only the
 * boxes that still hold what was `sent` (typing since then is the next rename, not undone). */
export function showClasses(names, sent) {
  setClasses(names);
  classInputs().forEach((input, label) => { if (!sent || input.value === sent[label]) input.value = names[label]; });
}

/** Sends both boxes' names to the core; it keeps them (in lower case) or says why not, and
 * then the old names stay in the boxes. */
function rename() {
  const names = classInputs().map((input) => input.value);
  const old = classes;
  attempt(async () => {
    try {
      showClasses(await call('rename', { names }), names);
    } catch (err) {
      showClasses(old, names);
      throw new Error(`${err.message}; the classes are still '${old[0]}' and '${old[1]}'.`);
    }
  });
}

/** Queues files ({ file, name, label? }) to the worker; progress comes back as `added` events. */
async function addFiles(items) {
  if (items.length === 0) return;
  clearError();
  adding.total += items.length;
  showAddProgress();
  await attempt(() => call('add', { items }));
}

function added({ added, skipped, counts }) {
  adding.done += added.length + skipped.length;
  adding.skipped += skipped.length;
  for (const photo of added) {
    photos.push(photo);
    byId.set(photo.id, photo);
  }
  showCounts(counts);
  if (skipped.length) showSkipped(skipped);
  fillThumbs();
  showAddProgress();
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

function showSkipped(skipped) {
  $('skipped').append(...skipped.map(({ name, reason }) => {
    const li = document.createElement('li');
    li.textContent = reason.includes(name) ? reason : `${name}: ${reason}`;
    return li;
  }));
  skippedCount += skipped.length;
  $('skipped-box').hidden = false;
  $('skipped-count').textContent = skippedCount;
}

/** Fetches and shows the pictures of the photos now within the limit, one request at a time.
 * A reply shows photos in order up to the first it lacks, so photos removed or added while it
 * was on its way can neither be skipped nor shown out of order. */
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
  const pictures = new Map(got.ids.map((id, k) => [id, got.rgba.subarray(k * PHOTO_RGBA, (k + 1) * PHOTO_RGBA)]));
  const items = [];
  while (thumbs.shown < Math.min(photos.length, thumbs.limit) && pictures.has(photos[thumbs.shown].id)) {
    const photo = photos[thumbs.shown++];
    items.push(thumbnail(photo, pictures.get(photo.id)));
  }
  $('thumbs').append(...items);
  // Nothing new shown means the worker no longer has the next photo: asking again would loop.
  if (items.length) fillThumbs();
}

function showThumbsMore() {
  const hidden = photos.length - Math.min(photos.length, thumbs.limit);
  $('thumbs-more').hidden = hidden === 0;
  $('thumbs-hidden').textContent = `Showing ${photos.length - hidden} of ${photos.length} photos.`;
  $('thumbs-show-more').textContent = `Show ${Math.min(hidden, THUMBS_PAGE)} more`;
}

/** A photo as the model sees it (64x64), with a label menu and a remove button. */
function thumbnail(photo, rgba) {
  const { id, name } = photo;
  const li = document.createElement('li');
  li.dataset.id = id;
  const select = document.createElement('select');
  select.setAttribute('aria-label', `Label of ${name}`);
  select.append(...classes.map((c, i) => {
    const option = new Option(c, i, false, i === photo.label);
    option.dataset.class = String(i);
    return option;
  }));
  select.addEventListener('change', () => relabel(photo, Number(select.value), select));
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'remove';
  remove.textContent = '×';
  remove.setAttribute('aria-label', `Remove ${name}`);
  remove.addEventListener('click', () => removePhoto(photo, li));
  li.append(photoCanvas(rgba, name), select, remove);
  return li;
}

/** Gives a photo a new label; if the worker refuses, the menu goes back to the label it has. */
function relabel(photo, label, select) {
  attempt(async () => {
    try {
      showCounts(await call('relabel', { id: photo.id, label }));
      photo.label = label;
    } finally {
      select.value = String(photo.label);
    }
  });
}

function removePhoto(photo, li) {
  attempt(async () => {
    showCounts(await call('remove', { id: photo.id }));
    const index = photos.indexOf(photo);
    if (index < 0) return;
    photos.splice(index, 1);
    byId.delete(photo.id);
    if (index < thumbs.shown) thumbs.shown--;
    li.remove();
    hooks.removed(photo.id);
    fillThumbs();
  });
}
