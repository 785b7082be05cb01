#!/usr/bin/env bash
# The whole test suite: Debian packages, npm dependencies, type check, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-debian-packages.sh mosquitto:mosquitto socat:socat chromium:chromium sip-tester:sipp "postgresql:/usr/lib/postgresql/*/bin/postgres" shellcheck:shellcheck logrotate:logrotate systemd:systemd-analyze
bash scripts/ensure-node-modules.sh
echo "type check"
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
