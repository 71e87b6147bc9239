# shellcheck shell=bash
# Environment shared by scripts/setup.sh, scripts/test.sh and scripts/serve.sh.
# Source it from the repository root:  source scripts/env.sh
# It only sets variables; it installs nothing and never exits the calling shell.

AWAITLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AWAITLAB_ROOT

# wasm-opt (npm binaryen) and playwright-core come from node_modules/.bin;
# trunk, wasm-bindgen and wasm-bindgen-test-runner from ~/.cargo/bin.
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$HOME/.cargo/bin:$PATH" ;; esac
case ":$PATH:" in *":$AWAITLAB_ROOT/node_modules/.bin:"*) ;; *) PATH="$AWAITLAB_ROOT/node_modules/.bin:$PATH" ;; esac
export PATH

# Debian's Chromium and its driver: never let a tool download its own browser.
export CHROMEDRIVER=/usr/bin/chromedriver
export CHROME_BIN=/usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# trunk 0.21 asks crates.io for a newer trunk on every run unless told not to
# (`offline = true` in Trunk.toml does not cover that check).
export TRUNK_SKIP_VERSION_CHECK=true

# wasm-bindgen-test-runner: a slow 2-core machine needs more than the 20 s default.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-30}"

# awaitlab_lock_version CRATE: the version of CRATE pinned in Cargo.lock (empty if absent).
awaitlab_lock_version() {
  awk -v want="$1" '
    /^\[\[package\]\]/ { inpkg = 1; name = ""; next }
    inpkg && /^name = / { name = $3; gsub(/"/, "", name); next }
    inpkg && /^version = / && name == want { v = $3; gsub(/"/, "", v); print v; exit }
  ' "$AWAITLAB_ROOT/Cargo.lock"
}
