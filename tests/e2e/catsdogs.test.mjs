// The page on real photos: the 800 training photos of ../shared/data/catsdogs through the file
// input, 1000 iterations on raw pixels in the page, then hog+color with its defaults, both on the
// page's own 20 % held-out split. Prints the seconds to add, the seconds to train and the
// accuracies of both runs; skips with a message when the data is absent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDist, launch, openPage, artifactPath } from './harness.mjs';

const data = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'catsdogs', 'train');
const present = existsSync(join(data, 'cat')) && existsSync(join(data, 'dog'));
if (!present) console.log(`SKIPPED: ${data} is absent, so the page is not timed on catsdogs`);

let server, browser;
before(async () => { if (present) { server = await serveDist(); browser = await launch(); } });
after(async () => { await browser?.close(); await server?.close(); });

const files = (cls) => readdirSync(join(data, cls)).filter((f) => !f.startsWith('.')).sort().map((f) => join(data, cls, f));

test('trains raw pixels, then hog+color, on the 800 catsdogs training photos in the page', { skip: !present && 'no ../shared/data/catsdogs', timeout: 420000 }, async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
  // These runs are the tutorial's model: one click from the page's best-kind start.
  await page.getByTestId('tutorial').click();
  const cats = files('cat');
  const dogs = files('dog');

  const addStart = Date.now();
  await page.getByTestId('add-files').setInputFiles([...cats, ...dogs]);
  await page.getByTestId('status').filter({ hasText: /^Added \d+ photo/ }).waitFor({ timeout: 120000 });
  const addSeconds = (Date.now() - addStart) / 1000;
  assert.equal(await page.getByTestId('class-count-0').textContent(), String(cats.length));
  assert.equal(await page.getByTestId('class-count-1').textContent(), String(dogs.length));

  await page.getByTestId('learning-rate').fill('0.005');
  await page.getByTestId('iterations').fill('1000');
  const trainStart = Date.now();
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: 'Trained 1000 iterations' }).waitFor({ timeout: 240000 });
  const trainSeconds = (Date.now() - trainStart) / 1000;
  const status = await page.getByTestId('status').textContent();
  const trainAccuracy = await page.getByTestId('train-accuracy').textContent();
  const testAccuracy = await page.getByTestId('test-accuracy').textContent();
  console.log(`catsdogs in the page: ${cats.length} cat + ${dogs.length} dog photos added in ${addSeconds.toFixed(1)} s; ` +
    `1000 iterations in ${trainSeconds.toFixed(1)} s; train accuracy ${trainAccuracy}, test accuracy ${testAccuracy} ` +
    `(20 % held out, seed 1); ${status}`);
  assert.match(testAccuracy, /^\d+\.\d %$/);

  // hog+color with the settings its choice fills in (the CLI's defaults for the kind).
  await page.getByTestId('features').selectOption('hog+color');
  // The kind's λ comes from the core (the CLI's default for hog+color), not from the page.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=l2]').value) > 0);
  const l2 = await page.getByTestId('l2').inputValue();
  const hogIterations = await page.getByTestId('iterations').inputValue();
  const hogStart = Date.now();
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: `Trained ${hogIterations} iterations` }).waitFor({ timeout: 120000 });
  const hogSeconds = (Date.now() - hogStart) / 1000;
  const rows = await page.locator('[data-testid=runs] tbody tr').evaluateAll((trs) => trs.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[1].slice(0, 2), ['hog+color', l2]);
  const mistakes = await page.locator('[data-testid=mistakes] li').count();
  console.log(`catsdogs in the page, hog+color (λ ${rows[1][1]}, flips ${rows[1][2]}, ${hogIterations} iterations): ` +
    `${hogSeconds.toFixed(1)} s with feature extraction; train accuracy ${rows[1][4]}, test accuracy ${rows[1][5]} ` +
    `(raw: ${rows[0][5]}); ${mistakes} held-out photos wrong; ${await page.getByTestId('mistakes-count').textContent()}`);
  assert.match(rows[1][5], /^\d+\.\d %$/);
  await page.screenshot({ path: await artifactPath('catsdogs.png'), fullPage: true });
  assert.equal(await page.getByTestId('error').textContent(), '');
  assert.deepEqual(page.errors, []);
});
