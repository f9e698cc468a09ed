"""Timings in Python for ./build.sh bench, one JSON object per line on stdout.

    python bench/numpy_bench.py f64 M...     the tutorial's propagate + update in float64
    python bench/numpy_bench.py f32 M...     the same in float32
    python bench/numpy_bench.py pillow DIR   Pillow's open, convert('RGB'), resize((64, 64), BICUBIC)

Threads are whatever the environment allows; build.sh sets OMP_NUM_THREADS=1 for the f64 run.
"""
import io
import json
import os
import sys
import time

import numpy as np

RUNS = 7  # timed iterations after one warm-up; the median is reported
FEATURES = 12288


def blas_info():
    """Which BLAS kernel and how many threads numpy uses (threadpoolctl), for the record."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [{k: p.get(k) for k in ("internal_api", "architecture", "num_threads", "version")} for p in threadpool_info()]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def step(w, b, X, Y, learning_rate):
    """The tutorial's propagate and one update (X is features x examples)."""
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = (-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))) / m
    dw = np.dot(X, (A - Y).T) / m
    db = np.sum(A - Y) / m
    return w - learning_rate * dw, b - learning_rate * db, cost


def iteration_ms(m, dtype):
    rng = np.random.RandomState(0)
    X = (rng.randint(0, 256, size=(FEATURES, m)).astype(dtype) / dtype(255)).astype(dtype)
    Y = rng.randint(0, 2, size=(1, m)).astype(dtype)
    w, b = np.zeros((FEATURES, 1), dtype=dtype), dtype(0)
    lr = dtype(0.005)
    w, b, _ = step(w, b, X, Y, lr)  # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        w, b, cost = step(w, b, X, Y, lr)
        times.append((time.perf_counter() - start) * 1e3)
    assert np.isfinite(cost)
    return sorted(times)[RUNS // 2]


def pillow(folder):
    from PIL import Image

    paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs if f.lower().endswith((".jpg", ".jpeg")))
    files = [open(p, "rb").read() for p in paths]  # reading is not timed
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for data in files:
            Image.open(io.BytesIO(data)).convert("RGB").resize((64, 64), Image.BICUBIC)
        times.append(time.perf_counter() - start)
    print(json.dumps({"photos": len(files), "pillow_photos_per_s": len(files) / sorted(times)[1]}))


def main():
    what, args = sys.argv[1], sys.argv[2:]
    if what == "pillow":
        return pillow(args[0])
    dtype = {"f64": np.float64, "f32": np.float32}[what]
    key = f"numpy_{what}_ms" if what == "f64" else "numpy_f32_all_threads_ms"
    print(json.dumps({"blas": blas_info()}), file=sys.stderr)
    for m in map(int, args):
        print(json.dumps({"m": m, key: iteration_ms(m, dtype)}))


if __name__ == "__main__":
    main()
