// Shared by the end-to-end tests: serve dist/ on 127.0.0.1 and drive Debian's Chromium headless.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = join(root, 'dist');
export const artifacts = join(root, 'target', 'e2e');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.json': 'application/json', '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json',
};

/** Serves dist/ (or `folder`) on a free port of 127.0.0.1; resolves to { url, close, serve, hits }:
 * serve(other) serves another folder from the same origin, as a new deploy would, and hits lists
 * the paths asked for so far. */
export async function serveDist(folder = dist) {
  let served = folder;
  const hits = [];
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    hits.push(path);
    const file = join(served, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const close = () => new Promise((r) => server.close(r));
  return { url: `http://127.0.0.1:${port}/`, close, serve: (other) => { served = other; }, hits };
}

/** The flags this machine needs, and a fake webcam (tests/e2e/camera.mjs adds its own video). */
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const chromiumOptions = { executablePath: chromiumPath, headless: true, args: chromiumArgs };

/** E2E_CORES=N makes every page see N cores (`navigator.hardwareConcurrency`), so its default
 * Workers setting is N - 1 and the whole suite can be run on helper workers once by hand; unset,
 * pages see this machine's cores. */
const cores = process.env.E2E_CORES ? Number(process.env.E2E_CORES) : null;
if (cores !== null && !(Number.isInteger(cores) && cores >= 1)) throw new Error(`E2E_CORES must be a whole number of cores, not ${process.env.E2E_CORES}`);

async function withCores(context) {
  if (cores !== null) await context.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), cores);
  return context;
}

/** Debian's Chromium, headless, with the flags this machine needs and a fake webcam. */
export async function launch() {
  const browser = await chromium.launch(chromiumOptions);
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => withCores(await newContext(options));
  return browser;
}

/** The same Chromium with a profile in `folder` (a context that is not incognito, as a visitor's
 * browser is: Chromium offers to install a page only there). */
export async function launchWithProfile(folder) {
  return withCores(await chromium.launchPersistentContext(folder, { ...chromiumOptions, viewport: { width: 1280, height: 900 } }));
}

/** A page that records console errors and failed requests to other origins. */
export async function openPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['camera'], { origin: new URL(url).origin }).catch(() => {});
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
  page.foreignRequests = [];
  page.on('request', (req) => { if (!req.url().startsWith(url) && !req.url().startsWith('blob:') && !req.url().startsWith('data:')) page.foreignRequests.push(req.url()); });
  await page.goto(url);
  return page;
}

/** Where screenshots go (not committed). */
export async function artifactPath(name) {
  await mkdir(artifacts, { recursive: true });
  return join(artifacts, name);
}

/** Installed in the page and in each worker: keeps the Content-Security-Policy violations seen. */
function keepViolations() {
  self.cspViolations = [];
  self.addEventListener('securitypolicyviolation', (e) => {
    self.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
  }, true);
}

/**
 * A page in a context of its own that records, across the page, its workers and the service
 * worker: requests to other origins (the service worker's own too: Playwright reports those only
 * with PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS, set here before the context exists),
 * console errors and Content-Security-Policy violations. `await page.violations()` gathers the
 * violations from the page and from the workers still running. Navigates only when `url` is given.
 */
export async function openWatchedPage(browser, origin, url) {
  process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['camera'], { origin: new URL(origin).origin });
  await context.addInitScript(keepViolations);
  const page = await context.newPage();
  page.errors = [];
  page.foreignRequests = [];
  const local = (address) => address.startsWith(origin) || address.startsWith('blob:') || address.startsWith('data:');
  context.on('request', (req) => { if (!local(req.url())) page.foreignRequests.push(req.url()); });
  const keepErrors = (source) => (msg) => { if (msg.type() === 'error') page.errors.push(`${source}: ${msg.text()}`); };
  page.on('console', keepErrors('page'));
  page.on('pageerror', (err) => page.errors.push(`page: ${err.message}`));
  const watchWorker = (kind) => (worker) => {
    worker.on('console', keepErrors(kind));
    worker.evaluate(keepViolations).catch(() => {});
  };
  page.on('worker', watchWorker('worker'));
  context.on('serviceworker', watchWorker('service worker'));
  context.serviceWorkers().forEach(watchWorker('service worker'));
  page.violations = async () => {
    const sources = [['page', page], ...page.workers().map((w) => ['worker', w]), ...context.serviceWorkers().map((w) => ['service worker', w])];
    const lists = await Promise.all(sources.map(([name, s]) => s.evaluate(() => self.cspViolations ?? []).then((l) => l.map((v) => `${name}: ${v}`), () => [])));
    return lists.flat();
  };
  if (url) await page.goto(url);
  return page;
}

/** Waits for the page's status line to say the classifier is ready. */
export const ready = (page) => page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
/** The text of the element with `data-testid` `id`. */
export const text = (page, id) => page.getByTestId(id).textContent();
/** The value of the input with `data-testid` `id`. */
export const value = (page, id) => page.getByTestId(id).inputValue();
/** Runs `iterations` iterations with the form's other settings and waits for the run's end. */
export async function train(page, iterations) {
  await page.getByTestId('iterations').fill(String(iterations));
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: `Trained ${iterations} iterations` }).waitFor({ timeout: 60000 });
}
