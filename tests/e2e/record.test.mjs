// Recording the webcam into a class: holding the button with the mouse, a finger or the keyboard
// adds frames at a steady rate, each the middle square of the camera's picture, with a counter and
// thumbnails updating live; the main thread never stalls for 100 ms meanwhile; pressing it without
// a camera says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { serveDist, artifactPath } from './harness.mjs';
import { BAND, holdMouse, launchWithCamera, openIn, profileFolder, writeVideo } from './camera.mjs';

let server, context, profile;
before(async () => {
  server = await serveDist();
  profile = await profileFolder();
  context = await launchWithCamera(profile, await writeVideo('cat'));
});
after(async () => {
  await context?.close();
  await server?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const count = async (page, label) => Number(await page.getByTestId(`record-count-${label}`).textContent());

/** From now on: gaps between 16 ms timer ticks, long tasks (over 50 ms) on the main thread, and
 * the time each grab of a camera frame takes there (drawing the video into the frame canvas and
 * reading its pixels, the only work recording does on the main thread besides small DOM updates). */
const startProbe = (page) => page.evaluate(() => {
  window.probe = { gaps: [], longTasks: [], grabs: [] };
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ['drawImage', 'getImageData']) {
    const original = proto[name];
    proto[name] = function timed(...args) {
      const start = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        if (this.canvas.width > 64) window.probe.grabs.push(performance.now() - start);
      }
    };
  }
  let last = performance.now();
  window.probe.timer = setInterval(() => {
    const now = performance.now();
    window.probe.gaps.push(now - last);
    last = now;
  }, 16);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.probe.longTasks.push(entry.duration);
  }).observe({ type: 'longtask' });
});
const readProbe = (page) => page.evaluate(() => {
  clearInterval(window.probe.timer);
  const { gaps, longTasks, grabs } = window.probe;
  return { longestGap: Math.max(...gaps), longTasks, ticks: gaps.length, longestGrab: Math.max(...grabs), grabs: grabs.length / 2 };
});

/** The mean colour of the strip's thumbnails, and how many of their pixels are the bands' green. */
const stripColours = (page, label) => page.evaluate(([label, band]) => {
  const sums = [0, 0, 0];
  let pixels = 0;
  let green = 0;
  for (const canvas of document.querySelectorAll(`[data-testid=record-strip-${label}] canvas`)) {
    const { data } = canvas.getContext('2d').getImageData(0, 0, 64, 64);
    for (let i = 0; i < data.length; i += 4) {
      for (let c = 0; c < 3; c++) sums[c] += data[i + c];
      if (Math.abs(data[i] - band[0]) < 60 && Math.abs(data[i + 1] - band[1]) < 60 && Math.abs(data[i + 2] - band[2]) < 60) green++;
      pixels++;
    }
  }
  return { mean: sums.map((s) => s / pixels), green, pixels };
}, [label, BAND]);

test('holding record adds the middle square of webcam frames at a steady rate without stalling the page', { timeout: 90000 }, async () => {
  const page = await openIn(context, server.url);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 20000 });
  await startProbe(page);

  // The camera is off: the first press starts it, and frames follow while the button is held.
  await holdMouse(page, 'record-0', 2500);
  const first = await count(page, 0);
  assert.ok(first >= 3, `frames recorded while the camera started: ${first}`);
  assert.equal(await page.getByTestId('webcam-start').textContent(), 'Stop the webcam');

  // With the camera running: 5 to 10 frames a second.
  const heldMs = 3000;
  await holdMouse(page, 'record-0', heldMs);
  const rate = ((await count(page, 0)) - first) / (heldMs / 1000);
  assert.ok(rate >= 5 && rate <= 10, `${rate.toFixed(1)} frames a second`);
  await page.waitForTimeout(300);
  const afterRelease = await count(page, 0);
  await page.waitForTimeout(500);
  assert.equal(await count(page, 0), afterRelease, 'no frames once released');

  // Space and Enter held on the focused button, and a finger.
  await page.getByTestId('record-1').focus();
  await page.keyboard.down(' ');
  await page.waitForTimeout(1500);
  await page.keyboard.up(' ');
  const bySpace = await count(page, 1);
  assert.ok(bySpace >= 6 && bySpace <= 16, `frames recorded holding Space: ${bySpace}`);
  await page.keyboard.down('Enter');
  await page.waitForTimeout(1000);
  await page.keyboard.up('Enter');
  const byEnter = (await count(page, 1)) - bySpace;
  assert.ok(byEnter >= 4, `frames recorded holding Enter: ${byEnter}`);
  const record1 = page.getByTestId('record-1');
  await record1.dispatchEvent('pointerdown', { pointerType: 'touch', pointerId: 7, button: 0, isPrimary: true });
  await page.waitForTimeout(1000);
  await record1.dispatchEvent('pointerup', { pointerType: 'touch', pointerId: 7, button: 0, isPrimary: true });
  const byTouch = (await count(page, 1)) - bySpace - byEnter;
  assert.ok(byTouch >= 4, `frames recorded by touch: ${byTouch}`);

  const { longestGap, longTasks, ticks, longestGrab, grabs } = await readProbe(page);
  const total = (await count(page, 0)) + (await count(page, 1));
  console.log(`recorded ${total} frames (${rate.toFixed(1)} a second with the camera on; Space ${bySpace}, Enter ${byEnter}, touch ${byTouch}); ` +
    `longest main-thread gap ${longestGap.toFixed(0)} ms over ${ticks} ticks of 16 ms, long tasks ${JSON.stringify(longTasks.map(Math.round))}, ` +
    `longest grab of a frame ${longestGrab.toFixed(1)} ms (drawImage or getImageData, ${grabs} frames)`);
  // The page's own stalls: no task of the main thread over 100 ms (Chromium reports every task
  // over 50 ms), and grabbing a frame far below that. The timer's gaps also count the time the
  // renderer waits for a core on a loaded machine (a 134 ms gap with no long task was seen at a
  // load of 7.8 on 2 cores), so they get a looser bound that still catches a real stall.
  assert.ok(longTasks.every((ms) => ms < 100), `long tasks: ${longTasks}`);
  assert.ok(longestGrab < 50, `grabbing a frame took ${longestGrab.toFixed(1)} ms`);
  assert.ok(longestGap < 300, `the main thread stalled for ${longestGap.toFixed(0)} ms`);

  // Every frame is a photo of its class, listed with the others; the strip shows the newest.
  await page.getByTestId('class-count-0').filter({ hasText: String(await count(page, 0)) }).waitFor();
  await page.getByTestId('class-count-1').filter({ hasText: String(await count(page, 1)) }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#thumbs li').length === n, Math.min(total, 100));
  assert.equal(await page.locator('[data-testid=record-strip-0] canvas').count(), 8);
  assert.equal(await page.locator('#thumbs li canvas').first().getAttribute('title'), 'webcam frame');
  const cat = await stripColours(page, 0);
  assert.equal(cat.green, 0, `${cat.green} of ${cat.pixels} pixels are the green bands: the frame was not cropped to its middle`);
  assert.ok(cat.mean[0] > cat.mean[2] + 40, `the cat video's middle is warm: ${cat.mean.map(Math.round)}`);
  assert.match(await page.getByTestId('status').textContent(), /^Recorded \d+ webcam frames as dog\.$/);
  await page.locator('section').first().screenshot({ path: await artifactPath('record.png') });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('pressing record without a camera says why and records nothing', { timeout: 30000 }, async () => {
  const page = await context.newPage();
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  await page.goto(server.url);
  await page.getByTestId('status').filter({ hasText: /ready|Restored/ }).waitFor({ timeout: 20000 });
  const before = await count(page, 0);
  await holdMouse(page, 'record-0', 600);
  await page.getByTestId('error').filter({ hasText: 'Cannot record cat' }).waitFor();
  assert.match(await page.locator('#webcam-message').textContent(), /permission to use the camera was denied/);
  assert.equal(await count(page, 0), before);
  assert.equal(await page.getByTestId('record-0').getAttribute('aria-pressed'), 'false');
  await page.close();
});
