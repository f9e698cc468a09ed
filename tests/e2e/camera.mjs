// A fake webcam showing a video written here: Chromium's --use-file-for-fake-video-capture plays
// a YUV4MPEG2 file in a loop. The videos are 320x240, 4:2:0: a "cat" middle square (warm, with
// horizontal stripes) or a "dog" one (cool, vertical stripes), each between two bright green
// bands of 40 columns, which a frame's middle square leaves out. Also a browser with its own
// profile folder, so two launches share what the page kept.
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './harness.mjs';

export const WIDTH = 320;
export const HEIGHT = 240;
/** The bands' colour: no pixel of a recorded frame may be this green. */
export const BAND = [0, 230, 0];

/** The RGB colour of pixel (x, y) of frame `t` of the `kind` video. */
function pixel(kind, x, y, t) {
  const band = (WIDTH - HEIGHT) / 2;
  if (x < band || x >= WIDTH - band) return BAND;
  const stripe = Math.floor(((kind === 'cat' ? y : x) + 2 * t) / 12) % 2 === 0;
  if (kind === 'cat') return stripe ? [230, 140, 60] : [120, 60, 30];
  return stripe ? [70, 110, 220] : [30, 40, 90];
}

/** BT.601 limited range, as Chromium reads it back. */
function yuv([r, g, b]) {
  const [R, G, B] = [r / 255, g / 255, b / 255];
  const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
  return [
    clamp(16 + 65.481 * R + 128.553 * G + 24.966 * B),
    clamp(128 - 37.797 * R - 74.203 * G + 112 * B),
    clamp(128 + 112 * R - 93.786 * G - 18.214 * B),
  ];
}

/** Writes a few frames of the `kind` video ('cat' or 'dog') to a temporary .y4m file. */
export async function writeVideo(kind, frames = 6) {
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`, 'latin1');
  const parts = [header];
  for (let t = 0; t < frames; t++) {
    const Y = Buffer.alloc(WIDTH * HEIGHT);
    const U = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
    const V = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        const [l, u, v] = yuv(pixel(kind, x, y, t));
        Y[y * WIDTH + x] = l;
        if (x % 2 === 0 && y % 2 === 0) {
          U[(y / 2) * (WIDTH / 2) + x / 2] = u;
          V[(y / 2) * (WIDTH / 2) + x / 2] = v;
        }
      }
    }
    parts.push(Buffer.from('FRAME\n', 'latin1'), Y, U, V);
  }
  const file = join(await mkdtemp(join(tmpdir(), 'catdog-camera-')), `${kind}.y4m`);
  await writeFile(file, Buffer.concat(parts));
  return file;
}

/** A fresh profile folder for `launchWithCamera`. */
export function profileFolder() {
  return mkdtemp(join(tmpdir(), 'catdog-profile-'));
}

/** Chromium with its profile in `profile` (kept between launches) and the fake webcam playing
 * `video`; resolves to the browser context. */
export function launchWithCamera(profile, video) {
  const args = [...chromiumArgs, `--use-file-for-fake-video-capture=${video}`];
  return chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
}

/** A page of `context` at `url` that records its errors (as harness.openPage does). */
export async function openIn(context, url) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
  await page.goto(url);
  return page;
}

/** Holds `button` down with the mouse for `ms`. */
export async function holdMouse(page, testId, ms) {
  const box = await page.getByTestId(testId).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(ms);
  await page.mouse.up();
}
