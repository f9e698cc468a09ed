// Removing photos while a run's results are shown: cats and dogs, some added through the other
// class's picker and one relabelled in its menu, so held-out photos come out wrong; after a run,
// a photo listed before the mistakes and a photo that is itself a mistake are removed, and every
// remaining mistake and thumbnail (the ones pulled into view included) must still show its own
// picture, name and label. Saves target/e2e/removed.png to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, artifactPath } from './harness.mjs';
import { makePhotos } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const ready = (page) => page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
const text = (page, id) => page.getByTestId(id).textContent();

async function waitForCounts(page, cats, dogs) {
  await page.waitForFunction(([c, d]) => {
    const get = (id) => document.querySelector(`[data-testid=${id}]`).textContent;
    return get('class-count-0') === String(c) && get('class-count-1') === String(d);
  }, [cats, dogs], { timeout: 30000 });
}

/** What each list item under `selector` shows: its photo id, its canvas's title (the photo's
 * name), a hash of its canvas's pixels, whether they are warm (red over blue: the cats that
 * photos.mjs draws) or cool (the dogs), its label menu's value and its text. */
const shown = (page, selector) => page.locator(selector).evaluateAll((items) => items.map((li) => {
  const canvas = li.querySelector('canvas');
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let hash = 2166136261;
  let red = 0;
  let blue = 0;
  for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
  for (let i = 0; i < data.length; i += 4) { red += data[i]; blue += data[i + 2]; }
  return { id: li.dataset.id, name: canvas.title, hash, looks: red > blue ? 'cat' : 'dog', label: li.querySelector('select')?.value, text: li.textContent };
}));

const kindOf = (name) => name.split('.')[0];

test('removing photos while a run\'s results are shown leaves every mistake and thumbnail its own picture, name and label', { timeout: 120000 }, async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  // These runs are the tutorial's model: one click from the page's best-kind start.
  await page.getByTestId('tutorial').click();
  const cats = await makePhotos(page, { kind: 'cat', count: 60, type: 'jpeg' });
  const dogs = await makePhotos(page, { kind: 'dog', count: 60, type: 'png' });
  /** Each photo's label when the run starts, as this test gave it ('0' cat, '1' dog). */
  const labels = new Map();
  const byName = (photos) => photos.forEach((p) => labels.set(p.name, kindOf(p.name) === 'cat' ? '0' : '1'));

  await page.getByTestId('add-files').setInputFiles([...cats.slice(0, 40), ...dogs.slice(0, 40)]);
  byName([...cats.slice(0, 40), ...dogs.slice(0, 40)]);
  await waitForCounts(page, 40, 40);
  // Ten of each through the other class's picker: their names say one class, their labels the other.
  await page.locator('.class-drop[data-label="1"] input[type=file]').setInputFiles(cats.slice(40, 50));
  await waitForCounts(page, 40, 50);
  await page.locator('.class-drop[data-label="0"] input[type=file]').setInputFiles(dogs.slice(40, 50));
  await waitForCounts(page, 50, 50);
  for (const p of cats.slice(40, 50)) labels.set(p.name, '1');
  for (const p of dogs.slice(40, 50)) labels.set(p.name, '0');
  // Twenty more, beyond the hundred thumbnails shown: removing shown photos pulls them into view.
  await page.getByTestId('add-files').setInputFiles([...cats.slice(50), ...dogs.slice(50)]);
  byName([...cats.slice(50), ...dogs.slice(50)]);
  await waitForCounts(page, 60, 60);
  await page.waitForFunction(() => document.querySelectorAll('#thumbs li').length === 100);
  // And one relabelled in its menu.
  await page.getByLabel('Label of cat.3.jpg').selectOption('dog');
  labels.set('cat.3.jpg', '1');
  await waitForCounts(page, 59, 61);

  await page.getByTestId('iterations').fill('300');
  await page.getByLabel('Held out for testing (%)').fill('30');
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: 'Trained 300 iterations' }).waitFor({ timeout: 60000 });

  const thumbs = await shown(page, '#thumbs li');
  const mistakes = await shown(page, '[data-testid=mistakes] li');
  const count = (await text(page, 'mistakes-count')).match(/^(\d+) of (\d+) held-out photos classified wrong\.$/);
  assert.ok(count, await text(page, 'mistakes-count'));
  assert.equal(Number(count[1]), mistakes.length);
  assert.ok(mistakes.length >= 3, `mistakes: ${JSON.stringify(mistakes.map((m) => m.name))}`);
  console.log(`mistakes before removing: ${mistakes.map((m) => `${m.name} (label ${labels.get(m.name)}) ${m.text}`).join('; ')}`);

  /** Every item shows its own photo: the picture its name was drawn with, and, for a mistake, the
   * picture of its thumbnail (the same id) and the class other than its label at the run's start. */
  const check = (thumbs, mistakes, when) => {
    for (const t of thumbs) {
      assert.ok(labels.has(t.name), `${when}: a thumbnail named ${t.name}`);
      assert.equal(t.looks, kindOf(t.name), `${when}: thumbnail ${t.name} shows a ${t.looks}`);
      assert.equal(t.label, labels.get(t.name), `${when}: thumbnail ${t.name}'s menu`);
    }
    const thumbById = new Map(thumbs.map((t) => [t.id, t]));
    for (const m of mistakes) {
      const thumb = thumbById.get(m.id);
      assert.ok(thumb, `${when}: mistake ${m.name} (id ${m.id}) has a thumbnail`);
      assert.equal(m.name, thumb.name, `${when}: mistake id ${m.id}'s name`);
      assert.equal(m.hash, thumb.hash, `${when}: mistake ${m.name}'s picture is its thumbnail's`);
      assert.equal(m.looks, kindOf(m.name), `${when}: mistake ${m.name} shows a ${m.looks}`);
      const said = labels.get(m.name) === '0' ? 'dog' : 'cat';
      assert.match(m.text, new RegExp(`^said ${said} \\(\\d+ %\\)$`), `${when}: mistake ${m.name}`);
    }
  };
  check(thumbs, mistakes, 'after the run');

  // The first thumbnail that is no mistake (listed before them all), then the second mistake.
  const mistakeIds = new Set(mistakes.map((m) => m.id));
  const before = thumbs.find((t) => !mistakeIds.has(t.id));
  assert.ok(thumbs.findIndex((t) => mistakeIds.has(t.id)) > thumbs.indexOf(before));
  const wrong = mistakes[1];
  await page.getByLabel(`Remove ${before.name}`).click();
  await page.waitForFunction((id) => !document.querySelector(`#thumbs li[data-id="${id}"]`), before.id);
  await page.getByLabel(`Remove ${wrong.name}`).click();
  await page.getByTestId('mistakes-count').filter({ hasText: '1 of them removed since.' }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#thumbs li').length === n && !document.querySelector('#add-progress:not([hidden])'), 100);

  const thumbsAfter = await shown(page, '#thumbs li');
  const mistakesAfter = await shown(page, '[data-testid=mistakes] li');
  check(thumbsAfter, mistakesAfter, 'after removing');
  const gone = new Set([before.id, wrong.id]);
  // The same thumbnails, in the same order, less the two removed, then the two pulled into view.
  assert.deepEqual(thumbsAfter.slice(0, 98), thumbs.filter((t) => !gone.has(t.id)));
  assert.deepEqual(thumbsAfter.slice(98).map((t) => t.name), ['cat.50.jpg', 'cat.51.jpg']);
  // The same mistakes, in the same order, less the one removed.
  assert.deepEqual(mistakesAfter, mistakes.filter((m) => m.id !== wrong.id));
  assert.equal(await text(page, 'mistakes-count'), `${count[1]} of ${count[2]} held-out photos classified wrong. 1 of them removed since.`);
  assert.equal(await page.locator('#thumbs-hidden').textContent(), 'Showing 100 of 118 photos.');

  await page.locator('section').nth(2).scrollIntoViewIfNeeded();
  await page.screenshot({ path: await artifactPath('removed.png'), fullPage: true });
  assert.equal(await text(page, 'error'), '');
  assert.deepEqual(page.errors, []);
});
