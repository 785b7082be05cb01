#!/usr/bin/env bash
# Makes sure the Debian packages the tests use are installed: installs them as root, otherwise
# stops with the one command to run. Usage: ensure-debian-packages.sh PACKAGE:PROGRAM ...
# PROGRAM is a command name, or a path pattern for programs off the PATH (the PostgreSQL server's
# binaries live under /usr/lib/postgresql/<version>/bin).
set -euo pipefail
missing=()
for pair in "$@"; do
  package=${pair%%:*}
  program=${pair#*:}
  if [[ $program == */* ]]; then
    found=$(compgen -G "$program" | head -n 1 || true)
    [ -n "$found" ] && [ -x "$found" ] && continue
    missing+=("$package")
  elif ! command -v "$program" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$program" ] && [ ! -x "/usr/bin/$program" ]; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "installing Debian packages the tests need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "The tests need Debian packages that are not installed. Run:"
  echo "  sudo apt-get install -y ${missing[*]}"
  exit 1
fi
