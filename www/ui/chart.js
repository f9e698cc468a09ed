// The runs chart: every run's cost curves, each run in its own colour, drawn by the core
// (plotters) on a DOM canvas through the page's own wasm instance, at most once per animation
// frame and again on resize; beside it the list of runs (colour, name, a box to show or hide
// it), "Log scale" and "Clear the chart".
//
// The costs are kept by the core's RunsChart in this instance: each cost crosses from the worker
// once, in a progress message, and goes straight into it, so the page keeps no copy.
import { $ } from './dom.js';
import { attempt, showError } from './messages.js';
import { RunsChart } from '../pkg/catdog.js';

/** The core's chart; made once the page's wasm instance is ready. */
let chart = null;
let queued = false;

/** Starts drawing, once the page's wasm instance is initialised. */
export function startChart() {
  chart = new RunsChart();
  window.addEventListener('resize', drawSoon);
  $('log-scale').addEventListener('change', (event) => {
    chart.setLogScale(event.target.checked);
    drawSoon();
  });
  $('clear-chart').addEventListener('click', () => {
    chart.clear();
    for (const item of [...$('chart-runs').children]) if (!item.classList.contains('running')) item.remove();
    drawSoon();
  });
  drawSoon();
}

/** Adds a run of `total` iterations named `label`, in its own colour, to the chart and its list. */
export function newRun(label, total) {
  endRun();
  const id = chart.startRun(label, total);
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = true;
  box.addEventListener('change', () => attempt(() => {
    chart.setShown(id, box.checked);
    drawSoon();
  }));
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = chart.colour(id);
  const item = document.createElement('li');
  item.className = 'running';
  item.dataset.run = id;
  const name = document.createElement('label');
  name.append(box, swatch, label);
  item.append(name);
  $('chart-runs').append(item);
  drawSoon();
}

/** Hides every run that has ended (their boxes unticked), to draw what comes next on its own. */
export function hideEndedRuns() {
  for (const item of $('chart-runs').children) {
    if (item.classList.contains('running')) continue;
    chart.setShown(Number(item.dataset.run), false);
    item.querySelector('input').checked = false;
  }
  drawSoon();
}

/** The latest run has finished or stopped: the x axis now spans what it ran. */
export function endRun() {
  chart.endRun();
  for (const item of $('chart-runs').querySelectorAll('.running')) item.classList.remove('running');
  drawSoon();
}

/** Appends a progress event's costs; returns the latest training and held-out costs. */
export function appendCosts(train, test) {
  chart.append(train, test);
  drawSoon();
  return lastCosts();
}

/** The latest run's last training and held-out costs (undefined before any, or when nothing is held out). */
export function lastCosts() {
  return { cost: chart.lastCost(), testCost: chart.lastTestCost() };
}

/** Redraws the chart at most once per animation frame, however often progress arrives. */
export function drawSoon() {
  if (queued || !chart) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    // Not `attempt`: a redraw must not clear a message the user has not read.
    try {
      fit();
      chart.draw('loss-chart');
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
