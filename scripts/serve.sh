#!/usr/bin/env bash
# Serve a release build of awaitlab on http://127.0.0.1:8080/ (PORT=... to change), rebuilding on
# changes. Extra arguments go to `trunk serve`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh

# trunk 0.21.14 fails to start serve/watch when a [watch] ignore path of Trunk.toml is missing.
mkdir -p dist target node_modules tests/e2e/artifacts test-results

port="${PORT:-8080}"
echo "serve: http://127.0.0.1:$port/"
# --no-autoreload: no injected reload websocket, so the page behaves like the static build.
exec trunk serve --release --address 127.0.0.1 --port "$port" --no-autoreload "$@"
