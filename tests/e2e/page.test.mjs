// What a visitor does: add labelled photos (picker and drop), train while the page stays
// responsive, stop, train to the end, read the chart and accuracies, classify a dropped photo and
// a fake-webcam frame. Saves target/e2e/trained.png to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, artifactPath } from './harness.mjs';
import { makePhotos, dropPhotos, canvasInk } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const TRAIN_BLUE = [37, 99, 235];
const TEST_ORANGE = [234, 88, 12];
const ready = (page) => page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
const text = (page, id) => page.getByTestId(id).textContent();
const statusCost = async (page) => {
  const status = await text(page, 'status');
  const match = status.match(/Iteration (\d+) of (\d+) · cost (\d+\.\d+)/);
  return match && { iteration: Number(match[1]), total: Number(match[2]), cost: Number(match[3]) };
};

async function waitForCounts(page, cats, dogs) {
  await page.waitForFunction(([c, d]) => {
    const get = (id) => document.querySelector(`[data-testid=${id}]`).textContent;
    return get('class-count-0') === String(c) && get('class-count-1') === String(d);
  }, [cats, dogs], { timeout: 30000 });
}

/** A real mouse click on the status line (sticky, so always in view): how long the input waited for the page's main thread
 * (handler time minus the event's creation time), and the whole round trip from node. */
async function clickDelay(page) {
  await page.evaluate(() => {
    window.clickWait = undefined;
    document.querySelector('[data-testid=status]').addEventListener('click', (e) => { window.clickWait = performance.now() - e.timeStamp; }, { once: true });
  });
  const box = await page.getByTestId('status').boundingBox();
  const started = Date.now();
  await page.mouse.click(box.x + 5, box.y + 5);
  const roundTrip = Date.now() - started;
  return { wait: await page.evaluate(() => window.clickWait), roundTrip };
}

test('add, train, stop, train again, classify a photo and a webcam frame', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  // These runs are the tutorial's model: one click from the page's best-kind start.
  await page.getByTestId('tutorial').click();

  const cats = await makePhotos(page, { kind: 'cat', count: 14, type: 'jpeg' });
  const dogs = await makePhotos(page, { kind: 'dog', count: 14, type: 'png' });
  const junk = [
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') },
    { name: 'holiday.png', mimeType: 'image/png', buffer: dogs[0].buffer },
    { name: 'cat.99.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('broken') },
  ];
  await page.getByTestId('add-files').setInputFiles([...cats.slice(0, 9), ...dogs.slice(0, 9), ...junk]);
  await waitForCounts(page, 9, 9);
  await dropPhotos(page, '[data-testid=drop-zone]', [...cats.slice(9), ...dogs.slice(9)]);
  await waitForCounts(page, 14, 14);
  // Thumbnails follow the counts: their pictures are fetched from the worker.
  await page.waitForFunction(() => document.querySelectorAll('#thumbs li').length === 28);
  await page.waitForFunction(() => document.querySelectorAll('#skipped li').length === 3);
  const skipped = await page.locator('#skipped').textContent();
  assert.match(skipped, /notes\.txt/);
  assert.match(skipped, /holiday\.png: its name says neither 'cat' nor 'dog'/);
  assert.match(skipped, /cat\.99\.jpg/);

  // A long run: the cost falls, the page answers clicks, Stop ends it early.
  await page.getByTestId('learning-rate').fill('0.005');
  await page.getByTestId('iterations').fill('1000000');
  await page.getByTestId('train').click();
  await page.waitForFunction(() => /Iteration [1-9]\d* of/.test(document.querySelector('[data-testid=status]').textContent));
  const early = await statusCost(page);
  await page.waitForFunction((n) => {
    const m = document.querySelector('[data-testid=status]').textContent.match(/Iteration (\d+) of/);
    return m && Number(m[1]) > n;
  }, early.iteration + 200, { timeout: 30000 });
  const later = await statusCost(page);
  assert.ok(later.cost < early.cost, `cost ${early.cost} at ${early.iteration} → ${later.cost} at ${later.iteration}`);
  const delays = [];
  for (let i = 0; i < 3; i++) delays.push(await clickDelay(page));
  const shown = JSON.stringify(delays.map((d) => ({ wait: Math.round(d.wait), roundTrip: d.roundTrip })));
  console.log(`clicks while training (ms): ${shown}`);
  assert.ok(delays.every((d) => d.wait >= 0 && d.wait < 200 && d.roundTrip < 1000), `clicks while training (ms): ${shown}`);
  assert.ok((await statusCost(page)).iteration < 1000000, 'training was still running during the clicks');
  await page.getByTestId('stop').click();
  await page.getByTestId('status').filter({ hasText: 'Stopped at iteration' }).waitFor({ timeout: 10000 });
  assert.ok(await page.getByTestId('train').isEnabled());

  // A run to the end: the bar fills, the chart shows the curves, accuracies appear.
  await page.getByTestId('learning-rate').fill('0.001');
  await page.getByTestId('iterations').fill('400');
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: 'Trained 400 iterations' }).waitFor({ timeout: 60000 });
  const progress = page.getByTestId('progress');
  assert.equal(await progress.evaluate((p) => [p.value, p.max].join('/')), '400/400');
  await page.getByTestId('loss-chart').screenshot({ path: await artifactPath('chart.png') });
  // The curves may overlap (held-out drawn over training), so count both colours together.
  const blue = await canvasInk(page, '[data-testid=loss-chart]', TRAIN_BLUE);
  const orange = await canvasInk(page, '[data-testid=loss-chart]', TEST_ORANGE);
  assert.ok(blue.ink > 2000 && blue.near > 10 && orange.near > 10 && blue.near + orange.near > 400, `chart pixels: ${JSON.stringify({ blue, orange })}`);
  const trainAccuracy = await text(page, 'train-accuracy');
  const testAccuracy = await text(page, 'test-accuracy');
  assert.match(trainAccuracy, /^\d+\.\d %$/);
  assert.match(testAccuracy, /^\d+\.\d %$/);
  assert.ok(parseFloat(testAccuracy) >= 80, `two clearly different synthetic classes: test accuracy ${testAccuracy}`);

  // Classifying: a picked photo, a dropped photo, a webcam frame.
  const [newDog] = await makePhotos(page, { kind: 'dog', count: 1, first: 500, type: 'png' });
  const [newCat] = await makePhotos(page, { kind: 'cat', count: 1, first: 500, type: 'jpeg' });
  await page.getByTestId('predict-file').setInputFiles(newDog);
  await page.getByTestId('prediction').filter({ hasText: /^dog \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  assert.ok(await page.locator('#predict-image').isVisible());
  await dropPhotos(page, '#predict-zone', [newCat]);
  await page.getByTestId('prediction').filter({ hasText: /^cat \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  await page.getByTestId('prediction').evaluate((p) => { p.textContent = 'waiting for the webcam'; });
  await page.getByTestId('webcam-start').click();
  await page.getByTestId('webcam-classify').click({ timeout: 10000 });
  await page.getByTestId('prediction').filter({ hasText: /^(cat|dog) \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });

  await page.getByTestId('prediction').evaluate((p) => { p.textContent = 'waiting for live'; });
  await page.getByLabel('Live').check();
  await page.getByTestId('prediction').filter({ hasText: /^(cat|dog) \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  await page.getByLabel('Live').uncheck();

  // The model file goes out as a download and comes back into a fresh page.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save model' }).click()]);
  const modelPath = await artifactPath('catdog-model.json');
  await download.saveAs(modelPath);
  const fresh = await openPage(browser, server.url);
  await ready(fresh);
  await fresh.getByLabel('Load model').setInputFiles(modelPath);
  await fresh.getByTestId('status').filter({ hasText: 'Loaded the model' }).waitFor();
  await fresh.getByTestId('predict-file').setInputFiles(newDog);
  await fresh.getByTestId('prediction').filter({ hasText: /^dog \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  assert.deepEqual(fresh.errors, []);

  await page.screenshot({ path: await artifactPath('trained.png'), fullPage: true });
  await page.setViewportSize({ width: 720, height: 900 });
  await page.evaluate(() => new Promise((resolve) => { window.scrollTo(0, 0); requestAnimationFrame(() => requestAnimationFrame(resolve)); }));
  const top = await page.locator('section').nth(1).boundingBox();
  const bottom = await page.locator('section').nth(2).boundingBox();
  const clip = { x: 0, y: top.y - 8, width: 720, height: bottom.y + bottom.height - top.y + 16 };
  await page.screenshot({ path: await artifactPath('readme.png'), fullPage: true, clip });
  assert.equal(await text(page, 'error'), '');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.foreignRequests, []);
});

test('bad settings and early actions are messages in the page; remove, relabel, drop on a class', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  // These runs are the tutorial's model: one click from the page's best-kind start.
  await page.getByTestId('tutorial').click();
  await page.getByTestId('predict-file').setInputFiles((await makePhotos(page, { kind: 'cat', count: 1, type: 'png' })));
  await page.getByTestId('error').filter({ hasText: 'train a model first' }).waitFor();
  await page.getByTestId('add-files').setInputFiles([
    ...(await makePhotos(page, { kind: 'cat', count: 3, type: 'png' })),
    ...(await makePhotos(page, { kind: 'dog', count: 3, type: 'jpeg' })),
  ]);
  await waitForCounts(page, 3, 3);
  await page.getByTestId('learning-rate').fill('-1');
  await page.getByTestId('train').click();
  await page.getByTestId('error').filter({ hasText: 'learning rate must be a positive number' }).waitFor();
  await page.locator('#thumbs li').first().getByRole('button').click();
  await waitForCounts(page, 2, 3);
  await page.locator('#thumbs li').first().locator('select').selectOption('dog');
  await waitForCounts(page, 1, 4);
  // A photo whose name says nothing takes the class of the target it is dropped on.
  const [unnamed] = await makePhotos(page, { kind: 'cat', count: 1, first: 40, type: 'jpeg' });
  await dropPhotos(page, '.class-drop[data-label="0"]', [{ ...unnamed, name: 'IMG_0001.jpg' }]);
  await waitForCounts(page, 2, 4);
  // Counts update at once, thumbnails once their pictures come from the worker: wait for the sixth.
  await page.waitForFunction(() => document.querySelectorAll('#thumbs li').length === 6);
  assert.equal(await page.locator('#thumbs li').last().locator('select').inputValue(), '0');
  assert.deepEqual(page.errors, []);
});

test('at phone width nothing overflows and every control has a name', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await ready(page);
  // These runs are the tutorial's model: one click from the page's best-kind start.
  await page.getByTestId('tutorial').click();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, select, button, progress')]
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
    .map((el) => el.outerHTML));
  assert.deepEqual(unnamed, []);
  await page.screenshot({ path: await artifactPath('phone.png'), fullPage: true });
  await context.close();
});

test('a denied camera is a clear message; training from the keyboard and photos still work', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(server.url);
  await ready(page);
  // These runs are the tutorial's model: one click from the page's best-kind start.
  await page.getByTestId('tutorial').click();
  await page.getByTestId('webcam-start').click();
  await page.getByTestId('error').filter({ hasText: 'permission to use the camera was denied' }).waitFor();
  assert.ok(await page.getByTestId('webcam-classify').isDisabled());
  await page.getByTestId('add-files').setInputFiles([
    ...(await makePhotos(page, { kind: 'cat', count: 2, type: 'png' })),
    ...(await makePhotos(page, { kind: 'dog', count: 2, type: 'png' })),
  ]);
  await waitForCounts(page, 2, 2);
  // From the keyboard: Enter in a setting submits the training form.
  await page.getByTestId('iterations').fill('50');
  await page.getByTestId('iterations').press('Enter');
  await page.getByTestId('status').filter({ hasText: 'Trained 50 iterations' }).waitFor({ timeout: 30000 });
  await page.getByTestId('predict-file').setInputFiles(await makePhotos(page, { kind: 'dog', count: 1, first: 9, type: 'png' }));
  await page.getByTestId('prediction').filter({ hasText: /^dog \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  assert.deepEqual(errors, []);
  await context.close();
});
