#!/usr/bin/env bash
# `npm run bench`: the line-to-station benchmark table (docs/benchmarks.md). BENCH_CONTACTS and
# BENCH_CALLS scale it down; the populated stores are cached under .bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-modules.sh
exec node --import tsx scripts/bench/run-benchmarks.ts "$@"
