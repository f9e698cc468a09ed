// The held-out evaluation: the confusion matrix (class names as headers, counts in cells) adds up
// to the held-out photos the page reports, its off-diagonal cells are the mistakes listed, each
// class's accuracy is its diagonal share, and mistakes come most confidently wrong first.
// Saves target/e2e/evaluation.png to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, artifactPath, ready, text } from './harness.mjs';
import { makePhotos } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the confusion matrix adds up to the held-out photos and agrees with the mistakes', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  await page.getByTestId('tutorial').click();
  // Some photos carry the other class's name, so the model cannot get every held-out photo right.
  const cats = await makePhotos(page, { kind: 'cat', count: 30, type: 'png' });
  const dogs = await makePhotos(page, { kind: 'dog', count: 30, type: 'png' });
  const swapped = (photos, from, to) => photos.map((p, k) => (k % 4 === 1 ? { ...p, name: p.name.replace(from, to) } : p));
  await page.getByTestId('add-files').setInputFiles([...swapped(cats, 'cat', 'dog'), ...swapped(dogs, 'dog', 'cat')]);
  await page.getByTestId('class-count-0').filter({ hasText: /^30$/ }).waitFor({ timeout: 30000 });
  await page.getByTestId('class-count-1').filter({ hasText: /^30$/ }).waitFor({ timeout: 30000 });
  await page.locator('#test-share').fill('40');
  await page.getByTestId('iterations').fill('200');
  // The status says how many photos are held out when the run starts; a short run soon says
  // more, so every status line is recorded.
  await page.evaluate(() => {
    window.statuses = [];
    const status = document.querySelector('[data-testid=status]');
    new MutationObserver(() => window.statuses.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
  });
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: 'Trained 200 iterations' }).waitFor({ timeout: 60000 });
  const statuses = await page.evaluate(() => window.statuses);
  const starting = statuses.map((s) => s.match(/Training on \d+ photos, (\d+) held out/)).find(Boolean);
  assert.ok(starting, `no status said the held-out count: ${JSON.stringify(statuses.slice(0, 5))}`);
  const heldOut = Number(starting[1]);

  const table = page.getByTestId('confusion');
  const headers = await table.locator('thead th').allTextContents();
  assert.deepEqual(headers, ['true class', 'said cat', 'said dog', 'accuracy']);
  assert.deepEqual(await table.locator('tbody th').allTextContents(), ['cat', 'dog']);
  const cell = async (t, s) => Number(await text(page, `confusion-${t}-${s}`));
  const m = [[await cell(0, 0), await cell(0, 1)], [await cell(1, 0), await cell(1, 1)]];
  const cells = (await table.locator('td.count-cell').allTextContents()).map(Number);
  assert.equal(cells.length, 4);
  assert.equal(cells.reduce((a, b) => a + b, 0), heldOut, `cells ${JSON.stringify(m)}, ${heldOut} held out`);
  assert.match(await text(page, 'confusion-caption'), new RegExp(`^${heldOut} held-out photos`));
  const mistakes = await text(page, 'mistakes-count');
  assert.match(mistakes, new RegExp(`^${m[0][1] + m[1][0]} of ${heldOut} held-out photos classified wrong`));
  assert.ok(m[0][1] + m[1][0] > 0, `the swapped names make mistakes: ${JSON.stringify(m)}`);
  for (const label of [0, 1]) {
    const share = (100 * m[label][label]) / (m[label][0] + m[label][1]);
    assert.equal(await text(page, `class-accuracy-${label}`), `${share.toFixed(1)} %`);
  }
  const overall = (100 * (m[0][0] + m[1][1])) / heldOut;
  assert.equal(await text(page, 'test-accuracy'), `${overall.toFixed(1)} %`);

  // Most confidently wrong first: how sure it was never rises down the list.
  const said = await page.locator('#mistakes li').allTextContents();
  assert.equal(said.length, m[0][1] + m[1][0]);
  const sure = said.map((s) => Number(s.match(/\((\d+) %\)/)[1]));
  assert.ok(sure.every((p, k) => k === 0 || p <= sure[k - 1]), `mistakes' certainty in order: ${sure}`);

  // A rename relabels the matrix without another run.
  await page.getByTestId('class-name-0').fill('tabby');
  await page.getByTestId('class-name-0').press('Enter');
  await table.locator('thead th').nth(1).filter({ hasText: 'said tabby' }).waitFor({ timeout: 5000 });
  assert.deepEqual(await table.locator('tbody th').allTextContents(), ['tabby', 'dog']);

  await page.locator('section', { has: page.getByTestId('confusion') }).screenshot({ path: await artifactPath('evaluation.png') });
  assert.deepEqual(page.errors, []);
});
