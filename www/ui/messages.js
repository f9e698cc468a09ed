// The page's read-outs above and beside its sections: the status line, the error line and the
// classifier's memory. Actions run through `attempt`, which shows their failure as the error.
import { $ } from './dom.js';

export function setStatus(text) {
  $('status').textContent = text;
}

export function showError(message) {
  $('error').textContent = message;
}

export function clearError() {
  $('error').textContent = '';
}

/** Runs an action after clearing the last error; resolves to its value, or to undefined after
 * showing its failure. */
export async function attempt(action) {
  try {
    clearError();
    return await action();
  } catch (err) {
    showError(err.message);
    return undefined;
  }
}

/** The worker's wasm memory: photos take 12 KB each, a run's copies and features more. */
export function showMemory(bytes) {
  if (bytes !== undefined) $('memory').textContent = `${Math.round(bytes / 2 ** 20)} MB`;
}
