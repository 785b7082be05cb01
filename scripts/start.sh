#!/usr/bin/env bash
# `npm start`: the demo on an embedded default (simulated line, embedded broker, station page).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-modules.sh
npm run --silent build
exec node dist/cli/helpline-gateway.js demo "$@"
