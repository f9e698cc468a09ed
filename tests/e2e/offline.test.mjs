// Offline and installable: after one visit the service worker controls the page and has every
// file of the build; with the network off (Playwright's offline mode, and a server that has
// nothing to give) the page opens, adds photos, trains and classifies. Chromium finds the page
// installable (manifest parsed, icons there, no installability errors). A second build with
// another version takes over once the first build's page is closed: its files are served, the
// old cache is gone, and no page ever shows files of both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDist, launch, launchWithProfile, openWatchedPage, artifactPath, dist } from './harness.mjs';
import { makePhotos } from './photos.mjs';

let server, browser, scratch;
before(async () => {
  server = await serveDist();
  browser = await launch();
  scratch = await mkdtemp(join(tmpdir(), 'catdog-offline-'));
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const ready = (page) => page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
const controlled = (page) => page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', null, { timeout: 20000 });
const built = async (folder) => JSON.parse((await readFile(join(folder, 'sw.js'), 'utf8')).match(/^const BUILD = (\{.*\});$/m)[1]);
const cacheNames = (page) => page.evaluate(() => caches.keys());
const builds = (page) => page.evaluate(() => ({
  page: document.querySelector('meta[name=catdog-build]')?.content ?? 'first',
  main: document.documentElement.dataset.mainBuild ?? 'first',
}));

/** A copy of dist as a second build: its page and main.js marked, sw.js with another version
 * and, unless `torn`, the new files' hashes (as build.sh would stamp them after the change). */
async function secondBuild(name, { torn = false } = {}) {
  const first = await built(dist);
  const folder = join(scratch, name);
  await cp(dist, folder, { recursive: true });
  const edit = async (file, change) => writeFile(join(folder, file), change(await readFile(join(folder, file), 'utf8')));
  await edit('index.html', (html) => html.replace('<title>', '<meta name="catdog-build" content="second">\n<title>'));
  await edit('main.js', (js) => `${js}\ndocument.documentElement.dataset.mainBuild = 'second';\n`);
  const hash = async (path) => `sha256-${createHash('sha256').update(await readFile(join(folder, path))).digest('base64')}`;
  const files = await Promise.all(first.files.map(async ({ path, integrity }) => ({ path, integrity: torn ? integrity : await hash(path) })));
  const build = { ...first, version: `${first.version}-${name}`, files };
  await edit('sw.js', (js) => js.replace(/^const BUILD = .*$/m, `const BUILD = ${JSON.stringify(build)};`));
  return { folder, first: first.version, second: build.version };
}

test('after one visit the page opens, trains and classifies with the network off', async () => {
  const build = await built(dist);
  const page = await openWatchedPage(browser, server.url, server.url);
  await ready(page);
  await controlled(page);
  await page.getByTestId('offline').filter({ hasText: 'Works offline' }).waitFor();
  assert.deepEqual(await cacheNames(page), [`catdog-${build.version}`]);
  const cached = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname.slice(1)).sort(), `catdog-${build.version}`);
  const paths = build.files.map((f) => f.path);
  assert.deepEqual(cached, [...paths].sort(), 'every file of the build is cached');
  assert.ok(['pkg/catdog_bg.wasm', 'worker.js', 'ui/offline.js', 'manifest.webmanifest'].every((p) => paths.includes(p)), paths.join(' '));

  await page.context().setOffline(true);
  server.serve(join(scratch, 'nothing here'));
  const asked = server.hits.length;
  await page.reload();
  await ready(page);
  const cats = await makePhotos(page, { kind: 'cat', count: 8, type: 'jpeg' });
  const dogs = await makePhotos(page, { kind: 'dog', count: 8, type: 'png' });
  await page.getByTestId('add-files').setInputFiles([...cats, ...dogs]);
  await page.waitForFunction(() => document.querySelector('[data-testid=class-count-1]').textContent === '8', null, { timeout: 30000 });
  await page.getByTestId('tutorial').click();
  await page.getByTestId('iterations').fill('300');
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: 'Trained 300 iterations' }).waitFor({ timeout: 60000 });
  const [dog] = await makePhotos(page, { kind: 'dog', count: 1, first: 700, type: 'png' });
  await page.getByTestId('predict-file').setInputFiles(dog);
  await page.getByTestId('prediction').filter({ hasText: /^dog \(\d+\.\d %\)$/ }).waitFor({ timeout: 10000 });
  await page.screenshot({ path: await artifactPath('offline.png'), fullPage: true });
  assert.deepEqual(server.hits.slice(asked), [], 'nothing reached the server');
  assert.equal(await page.getByTestId('error').textContent(), '');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.foreignRequests, []);
  assert.deepEqual(await page.violations(), []);
  server.serve(dist);
  await page.context().close();
});

test('Chromium finds the page installable: manifest, icons, a service worker that controls it', async () => {
  const context = await launchWithProfile(join(scratch, 'profile'));
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(server.url);
  await ready(page);
  await controlled(page);
  const cdp = await context.newCDPSession(page);
  const manifest = await cdp.send('Page.getAppManifest');
  assert.equal(manifest.url, new URL('manifest.webmanifest', server.url).href);
  assert.deepEqual(manifest.errors, []);
  const parsed = JSON.parse(manifest.data);
  assert.equal(parsed.short_name, 'catdog');
  assert.equal(parsed.display, 'standalone');
  assert.equal(new URL(parsed.start_url, manifest.url).href, server.url);
  assert.equal(new URL(parsed.scope, manifest.url).href, server.url);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  for (const size of [192, 512]) {
    const icon = parsed.icons.find((i) => i.sizes === `${size}x${size}` && i.type === 'image/png');
    assert.ok(icon, `a ${size}x${size} PNG icon`);
    const response = await page.request.get(new URL(icon.src, manifest.url).href);
    assert.equal(response.status(), 200);
    const png = await response.body();
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [size, size], `${icon.src} is ${size}x${size}`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('a new build takes over once the old one\'s page is closed, and no page mixes the two', async () => {
  const { folder, first, second } = await secondBuild('second');
  const page = await openWatchedPage(browser, server.url, server.url);
  await ready(page);
  await controlled(page);
  server.serve(folder);
  // A reload checks for a new service worker: the second build installs beside the first and waits.
  await page.reload();
  await ready(page);
  await page.getByTestId('offline').filter({ hasText: 'A new version is ready' }).waitFor({ timeout: 20000 });
  assert.deepEqual(await builds(page), { page: 'first', main: 'first' });
  assert.deepEqual((await cacheNames(page)).sort(), [`catdog-${first}`, `catdog-${second}`]);
  assert.deepEqual(page.errors, []);
  const context = page.context();
  await page.close();

  // With no page of the first build open, the second takes over and drops the first's cache.
  const next = await context.newPage();
  for (let tries = 0; ; tries++) {
    await next.goto(server.url);
    await ready(next);
    const names = await cacheNames(next);
    const seen = await builds(next);
    if (seen.page === 'second') {
      assert.deepEqual(seen, { page: 'second', main: 'second' });
      assert.deepEqual(names, [`catdog-${second}`]);
      console.log(`the second build served the page opened ${tries + 1} time(s) after closing the first's`);
      break;
    }
    // Still the first build (the second had not activated when this page was opened): all of it.
    assert.deepEqual(seen, { page: 'first', main: 'first' });
    assert.ok(tries < 5, 'the second build took over');
    await next.waitForTimeout(500);
    await next.goto('about:blank');
    await next.waitForTimeout(500);
  }
  await context.close();
  server.serve(dist);
});

test('a server caught mid-deploy (files that are not the new build\'s) leaves the running build as it was', async () => {
  const { folder, first, second } = await secondBuild('torn', { torn: true });
  const page = await openWatchedPage(browser, server.url, server.url);
  await ready(page);
  await controlled(page);
  server.serve(folder);
  const installs = page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => new Promise((resolve) => {
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker.addEventListener('statechange', () => { if (worker.state === 'redundant' || worker.state === 'installed') resolve(worker.state); });
    });
  })));
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration.update().catch(() => {})));
  assert.equal(await installs, 'redundant', 'the torn build fails to install');
  assert.deepEqual(await cacheNames(page), [`catdog-${first}`], `no cache for ${second}`);
  const context = page.context();
  await page.close();
  const next = await context.newPage();
  await next.goto(server.url);
  await ready(next);
  // The first build's page, as it was: the new index.html on the server is not the one served.
  assert.deepEqual(await builds(next), { page: 'first', main: 'first' });
  assert.deepEqual(await cacheNames(next), [`catdog-${first}`]);
  await context.close();
  server.serve(dist);
});
