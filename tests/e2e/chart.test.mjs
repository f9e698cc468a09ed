// The runs chart: every run stays on the chart in its own colour, named in the legend and in the
// list beside it; a run can be hidden and shown again, the axis switched to a log scale, and the
// chart cleared. Saves target/e2e/chart-runs.png and chart-log.png to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, artifactPath, ready, train } from './harness.mjs';
import { addPhotos, canvasInk } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** The core's first three run colours (src/viz/chart.rs PALETTE). */
const COLOURS = [[37, 99, 235], [234, 88, 12], [22, 163, 74]];
const CHART = '[data-testid=loss-chart]';
const ink = async (page) => Promise.all(COLOURS.map(async (c) => (await canvasInk(page, CHART, c)).near));
/** Waits two animation frames, so a queued redraw has happened. */
const drawn = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const chartPixels = (page) => page.locator(CHART).evaluate((c) => c.toDataURL());

test('every run keeps its own curve, runs can be hidden, the axis logged, the chart cleared', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  await page.getByTestId('tutorial').click();
  // The page's Content-Security-Policy allows no inline styles: drawing must add no element with
  // a style attribute (plotters' own text measure in wasm adds a styled <span>).
  await page.evaluate(() => {
    window.styledAdded = [];
    new MutationObserver((changes) => {
      for (const change of changes) for (const node of change.addedNodes) if (node.getAttribute?.('style')) window.styledAdded.push(node.outerHTML);
    }).observe(document.body, { childList: true, subtree: true });
  });
  await addPhotos(page, 10);

  await page.getByTestId('learning-rate').fill('0.005');
  await train(page, 300);
  await page.getByTestId('learning-rate').fill('0.0005');
  await train(page, 200);
  await drawn(page);
  const runs = page.getByTestId('chart-runs').locator('li');
  assert.deepEqual(await runs.allTextContents(), ['raw · rate 0.005 · 300 it', 'raw · rate 0.0005 · 200 it']);
  const swatches = await runs.locator('.swatch').evaluateAll((s) => s.map((e) => getComputedStyle(e).backgroundColor));
  assert.deepEqual(swatches, ['rgb(37, 99, 235)', 'rgb(234, 88, 12)']);
  const both = await ink(page);
  assert.ok(both[0] > 300 && both[1] > 300 && both[2] === 0, `run colours on the chart: ${both}`);
  await page.getByTestId('loss-chart').screenshot({ path: await artifactPath('chart-runs.png') });

  // Hiding the first run takes its colour off the chart; showing it brings it back.
  await runs.nth(0).getByRole('checkbox').uncheck();
  await drawn(page);
  const hidden = await ink(page);
  assert.ok(hidden[0] < 20 && hidden[1] > 300, `with the first run hidden: ${hidden}`);
  await runs.nth(0).getByRole('checkbox').check();
  await drawn(page);
  assert.ok((await ink(page))[0] > 300);

  // The log scale redraws the same runs on another axis.
  const linear = await chartPixels(page);
  await page.getByTestId('log-scale').check();
  await drawn(page);
  const logged = await ink(page);
  assert.notEqual(await chartPixels(page), linear);
  assert.ok(logged[0] > 300 && logged[1] > 300, `on the log scale: ${logged}`);
  await page.getByTestId('loss-chart').screenshot({ path: await artifactPath('chart-log.png') });
  await page.getByTestId('log-scale').uncheck();

  // Clearing removes every run; the next run starts in the first colour again.
  await page.getByTestId('clear-chart').click();
  await drawn(page);
  assert.equal(await runs.count(), 0);
  assert.deepEqual(await ink(page), [0, 0, 0]);
  await train(page, 100);
  await drawn(page);
  assert.deepEqual(await runs.allTextContents(), ['raw · rate 0.0005 · 100 it']);
  const again = await ink(page);
  assert.ok(again[0] > 300 && again[1] === 0, `after clearing: ${again}`);
  assert.deepEqual(await page.evaluate(() => window.styledAdded), []);
  assert.deepEqual(page.errors, []);
});

test("the learning-rate comparison draws the course's three labelled curves", async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  await addPhotos(page, 10);
  // A run of the page's default kind first: the comparison hides it, and trains raw pixels itself.
  await train(page, 20);
  const started = Date.now();
  await page.getByTestId('compare-learning-rates').click();
  await page.waitForFunction(() => {
    const items = document.querySelectorAll('[data-testid=chart-runs] li');
    return items.length === 4 && !document.querySelector('[data-testid=chart-runs] li.running')
      && !document.querySelector('[data-testid=compare-learning-rates]').disabled;
  }, null, { timeout: 120000 });
  console.log(`learning-rate comparison on 16 training photos: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await drawn(page);
  const runs = page.getByTestId('chart-runs').locator('li');
  const names = await runs.allTextContents();
  assert.match(names[0], /^learned\+hog\+color · /);
  assert.deepEqual(names.slice(1), ['raw · rate 0.01 · 1500 it', 'raw · rate 0.001 · 1500 it', 'raw · rate 0.0001 · 1500 it']);
  assert.deepEqual(await runs.getByRole('checkbox').evaluateAll((boxes) => boxes.map((b) => b.checked)), [false, true, true, true]);
  // Three curves in the second, third and fourth colours; the hidden first run's colour is gone.
  const colours = [[37, 99, 235], ...COLOURS.slice(1), [147, 51, 234]];
  const near = await Promise.all(colours.map(async (c) => (await canvasInk(page, CHART, c)).near));
  assert.ok(near[0] < 20 && near.slice(1).every((n) => n > 300), `run colours: ${near}`);
  const rows = await page.getByTestId('runs').locator('tbody tr').count();
  assert.equal(rows, 4);
  await page.getByTestId('loss-chart').screenshot({ path: await artifactPath('compare.png') });
  assert.deepEqual(page.errors, []);
});

test('Stop ends the learning-rate comparison', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  await addPhotos(page, 10);
  await page.getByTestId('compare-learning-rates').click();
  await page.getByTestId('status').filter({ hasText: /Iteration [1-9]\d* of 1500/ }).waitFor({ timeout: 30000 });
  await page.getByTestId('stop').click();
  await page.getByTestId('status').filter({ hasText: 'Stopped at iteration' }).waitFor({ timeout: 10000 });
  // Stop may land in the first run or a later one (a run takes about half a second here); no
  // run may start after it.
  const runs = page.getByTestId('chart-runs').locator('li');
  const stoppedAt = await runs.count();
  await page.waitForTimeout(1500);
  assert.equal(await runs.count(), stoppedAt, 'no run after the stopped one');
  assert.match(await page.getByTestId('status').textContent(), /^Stopped at iteration/);
  assert.ok(await page.getByTestId('compare-learning-rates').isEnabled());
  assert.deepEqual(page.errors, []);
});
