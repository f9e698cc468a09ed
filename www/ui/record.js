// Recording the webcam into a class: while a class's "Hold to record" button is held (a mouse
// or pen, a finger, or Space or Enter on the focused button), a frame every FRAME_MS goes to the
// worker, which keeps its middle square as a photo of that class, prepared by the core as frames
// are for classifying. The worker lists it with the other photos (event `added`); its reply
// brings the frame's thumbnail for the strip beside the button. Pressing it with the webcam off
// starts the webcam, or the webcam's message says why it cannot.
import { $, photoCanvas } from './dom.js';
import { call } from './link.js';
import { setStatus, showError } from './messages.js';
import { startWebcam, webcamFrame, webcamOn } from './classify.js';
import { classes } from './words.js';

/** 150 ms: about 6.7 frames a second, steady, and a frame's round trip to the worker (about
 * 10 ms of preparing) never queues behind the next. */
const FRAME_MS = 150;
/** Thumbnails kept in a button's strip, newest first. */
const STRIP = 8;
const KEYS = new Set([' ', 'Enter']);

export function wireRecord() {
  for (const button of document.querySelectorAll('button[data-record]')) {
    const recorder = new Recorder(Number(button.dataset.record), button);
    button.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      // A synthetic or already-ended pointer cannot be captured; the hold still counts.
      try { button.setPointerCapture(event.pointerId); } catch { /* released on pointerup */ }
      recorder.start();
    });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) button.addEventListener(type, () => recorder.stop());
    button.addEventListener('keydown', (event) => {
      if (!KEYS.has(event.key)) return;
      event.preventDefault();
      if (!event.repeat) recorder.start();
    });
    button.addEventListener('keyup', (event) => {
      if (!KEYS.has(event.key)) return;
      event.preventDefault();
      recorder.stop();
    });
    button.addEventListener('blur', () => recorder.stop());
    // A long press on a phone would open the context menu instead of recording.
    button.addEventListener('contextmenu', (event) => event.preventDefault());
  }
}

class Recorder {
  constructor(label, button) {
    this.label = label;
    this.button = button;
    this.count = $(`record-count-${label}`);
    this.strip = $(`record-strip-${label}`);
    this.held = false;
    this.timer = null;
    /** A frame on its way to the worker: the next tick waits rather than queueing. */
    this.sending = false;
    this.recorded = 0;
  }

  async start() {
    if (this.held) return;
    this.held = true;
    this.button.setAttribute('aria-pressed', 'true');
    if (!webcamOn()) {
      await startWebcam();
      if (!webcamOn()) {
        showError(`Cannot record ${classes[this.label]}: the webcam is not available (see the Classify section).`);
        this.stop();
        return;
      }
    }
    // Released while the camera was starting: nothing to record.
    if (!this.held) return;
    this.button.textContent = 'Recording…';
    this.tick();
    this.timer = setInterval(() => this.tick(), FRAME_MS);
  }

  stop() {
    if (!this.held) return;
    this.held = false;
    clearInterval(this.timer);
    this.timer = null;
    this.button.setAttribute('aria-pressed', 'false');
    this.button.textContent = 'Hold to record';
  }

  async tick() {
    if (this.sending || !this.held) return;
    if (!webcamOn()) {
      // The webcam was stopped while the button was held.
      this.stop();
      return;
    }
    this.sending = true;
    try {
      const { rgba, width, height } = webcamFrame();
      const got = await call('record', { rgba, width, height, label: this.label }, [rgba.buffer]);
      this.recorded++;
      this.count.textContent = this.recorded;
      this.strip.prepend(stripItem(photoCanvas(got.rgba, `webcam frame of ${classes[this.label]}`)));
      while (this.strip.children.length > STRIP) this.strip.lastElementChild.remove();
      setStatus(`Recorded ${this.recorded} webcam frame${this.recorded === 1 ? '' : 's'} as ${classes[this.label]}.`);
    } catch (err) {
      // The first frame of a camera just started may not be there yet; later ticks retry.
      if (!/has not sent a frame/.test(err.message)) {
        showError(`Cannot record: ${err.message}`);
        this.stop();
      }
    } finally {
      this.sending = false;
    }
  }
}

function stripItem(canvas) {
  const li = document.createElement('li');
  li.append(canvas);
  return li;
}
