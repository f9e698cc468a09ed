// The user's own class names: renamed in place, they label the drop zones, the counts, the label
// menus, the results, predictions and the saved model file; file names are read by the new names;
// empty, equal, over-long and many-word names are refused with a message and the old names stay;
// a model file for other names is refused until the classes are renamed to its names.
// Saves target/e2e/names.png to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveDist, launch, openPage, artifactPath, ready, text, train, value } from './harness.mjs';
import { makePhotos } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Types a name into class box `label` and presses Enter, as a user renames in place. */
async function rename(page, label, name) {
  await page.getByTestId(`class-name-${label}`).fill(name);
  await page.getByTestId(`class-name-${label}`).press('Enter');
}

async function waitForCounts(page, a, b) {
  await page.waitForFunction(([a, b]) => {
    const get = (id) => document.querySelector(`[data-testid=${id}]`).textContent;
    return get('class-count-0') === String(a) && get('class-count-1') === String(b);
  }, [a, b], { timeout: 30000 });
}

/** The class names shown in the page outside the name boxes, by label. */
const shownNames = (page) => page.evaluate(() => {
  const names = [new Set(), new Set()];
  for (const element of document.querySelectorAll('[data-class]')) names[Number(element.dataset.class)].add(element.textContent);
  return names.map((set) => [...set]);
});

async function savedModel(page, file) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save model' }).click()]);
  const path = await artifactPath(file);
  await download.saveAs(path);
  return { path, json: JSON.parse(await readFile(path, 'utf8')) };
}

test('renamed classes label everything, read file names and go into the model file', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  assert.deepEqual([await value(page, 'class-name-0'), await value(page, 'class-name-1')], ['cat', 'dog']);
  await page.getByTestId('tutorial').click();

  await rename(page, 0, 'Kitten');
  await page.waitForFunction(() => document.querySelector('[data-testid=class-count-0]').previousElementSibling.textContent === 'kitten');
  await rename(page, 1, 'puppy');
  await page.waitForFunction(() => document.querySelector('[data-testid=class-count-1]').previousElementSibling.textContent === 'puppy');
  // The core keeps names in lower case, and the box shows what it kept.
  assert.equal(await value(page, 'class-name-0'), 'kitten');
  assert.deepEqual(await shownNames(page), [['kitten'], ['puppy']]);
  assert.match(await page.locator('.class-drop[data-label="0"]').textContent(), /kitten photos, whatever their names/);
  assert.match(await page.locator('#drop-zone').textContent(), /kitten\.1\.jpg, puppy\/IMG_7\.png/);

  // Labels from file names follow the new names: kitten.N and puppy/N are labelled, cat.N is not.
  const renamed = (photos, name) => photos.map((p, k) => ({ ...p, name: `${name}.${k}.png` }));
  const kittens = renamed(await makePhotos(page, { kind: 'cat', count: 12, type: 'png' }), 'kitten');
  const puppies = renamed(await makePhotos(page, { kind: 'dog', count: 12, type: 'png' }), 'puppy');
  const [stray] = await makePhotos(page, { kind: 'cat', count: 1, first: 300, type: 'png' });
  await page.getByTestId('add-files').setInputFiles([...kittens, ...puppies, stray]);
  await waitForCounts(page, 12, 12);
  await page.waitForFunction(() => document.querySelectorAll('#skipped li').length === 1);
  assert.match(await page.locator('#skipped').textContent(), /cat\.300\.png: its name says neither 'kitten' nor 'puppy'/);

  // Bad names are refused with a message, and the old names stay in the boxes and everywhere.
  const refusals = [
    [1, 'KITTEN', /both classes cannot be called 'kitten'; the classes are still 'kitten' and 'puppy'/],
    [0, '   ', /a class needs a name; the classes are still 'kitten' and 'puppy'/],
    [1, 'x'.repeat(41), /at most 40 characters; this one has 41/],
    [1, 'good dog', /'good dog' is not one word of letters/],
  ];
  for (const [label, name, message] of refusals) {
    await rename(page, label, name);
    await page.getByTestId('error').filter({ hasText: message }).waitFor({ timeout: 5000 });
    assert.deepEqual([await value(page, 'class-name-0'), await value(page, 'class-name-1')], ['kitten', 'puppy']);
    assert.deepEqual(await shownNames(page), [['kitten'], ['puppy']]);
  }

  await train(page, 300);
  const [newPuppy] = await makePhotos(page, { kind: 'dog', count: 1, first: 500, type: 'png' });
  await page.getByTestId('predict-file').setInputFiles(newPuppy);
  await page.getByTestId('prediction').filter({ hasText: /^puppy \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  assert.deepEqual((await savedModel(page, 'names-kitten.json')).json.classes, ['kitten', 'puppy']);
  const menu = page.locator('#thumbs select').first();
  assert.deepEqual(await menu.locator('option').allTextContents(), ['kitten', 'puppy']);

  // A rename after training: the model keeps its labels under the new names, everywhere.
  await rename(page, 0, 'lion');
  await rename(page, 1, 'wolf');
  await page.getByTestId('prediction').filter({ hasText: /^wolf \(\d+\.\d %\)$/ }).waitFor({ timeout: 5000 });
  assert.deepEqual(await menu.locator('option').allTextContents(), ['lion', 'wolf']);
  assert.deepEqual(await shownNames(page), [['lion'], ['wolf']]);
  assert.match(await text(page, 'weights-caption'), /blue pushes towards wolf, orange towards lion/);
  assert.match(await text(page, 'confusion'), /said lion.*said wolf/);
  const { path, json } = await savedModel(page, 'names-lion.json');
  assert.deepEqual(json.classes, ['lion', 'wolf']);
  // The same file predicts the same under its names in a fresh page, once its classes are renamed.
  const fresh = await openPage(browser, server.url);
  await ready(fresh);
  await fresh.getByLabel('Load model').setInputFiles(path);
  await fresh.getByTestId('error').filter({ hasText: /it classifies 'lion' and 'wolf', this page 'cat' and 'dog'; to use it, rename the classes to 'lion' and 'wolf' first/ }).waitFor();
  await rename(fresh, 0, 'lion');
  await rename(fresh, 1, 'wolf');
  await fresh.waitForFunction(() => document.querySelector('[data-testid=class-count-1]').previousElementSibling.textContent === 'wolf');
  await fresh.getByLabel('Load model').setInputFiles(path);
  await fresh.getByTestId('status').filter({ hasText: 'Loaded the model' }).waitFor();
  await fresh.getByTestId('predict-file').setInputFiles(newPuppy);
  await fresh.getByTestId('prediction').filter({ hasText: /^wolf \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  assert.equal(await text(fresh, 'prediction'), await text(page, 'prediction'));
  assert.deepEqual(fresh.errors, []);

  await page.screenshot({ path: await artifactPath('names.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.foreignRequests, []);
});
