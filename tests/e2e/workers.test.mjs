// The page on several workers: the same photos trained with 1, 2 and 3 workers give the same
// model file, byte for byte, on the integer kernel (raw pixels) and on the float64 reference
// (hog+color with mirrored copies), and the status says how many workers a step used. 720
// photos, 576 trained on: three blocks of 256 photos, so three workers each hold a shard. The
// learned features computed on 1, 2 and 3 workers (a fresh page each, since a page keeps the
// features it computed) give the same model file too, and the status says how many workers
// computed them; a run stopped while its features are computed on 3 workers stops, and the next
// run on 3 workers trains the model 1 worker does. Also: a bad worker count is refused in plain
// words, and a run on several workers stops when asked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveDist, launch, openPage, ready } from './harness.mjs';
import { makePhotos } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const PER_CLASS = 360;

async function pageWithPhotos() {
  const page = await openPage(browser, server.url);
  await ready(page);
  const cats = await makePhotos(page, { kind: 'cat', count: PER_CLASS, type: 'png' });
  const dogs = await makePhotos(page, { kind: 'dog', count: PER_CLASS, type: 'jpeg' });
  await page.getByTestId('add-files').setInputFiles([...cats, ...dogs]);
  await page.getByTestId('status').filter({ hasText: /^Added \d+ photo/ }).waitFor({ timeout: 120000 });
  return page;
}

/** Trains `iterations` on `workers` workers and returns the saved model file and the status. */
async function trainOn(page, workers, iterations) {
  await page.getByTestId('workers').fill(String(workers));
  await page.getByTestId('iterations').fill(String(iterations));
  await page.getByTestId('train').click();
  const done = page.getByTestId('status').filter({ hasText: `Trained ${iterations} iterations` });
  await done.waitFor({ timeout: 120000 });
  const status = await done.textContent();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save model' }).click()]);
  return { model: await readFile(await download.path(), 'utf8'), status };
}

test('1, 2 and 3 workers train the same model file on the kernel and on float64', { timeout: 600000 }, async () => {
  const page = await pageWithPhotos();
  const runs = [
    { features: 'raw', iterations: 30, arithmetic: 'integer SIMD kernel' },
    { features: 'hog+color', iterations: 40, flip: true, arithmetic: 'float64 reference' },
  ];
  for (const { features, iterations, flip, arithmetic } of runs) {
    await page.getByTestId('features').selectOption(features);
    if (flip) await page.getByTestId('flip').check();
    const files = {};
    for (const workers of [1, 2, 3]) {
      const { model, status } = await trainOn(page, workers, iterations);
      assert.match(status, new RegExp(`ms a step on ${workers} worker`), status);
      assert.match(status, new RegExp(arithmetic), status);
      files[workers] = model;
      console.log(`${features} on ${workers} workers: ${status}`);
    }
    assert.ok(JSON.parse(files[1]).w.some((w) => w !== 0), `${features}: the model learned nothing`);
    assert.equal(files[2], files[1], `${features}: 2 workers trained another model`);
    assert.equal(files[3], files[1], `${features}: 3 workers trained another model`);
  }
  assert.deepEqual(page.errors, []);
});

test('the learned features computed on 1, 2 and 3 workers give the same model file', { timeout: 600000 }, async () => {
  const files = {};
  for (const workers of [1, 2, 3]) {
    const page = await pageWithPhotos();
    await page.getByTestId('features').selectOption('learned');
    const { model, status } = await trainOn(page, workers, 20);
    const on = workers === 1 ? '' : ` on ${workers} workers`;
    assert.match(status, new RegExp(`features in \\d+\\.\\d s${on} ·`), status);
    console.log(`learned features on ${workers} workers: ${status}`);
    files[workers] = model;
    assert.deepEqual(page.errors, []);
    await page.close();
  }
  assert.equal(JSON.parse(files[1]).features, 'learned');
  assert.equal(files[2], files[1], 'features on 2 workers trained another model');
  assert.equal(files[3], files[1], 'features on 3 workers trained another model');
});

test('a run stopped while 3 workers compute its features stops, and the next run on 3 workers trains the model 1 worker does', { timeout: 300000 }, async () => {
  const page = await pageWithPhotos();
  await page.getByTestId('features').selectOption('learned');
  await page.getByTestId('workers').fill('3');
  await page.getByTestId('iterations').fill('20');
  // Stop is pressed from the page the moment the first features are in: on 3 workers they all
  // take about half a second, too short for a polling wait to catch.
  await page.evaluate(() => {
    const status = document.querySelector('[data-testid=status]');
    new MutationObserver((_, observer) => {
      if (!/^Computing learned features: [1-9]/.test(status.textContent)) return;
      observer.disconnect();
      document.querySelector('[data-testid=stop]').click();
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: /^Stopped while computing features/ }).waitFor({ timeout: 20000 });
  // A stopped run ends once its helpers' jobs are answered, so the next run's jobs are its own.
  await page.getByTestId('features').selectOption('hog');
  const spread = await trainOn(page, 3, 20);
  assert.match(spread.status, /features in \d+\.\d s on 3 workers/, spread.status);
  assert.deepEqual(page.errors, []);
  const alone = await pageWithPhotos();
  await alone.getByTestId('features').selectOption('hog');
  const { model } = await trainOn(alone, 1, 20);
  assert.equal(spread.model, model, 'the run after a stopped one trained another model');
});

test('a bad worker count is refused, and a run on 3 workers stops when asked', { timeout: 300000 }, async () => {
  const page = await pageWithPhotos();
  await page.getByTestId('features').selectOption('raw');
  await page.getByTestId('workers').fill('0');
  await page.getByTestId('train').click();
  await page.getByTestId('error').filter({ hasText: 'Workers must be a whole number from 1 to 8' }).waitFor();
  await page.getByTestId('workers').fill('3');
  await page.getByTestId('iterations').fill('100000');
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: /^Iteration \d+ of 100000/ }).waitFor({ timeout: 60000 });
  await page.getByTestId('stop').click();
  const stopped = page.getByTestId('status').filter({ hasText: /^Stopped at iteration \d+ of 100000.*on 3 workers/ });
  await stopped.waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('train').isDisabled(), false);
});
