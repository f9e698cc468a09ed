"""Merges the benchmark lines (JSON objects on stdin) into target/bench/results.json (and the
decode numbers into decode.json beside it) and prints a table with the ratios.

results.json is an object: "kernel", the rows per m (ms per iteration of each implementation;
native_2t_ms is the native kernel on 2 threads; wasm_page_1w_ms and wasm_2w_ms the kernel through the
page in headless Chromium on 1 and 2 workers, bench/page.mjs), and the learned features' fields
(features_native_photos_per_s, features_wasm_photos_per_s, dictionary_native_s,
dictionary_wasm_s, their native 2-thread twins ..._native_2t_..., the photos they ran on and the
features hashes, and the page's default features readied on 1 and 2 workers, features_page_1w_s
and features_page_2w_s, bench/page.mjs features)."""
import json
import sys

COLUMNS = [
    ("wasm_ms", "(a) wasm"),
    ("native_ms", "(b) native"),
    ("native_2t_ms", "(b2) native 2T"),
    ("numpy_f64_ms", "(c) numpy f64 1T"),
    ("tfjs_wasm_ms", "(d) tfjs wasm"),
    ("numpy_f32_all_threads_ms", "(e) numpy f32 all T"),
    ("wasm_page_1w_ms", "(p1) page 1 worker"),
    ("wasm_2w_ms", "(p2) page 2 workers"),
]


def main(out_path):
    rows, extra, features = {}, {}, {}
    for line in sys.stdin:
        line = line.strip()
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if "m" in record:
            rows.setdefault(record["m"], {"m": record["m"]}).update(record)
        elif any(k.startswith(("features", "dictionary_")) for k in record):
            features.update(record)
        else:
            extra.update(record)
    results = [rows[m] for m in sorted(rows)]
    with open(out_path, "w") as f:
        json.dump({"kernel": results, **features}, f, indent=1)
    print("ms per iteration (median of 7 after a warm-up), n = 12,288 features")
    print("m".rjust(6) + "".join(name.rjust(21) for _, name in COLUMNS) + "   c/a    d/a    e/a    c/b   b/b2")
    for r in results:
        cells = "".join((f"{r[k]:.2f}" if k in r else "-").rjust(21) for k, _ in COLUMNS)
        ratio = lambda num, den: f"{r[num] / r[den]:6.1f}" if num in r and den in r else "     -"
        print(f"{r['m']:6d}{cells} {ratio('numpy_f64_ms', 'wasm_ms')} {ratio('tfjs_wasm_ms', 'wasm_ms')} "
              f"{ratio('numpy_f32_all_threads_ms', 'wasm_ms')} {ratio('numpy_f64_ms', 'native_ms')} "
              f"{ratio('native_ms', 'native_2t_ms')}")
    if "wasm_photos_per_s" in extra and "pillow_photos_per_s" in extra:
        w, p = extra["wasm_photos_per_s"], extra["pillow_photos_per_s"]
        print(f"decode + resize to 64x64, {extra.get('photos')} JPEGs: wasm {w:.0f} photos/s, Pillow {p:.0f} photos/s, ratio {w / p:.2f}")
        with open(out_path.replace("results.json", "decode.json"), "w") as f:
            json.dump(extra, f, indent=1)
    if "native_photos_per_s" in extra:
        two = extra.get("native_2t_photos_per_s")
        print(f"decode + resize natively: {extra['native_photos_per_s']:.0f} photos/s "
              + (f"on 1 thread, {two:.0f} on 2 ({two / extra['native_photos_per_s']:.2f}x) " if two else "")
              + f"(jpeg-decoder + image's resize: {extra['native_reference_photos_per_s']:.0f})")
    print_page(results)
    print_features(features)
    print_page_features(features)
    print(f"written to {out_path}")


def print_page(results):
    """The page's workers: the second worker's speedup, the message overhead (the share of a
    2-worker step not explained by halving the 1-worker step) and wasm on all cores against numpy
    float32 on all threads, each beside the issue's target (printed, not asserted)."""
    page = [r for r in results if "wasm_page_1w_ms" in r and "wasm_2w_ms" in r]
    if not page:
        return
    print("the page on workers (headless Chromium, raw pixels, the status's ms a step, median of 3):")
    print("m".rjust(6) + "  p1/p2 speedup   overhead   numpy f32 all T / p2")
    met = lambda ok: "met" if ok else "NOT met"
    targets = []
    for r in page:
        one, two = r["wasm_page_1w_ms"], r["wasm_2w_ms"]
        speedup, overhead = one / two, 1 - (one / 2) / two
        f32 = r.get("numpy_f32_all_threads_ms")
        vs = f"{f32 / two:.2f}x" if f32 is not None else "-"
        print(f"{r['m']:6d}  {speedup:12.2f}x  {100 * overhead:8.1f} %  {vs:>20s}")
        if r["m"] == 5000:
            targets.append(f"second worker >= 1.7x at m = 5000: {speedup:.2f}x, {met(speedup >= 1.7)}")
        if r["m"] == 1000:
            targets.append(f"overhead < 15 % at m = 1000: {100 * overhead:.1f} %, {met(overhead < 0.15)}")
        if r["m"] in (1000, 5000):
            targets.append(f"wasm all cores >= 2x numpy f32 all threads at m = {r['m']}: "
                           + (f"{f32 / two:.2f}x, {met(f32 / two >= 2)}" if f32 is not None else "no numpy f32 figure"))
    for t in targets:
        print(f"  target: {t}")


def print_features(f):
    """The learned features' lines: seconds to learn the default dictionary, photos per second
    extracting, natively and in wasm, their ratios and whether both gave the same bits."""
    if not any(k in f for k in ("dictionary_native_s", "dictionary_wasm_s")):
        return
    print(f"learned features, default dictionary ({f.get('features')} features) learned from "
          f"{f.get('features_photos')} {f.get('features_source')} photos, then the features of all of them "
          "(median of 3 after a warm-up):")
    for where in ("native", "wasm"):
        if f"dictionary_{where}_s" in f:
            print(f"  {where:6s} learn {f[f'dictionary_{where}_s']:.2f} s, "
                  f"extract {f[f'features_{where}_photos_per_s']:.0f} photos/s")
    if "dictionary_native_2t_s" in f:
        learn, extract = f["dictionary_native_2t_s"], f["features_native_2t_photos_per_s"]
        print(f"  native on 2 threads: learn {learn:.2f} s ({f['dictionary_native_s'] / learn:.2f}x), "
              f"extract {extract:.0f} photos/s ({extract / f['features_native_photos_per_s']:.2f}x), the same bits")
    if "dictionary_native_s" in f and "dictionary_wasm_s" in f:
        same = f["features_native_hash"] == f["features_wasm_hash"]
        print(f"  wasm/native time: learn {f['dictionary_wasm_s'] / f['dictionary_native_s']:.2f}, "
              f"extract {f['features_native_photos_per_s'] / f['features_wasm_photos_per_s']:.2f}; "
              f"features hash native {f['features_native_hash']}, wasm {f['features_wasm_hash']}"
              f"{' (the same bits)' if same else ' (DIFFERENT)'}")


def print_page_features(f):
    """The page's default features readied on 1 and 2 workers (bench/page.mjs features)."""
    if "features_page_1w_s" not in f:
        return
    one, two = f["features_page_1w_s"], f["features_page_2w_s"]
    print(f"the page's default features (learned+hog+color) readied for {f['features_page_photos']} photos in "
          f"headless Chromium, the status's 'features in', median of 3: 1 worker {one:.1f} s, "
          f"2 workers {two:.1f} s ({one / two:.2f}x; the dictionary is learned on one worker)")


if __name__ == "__main__":
    main(sys.argv[1])
