#!/usr/bin/env bash
# Installs everything awaitlab's build and tests need, idempotently: each step is skipped
# when the tool is already there at the right version, so a second run is a quick no-op.
#
#   - rustup target wasm32-unknown-unknown
#   - trunk 0.21.14                    (0.22.x needs a newer rustc than this machine has)
#   - wasm-bindgen-cli                 (exactly Cargo.lock's wasm-bindgen; also gives wasm-bindgen-test-runner)
#   - Debian chromium + chromium-driver (tools must never download a browser of their own)
#   - node_modules from package-lock.json: binaryen (wasm-opt 132), playwright-core
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

TRUNK_VERSION=0.21.14

started=$SECONDS
changed=0
log() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

# cargo install CRATE at exactly VERSION. `--locked` first, as documented; if a crate pinned in the
# tool's own lockfile is missing from the registry (seen here: wasm-bindgen-cli 0.2.130 locks
# webpki-roots 1.0.11, which crates.io does not serve), retry with a fresh resolution.
cargo_install() {
  local crate=$1 version=$2
  log "installing $crate $version (cargo install --locked; takes minutes)"
  if cargo install "$crate" --version "$version" --locked; then
    return 0
  fi
  log "cargo install --locked failed for $crate $version; retrying without --locked"
  cargo install "$crate" --version "$version"
}

# Second field of `TOOL --version` ("trunk 0.21.14", "wasm-bindgen 0.2.130"), empty if missing.
tool_version() {
  command -v "$1" >/dev/null 2>&1 || return 0
  { "$1" --version 2>/dev/null || true; } | awk 'NR == 1 { print $2 }'
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

command -v cargo >/dev/null 2>&1 || die "cargo not found (expected rustup's toolchain in ~/.cargo/bin)"
command -v node >/dev/null 2>&1 || die "node not found"
command -v npm >/dev/null 2>&1 || die "npm not found"

# 1. wasm target ---------------------------------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rust target wasm32-unknown-unknown: present"
else
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
  changed=1
fi

# 1b. rustfmt and clippy (the lint layer) ----------------------------------------------------------
for component in rustfmt clippy; do
  if rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    log "rust component $component: present"
  else
    log "adding rust component $component"
    rustup component add "$component"
    changed=1
  fi
done

# 2. trunk ---------------------------------------------------------------------------------------
have=$(tool_version trunk)
if [ "$have" = "$TRUNK_VERSION" ]; then
  log "trunk $TRUNK_VERSION: present"
else
  log "trunk: found '${have:-none}', want $TRUNK_VERSION"
  cargo_install trunk "$TRUNK_VERSION"
  changed=1
fi

# 3. wasm-bindgen-cli, at exactly Cargo.lock's wasm-bindgen ----------------------------------------
wbg_lock=$(awaitlab_lock_version wasm-bindgen)
[ -n "$wbg_lock" ] || die "no wasm-bindgen in Cargo.lock (run cargo generate-lockfile?)"
have=$(tool_version wasm-bindgen)
if [ "$have" = "$wbg_lock" ] && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  log "wasm-bindgen-cli $wbg_lock (Cargo.lock): present"
else
  log "wasm-bindgen-cli: found '${have:-none}', Cargo.lock wants $wbg_lock"
  cargo_install wasm-bindgen-cli "$wbg_lock"
  changed=1
fi

# 4. Debian's Chromium and chromedriver -----------------------------------------------------------
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  log "chromium + chromedriver: present"
else
  log "installing Debian chromium + chromium-driver (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends chromium chromium-driver
  changed=1
fi

# 5. node_modules (binaryen's wasm-opt, terser, playwright-core) ------------------------------------
stamp=node_modules/.awaitlab-lock-hash
lock_hash() { cat package.json package-lock.json | sha256sum | awk '{ print $1 }'; }
if [ -f package-lock.json ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(lock_hash)" ] \
  && [ -x node_modules/.bin/wasm-opt ]; then
  log "node_modules: up to date with package-lock.json"
else
  if [ -f package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  else
    log "npm install (no package-lock.json yet)"
    npm install --no-audit --no-fund
  fi
  lock_hash >"$stamp"
  changed=1
fi

# Final check: the tools answer with the versions the build pins.
wasm_opt_version=$(wasm-opt --version 2>/dev/null || true)
case "$wasm_opt_version" in
  *"version 132"*) ;;
  *) die "wasm-opt on PATH ($(command -v wasm-opt || echo none)) says '$wasm_opt_version', want version 132" ;;
esac
[ "$(tool_version trunk)" = "$TRUNK_VERSION" ] || die "trunk --version is not $TRUNK_VERSION after install"
[ "$(tool_version wasm-bindgen)" = "$wbg_lock" ] || die "wasm-bindgen --version is not $wbg_lock after install"

if [ "$changed" -eq 0 ]; then
  log "nothing to do ($((SECONDS - started)) s)"
else
  log "done ($((SECONDS - started)) s)"
fi
