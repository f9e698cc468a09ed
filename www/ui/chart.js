// The loss chart: the running run's cost curves, drawn by the core (plotters) on a DOM canvas
// through the page's own wasm instance, at most once per animation frame and again on resize.
//
// The core keeps every run's costs too, but plotters redraws the whole history on every frame,
// and asking the worker for all of it each frame would copy megabytes per frame on a long run;
// so the page keeps the one copy the chart draws from: the current run's costs, appended as
// progress brings them (each cost crosses once) and dropped when the next run starts.
import { $ } from './dom.js';
import { showError } from './messages.js';
import { drawLossChart } from '../pkg/catdog.js';

/** A cost history that grows without copying on every append. */
class Series {
  constructor() { this.values = new Float64Array(1024); this.length = 0; }
  append(more) {
    if (this.length + more.length > this.values.length) {
      const grown = new Float64Array(Math.max(this.values.length * 2, this.length + more.length));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    this.values.set(more, this.length);
    this.length += more.length;
  }
  all() { return this.values.subarray(0, this.length); }
  last() { return this.length ? this.values[this.length - 1] : undefined; }
}

let curves = { train: new Series(), test: new Series(), total: 0 };
/** False until the page's wasm instance is ready to draw. */
let ready = false;
let queued = false;

/** Starts drawing, once the page's wasm instance is initialised. */
export function startChart() {
  ready = true;
  window.addEventListener('resize', drawSoon);
  drawSoon();
}

/** Empties the chart for a run of `total` iterations. */
export function newRun(total) {
  curves = { train: new Series(), test: new Series(), total };
  drawSoon();
}

/** Appends a progress event's costs; returns the latest training and held-out costs. */
export function appendCosts(train, test) {
  curves.train.append(train);
  curves.test.append(test);
  drawSoon();
  return lastCosts();
}

/** The latest training and held-out costs (undefined before any, or when nothing is held out). */
export function lastCosts() {
  return { cost: curves.train.last(), testCost: curves.test.last() };
}

/** Redraws the chart at most once per animation frame, however often progress arrives. */
export function drawSoon() {
  if (queued || !ready) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    // Not `attempt`: a redraw must not clear a message the user has not read.
    try {
      fit();
      drawLossChart('loss-chart', curves.train.all(), curves.test.all(), curves.total);
    } catch (err) {
      showError(err.message);
    }
  });
}

/** Keeps the canvas's pixels at its displayed width, so text stays the size plotters asked for. */
function fit() {
  const canvas = $('loss-chart');
  const width = Math.round(canvas.clientWidth) || 640;
  const height = Math.round(Math.max(220, Math.min(360, width * 0.5)));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
}
