// Features in the page: train on raw pixels, then pick hog+color (its defaults fill the settings),
// train again, and compare the two runs in the table; the raw model's weights picture is drawn,
// the mistakes list matches its count, and a saved hog+color model predicts in a fresh page.
// Saves target/e2e/features.png to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, artifactPath } from './harness.mjs';
import { makePhotos } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const ready = (page) => page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
const text = (page, id) => page.getByTestId(id).textContent();
const value = (page, id) => page.getByTestId(id).inputValue();

/** Rows of the runs table as arrays of cell texts. */
const runRows = (page) => page.locator('[data-testid=runs] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));

/** How many pixels of the weights canvas are not white, and how many are blue-ish or orange-ish. */
const weightInk = (page) => page.getByTestId('weights').evaluate((canvas) => {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let ink = 0, blue = 0, orange = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0 || (data[i] === 255 && data[i + 1] === 255 && data[i + 2] === 255)) continue;
    ink++;
    if (data[i + 2] > data[i]) blue++; else orange++;
  }
  return { ink, blue, orange };
});

/** The mistakes' count text must say as many as the list shows. */
async function assertMistakesMatch(page) {
  const count = await text(page, 'mistakes-count');
  const items = await page.locator('[data-testid=mistakes] li').count();
  const match = count.match(/^(\d+) of (\d+) held-out photos classified wrong\.$/);
  assert.ok(match, `mistakes count text: ${count}`);
  assert.equal(Number(match[1]), items, `${count} but ${items} listed`);
  return { wrong: items, heldOut: Number(match[2]) };
}

test('raw then hog+color: defaults fill in, two runs side by side, weights and mistakes shown', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  // The page starts on the best kind for real photos; the tutorial's model is one click away.
  assert.equal(await value(page, 'features'), 'learned+hog+color');
  await page.getByTestId('tutorial').click();
  assert.equal(await value(page, 'features'), 'raw');
  assert.match(await text(page, 'features-help'), /^The tutorial's settings\. raw: the tutorial's input/);
  // The raw defaults come from the core: the tutorial's settings.
  assert.deepEqual([await value(page, 'learning-rate'), await value(page, 'iterations'), await value(page, 'l2')], ['0.005', '2000', '0']);
  assert.equal(await page.getByTestId('flip').isChecked(), false);

  await page.getByTestId('add-files').setInputFiles([
    ...(await makePhotos(page, { kind: 'cat', count: 12, type: 'jpeg' })),
    ...(await makePhotos(page, { kind: 'dog', count: 12, type: 'png' })),
  ]);
  await page.getByTestId('class-count-1').filter({ hasText: /^12$/ }).waitFor({ timeout: 30000 });

  await page.getByTestId('iterations').fill('200');
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: 'Trained 200 iterations' }).waitFor({ timeout: 60000 });
  // The tutorial's model on bytes goes through the fast kernel; the page says so.
  assert.match(await text(page, 'status'), /in \d+\.\d s \(integer SIMD kernel\)/);
  let rows = await runRows(page);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 4), ['raw', '0', 'no', '200']);
  assert.equal(rows[0][5], await text(page, 'test-accuracy'));
  const ink = await weightInk(page);
  assert.ok(ink.ink > 1000 && ink.blue > 0 && ink.orange > 0, `weights picture: ${JSON.stringify(ink)}`);
  assert.match(await text(page, 'weights-caption'), /blue pushes towards dog/);
  const raw = await assertMistakesMatch(page);
  assert.equal(raw.heldOut, 4, "20 % of 12 is 2 photos of each class");

  await page.getByTestId('features').selectOption('hog+color');
  assert.match(await text(page, 'features-help'), /^hog\+color: hog plus a colour histogram/);
  // The kind's λ comes from the core (the CLI's default for hog+color), not from the page.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=l2]').value) > 0);
  const l2 = await page.getByTestId('l2').inputValue();
  assert.deepEqual([await value(page, 'learning-rate'), await value(page, 'iterations')], ['0.01', '300']);
  await page.getByTestId('flip').check();
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: 'Trained 300 iterations' }).waitFor({ timeout: 60000 });
  rows = await runRows(page);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[1].slice(0, 4), ['hog+color', l2, 'yes', '300']);
  assert.match(await text(page, 'status'), /\(float64 reference\)/);
  assert.match(rows[1][4], /^\d+\.\d %$/);
  assert.match(rows[1][5], /^\d+\.\d %$/);
  assert.ok(parseFloat(rows[1][5]) >= 80, `hog+color on two clearly different synthetic classes: ${rows[1][5]}`);
  assert.match(rows[1][6], /^\d+\.\d$/);
  console.log(`runs table: ${JSON.stringify(rows)}`);
  assert.ok(await page.getByTestId('weights').isHidden());
  assert.match(await text(page, 'weights-caption'), /hog\+color model weighs gradient histograms/);
  await assertMistakesMatch(page);
  await page.screenshot({ path: await artifactPath('features.png'), fullPage: true });

  // The hog+color model file carries its features and scaling into a fresh page.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save model' }).click()]);
  const modelPath = await artifactPath('hog-color-model.json');
  await download.saveAs(modelPath);
  const [newDog] = await makePhotos(page, { kind: 'dog', count: 1, first: 700, type: 'png' });
  await page.getByTestId('predict-file').setInputFiles(newDog);
  await page.getByTestId('prediction').filter({ hasText: /^dog \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  const here = await text(page, 'prediction');
  const fresh = await openPage(browser, server.url);
  await ready(fresh);
  await fresh.getByLabel('Load model').setInputFiles(modelPath);
  await fresh.getByTestId('status').filter({ hasText: /^Loaded the model in .* \(hog\+color features\)/ }).waitFor();
  await fresh.getByTestId('predict-file').setInputFiles(newDog);
  await fresh.getByTestId('prediction').filter({ hasText: here }).waitFor({ timeout: 10000 });

  // A bad λ is a message; the photos and the trained model stay.
  await page.getByTestId('l2').fill('-3');
  await page.getByTestId('train').click();
  await page.getByTestId('error').filter({ hasText: 'L2 penalty must be a number at least 0' }).waitFor();
  assert.equal(await text(page, 'class-count-0'), '12');
  assert.equal((await runRows(page)).length, 2);
  await page.getByTestId('predict-file').setInputFiles(newDog);
  await page.getByTestId('prediction').filter({ hasText: here }).waitFor({ timeout: 10000 });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(fresh.errors, []);
});
