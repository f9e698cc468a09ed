// Timings in V8 for ./build.sh bench, one JSON object per line on stdout:
//   node bench/node.mjs kernel M...   our wasm kernel (target/bench/pkg, built with SIMD128)
//   node bench/node.mjs tfjs M...     TensorFlow.js's wasm backend, the tutorial's algorithm
//   node bench/node.mjs decode DIR    our wasm decode + resize to 64x64 of every JPEG under DIR
//   node bench/node.mjs features DIR  learned features in wasm: the default dictionary learned from
//                                     every JPEG under DIR (synthetic photos if DIR is absent),
//                                     then the features of all of them
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const RUNS = 7; // timed iterations after one warm-up; the median is reported
const FEATURES = 12288;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const WARM_UP_MS = 1000;

function timeSteps(step) {
  // Warm-up of at least three steps and a second: V8 first runs wasm from its baseline compiler
  // and swaps in optimised code after a while, so the first steps are not the steady state.
  const warmStart = performance.now();
  for (let i = 0; i < 3 || performance.now() - warmStart < WARM_UP_MS; i++) step();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  return median(times);
}

function kernel(sizes) {
  const { KernelBench } = require('../target/bench/pkg/catdog_bench_wasm.js');
  for (const m of sizes) {
    const bench = new KernelBench(m);
    console.log(JSON.stringify({ m, wasm_ms: timeSteps(() => bench.step()) }));
    bench.free();
  }
}

// Seeded bytes (a small LCG; only the timing matters, not the values).
function photos(m) {
  const x = new Float32Array(FEATURES * m);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s >>> 24) / 255;
  }
  const y = Float32Array.from({ length: m }, (_, i) => (i * 7919) % 2);
  return { x, y };
}

async function tfjs(sizes) {
  const tf = require('@tensorflow/tfjs');
  const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(join(require.resolve('@tensorflow/tfjs-backend-wasm'), '..') + '/');
  await tf.setBackend('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  for (const m of sizes) {
    const { x, y } = photos(m);
    // The tutorial's layout: X is features x examples, w a column.
    const X = tf.tensor2d(x, [FEATURES, m]);
    const Y = tf.tensor2d(y, [1, m]);
    let w = tf.zeros([FEATURES, 1]);
    let b = tf.scalar(0);
    const step = () => {
      const [nw, nb, cost] = tf.tidy(() => {
        const A = tf.sigmoid(tf.add(tf.matMul(w, X, true, false), b));
        const cost = tf.neg(tf.mean(tf.add(tf.mul(Y, tf.log(A)), tf.mul(tf.sub(1, Y), tf.log(tf.sub(1, A))))));
        const dZ = tf.sub(A, Y);
        const dw = tf.div(tf.matMul(X, dZ, false, true), m);
        const db = tf.mean(dZ);
        return [tf.sub(w, tf.mul(0.005, dw)), tf.sub(b, tf.mul(0.005, db)), cost];
      });
      cost.dataSync(); // wait for the work, as a training loop reading the cost does
      w.dispose(); b.dispose(); cost.dispose();
      w = nw; b = nb;
    };
    console.log(JSON.stringify({ m, tfjs_wasm_ms: timeSteps(step), tfjs_simd: simd }));
    tf.dispose([X, Y, w, b]);
  }
}

function jpegs(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jpegs(path);
    return /\.jpe?g$/i.test(name) ? [path] : [];
  });
}

function decode(dir) {
  const { prepare } = require('../target/bench/pkg/catdog_bench_wasm.js');
  const files = jpegs(dir).sort().map((p) => readFileSync(p)); // reading is not timed
  for (const bytes of files.slice(0, 20)) prepare(bytes); // warm-up
  const times = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    for (const bytes of files) prepare(bytes);
    times.push(performance.now() - start);
  }
  console.log(JSON.stringify({ photos: files.length, wasm_photos_per_s: files.length / (median(times) / 1000) }));
}

// The native benchmark's measurement (bench/native.rs): learning, median of 3 after a warm-up;
// extracting every photo's features, median of 3 passes after a warm-up pass (which also lets V8
// swap in its optimised code); the same features hash.
function features(dir) {
  const { FeaturesBench } = require('../target/bench/pkg/catdog_bench_wasm.js');
  let bench, source;
  if (existsSync(dir)) {
    bench = new FeaturesBench();
    for (const path of jpegs(dir).sort()) bench.add(readFileSync(path)); // preparing is not timed
    source = 'shared';
  } else {
    bench = FeaturesBench.synthetic(800);
    source = 'synthetic';
  }
  const timed = (f) => {
    const start = performance.now();
    const out = f();
    return [(performance.now() - start) / 1000, out];
  };
  let features;
  const learnS = [];
  for (let run = 0; run < 4; run++) {
    const [s, n] = timed(() => bench.learn());
    if (run > 0) learnS.push(s);
    features = n;
  }
  const extractS = [];
  let hash;
  for (let run = 0; run < 4; run++) {
    const [s, h] = timed(() => bench.extract_all());
    if (run > 0) extractS.push(s);
    hash = h;
  }
  const photos = bench.photos();
  console.log(JSON.stringify({
    features_photos: photos,
    features_source: source,
    features,
    dictionary_wasm_s: median(learnS),
    features_wasm_photos_per_s: photos / median(extractS),
    features_wasm_hash: hash,
  }));
  bench.free();
}

const [what, ...args] = process.argv.slice(2);
if (what === 'kernel') kernel(args.map(Number));
else if (what === 'tfjs') await tfjs(args.map(Number));
else if (what === 'decode') decode(args[0]);
else if (what === 'features') features(args[0]);
else {
  console.error('usage: node bench/node.mjs kernel|tfjs M... | decode|features DIR');
  process.exit(2);
}
