// One file for the whole project: "Export project" downloads the core's project file (photos as
// their prepared bytes, names, labels, class names, the form's settings and the model; the
// format is the core's, data/project.rs), "Import project" hands a file to the worker, which
// reads it in the core and, only if all of it is good, makes it the kept work; the page then
// reloads, so what it shows is restored by the same path as any kept work. A bad file is a
// message and changes nothing.
import { $ } from './dom.js';
import { call } from './link.js';
import { attempt, setStatus } from './messages.js';
import { readSettings } from './settings.js';

export function wireProject() {
  $('export-project').addEventListener('click', () => attempt(exportProject));
  $('import-project').addEventListener('change', (event) => attempt(() => importProject(event.target)));
}

async function exportProject() {
  const settings = readSettings();
  setStatus('Writing the project file…');
  const bytes = await call('exportProject', { settings });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  link.download = 'catdog-project.catdog';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  setStatus(`Exported the project (${(bytes.length / 2 ** 20).toFixed(1)} MB).`);
}

async function importProject(input) {
  const [file] = input.files;
  input.value = '';
  if (!file) return;
  setStatus(`Reading the project ${file.name}…`);
  try {
    await call('importProject', { file });
  } catch (err) {
    setStatus('The project was not imported; nothing changed.');
    throw new Error(`Cannot import ${file.name}: ${err.message}`);
  }
  // Without the fragment, so the project's own settings are the ones restored.
  location.replace(location.pathname + location.search);
}
