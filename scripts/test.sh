#!/usr/bin/env bash
# All of awaitlab's tests, in layers, stopping at the first failure:
#
#   lint     cargo fmt --check; cargo clippy -D warnings             (native and wasm32)
#   native   cargo test                                             (the pure core, on the host, and
#                                                                    its prediction against CPython 3.12)
#   browser  cargo test --target wasm32-unknown-unknown --test browser --test browser_fetch (wasm-bindgen-test, headless Chromium)
#   build    trunk build --release                                  (dist/), then the page weight budget:
#                                                                    gzip of dist/'s wasm + JS + CSS (scripts/size.mjs)
#   e2e      node --test tests/e2e/                                 (playwright-core against dist/)
#
# AWAITLAB_LAYERS=native,browser restricts the layers (default: all). e2e tests dist/, so asking
# for e2e also runs build.
#
# The native layer includes a fuzz layer (tests/core_fuzz.rs) of 250 generated inputs per untrusted
# entry point, a few seconds. AWAITLAB_FUZZ_CASES=100000 (passed through to cargo test) runs that
# many instead, and AWAITLAB_FUZZ_SEED=N another sequence; the default run stays bounded.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh

all_layers=(lint native browser build e2e)
requested="${AWAITLAB_LAYERS:-lint,native,browser,build,e2e}"

declare -A want=()
IFS=', ' read -r -a asked <<<"$requested"
for layer in "${asked[@]}"; do
  [ -n "$layer" ] || continue
  case " ${all_layers[*]} " in
    *" $layer "*) want[$layer]=1 ;;
    *) echo "test.sh: unknown layer '$layer' in AWAITLAB_LAYERS (known: ${all_layers[*]})" >&2; exit 2 ;;
  esac
done
[ "${#want[@]}" -gt 0 ] || { echo "test.sh: AWAITLAB_LAYERS='$requested' selects no layer" >&2; exit 2; }
if [ -n "${want[e2e]:-}" ] && [ -z "${want[build]:-}" ]; then
  echo "test.sh: e2e tests dist/, so the build layer runs too"
  want[build]=1
fi

banner() {
  echo
  echo "=================================================================="
  echo "== awaitlab test layer: $*"
  echo "=================================================================="
}

fail() {
  echo >&2
  echo "test.sh: FAILED: $*" >&2
  exit 1
}

# The wasm-bindgen versions must agree: Cargo.lock's crate, Trunk.toml's [tools] pin and the
# installed CLI (which also provides wasm-bindgen-test-runner). Any mismatch breaks the build.
check_versions() {
  local lock toml cli
  lock=$(awaitlab_lock_version wasm-bindgen)
  toml=$(sed -n 's/^[[:space:]]*wasm_bindgen[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' Trunk.toml | head -n 1)
  cli=$({ wasm-bindgen --version 2>/dev/null || true; } | awk 'NR == 1 { print $2 }')
  echo "wasm-bindgen versions: Cargo.lock=${lock:-?} Trunk.toml=${toml:-?} CLI=${cli:-?}"
  if [ -z "$lock" ] || [ "$lock" != "$toml" ] || [ "$lock" != "$cli" ]; then
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    echo "!! wasm-bindgen version MISMATCH:" >&2
    echo "!!   Cargo.lock wasm-bindgen          = ${lock:-<missing>}" >&2
    echo "!!   Trunk.toml [tools] wasm_bindgen  = ${toml:-<missing>}" >&2
    echo "!!   wasm-bindgen --version (CLI)     = ${cli:-<missing>}" >&2
    echo "!! Make Trunk.toml match Cargo.lock, then rerun scripts/setup.sh." >&2
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
    exit 1
  fi
}
check_versions

ran=()

# Bytes, gzip -9 of the wasm, JS and CSS that dist/index.html loads (see the build layer): the
# 406,857 measured after the 2026-12-01 fixes (lesson notes, layout, the code panel's what_if
# cancels and CPU calibration) plus 1 %; raised on purpose from 404,900 (400,888 + 1 % after issue
# 16 moved the parser and the code key's compressor out). Raised on purpose since, each time with
# what it paid for in bench/HISTORY.md ("Page weight"); to 428,100 (427,668 measured on
# 2026-12-02 after the fourth session's fixes, + 432); lowered to 425,600 (425,221 measured after
# the Controls function and the CPU pool's heap, + 379); raised to 428,300 (427,855 measured after
# the same session's tour fixes: failed code tasks drawn, the import refusal on the status line,
# the phone's comparison, number fields, tick labels, + 445); raised to 429,800 (429,335 measured
# after session 13's tour fixes: the fallback label at the edge, Run off on a bad field, the
# replay verbs after a run, + 465); raised to 429,900 (429,882 measured on the ui branch after
# nested spans drawn in the middle half of their bar, + 18); lowered to 425,200 (424,710 measured
# after Trunk's release minify of the CSS and HTML, + 490); lowered to 422,800 (422,347 measured
# with Talc as the wasm allocator, + 453); lowered to 420,500 (419,987 measured with the JS
# minified by terser, + 513); raised to 421,400 (420,876 measured on the ui branch after the
# tour's fixes: Run brings the measured timeline into view, the limit label placed clear of the
# curve, + 524); raised to 422,000 (421,517 measured with session 15's branches merged: the
# inputs branch +329, time.sleep's busy strip +293, the ui branch +908, + 483); raised to 422,900
# (422,441 measured with session 16's branches: a program's CPU stretches drawn +530, the inputs
# batch +225, + 459); raised to 424,200 (423,725 measured with session 17's branches: the inputs
# batch's notices and address bar +853, the ui batch's guess, tile and legend +296, the Share link
# without unused values and the busy strip's room in a program's embed, + 475; then the
# strip's limit label past a measured run's dips +291, +18: 424,034); raised to 424,700 (424,570
# measured with session 18's tour fixes: Run's end on a phone showing the code's marked line +416,
# the code pattern's ways in +61, the retry link's hint +66, + 130); raised to 426,900 (426,830
# measured with session 19's fixes from two tours: a posted run's params read as awaitlab.run
# reads them +450, a script's run putting its values in the form +160, inline CPU work capped at
# 8 s +605, focus kept after a what-if change and a guess, the guess's messages +546, singulars
# +111, the what-if menu naming the part it changes +196, + 70); raised to 427,300 (427,182
# measured with session 20's fixes: a timeout's or a pipeline's wait for a worker in a wait span of
# its own +384, a printed tab kept +14, + 118). A ratchet, not the 150 KB target
# (README "Page weight").
PAGE_WEIGHT_BUDGET_GZIP=427300

if [ -n "${want[lint]:-}" ]; then
  banner "lint (cargo fmt --check, cargo clippy -D warnings on native and wasm32)"
  cargo fmt --check || fail "lint layer: cargo fmt --check (run cargo fmt)"
  cargo clippy --all-targets -- -D warnings || fail "lint layer: cargo clippy (native)"
  cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings || fail "lint layer: cargo clippy (wasm32)"
  ran+=(lint)
fi

if [ -n "${want[native]:-}" ]; then
  banner "native (cargo test)"
  cargo test -- --skip every_scenario_of_the_matrix || fail "native layer: cargo test"
  # The prediction against CPython's asyncio, event for event; it prints which Python it used.
  # AWAITLAB_ASYNCIO_MATRIX=full runs the whole matrix (about 10,000 scenarios) instead of a subset.
  cargo test --test core_asyncio_matrix -- --nocapture || fail "native layer: the asyncio reference matrix"
  ran+=(native)
fi

if [ -n "${want[browser]:-}" ]; then
  banner "browser (cargo test --target wasm32-unknown-unknown --test browser --test browser_fetch, headless Chromium)"
  [ -f tests/browser.rs ] || fail "browser layer: tests/browser.rs does not exist"
  cargo test --target wasm32-unknown-unknown --test browser --test browser_fetch || fail "browser layer: wasm-bindgen-test in Chromium"
  ran+=(browser)
fi

if [ -n "${want[build]:-}" ]; then
  banner "build (trunk build --release)"
  trunk build --release || fail "build layer: trunk build --release"
  [ -f dist/index.html ] || fail "build layer: dist/index.html was not produced"
  # Page weight is deterministic for a given toolchain, so it is a test; timings stay in
  # scripts/bench.sh. A ratchet: the figure measured when it was last lowered, plus under 2 %.
  # The goal (issue 16) is 150 KB; README "Page weight" says where the bytes go.
  node scripts/size.mjs dist --max-gzip "$PAGE_WEIGHT_BUDGET_GZIP" || fail "build layer: page weight over budget (README \"Page weight\")"
  ran+=(build)
fi

if [ -n "${want[e2e]:-}" ]; then
  banner "e2e (node --test tests/e2e/, playwright-core + Debian Chromium)"
  mkdir -p tests/e2e/artifacts
  node --test tests/e2e/ || fail "e2e layer: node --test tests/e2e/"
  ran+=(e2e)
fi

echo
echo "test.sh: all requested layers passed: ${ran[*]}"
