// The work kept across reloads and restarts, cleared, and carried in one project file: frames
// recorded into each class from two fake webcams in two launches of one browser profile, a model
// trained on them classifying the live camera, everything found again after a reload, nothing
// after "Clear everything", the same predictions after exporting, clearing and importing; a
// second tab that cannot spoil the first one's work; and 10,000 kept photos restored in time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { serveDist, artifactPath } from './harness.mjs';
import { holdMouse, launchWithCamera, openIn, profileFolder, writeVideo } from './camera.mjs';
import { png, stripedPhoto } from './pngs.mjs';

let server, profile;
before(async () => {
  server = await serveDist();
  profile = await profileFolder();
});
after(async () => {
  await server?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const text = (page, id) => page.getByTestId(id).textContent();
const value = (page, id) => page.getByTestId(id).inputValue();
/** The page is ready and has restored what was kept: the storage used is shown once it has. */
const ready = async (page) => {
  await page.getByTestId('status').filter({ hasText: /ready|Restored/ }).waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=storage]').textContent !== '–', null, { timeout: 30000 });
};
const runRows = (page) => page.locator('[data-testid=runs] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
const formSettings = (page) => page.evaluate(() => ['features', 'learning-rate', 'iterations', 'l2', 'flip', 'init', 'seed', 'test-share']
  .map((id) => { const el = document.getElementById(id); return el.type === 'checkbox' ? el.checked : el.value; }));
/** A photo like the cat video's middle: warm, striped across. */
const catPhoto = { name: 'a-cat.png', mimeType: 'image/png', buffer: png(64, (x, y) => (Math.floor(y / 6) % 2 ? [120, 60, 30] : [230, 140, 60])) };
/** The prediction for `catPhoto`, as the page words it. */
async function predictCat(page) {
  await page.getByTestId('prediction').evaluate((el) => { el.textContent = ''; });
  await page.getByTestId('predict-file').setInputFiles(catPhoto);
  await page.getByTestId('prediction').filter({ hasText: /\(|No prediction/ }).waitFor({ timeout: 10000 });
  return text(page, 'prediction');
}
const reloaded = async (page, action) => {
  await Promise.all([page.waitForEvent('load', { timeout: 30000 }), action()]);
  await ready(page);
};
const shot = async (page, name) => page.screenshot({ path: await artifactPath(name), fullPage: true });
/** Runs `use(context, page)` in a browser with a profile of its own, its page at the kept-work
 * test server (all its tests share one origin), then closes it and removes the profile. */
async function ownProfile(use) {
  const own = await profileFolder();
  const context = await launchWithCamera(own, await writeVideo('cat'));
  try {
    const page = await openIn(context, server.url);
    await ready(page);
    await use(context, page);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    await rm(own, { recursive: true, force: true });
  }
}

test('recorded frames, labels, settings, runs and the model survive a restart and a reload; cleared, then imported back', { timeout: 180000 }, async () => {
  // First launch: the cat camera, recorded into the first class, and settings changed.
  let context = await launchWithCamera(profile, await writeVideo('cat'));
  let page = await openIn(context, server.url);
  await ready(page);
  await page.getByTestId('features').selectOption('hog+color');
  await page.getByTestId('iterations').fill('150');
  await page.getByTestId('iterations').dispatchEvent('change');
  await holdMouse(page, 'record-0', 2500);
  const cats = Number(await text(page, 'record-count-0'));
  assert.ok(cats >= 5, `cat frames: ${cats}`);
  // The last frame's keeping has finished once the storage read-out shows it.
  await page.waitForTimeout(1500);
  await context.close();

  // Second launch, same profile: the dog camera. The cat frames and the settings are back.
  context = await launchWithCamera(profile, await writeVideo('dog'));
  page = await openIn(context, server.url);
  await page.getByTestId('status').filter({ hasText: `Restored your kept work: ${cats} photos` }).waitFor({ timeout: 30000 });
  assert.equal(await text(page, 'class-count-0'), String(cats));
  const settings = await formSettings(page);
  assert.deepEqual(settings.slice(0, 3), ['hog+color', '0.01', '150']);
  await holdMouse(page, 'record-1', 2500);
  const dogs = Number(await text(page, 'record-count-1'));
  assert.ok(dogs >= 5, `dog frames: ${dogs}`);
  await page.getByTestId('class-count-1').filter({ hasText: String(dogs) }).waitFor();
  // A dog frame relabelled and back: labels are kept as they change.
  const last = page.locator('#thumbs li').last();
  await last.locator('select').selectOption('cat');
  await page.getByTestId('class-count-0').filter({ hasText: String(cats + 1) }).waitFor();

  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: 'Trained 150 iterations' }).waitFor({ timeout: 60000 });
  // The live camera shows the dog video.
  await page.locator('#webcam-live').check();
  await page.getByTestId('prediction').filter({ hasText: /^dog \(/ }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator('#prediction-source').textContent(), 'the live webcam');
  await page.locator('#webcam-live').uncheck();
  assert.match(await predictCat(page), /^cat \(\d+\.\d %\)$/);
  // The user's own names, kept like the rest: the model answers with them.
  for (const [label, name] of [[0, 'tabby'], [1, 'rex']]) {
    await page.getByTestId(`class-name-${label}`).fill(name);
    await page.getByTestId(`class-name-${label}`).press('Enter');
    await page.locator(`[data-class="${label}"]`).first().filter({ hasText: name }).waitFor();
  }
  const prediction = await predictCat(page);
  assert.match(prediction, /^tabby \(\d+\.\d %\)$/);
  const runs = await runRows(page);
  assert.equal(runs.length, 1);
  await page.waitForTimeout(1000);
  await shot(page, 'keep-trained.png');

  // A reload: photos, labels, names, settings, runs and the model as they were.
  await reloaded(page, () => page.reload());
  assert.match(await text(page, 'status'), new RegExp(`^Restored your kept work: ${cats + dogs} photos, 1 run, the hog\\+color model\\.$`));
  assert.equal(await text(page, 'class-count-0'), String(cats + 1));
  assert.equal(await text(page, 'class-count-1'), String(dogs - 1));
  assert.equal(await page.locator('#thumbs li select').last().inputValue(), '0');
  assert.deepEqual([await value(page, 'class-name-0'), await value(page, 'class-name-1')], ['tabby', 'rex']);
  assert.deepEqual(await runRows(page), runs);
  assert.deepEqual(await formSettings(page), settings);
  assert.equal(await page.getByRole('button', { name: 'Save model' }).isEnabled(), true);
  assert.equal(await predictCat(page), prediction);
  assert.match(await text(page, 'storage'), /^\d+\.\d MB \(the browser allows this page [\d.]+ [MG]B\)$/);
  assert.match(await text(page, 'keep-status'), /are kept in this browser/);

  // The project file, then Clear everything: it asks once, then nothing is left.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
  const projectFile = join(profile, '..', `catdog-test-${process.pid}.catdog`);
  await download.saveAs(projectFile);
  await page.getByTestId('clear-all').click();
  assert.equal(await page.getByTestId('clear-confirm').isVisible(), true);
  await shot(page, 'keep-confirm.png');
  await page.getByTestId('clear-no').click();
  assert.equal(await page.getByTestId('clear-confirm').isVisible(), false);
  await page.getByTestId('clear-all').click();
  await reloaded(page, () => page.getByTestId('clear-yes').click());
  assert.equal(await text(page, 'status'), 'Classifier ready: add cat and dog photos, then press Train.');
  assert.equal(await text(page, 'class-count-0'), '0');
  assert.equal(await text(page, 'class-count-1'), '0');
  assert.equal(await page.locator('#thumbs li').count(), 0);
  assert.deepEqual(await runRows(page), []);
  assert.equal(await predictCat(page), 'No prediction.');
  assert.match(await text(page, 'error'), /train a model first/);
  await reloaded(page, () => page.reload());
  assert.equal(await text(page, 'class-count-0'), '0');
  assert.notDeepEqual(await formSettings(page), settings);

  // A bad file is a message and changes nothing; the project brings back the same predictions.
  await page.getByTestId('import-project').setInputFiles({ name: 'bad.catdog', mimeType: 'application/octet-stream', buffer: Buffer.from('CATDOGPJ\x01\x00\x00\x00\xff\xff\x00\x00{}', 'latin1') });
  await page.getByTestId('error').filter({ hasText: 'Cannot import bad.catdog: this is not a project catdog can open: the file is cut short' }).waitFor();
  await page.getByTestId('import-project').setInputFiles({ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"catdog-model"}') });
  await page.getByTestId('error').filter({ hasText: 'it is not a catdog project file' }).waitFor();
  assert.equal(await text(page, 'class-count-0'), '0');
  await reloaded(page, () => page.getByTestId('import-project').setInputFiles(projectFile));
  assert.match(await text(page, 'status'), new RegExp(`^Restored your kept work: ${cats + dogs} photos, the hog\\+color model\\.$`));
  assert.equal(await text(page, 'class-count-0'), String(cats + 1));
  assert.equal(await text(page, 'class-count-1'), String(dogs - 1));
  assert.deepEqual(await formSettings(page), settings);
  assert.deepEqual([await value(page, 'class-name-0'), await value(page, 'class-name-1')], ['tabby', 'rex']);
  assert.equal(await predictCat(page), prediction);
  await shot(page, 'keep-imported.png');
  await rm(projectFile, { force: true });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a second tab reads the kept work but keeps nothing, and cannot clear it', { timeout: 90000 }, () => ownProfile(async (context, first) => {
  await first.getByTestId('add-files').setInputFiles([stripedPhoto('cat', 1), stripedPhoto('dog', 2)]);
  await first.getByTestId('status').filter({ hasText: 'Added 2 photos' }).waitFor();
  await first.waitForTimeout(500);

  const second = await openIn(context, server.url);
  await second.getByTestId('keep-status').filter({ hasText: 'Nothing you do here is kept' }).waitFor({ timeout: 20000 });
  assert.equal(await text(second, 'class-count-0'), '1');
  await second.getByTestId('add-files').setInputFiles([stripedPhoto('cat', 3), stripedPhoto('cat', 4), stripedPhoto('cat', 5)]);
  await second.getByTestId('class-count-0').filter({ hasText: '4' }).waitFor();
  await second.getByTestId('clear-all').click();
  await second.getByTestId('clear-yes').click();
  await second.getByTestId('error').filter({ hasText: 'Nothing was cleared: another tab of this page keeps the work.' }).waitFor();
  assert.equal(await second.getByTestId('clear-confirm').isVisible(), false);
  await shot(second, 'keep-second-tab.png');

  // The first tab goes on keeping its own changes meanwhile, and only those.
  await first.getByTestId('add-files').setInputFiles([stripedPhoto('dog', 6)]);
  await first.getByTestId('class-count-1').filter({ hasText: '2' }).waitFor();
  await first.waitForTimeout(500);
  await second.close();
  await reloaded(first, () => first.reload());
  assert.equal(await text(first, 'class-count-0'), '1');
  assert.equal(await text(first, 'class-count-1'), '2');
  assert.match(await text(first, 'keep-status'), /are kept in this browser/);
}));

// On disk, in a profile folder, as a user's browser keeps it (a context without one keeps it in memory).
test('10,000 kept photos are restored in under 10 s with no more memory than adding them took', { timeout: 300000 }, () => ownProfile(async (_context, page) => {
  const photos = [];
  for (let n = 0; n < 5000; n++) photos.push(stripedPhoto('cat', n), stripedPhoto('dog', n));
  await page.getByTestId('add-files').setInputFiles(photos);
  await page.getByTestId('status').filter({ hasText: 'Added 10000 photos' }).waitFor({ timeout: 120000 });
  const added = Number((await text(page, 'memory')).replace(/ MB$/, ''));
  // Every photo is kept once the photos' store holds 10,000.
  await page.waitForFunction(() => new Promise((resolve) => {
    const open = indexedDB.open('catdog');
    open.onsuccess = () => {
      const count = open.result.transaction('photos').objectStore('photos').count();
      count.onsuccess = () => { open.result.close(); resolve(count.result === 10000); };
    };
  }), null, { timeout: 120000, polling: 1000 });
  await page.waitForTimeout(1500);
  const storage = await text(page, 'storage');

  const start = Date.now();
  await page.reload();
  // Progress while the photos come back, then what came back.
  await page.getByTestId('status').filter({ hasText: /^Restoring your kept work: \d+ of 10000 photos…$/ }).waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId('keep-progress').isVisible(), true);
  await page.screenshot({ path: await artifactPath('keep-restoring.png') });
  await page.getByTestId('status').filter({ hasText: 'Restored your kept work: 10000 photos' }).waitFor({ timeout: 60000 });
  const seconds = (Date.now() - start) / 1000;
  assert.equal(await page.getByTestId('keep-progress').isVisible(), false);
  const restored = Number((await text(page, 'memory')).replace(/ MB$/, ''));
  assert.equal(await text(page, 'class-count-1'), '5000');
  await page.waitForFunction(() => document.querySelectorAll('#thumbs li').length === 100);
  console.log(`10,000 photos: wasm memory ${added} MB after adding, ${restored} MB after restoring; restored in ${seconds.toFixed(1)} s from the reload; kept: ${storage}`);
  assert.ok(seconds < 10, `restoring took ${seconds.toFixed(1)} s`);
  assert.ok(restored <= added, `restoring took ${restored} MB, adding ${added} MB`);

  // The whole project in one file, and back.
  let t = Date.now();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.getByTestId('export-project').click()]);
  const file = join(await profileFolder(), 'many.catdog');
  await download.saveAs(file);
  const exportSeconds = (Date.now() - t) / 1000;
  const exported = Number((await text(page, 'memory')).replace(/ MB$/, ''));
  const { size } = await stat(file);
  assert.ok(size > 10000 * 64 * 64 * 3 && size < 10000 * 64 * 64 * 3 + 2 ** 20, `the project file has ${size} bytes`);
  t = Date.now();
  await Promise.all([page.waitForEvent('load', { timeout: 120000 }), page.getByTestId('import-project').setInputFiles(file)]);
  await page.getByTestId('status').filter({ hasText: 'Restored your kept work: 10000 photos' }).waitFor({ timeout: 60000 });
  const importSeconds = (Date.now() - t) / 1000;
  assert.equal(await text(page, 'class-count-0'), '5000');
  console.log(`10,000 photos: exported in ${exportSeconds.toFixed(1)} s (${(size / 2 ** 20).toFixed(0)} MiB file; wasm memory then ${exported} MB), imported and restored in ${importSeconds.toFixed(1)} s`);
  await rm(dirname(file), { recursive: true, force: true });
}));

test('a newer version of the page in another tab is a message: this tab stops keeping, and its photos stay', { timeout: 90000 }, () => ownProfile(async (_context, page) => {
  await page.getByTestId('add-files').setInputFiles([stripedPhoto('cat', 1), stripedPhoto('dog', 1)]);
  await page.getByTestId('status').filter({ hasText: 'Added 2 photos' }).waitFor();
  // Another tab opens a newer version of the database: this one lets it, and says so.
  const upgraded = await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('catdog', 2);
    open.onsuccess = () => { open.result.close(); resolve(true); };
    open.onerror = () => reject(open.error);
    open.onblocked = () => resolve(false);
  }));
  assert.equal(upgraded, true, 'the page closed its connection for the newer version');
  await page.getByTestId('error').filter({ hasText: 'A newer version of this page was opened in another tab' }).waitFor();
  await page.getByTestId('clear-all').click();
  await page.getByTestId('clear-yes').click();
  await page.getByTestId('error').filter({ hasText: 'Nothing was cleared: a newer version of this page, in another tab, has the kept work' }).waitFor();
  assert.equal(await text(page, 'class-count-0'), '1');
  // This (older) page cannot open the newer database: it says so, and works without keeping.
  await page.reload();
  await page.getByTestId('keep-status').filter({ hasText: 'Nothing you do here is kept: the kept work could not be opened: it was kept by a newer version of this page (reload to get that version).' }).waitFor({ timeout: 20000 });
  await page.getByTestId('add-files').setInputFiles([stripedPhoto('cat', 2)]);
  await page.getByTestId('status').filter({ hasText: 'Added 1 photo' }).waitFor();
  await shot(page, 'keep-newer-version.png');
}));
