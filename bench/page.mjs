// The kernel through the page itself, for ./build.sh bench: dist/ served on 127.0.0.1 and driven
// in headless Chromium (tests/e2e/harness.mjs), m synthetic PNGs (half cats, half dogs, drawn by
// the page's own canvas: tests/e2e/photos.mjs), raw pixels at learning rate 0.005 with nothing
// held out (so all m photos are trained on), trained on 1 and on 2 workers, interleaved, ROUNDS
// runs each. The figure is the page's own "X ms a step on N workers" of the final status: the
// training worker's time from the first gradient step to the end, without feature computation or
// shard loading. One JSON line per m on stdout:
//   {"m": 1000, "wasm_page_1w_ms": median, "wasm_2w_ms": median}
// and each run's status on stderr.
//   node bench/page.mjs M...   (needs ./build.sh build first)
// With `features DIR`: the photos of DIR's cat/ and dog/ folders added to a fresh page, the
// page's default kind (learned patches + hog+color) readied on 1 and on 2 workers, interleaved,
// ROUNDS runs each (a fresh page each, since a page keeps the features it computed). The figure
// is the status's "features in X s": from Train to the first step, learning the dictionary (on
// the lead alone) and computing every photo's features. One JSON line:
//   {"features_page_photos": n, "features_page_1w_s": median, "features_page_2w_s": median}
//   node bench/page.mjs features DIR
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serveDist, launch, openPage, ready } from '../tests/e2e/harness.mjs';
import { makePhotos } from '../tests/e2e/photos.mjs';

const ROUNDS = 3;
/** Photos drawn and added at a time (drawing 5000 in one evaluate is slow and large). */
const CHUNK = 500;
/** Iterations per run: at least ~1.5 s of steps on one worker on this machine. */
const ITERATIONS = (m) => Math.max(60, Math.round(1_000_000 / m));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (...args) => console.error('page bench:', ...args);

async function addPhotos(page, m) {
  const perClass = { cat: Math.ceil(m / 2), dog: Math.floor(m / 2) };
  const done = { cat: 0, dog: 0 };
  for (const kind of ['cat', 'dog']) {
    while (done[kind] < perClass[kind]) {
      const count = Math.min(CHUNK, perClass[kind] - done[kind]);
      const photos = await makePhotos(page, { kind, count, first: done[kind], type: 'png' });
      await page.getByTestId('add-files').setInputFiles(photos);
      done[kind] += count;
      const label = kind === 'cat' ? 0 : 1;
      await page.getByTestId(`class-count-${label}`).filter({ hasText: new RegExp(`^${done[kind]}$`) }).waitFor({ timeout: 120000 });
    }
  }
  await page.getByTestId('status').filter({ hasText: /^Added \d+ photo/ }).waitFor({ timeout: 120000 });
}

async function trainOn(page, workers, iterations) {
  await page.getByTestId('workers').fill(String(workers));
  await page.getByTestId('iterations').fill(String(iterations));
  await page.getByTestId('train').click();
  const done = page.getByTestId('status').filter({ hasText: `Trained ${iterations} iterations` });
  await done.waitFor({ timeout: 600000 });
  const status = await done.textContent();
  const found = status.match(/ ([\d.e+]+) ms a step on (\d+) workers?\b/);
  if (!found) throw new Error(`no "ms a step" in the status: ${status}`);
  if (!status.includes('(integer SIMD kernel)')) throw new Error(`not the integer SIMD kernel: ${status}`);
  if (Number(found[2]) !== workers) throw new Error(`asked for ${workers} workers, the status says ${found[2]}: ${status}`);
  return { ms: Number(found[1]), status };
}

async function benchSize(browser, url, m) {
  const page = await openPage(browser, url);
  try {
    await ready(page);
    const addStart = performance.now();
    await addPhotos(page, m);
    log(`m = ${m}: ${m} photos made and added in ${((performance.now() - addStart) / 1000).toFixed(1)} s`);
    await page.getByTestId('features').selectOption('raw');
    // Choosing a kind fills its defaults (raw: L2 0, no flips); then the bench's own settings.
    await page.getByTestId('learning-rate').fill('0.005');
    await page.locator('#test-share').fill('0');
    if (await page.getByTestId('flip').isChecked()) await page.getByTestId('flip').uncheck();
    await page.getByTestId('l2').fill('0');
    const iterations = ITERATIONS(m);
    // A short warm-up on each worker count: the first run also computes the features and
    // compiles the helpers' wasm.
    for (const workers of [1, 2]) await trainOn(page, workers, 5);
    const times = { 1: [], 2: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const workers of [1, 2]) {
        const { ms, status } = await trainOn(page, workers, iterations);
        times[workers].push(ms);
        log(`m = ${m}, ${workers} worker(s), round ${round + 1}: ${ms} ms a step · ${status}`);
      }
    }
    if (page.errors.length) log(`m = ${m}: page errors: ${page.errors.join('; ')}`);
    return { m, wasm_page_1w_ms: median(times[1]), wasm_2w_ms: median(times[2]) };
  } finally {
    await page.context().close();
  }
}

/** Seconds the page's default features take on `workers` workers, in a fresh page. */
async function featureSeconds(browser, url, files, workers) {
  const page = await openPage(browser, url);
  try {
    await ready(page);
    await page.getByTestId('add-files').setInputFiles(files);
    await page.getByTestId('status').filter({ hasText: /^Added \d+ photo/ }).waitFor({ timeout: 120000 });
    await page.getByTestId('workers').fill(String(workers));
    await page.getByTestId('iterations').fill('5');
    await page.getByTestId('train').click();
    const done = page.getByTestId('status').filter({ hasText: 'Trained 5 iterations' });
    await done.waitFor({ timeout: 600000 });
    const status = await done.textContent();
    const found = status.match(/ · features in ([\d.]+) s(?: on (\d+) workers)?/);
    if (!found) throw new Error(`no "features in" in the status: ${status}`);
    if (Number(found[2] ?? 1) !== workers) throw new Error(`asked for ${workers} workers: ${status}`);
    if (page.errors.length) log(`features: page errors: ${page.errors.join('; ')}`);
    return { seconds: Number(found[1]), status };
  } finally {
    await page.context().close();
  }
}

async function benchFeatures(browser, url, dir) {
  const classes = ['cat', 'dog'].map((c) => join(dir, c));
  if (!classes.every(existsSync)) {
    log(`SKIPPED: features on workers, ${dir} has no cat/ and dog/ folders`);
    return null;
  }
  const files = classes.flatMap((d) => readdirSync(d).filter((f) => !f.startsWith('.')).sort().map((f) => join(d, f)));
  const times = { 1: [], 2: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const workers of [1, 2]) {
      const { seconds, status } = await featureSeconds(browser, url, files, workers);
      times[workers].push(seconds);
      log(`features of ${files.length} photos, ${workers} worker(s), round ${round + 1}: ${seconds} s · ${status}`);
    }
  }
  return { features_page_photos: files.length, features_page_1w_s: median(times[1]), features_page_2w_s: median(times[2]) };
}

if (process.argv[2] === 'features') {
  const server = await serveDist();
  const browser = await launch();
  try {
    const line = await benchFeatures(browser, server.url, process.argv[3] ?? '');
    if (line) console.log(JSON.stringify(line));
  } finally {
    await browser.close();
    await server.close();
  }
  process.exit(0);
}

const sizes = process.argv.slice(2).map(Number);
if (!sizes.length || sizes.some((m) => !Number.isInteger(m) || m < 2)) {
  console.error('usage: node bench/page.mjs M... (whole numbers of photos, at least 2)');
  process.exit(2);
}
const server = await serveDist();
const browser = await launch();
try {
  for (const m of sizes) console.log(JSON.stringify(await benchSize(browser, server.url, m)));
} finally {
  await browser.close();
  await server.close();
}
