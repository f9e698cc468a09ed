#!/usr/bin/env bash
# catdog's one entry point: build | serve | test | bench | fuzz. Installs what is missing, so a fresh
# machine needs nothing but Rust (rustup), Node.js and Python.
#   ./build.sh          build a self-contained dist/ (page + wasm) for any static host
#   ./build.sh serve    build, then serve dist/ on 127.0.0.1 (PORT=8000 by default)
#   ./build.sh test     every test: fmt and clippy, native, wasm in headless Chromium, end-to-end page tests
#   ./build.sh bench    benchmarks that print numbers
#   ./build.sh fuzz [SECONDS [TARGET...]]  each fuzz target (fuzz/) for SECONDS (60), from generated seeds;
#                       FUZZ_RUNS=N also stops a target after N executions (not part of test)
set -euo pipefail
cd "$(dirname "$0")"

TARGET=wasm32-unknown-unknown
PORT=${PORT:-8000}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock
}

ensure_wasm_tools() {
  if ! rustup target list --installed | grep -qx "$TARGET"; then
    say "installing the Rust target $TARGET"
    rustup target add "$TARGET"
  fi
  local want have
  want=$(wasm_bindgen_version)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "=$want"
  fi
}

# rustfmt and clippy come with rustup's default profile; a minimal toolchain needs them added.
ensure_rust_tools() {
  local component
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
      say "installing the Rust component $component"
      rustup component add "$component"
    fi
  done
}

ensure_npm() {
  # npm ci again only when the lock changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages from package-lock.json"
    npm ci --no-audit --no-fund
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Headless browser tests need Chromium and ChromeDriver: sudo apt-get install chromium chromium-driver" >&2
    exit 1
  fi
}

# dist/sw.js gets its build: a version that changes whenever any file of dist/ does (so the next
# visit installs the new files and drops the old cache), every file but itself to precache with
# its SHA-256 (the fetches check it, so a cache never holds a file of another build), and the
# page's Content-Security-Policy, read from index.html's <meta> (the one place it is written),
# which the service worker hands to the wasm worker as a header.
stamp_service_worker() {
  local version files csp file
  version=$(cd dist && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  files=$(cd dist && find . -type f ! -path ./sw.js | sed 's|^\./||' | sort | while read -r file; do
    printf '{"path": "%s", "integrity": "sha256-%s"}\n' "$file" "$(openssl dgst -sha256 -binary "$file" | openssl base64 -A)"
  done | paste -sd, -)
  csp=$(perl -ne 'print $1 if /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/' dist/index.html)
  if [ -z "$csp" ]; then
    echo "dist/index.html has no Content-Security-Policy <meta>" >&2
    exit 1
  fi
  BUILD="{\"version\": \"$version\", \"files\": [$files], \"csp\": \"$csp\"}" \
    perl -i -pe 's{^const BUILD = null;.*$}{const BUILD = $ENV{BUILD};}' dist/sw.js
  grep -q '^const BUILD = {"version"' dist/sw.js || { echo "dist/sw.js was not stamped" >&2; exit 1; }
}

build() {
  ensure_wasm_tools
  ensure_npm
  say "building the wasm core"
  cargo build --profile web --lib --target "$TARGET"
  rm -rf www/pkg
  wasm-bindgen --target web --no-typescript --out-dir www/pkg "target/$TARGET/web/catdog.wasm"
  # npm's wasm-opt (binaryen 132); Debian's older one breaks wasm-bindgen's externref table.
  node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    www/pkg/catdog_bg.wasm -o www/pkg/catdog_bg.wasm
  rm -rf dist
  mkdir -p dist
  cp -r www/. dist/
  # The page's JavaScript without its whole-line comments and doc blocks (4 KB of the gzipped
  # payload); comments inside lines stay, so no string or expression can be cut.
  perl -0777 -i -pe 's{^[ \t]*/\*\*.*?\*/[ \t]*\n}{}gms; s{^[ \t]*//.*\n}{}gm' dist/*.js dist/ui/*.js dist/pkg/*.js
  stamp_service_worker
  say "dist/ is ready: $(du -sh dist | cut -f1), wasm $(du -k dist/pkg/catdog_bg.wasm | cut -f1) KiB"
}

serve() {
  build
  say "serving dist/ at http://127.0.0.1:$PORT/ (Ctrl-C stops)"
  echo "http://127.0.0.1:$PORT/"
  exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist
}

test_all() {
  ensure_rust_tools
  ensure_wasm_tools
  say "formatting (cargo fmt --check)"
  cargo fmt --check
  say "lints, native and wasm32 (cargo clippy -D warnings)"
  cargo clippy --all-targets --quiet -- -D warnings
  cargo clippy --all-targets --quiet --target "$TARGET" -- -D warnings
  say "native tests"
  cargo test
  ensure_chromium
  build
  say "wasm tests in headless Chromium"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    CHROMEDRIVER=/usr/bin/chromedriver \
    cargo test --target "$TARGET" --test web
  if compgen -G "tests/e2e/*.test.mjs" >/dev/null; then
    say "end-to-end page tests"
    node --test --test-concurrency=1 tests/e2e/
    say "end-to-end page tests again as on a 4-core device, so a run's defaults use 3 workers"
    E2E_CORES=4 node --test --test-concurrency=1 tests/e2e/
  fi
}

BENCH=target/bench
BENCH_SIZES="209 1000 5000"
# The page bench skips 209: it is one block of 256 photos, so the core gives it one shard and a
# second worker has nothing to do.
BENCH_SIZES_PAGE="1000 5000"
PHOTOS=../shared/data/catsdogs/train

# A venv of its own for numpy and Pillow, so the system Python is left alone.
ensure_bench_python() {
  if [ ! -x "$BENCH/venv/bin/python" ]; then
    say "creating $BENCH/venv with numpy, Pillow and threadpoolctl"
    python3 -m venv "$BENCH/venv"
    "$BENCH/venv/bin/pip" install -q numpy pillow threadpoolctl
  fi
}

# The kernel, photo preparation and learned features as wasm exports for node, built with SIMD128
# like the page.
build_bench_wasm() {
  ensure_wasm_tools
  say "building the benchmark wasm (bench/wasm)"
  cargo build --release --target "$TARGET" --manifest-path bench/wasm/Cargo.toml --target-dir target
  wasm-bindgen --target nodejs --out-dir "$BENCH/pkg" "target/$TARGET/release/catdog_bench_wasm.wasm"
  echo '{"type": "commonjs"}' >"$BENCH/pkg/package.json"
}

bench() {
  mkdir -p "$BENCH"
  ensure_npm
  ensure_bench_python
  build_bench_wasm
  say "native: kernel, decode + resize, learned features, each on 1 and 2 threads"
  cargo bench --bench native --quiet -- $BENCH_SIZES | tee "$BENCH/lines"
  say "wasm kernel in node"
  node bench/node.mjs kernel $BENCH_SIZES | tee -a "$BENCH/lines"
  ensure_chromium
  build
  say "wasm kernel through the page in headless Chromium, on 1 and 2 workers"
  node bench/page.mjs $BENCH_SIZES_PAGE | tee -a "$BENCH/lines"
  say "numpy float64, one thread (the tutorial's code)"
  # Only for this command: no forced OpenBLAS core type or cache size, so numpy picks its own kernel.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    "$BENCH/venv/bin/python" bench/numpy_bench.py f64 $BENCH_SIZES | tee -a "$BENCH/lines"
  say "TensorFlow.js wasm backend in node"
  node bench/node.mjs tfjs $BENCH_SIZES | tee -a "$BENCH/lines"
  say "numpy float32, all threads"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    "$BENCH/venv/bin/python" bench/numpy_bench.py f32 $BENCH_SIZES | tee -a "$BENCH/lines"
  if [ -d "$PHOTOS" ]; then
    say "decode + resize of $PHOTOS: wasm, then Pillow"
    node bench/node.mjs decode "$PHOTOS" | tee -a "$BENCH/lines"
    "$BENCH/venv/bin/python" bench/numpy_bench.py pillow "$PHOTOS" | tee -a "$BENCH/lines"
  else
    echo "SKIPPED: decode benchmark, $PHOTOS is absent" >&2
  fi
  # Synthetic photos when $PHOTOS is absent, as natively; the line says which.
  say "learned features in wasm: the default dictionary, then the features of every photo"
  node bench/node.mjs features "$PHOTOS" | tee -a "$BENCH/lines"
  if [ -d "$PHOTOS" ]; then
    say "the page's default features readied on 1 and 2 workers, in headless Chromium"
    node bench/page.mjs features "$PHOTOS" | tee -a "$BENCH/lines"
  fi
  echo "load: $(uptime)"
  "$BENCH/venv/bin/python" bench/report.py "$BENCH/results.json" <"$BENCH/lines"
}

FUZZ_TARGETS="model_file jpeg jpeg_differential prepare"
FUZZ_OUT=target/fuzz

ensure_cargo_fuzz() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz (a few minutes, once)"
    cargo install cargo-fuzz --locked
  fi
}

# The figures of one libFuzzer log: executions, exec/s, the last cov: and ft:, the corpus size.
fuzz_figures() {
  awk '
    /^stat::number_of_executed_units:/ { runs = $2 }
    /^stat::average_exec_per_sec:/ { speed = $2 }
    /^#[0-9]+/ && / cov: / {
      for (i = 1; i <= NF; i++) {
        if ($i == "cov:") cov = $(i + 1)
        if ($i == "ft:") ft = $(i + 1)
        if ($i == "corp:") corp = $(i + 1)
      }
    }
    END { printf "%s executions, %s exec/s, cov %s, ft %s, corpus %s", runs, speed, cov, ft, corp }
  ' "$1"
}

# Each target for a bounded time (libFuzzer without sanitizers: stable Rust), its corpus in
# fuzz/corpus/TARGET grown from the seeds in fuzz/seeds/TARGET, anything it finds in
# fuzz/artifacts/TARGET; a summary line per target, and a non-zero exit if any found something.
fuzz() {
  local seconds=${1:-60}
  shift || true
  local targets=${*:-$FUZZ_TARGETS}
  ensure_cargo_fuzz
  say "generating the seed files (examples/fuzz_seeds.rs)"
  cargo run --quiet --example fuzz_seeds -- fuzz/seeds
  say "building the fuzz targets"
  (cd fuzz && cargo fuzz build --sanitizer none)
  mkdir -p "$FUZZ_OUT"
  local target found=0 summary=""
  for target in $targets; do
    local max_len=131072
    [ "$target" = model_file ] && max_len=300000
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    say "fuzzing $target for ${seconds}s${FUZZ_RUNS:+ or $FUZZ_RUNS executions} (log: $FUZZ_OUT/$target.log)"
    local status=0
    (cd fuzz && cargo fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -max_len="$max_len" -rss_limit_mb=2048 \
      -timeout=20 -print_final_stats=1) >"$FUZZ_OUT/$target.log" 2>&1 || status=$?
    # libFuzzer also writes slow-unit-* files (an input over 10 s, which a loaded machine can
    # cause): listed, but a finding is a crash, timeout, leak or out-of-memory file.
    local artifacts slow
    artifacts=$(find "fuzz/artifacts/$target" -type f ! -name 'slow-unit-*' | wc -l)
    slow=$(find "fuzz/artifacts/$target" -type f -name 'slow-unit-*' | wc -l)
    local result="nothing found"
    if [ "$status" != 0 ] || [ "$artifacts" != 0 ]; then
      result="FOUND something (exit $status, $artifacts files in fuzz/artifacts/$target)"
      found=1
    fi
    [ "$slow" = 0 ] || result+=" ($slow slow units in fuzz/artifacts/$target)"
    summary+="$target: $(fuzz_figures "$FUZZ_OUT/$target.log"); $result"$'\n'
  done
  say "fuzzing summary"
  printf '%s' "$summary" | tee "$FUZZ_OUT/summary.txt"
  return "$found"
}

case "${1:-build}" in
  build) build ;;
  serve) serve ;;
  test) test_all ;;
  bench) bench ;;
  fuzz) shift; fuzz "$@" ;;
  *) echo "usage: ./build.sh [build|serve|test|bench|fuzz [SECONDS [TARGET...]]]" >&2; exit 2 ;;
esac
