#!/usr/bin/env bash
# The long run of docs/resilience.md (`npm run soak`): the fuzz folder at 100 times its default
# budget and, where they exist, the crash and fault suites (tests/resilience) in full (SOAK=1).
# Each fuzz file writes its counts to test-artifacts/fuzz/; the table printed at the end is the one
# docs/resilience.md shows. FUZZ_RUNS and FUZZ_SEED may be set from outside; extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_RUNS="${FUZZ_RUNS:-40000}"
export SOAK=1
suites=(tests/fuzz)
if [ -d tests/resilience ]; then suites+=(tests/resilience); fi
rm -rf test-artifacts/fuzz
echo "soak: FUZZ_RUNS=${FUZZ_RUNS} over ${suites[*]}"
started=$(date +%s)
status=0
npx vitest run --testTimeout=0 --hookTimeout=0 "${suites[@]}" "$@" || status=$?
node --import tsx scripts/fuzz-summary.ts
echo "soak: $(( $(date +%s) - started )) s, vitest exit ${status}"
exit "${status}"
