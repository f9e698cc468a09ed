// Classifying: a picked or dropped photo, and webcam frames (one, or live), through the worker's
// model; the core's prediction comes with its class.
import { $ } from './dom.js';
import { call } from './link.js';
import { attempt, showError } from './messages.js';
import { dropTarget } from './files.js';
import { sayClass } from './words.js';

const webcam = { stream: null, frame: document.createElement('canvas') };

export function wireClassify() {
  $('predict-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    event.target.value = '';
    if (file) classifyPhoto(file);
  });
  dropTarget($('predict-zone'), ([first]) => first && classifyPhoto(first.file));
  $('webcam-start').addEventListener('click', () => (webcam.stream ? stopWebcam() : startWebcam()));
  $('webcam-classify').addEventListener('click', () => attempt(classifyFrame));
  $('webcam-live').addEventListener('change', (event) => live(event.target));
}

function showPrediction({ label, probability }, source) {
  $('prediction-source').textContent = source;
  $('prediction').textContent = sayClass(label, probability);
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
    webcam.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
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

/** The current video frame to the worker's model. */
async function classifyFrame() {
  const { rgba, width, height } = webcamFrame();
  const prediction = await call('predictFrame', { rgba, width, height }, [rgba.buffer]);
  $('predict-image').hidden = true;
  showPrediction(prediction, 'the webcam frame');
}

/** Classifies a frame every 150 ms while the Live box stays checked and the camera on. */
async function live(box) {
  while (box.checked && webcam.stream) {
    const ok = await attempt(async () => { await classifyFrame(); return true; });
    if (!ok) box.checked = false;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
