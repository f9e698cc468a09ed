// Synthetic labelled photos for the end-to-end tests, drawn and encoded by the browser itself
// (OffscreenCanvas → JPEG or PNG), so no image library or stored photo is needed.
// "cat" photos are warm with round blobs, "dog" photos cool with stripes; each is different.

/** Draws and encodes photos in the page; resolves to [{ name, mimeType, buffer }] for Playwright. */
export async function makePhotos(page, { kind, count, first = 0, type }) {
  const encoded = await page.evaluate(drawInPage, { kind, count, first, type });
  return encoded.map(({ name, mimeType, base64 }) => ({ name, mimeType, buffer: Buffer.from(base64, 'base64') }));
}

/** Runs in the page: returns base64 so the bytes survive the trip back to node. */
async function drawInPage({ kind, count, first, type }) {
  let state = 12345 + first * 7919 + (kind === 'dog' ? 1 : 0);
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out = [];
  for (let n = first; n < first + count; n++) {
    const width = 60 + Math.floor(random() * 80);
    const height = 50 + Math.floor(random() * 60);
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    if (kind === 'cat') {
      g.fillStyle = `rgb(${200 + random() * 55}, ${90 + random() * 60}, ${30 + random() * 40})`;
      g.fillRect(0, 0, width, height);
      for (let i = 0; i < 4; i++) {
        g.fillStyle = `rgb(${120 + random() * 60}, ${40 + random() * 40}, 20)`;
        g.beginPath();
        g.arc(random() * width, random() * height, 8 + random() * 14, 0, 2 * Math.PI);
        g.fill();
      }
    } else {
      g.fillStyle = `rgb(${20 + random() * 40}, ${70 + random() * 60}, ${180 + random() * 75})`;
      g.fillRect(0, 0, width, height);
      g.fillStyle = `rgb(${200 + random() * 55}, ${220 + random() * 35}, 255)`;
      for (let x = random() * 10; x < width; x += 14 + random() * 6) g.fillRect(x, 0, 5, height);
    }
    const mimeType = type === 'jpeg' ? 'image/jpeg' : 'image/png';
    const blob = await canvas.convertToBlob({ type: mimeType, quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    out.push({ name: `${kind}.${n}.${type === 'jpeg' ? 'jpg' : 'png'}`, mimeType, base64: btoa(binary) });
  }
  return out;
}

/** Drops photos on the element with `testId` (or CSS `selector`) as a folder-less DataTransfer. */
export async function dropPhotos(page, selector, photos) {
  const payload = photos.map(({ name, mimeType, buffer }) => ({ name, mimeType, base64: buffer.toString('base64') }));
  await page.evaluate(({ selector, payload }) => {
    const transfer = new DataTransfer();
    for (const { name, mimeType, base64 } of payload) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type: mimeType }));
    }
    const target = document.querySelector(selector);
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, { selector, payload });
}

/** Pixels of a canvas that are not white, and those close to an RGB colour. */
export function canvasInk(page, selector, colour) {
  return page.evaluate(({ selector, colour }) => {
    const canvas = document.querySelector(selector);
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    let near = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && !(data[i] > 245 && data[i + 1] > 245 && data[i + 2] > 245)) ink++;
      if (Math.abs(data[i] - colour[0]) < 40 && Math.abs(data[i + 1] - colour[1]) < 40 && Math.abs(data[i + 2] - colour[2]) < 40) near++;
    }
    return { ink, near };
  }, { selector, colour });
}

/** Adds `perClass` synthetic cat and dog PNGs through the picker and waits for the counts. */
export async function addPhotos(page, perClass) {
  const cats = await makePhotos(page, { kind: 'cat', count: perClass, type: 'png' });
  const dogs = await makePhotos(page, { kind: 'dog', count: perClass, type: 'png' });
  await page.getByTestId('add-files').setInputFiles([...cats, ...dogs]);
  for (const label of [0, 1]) await page.getByTestId(`class-count-${label}`).filter({ hasText: new RegExp(`^${perClass}$`) }).waitFor({ timeout: 30000 });
}
