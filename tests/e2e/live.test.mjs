// Both classes' probabilities as bars, each with its class name and percentage: for a photo, and
// for the live (fake) webcam, where the core averages frames so the bars move steadily.
// Saves target/e2e/live.png to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, artifactPath, ready, text, train } from './harness.mjs';
import { addPhotos, makePhotos } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Both bars as [name, percentage, fill width as a share of its track]. */
const bars = (page) => page.evaluate(() => [0, 1].map((label) => {
  const bar = document.querySelector(`[data-testid="probability-${label}"]`);
  const track = bar.querySelector('.bar-track').getBoundingClientRect().width;
  const fill = bar.querySelector('.bar-fill').getBoundingClientRect().width;
  return [bar.querySelector('.bar-name').textContent, bar.querySelector('output').textContent, fill / track];
}));

function assertBars(shown, names) {
  const percents = shown.map(([, value]) => Number(value.match(/^(\d+\.\d) %$/)?.[1]));
  assert.deepEqual(shown.map(([name]) => name), names);
  assert.ok(percents.every(Number.isFinite), JSON.stringify(shown));
  assert.ok(Math.abs(percents[0] + percents[1] - 100) < 0.11, JSON.stringify(shown));
  // The fills may still be easing to their new length (0.15 s), so only near it.
  shown.forEach(([, , share], k) => assert.ok(Math.abs(share - percents[k] / 100) < 0.35, JSON.stringify(shown)));
}

test('a photo and the live webcam show both classes as bars', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  await page.getByTestId('tutorial').click();
  await addPhotos(page, 10);
  await train(page, 300);

  const [dog] = await makePhotos(page, { kind: 'dog', count: 1, first: 400, type: 'png' });
  await page.getByTestId('predict-file').setInputFiles(dog);
  await page.getByTestId('prediction').filter({ hasText: /^dog \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  await page.waitForTimeout(300);
  const forPhoto = await bars(page);
  assertBars(forPhoto, ['cat', 'dog']);
  const said = Number((await text(page, 'prediction')).match(/\((\d+\.\d) %\)/)[1]);
  assert.equal(forPhoto[1][1], `${said.toFixed(1)} %`, 'the bar of the class said shows how sure it is');

  await page.getByTestId('webcam-start').click();
  await page.getByLabel('Live').check({ timeout: 10000 });
  await page.locator('#prediction-source').filter({ hasText: 'the live webcam' }).waitFor({ timeout: 10000 });
  const seen = [];
  for (let k = 0; k < 8; k++) {
    await page.waitForTimeout(200);
    const shown = await bars(page);
    assertBars(shown, ['cat', 'dog']);
    seen.push(shown[1][1]);
  }
  console.log(`live bars, dog's percentage every 200 ms: ${seen.join(', ')}`);
  // Renaming while live relabels the bars at once.
  await page.getByTestId('class-name-1').fill('hound');
  await page.getByTestId('class-name-1').press('Enter');
  await page.locator('[data-testid="probability-1"] .bar-name').filter({ hasText: 'hound' }).waitFor({ timeout: 5000 });
  assertBars(await bars(page), ['cat', 'hound']);
  await page.locator('section', { has: page.getByTestId('probability-0') }).screenshot({ path: await artifactPath('live.png') });
  await page.getByLabel('Live').uncheck();
  assert.deepEqual(page.errors, []);
});
