// Files from the page's pickers and drop targets, as { file, name, label? }: a name keeps its
// folder path (labels can come from folders), relative to what was picked or dropped.
import { attempt } from './messages.js';

/** The files picked in an input, labelled `label` (or by their names when undefined); clears it. */
export function picked(input, label) {
  const items = [...input.files].map((file) => ({ file, name: file.webkitRelativePath || file.name, label }));
  input.value = '';
  return items;
}

/** Makes an element a drop target calling `onFiles` with what was dropped. */
export function dropTarget(element, onFiles) {
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

/** A photo dropped beside a target should not make the browser navigate away to it. */
export function ignoreStrayDrops() {
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
}

/** Dropped files and folders, walked with webkitGetAsEntry. */
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
