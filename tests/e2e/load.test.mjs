// The page loads the wasm core from its own origin and says it is ready.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the page loads the classifier with nothing from another origin', async () => {
  const page = await openPage(browser, server.url);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
  assert.deepEqual(page.foreignRequests, []);
  assert.deepEqual(page.errors, []);
});
