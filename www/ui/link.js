// Talking to the training worker (worker.js): requests that each get one reply, the run's Stop
// (which jumps the worker's queue and gets no reply), and the events it pushes (added photos,
// progress, a finished run, an error during a run).
import { showError } from './messages.js';

const worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
/** Replies not yet received, by request id. */
const pending = new Map();
/** Listeners by event type. */
const listeners = new Map();
let nextReq = 1;

/** Sends a request; resolves with its value or rejects with the worker's message. */
export function call(type, payload = {}, transfer = []) {
  const reqId = nextReq++;
  worker.postMessage({ type, reqId, ...payload }, transfer);
  return new Promise((resolve, reject) => pending.set(reqId, { resolve, reject }));
}

/** Asks the run in progress to stop; it ends with a `trained` event. */
export function stopRun() {
  worker.postMessage({ type: 'stop' });
}

/** Calls `listener(data)` for every event of `type` the worker posts. */
export function on(type, listener) {
  if (!listeners.has(type)) listeners.set(type, []);
  listeners.get(type).push(listener);
}

worker.onmessage = ({ data }) => {
  if (data.reqId !== undefined) {
    const { resolve, reject } = pending.get(data.reqId);
    pending.delete(data.reqId);
    return data.ok ? resolve(data.value) : reject(new Error(data.error));
  }
  for (const listener of listeners.get(data.type) ?? []) listener(data);
};

worker.onerror = (event) => {
  const message = `The training worker failed: ${event.message ?? 'it could not start'}`;
  for (const { reject } of pending.values()) reject(new Error(message));
  pending.clear();
  showError(message);
};
