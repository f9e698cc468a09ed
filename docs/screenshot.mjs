// Makes docs/screenshot.png, the README's picture of the page: 200 of the shared catsdogs training
// photos added, one learned+hog+color run and one raw run (the chart holds both), a test photo
// classified with both classes' bars. Run after ./build.sh: node docs/screenshot.mjs; the committed
// picture was then cut to 256 colours (336 KB against 956 KB) with Pillow:
// Image.open(p).convert('RGB').quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(p, optimize=True)
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDist, launch, openPage } from '../tests/e2e/harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, '..', 'shared', 'data', 'catsdogs');
const files = (dir, n) => readdirSync(dir).filter((f) => !f.startsWith('.')).sort().slice(0, n).map((f) => join(dir, f));

const server = await serveDist();
const browser = await launch();
try {
  const page = await openPage(browser, server.url);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 30000 });
  await page.getByTestId('add-files').setInputFiles([...files(join(data, 'train', 'cat'), 100), ...files(join(data, 'train', 'dog'), 100)]);
  await page.getByTestId('status').filter({ hasText: /^Added \d+ photo/ }).waitFor({ timeout: 60000 });
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: /^Trained/ }).waitFor({ timeout: 180000 });
  await page.getByTestId('tutorial').click();
  await page.getByTestId('iterations').fill('500');
  await page.getByTestId('train').click();
  await page.getByTestId('status').filter({ hasText: /^Trained/ }).waitFor({ timeout: 180000 });
  await page.getByTestId('predict-file').setInputFiles(files(join(data, 'test', 'dog'), 1));
  await page.getByTestId('prediction').filter({ hasText: /%/ }).waitFor({ timeout: 20000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(root, 'docs', 'screenshot.png'), fullPage: true });
  if (page.errors.length) throw new Error(page.errors.join('\n'));
} finally {
  await browser.close();
  await server.close();
}
