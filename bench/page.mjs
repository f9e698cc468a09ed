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
