// Learned features in the page on real photos: all 1,000 shared catsdogs photos (train and test
// folders) through the file input, the page's default kind (learned patches + hog+color) with
// its defaults on the page's own 20 % held-out split. Prints the seconds the features took
// (learning the dictionary from the 800 training photos, then the features of all 1,000) and
// the accuracies; checks the picture of the learned patches and saves target/e2e/learned.png to
// look at. Skips with a message when the data is absent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDist, launch, openPage, artifactPath } from './harness.mjs';

const data = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'catsdogs');
const present = ['train', 'test'].every((part) => existsSync(join(data, part, 'cat')) && existsSync(join(data, part, 'dog')));
if (!present) console.log(`SKIPPED: ${data} is absent, so learned features are not tried on real photos`);

let server, browser;
before(async () => { if (present) { server = await serveDist(); browser = await launch(); } });
after(async () => { await browser?.close(); await server?.close(); });

const files = (part, cls) => readdirSync(join(data, part, cls)).filter((f) => !f.startsWith('.')).sort().map((f) => join(data, part, cls, f));

/** Pixels of the patches' canvas that are not white, and how many of them are frame-blue or frame-orange. */
const patchInk = (page) => page.getByTestId('centroids').evaluate((canvas) => {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let ink = 0, blue = 0, orange = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (r === 255 && g === 255 && b === 255) continue;
    ink++;
    if (b > 200 && r < 120) blue++;
    if (r > 200 && b < 80) orange++;
  }
  return { width: canvas.width, height: canvas.height, ink, blue, orange };
});

test('learned patches + hog+color on the 1,000 shared photos: features timed, patches shown', { skip: !present && 'no ../shared/data/catsdogs', timeout: 420000 }, async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('features').inputValue(), 'learned+hog+color');
  const all = ['train', 'test'].flatMap((part) => ['cat', 'dog'].flatMap((cls) => files(part, cls)));
  await page.getByTestId('add-files').setInputFiles(all);
  await page.getByTestId('status').filter({ hasText: /^Added \d+ photo/ }).waitFor({ timeout: 120000 });
  assert.equal(await page.getByTestId('class-count-0').textContent(), '500');

  await page.getByTestId('train').click();
  // The features come in slices with progress, then the run says how long they took.
  await page.getByTestId('status').filter({ hasText: /^(Learning the patches|Computing learned\+hog\+color features)/ }).waitFor({ timeout: 30000 });
  const done = page.getByTestId('status').filter({ hasText: /^Trained \d+ iterations in \d+\.\d s \(float64 reference\) · features in \d+\.\d s/ });
  await done.waitFor({ timeout: 300000 });
  const featureSeconds = Number((await done.textContent()).match(/features in (\d+\.\d) s/)[1]);
  const rows = await page.locator('[data-testid=runs] tbody tr').evaluateAll((r) => r.map((row) => [...row.cells].map((c) => c.textContent)));
  assert.deepEqual(rows[0].slice(0, 3), ['learned+hog+color', '1000', 'yes']);
  const testAccuracy = await page.getByTestId('test-accuracy').textContent();
  const trainAccuracy = await page.getByTestId('train-accuracy').textContent();
  console.log(`learned+hog+color in the page: features of the 1000 photos and the 800 training photos mirrored (dictionary included) in ${featureSeconds} s; train ${trainAccuracy}, held out ${testAccuracy}`);
  assert.ok(featureSeconds < 60, `features took ${featureSeconds} s`);
  assert.ok(parseFloat(testAccuracy) > 60, `held-out accuracy ${testAccuracy}`);

  // What the model learned: the patches, framed blue (towards dog) first and orange (cat) last.
  assert.ok(await page.getByTestId('centroids').isVisible());
  assert.ok(await page.getByTestId('weights').isHidden());
  const ink = await patchInk(page);
  assert.ok(ink.width * ink.height > 5000 && ink.ink > ink.width * ink.height / 2, `patches picture: ${JSON.stringify(ink)}`);
  assert.ok(ink.blue > 20 && ink.orange > 20, `frames of both colours: ${JSON.stringify(ink)}`);
  assert.match(await page.getByTestId('weights-caption').textContent(), /patches the model learned from your photos/);
  await page.locator('section').nth(2).screenshot({ path: await artifactPath('learned.png') });
  assert.equal(await page.getByTestId('error').textContent(), '');
  assert.deepEqual(page.errors, []);
});
