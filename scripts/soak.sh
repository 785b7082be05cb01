#!/usr/bin/env bash
# The long run of docs/resilience.md (`npm run soak`): the crash and fault suites (tests/resilience)
# in full (SOAK=1: 200 SIGKILLs, every fault repeated) and the fuzz folder at FUZZ_RUNS=40000 (100
# times its default); about 15 minutes on a two-core machine (docs/resilience.md, "The last full
# run"). Each suite writes its counts to test-artifacts/; the tables printed at the end are the ones
# docs/resilience.md shows. FUZZ_RUNS, FUZZ_SEED and HGW_RESILIENCE_SEED may be set from outside;
# extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_RUNS="${FUZZ_RUNS:-40000}"
export SOAK=1
# No time limit per property: the soak tries 100 times as many inputs (tests/fuzz/fuzz-budget.ts).
export FUZZ_TIME_LIMIT_MS="${FUZZ_TIME_LIMIT_MS:-0}"
suites=(tests/resilience tests/fuzz)
rm -rf test-artifacts/fuzz test-artifacts/resilience-crash.json test-artifacts/resilience-faults.json
echo "soak: FUZZ_RUNS=${FUZZ_RUNS}, SOAK=1 over ${suites[*]}"
started=$(date +%s)
status=0
npx vitest run --testTimeout=0 --hookTimeout=0 "${suites[@]}" "$@" || status=$?
node --import tsx scripts/fuzz-summary.ts
node --import tsx scripts/resilience-summary.ts
echo "soak: $(( $(date +%s) - started )) s, vitest exit ${status}"
exit "${status}"
