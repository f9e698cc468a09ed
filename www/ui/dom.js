// What every part of the page shares: finding its elements by id, and drawing a 64x64 photo
// (RGBA from the worker) the way the model sees it.

export const $ = (id) => document.getElementById(id);

/** A 64x64 canvas showing `rgba`, titled `title`. */
export function photoCanvas(rgba, title) {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  canvas.getContext('2d').putImageData(new ImageData(rgba, 64, 64), 0, 0);
  canvas.title = title;
  return canvas;
}
