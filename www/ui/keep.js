// "Your work": the kept work restored when the page opens (the worker reads it from IndexedDB,
// ui/store.js, and adds it back; the page shows progress, then the runs, the settings and the
// model), the form's settings kept as they change, the storage used, and "Clear everything"
// with its confirm step.
import { $ } from './dom.js';
import { call, on } from './link.js';
import { attempt, setStatus, showError } from './messages.js';
import { readSettings, writeSettings } from './settings.js';
import { addRunRow } from './training.js';
import { showWeights } from './learned.js';
import { showClasses } from './photos.js';

/** The storage read-out is refreshed at most this often while changes are kept. */
const STORAGE_MS = 1000;
let storageQueued = false;

export function wireKeep() {
  on('restoring', ({ done, total }) => {
    const bar = $('keep-progress');
    bar.hidden = done >= total;
    bar.max = Math.max(1, total);
    bar.value = done;
    setStatus(`Restoring your kept work: ${done} of ${total} photos…`);
  });
  on('kept', showStorageSoon);
  // Settings are kept whenever the form changes; a value the form would refuse is not kept.
  $('train-form').addEventListener('change', keepSettings);
  $('tutorial').addEventListener('click', () => setTimeout(keepSettings));
  $('clear-all').addEventListener('click', () => {
    $('clear-confirm').hidden = false;
    $('clear-no').focus();
  });
  $('clear-no').addEventListener('click', () => {
    $('clear-confirm').hidden = true;
    $('clear-all').focus();
  });
  $('clear-yes').addEventListener('click', () => attempt(clearAll));
}

function keepSettings() {
  let settings;
  try {
    settings = readSettings();
  } catch {
    return;
  }
  call('keepSettings', { settings }).catch((err) => showError(err.message));
}

/** Adds the kept work back (once the classifier is ready) and says what came back. */
export async function restoreKept() {
  // Not through attempt(), which would clear the error line: a bad link's message is there.
  const kept = await call('restore').catch((err) => { showError(err.message); });
  $('keep-progress').hidden = true;
  if (!kept) return;
  showClasses(kept.classes);
  for (const run of kept.runs) addRunRow(run);
  // A link's settings (the fragment) were opened on purpose: they win over the kept ones.
  if (kept.settings && !location.hash) writeSettings(kept.settings);
  if (kept.model) {
    showWeights(kept.model.features, kept.model.weights, kept.model.centroids);
    $('save-model').disabled = false;
  }
  $('keep-status').textContent = kept.writer
    ? 'Your photos, labels, class names, settings, runs and model are kept in this browser as you work, and come back when you open the page again.'
    : `Nothing you do here is kept: ${kept.problem ?? 'this page is open in another tab, which keeps the work. Close it and reload this one to keep your work here'}.`;
  if (kept.problem && kept.writer) showError(`Part of your kept work could not be restored: ${kept.problem}.`);
  const parts = [];
  if (kept.photos) parts.push(`${kept.photos} photo${kept.photos === 1 ? '' : 's'}`);
  if (kept.runs.length) parts.push(`${kept.runs.length} run${kept.runs.length === 1 ? '' : 's'}`);
  if (kept.model) parts.push(`the ${kept.model.features} model`);
  if (parts.length) setStatus(`Restored your kept work: ${parts.join(', ')}.`);
  showStorage();
}

function showStorageSoon() {
  if (storageQueued) return;
  storageQueued = true;
  setTimeout(() => {
    storageQueued = false;
    showStorage();
  }, STORAGE_MS);
}

async function showStorage() {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  $('storage').textContent = estimate
    ? `${megabytes(estimate.usage)} (the browser allows this page ${megabytes(estimate.quota)})`
    : 'unknown (this browser does not say)';
}

function megabytes(bytes) {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/** Removes the kept work, then reloads: the page opens empty, as the kept work now is. */
async function clearAll() {
  $('clear-yes').disabled = true;
  try {
    await call('clearAll');
  } finally {
    $('clear-yes').disabled = false;
    $('clear-confirm').hidden = true;
  }
  // Without the fragment: a link's settings are part of the work cleared.
  location.replace(location.pathname + location.search);
}
