// The page's main thread: wiring only. The worker (worker.js, reached through ui/link.js) owns
// the photos and the model; the modules in ui/ each own a part of the page. Once the worker says
// hello, the page loads the wasm module a second time, from the module the worker compiled, to
// draw the loss chart (plotters needs a DOM canvas) and read each feature kind's defaults; then
// the worker restores the work kept from the last visit.
import init from './pkg/catdog.js';
import { call, on } from './ui/link.js';
import { attempt, setStatus, showError, showMemory } from './ui/messages.js';
import { ignoreStrayDrops } from './ui/files.js';
import { classes } from './ui/words.js';
import { showClasses, showCounts, wirePhotos } from './ui/photos.js';
import { chooseFeatures, settingsFromLink, wireSettings } from './ui/settings.js';
import { countsChanged, wireTraining } from './ui/training.js';
import { forgetPhoto } from './ui/learned.js';
import { startChart } from './ui/chart.js';
import { wireClassify } from './ui/classify.js';
import './ui/offline.js';
import { wireRecord } from './ui/record.js';
import { restoreKept, wireKeep } from './ui/keep.js';
import { wireProject } from './ui/project.js';

wirePhotos({ onCounts: countsChanged, onRemoved: forgetPhoto });
wireSettings();
wireTraining();
wireClassify();
wireRecord();
wireKeep();
wireProject();
ignoreStrayDrops();
for (const type of ['added', 'features', 'progress', 'trained', 'memory']) on(type, ({ memory }) => showMemory(memory));
on('error', ({ error }) => showError(error));

const started = await attempt(async () => {
  const hello = await call('hello');
  await init({ module_or_path: hello.module });
  showClasses(hello.classes);
  showMemory(hello.memory);
  chooseFeatures();
  // A link's settings fill the form; a bad one is a message, and the page starts anyway.
  await attempt(settingsFromLink);
  showCounts(hello.counts);
  startChart();
  return true;
});
setStatus(started ? `Classifier ready: add ${classes[0]} and ${classes[1]} photos, then press Train.` : 'The classifier could not start.');
// The kept work comes back once the classifier is ready (its status replaces the line above).
if (started) await restoreKept();
