# shellcheck shell=bash
# The code: built from the repository the installer runs from (or copied from a prebuilt tree
# with --code-from) into /opt/helpline-gateway/slots/a, with `current` pointing at it.
#
# A slot holds dist/ (the compiled gateway), node_modules/ (production dependencies only),
# package.json and package-lock.json, src/media/prompts/ (the SIP line's voice prompts), docs/, and
# two files of the installer's: .source-fingerprint (what it was built from) and MANIFEST.sha256
# (every file's checksum). A second run with the same sources and an intact slot does nothing.

SLOTS_DIR=
CODE_CHANGED=0

# What the slot would be built from: the sources, or the prebuilt tree.
source_fingerprint() {
  if [ -n "$CODE_FROM" ]; then
    (cd "$CODE_FROM" && tree_fingerprint .)
  else
    (cd "$REPO" && tree_fingerprint package.json package-lock.json tsconfig.json tsconfig.build.json src docs)
  fi
}

slot_intact() {
  local slot=$1
  [ -f "$slot/MANIFEST.sha256" ] && (cd "$slot" && sha256sum --quiet --strict -c MANIFEST.sha256 >/dev/null 2>&1)
}

build_into() {
  local stage=$1
  if [ -n "$CODE_FROM" ]; then
    [ -f "$CODE_FROM/dist/cli/helpline-gateway.js" ] || fail "--code-from $CODE_FROM holds no dist/cli/helpline-gateway.js (a prebuilt tree: dist/, node_modules/, package.json)"
    cp -a "$CODE_FROM/." "$stage/"
    # A tree copied from another slot brings that slot's bookkeeping: this one writes its own.
    rm -f "$stage/MANIFEST.sha256" "$stage/.source-fingerprint"
    return
  fi
  say "  building   the gateway from $REPO (TypeScript, then the production dependencies)"
  if [ ! -x "$REPO/node_modules/.bin/tsc" ]; then
    (cd "$REPO" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in $REPO failed"
  fi
  (cd "$REPO" && node_modules/.bin/tsc -p tsconfig.build.json --outDir "$stage/dist") || fail "the TypeScript build failed"
  cp "$REPO/package.json" "$REPO/package-lock.json" "$stage/"
  mkdir -p "$stage/src/media"
  cp -a "$REPO/src/media/prompts" "$stage/src/media/"
  cp -a "$REPO/docs" "$stage/docs"
  (cd "$stage" && npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci --omit=dev in the new slot failed"
}

install_code() {
  local opt="$ROOT/opt/helpline-gateway"
  SLOTS_DIR="$opt/slots"
  ensure_dir "$opt" 0755 root:root
  ensure_dir "$SLOTS_DIR" 0755 root:root
  local current="$opt/current" slot="$SLOTS_DIR/a" fingerprint
  # `committed` names the committed version for the update start check (docs/updates.md); updates
  # keep it in line from their first apply on, so it is made once and never moved here.
  if [ ! -L "$opt/committed" ]; then ensure_symlink slots/a "$opt/committed" || true; fi
  if [ -L "$current" ] && [ "$(readlink "$current")" != "slots/a" ]; then
    note kept "${current#"$ROOT"} -> $(readlink "$current") (a signed update runs; updates own the code from here)"
    return
  fi
  fingerprint=$(source_fingerprint)
  if [ -d "$slot" ] && [ "$(cat "$slot/.source-fingerprint" 2>/dev/null)" = "$fingerprint" ] && slot_intact "$slot"; then
    if ensure_symlink slots/a "$current"; then CODE_CHANGED=1; fi
    return 0
  fi
  local stage="$SLOTS_DIR/.a.new"
  rm -rf "$stage"
  mkdir -p "$stage"
  build_into "$stage"
  printf '%s\n' "$fingerprint" >"$stage/.source-fingerprint"
  local manifest
  manifest=$(mktemp)
  (cd "$stage" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum >"$manifest")
  mv "$manifest" "$stage/MANIFEST.sha256"
  # Code is root's: the service can read it, never change it.
  chown -R "$(owner_of root:root)" "$stage"
  chmod -R go-w,a+rX "$stage"
  local verb=installed
  if [ -d "$slot" ]; then
    verb=replaced
    rm -rf "$SLOTS_DIR/.a.old"
    mv "$slot" "$SLOTS_DIR/.a.old"
  fi
  mv "$stage" "$slot"
  rm -rf "$SLOTS_DIR/.a.old"
  changed "$verb" "${slot#"$ROOT"} (firmware $(node -p "require('$slot/package.json').version"), $(wc -l <"$slot/MANIFEST.sha256") files)"
  ensure_symlink slots/a "$current" || true
  CODE_CHANGED=1
}
