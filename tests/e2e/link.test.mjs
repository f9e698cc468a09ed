// A run's settings in the URL fragment: a link fills the form, pressing Train puts the run's
// settings in the URL, and that URL reproduces them in a fresh page; a bad link is a message.
// And the raw weights picture redrawn live while training, a few times a second at most.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, ready, text, train } from './harness.mjs';
import { addPhotos } from './photos.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const FIELDS = ['#features', '#learning-rate', '#iterations', '#l2', '#init', '#seed', '#test-share'];
const form = (page) => page.evaluate((ids) => [...ids.map((id) => document.querySelector(id).value), document.querySelector('#flip').checked], FIELDS);

test('a link reproduces a run\'s settings, and a bad link is a message', async () => {
  const link = '#features=raw&rate=0.002&iterations=123&l2=0&flip=0&init=random&seed=7&test=25';
  const page = await openPage(browser, server.url + link);
  await ready(page);
  assert.deepEqual(await form(page), ['raw', '0.002', '123', '0', 'random', '7', '25', false]);
  await addPhotos(page, 10);
  await page.getByTestId('learning-rate').fill('0.004');
  await train(page, 60);
  const url = page.url();
  assert.match(url, /#features=raw&rate=0\.004&iterations=60&l2=0&flip=0&init=random&seed=7&test=25$/);
  const again = await openPage(browser, url);
  await ready(again);
  assert.deepEqual(await form(again), ['raw', '0.004', '60', '0', 'random', '7', '25', false]);
  // hog+color with flips and λ, from a link: the kind's defaults, then the link's values.
  await again.evaluate(() => { location.hash = 'features=hog%2Bcolor&l2=5&flip=1'; });
  await again.waitForFunction(() => document.querySelector('#features').value === 'hog+color');
  assert.deepEqual((await form(again)).slice(0, 4), ['hog+color', '0.01', '300', '5']);
  assert.equal((await form(again))[7], true);

  const bad = await openPage(browser, `${server.url}#features=sift&rate=fast&iterations=40`);
  await ready(bad);
  assert.match(await text(bad, 'error'), /The link's settings features=sift, rate=fast are not ones this page has; the others were taken\./);
  assert.deepEqual((await form(bad)).slice(0, 3), ['learned+hog+color', '0.01', '40']);
  for (const p of [page, again, bad]) assert.deepEqual(p.errors, []);
});

test('the raw weights picture is redrawn live while training, a few times a second', async () => {
  const page = await openPage(browser, server.url);
  await ready(page);
  await page.getByTestId('tutorial').click();
  await addPhotos(page, 10);
  await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid=weights]');
    const context = canvas.getContext('2d');
    const put = context.putImageData.bind(context);
    window.weightDraws = [];
    context.putImageData = (...args) => { window.weightDraws.push(performance.now()); put(...args); };
  });
  await page.getByTestId('iterations').fill('1000000');
  await page.getByTestId('train').click();
  await page.waitForFunction(() => /Iteration [1-9]\d* of/.test(document.querySelector('[data-testid=status]').textContent));
  const picture = () => page.getByTestId('weights').evaluate((c) => c.toDataURL());
  await page.waitForTimeout(500);
  const first = await picture();
  const from = await page.evaluate(() => window.weightDraws.length);
  await page.waitForTimeout(2000);
  const draws = (await page.evaluate(() => window.weightDraws.length)) - from;
  assert.notEqual(await picture(), first, 'the weights picture changes while training');
  assert.match(await text(page, 'status'), /^Iteration \d+ of 1000000/);
  console.log(`weights picture redrawn ${draws} times in 2 s of training`);
  assert.ok(draws >= 2 && draws <= 10, `weights redrawn ${draws} times in 2 s`);
  await page.getByTestId('stop').click();
  await page.getByTestId('status').filter({ hasText: 'Stopped at iteration' }).waitFor({ timeout: 10000 });
  assert.deepEqual(page.errors, []);
});
