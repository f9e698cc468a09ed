// The page loads the wasm core from its own origin, once (the worker hands the compiled module to
// the page for the chart), and says it is ready.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the page loads the classifier with nothing from another origin', async () => {
  const page = await openPage(browser, server.url);
  // Count on a reload, once the first load (its worker included) has finished fetching.
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
  const wasm = [];
  page.on('request', (req) => { if (req.url().endsWith('.wasm')) wasm.push(req.url()); });
  await page.reload();
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
  await page.getByTestId('loss-chart').evaluate((canvas) => new Promise((resolve) => requestAnimationFrame(resolve)));
  assert.equal(wasm.length, 1, `wasm requests: ${wasm.join(', ')}`);
  assert.deepEqual(page.foreignRequests, []);
  assert.deepEqual(page.errors, []);
});
