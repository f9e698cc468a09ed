// Small labelled PNGs made in node, cheaply enough for ten thousand: 64x64 RGB, "cat" photos
// warm with horizontal stripes, "dog" photos cool with vertical ones, each with its own stripe
// width and shades, so raw pixels and hog+color both have something to learn.
import { crc32, deflateSync } from 'node:zlib';

/** A PNG chunk: length, type, data and CRC. */
export function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG of `size`x`size` RGB pixels from `pixel(x, y)` → [r, g, b]. */
export function png(size, pixel) {
  const raw = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3); // filter byte 0: none
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

const drawn = new Map();

/** Photo `n` of `kind` ('cat' or 'dog') as a Playwright file payload named `kind.n.png`; there
 * are 420 different pictures per kind, each encoded once. */
export function stripedPhoto(kind, n) {
  const key = `${kind} ${n % 420}`;
  if (!drawn.has(key)) drawn.set(key, draw(kind, n % 7, (n * 37) % 60));
  return { name: `${kind}.${n}.png`, mimeType: 'image/png', buffer: drawn.get(key) };
}

function draw(kind, step, shade) {
  const period = 4 + step;
  const [light, dark] = kind === 'cat'
    ? [[200 + (shade % 50), 140 + shade, 60], [110 + shade, 50, 20 + (shade % 30)]]
    : [[60, 150 + shade, 200 + (shade % 50)], [20, 40 + (shade % 40), 110 + shade]];
  return png(64, (x, y) => (Math.floor((kind === 'cat' ? y : x) / period) % 2 ? dark : light));
}
