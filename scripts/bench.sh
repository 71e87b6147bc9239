#!/usr/bin/env bash
# Benchmarks: release build only (debug builds wrap every task in console.createTask, ~40x slower).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh
trunk build --release
node bench/bench.mjs
