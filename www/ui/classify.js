// Classifying: a picked or dropped photo, and webcam frames (one, or live), through the worker's
// model; the core's prediction comes with its class and both classes' probabilities, drawn as
// bars. Live bars are steady because the core averages live frames (an exponential moving
// average, src/session/live.rs), and a bar is only rewritten when its shown percentage changes.
import { $ } from './dom.js';
import { call } from './link.js';
import { attempt, showError } from './messages.js';
import { dropTarget } from './files.js';
import { percent, sayClass } from './words.js';

const webcam = { stream: null, frame: document.createElement('canvas') };

export function wireClassify() {
  $('predict-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    event.target.value = '';
    if (file) classifyPhoto(file);
  });
  dropTarget($('predict-zone'), ([first]) => first && classifyPhoto(first.file));
  $('webcam-start').addEventListener('click', () => (webcam.stream ? stopWebcam() : startWebcam()));
  $('webcam-classify').addEventListener('click', () => attempt(() => classifyFrame()));
  $('webcam-live').addEventListener('change', (event) => live(event.target));
}

function showPrediction({ label, probability, probabilities }, source) {
  $('prediction-source').textContent = source;
  $('prediction').replaceChildren(...sayClass(label, probability));
  probabilities.forEach((p, k) => showBar(k, p));
}

/** Bar `label`'s length and percentage, rewritten only when the percentage shown changes. */
function showBar(label, probability) {
  const bar = document.querySelector(`[data-testid="probability-${label}"]`);
  const shown = percent(probability * 100);
  if (bar.querySelector('output').textContent === shown) return;
  bar.querySelector('output').textContent = shown;
  bar.querySelector('.bar-fill').style.width = `${probability * 100}%`;
}

async function classifyPhoto(file) {
  const image = $('predict-image');
  if (image.src) URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(file);
  image.alt = `The photo ${file.name}`;
  image.hidden = false;
  $('prediction').textContent = 'Classifying…';
  $('prediction-source').textContent = '';
  const prediction = await attempt(() => call('predictPhoto', { file }));
  if (prediction === undefined) $('prediction').textContent = 'No prediction.';
  else showPrediction(prediction, `the photo ${file.name}`);
}

/** Starts the webcam; when it cannot, says why (and `webcamOn()` stays false). */
export async function startWebcam() {
  try {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser offers no camera here (it needs https or localhost)');
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    webcam.stream = stream;
    // A camera unplugged (or taken by another app) ends its track.
    for (const track of stream.getVideoTracks()) track.addEventListener('ended', () => cameraEnded(stream), { once: true });
    const video = $('video');
    video.srcObject = webcam.stream;
    video.hidden = false;
    await video.play();
    $('webcam-start').textContent = 'Stop the webcam';
    $('webcam-classify').disabled = false;
    $('webcam-live').disabled = false;
    $('webcam-message').textContent = '';
  } catch (err) {
    const why = err.name === 'NotAllowedError' ? 'permission to use the camera was denied'
      : err.name === 'NotFoundError' ? 'no camera was found' : err.message;
    $('webcam-message').textContent = `The webcam is not available: ${why}. Photos still work.`;
    showError(`The webcam is not available: ${why}.`);
    stopWebcam();
  }
}

function cameraEnded(stream) {
  if (webcam.stream !== stream) return;
  stopWebcam();
  const message = 'The camera stopped: it was unplugged or another app took it. Start the webcam again once it is back; photos still work.';
  $('webcam-message').textContent = message;
  showError(message);
}

function stopWebcam() {
  webcam.stream?.getTracks().forEach((track) => track.stop());
  webcam.stream = null;
  $('video').hidden = true;
  $('webcam-start').textContent = 'Start the webcam';
  $('webcam-classify').disabled = true;
  $('webcam-live').checked = false;
  $('webcam-live').disabled = true;
}

/** Whether the webcam is running. */
export function webcamOn() {
  return webcam.stream !== null;
}

/** The current video frame as RGBA ({ rgba, width, height }), through a canvas, for the worker's
 * wasm preparation (recording uses it too). */
export function webcamFrame() {
  const video = $('video');
  const { frame } = webcam;
  frame.width = video.videoWidth;
  frame.height = video.videoHeight;
  if (!frame.width || !frame.height) throw new Error('the camera has not sent a frame yet');
  const context = frame.getContext('2d', { willReadFrequently: true });
  context.drawImage(video, 0, 0);
  const { data, width, height } = context.getImageData(0, 0, frame.width, frame.height);
  return { rgba: new Uint8Array(data.buffer), width, height };
}

/** The current video frame to the worker's model; a `live` frame is averaged with the live
 * frames before it. */
async function classifyFrame(live = false) {
  const { rgba, width, height } = webcamFrame();
  const prediction = await call('predictFrame', { rgba, width, height, live }, [rgba.buffer]);
  $('predict-image').hidden = true;
  showPrediction(prediction, live ? 'the live webcam' : 'the webcam frame');
}

/** Classifies a frame every 150 ms while the Live box stays checked and the camera on; then
 * the core forgets the live average, so the next live start begins afresh. */
async function live(box) {
  while (box.checked && webcam.stream) {
    const ok = await attempt(async () => { await classifyFrame(true); return true; });
    if (!ok) box.checked = false;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await call('stopLive').catch((err) => showError(err.message));
}
