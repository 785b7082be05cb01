# shellcheck shell=bash
# Files, directories and what changed: the idempotent building blocks of scripts/install.sh.
# Every write compares first (bytes with cmp, modes and owners with stat) and reports one line;
# nothing is rewritten that is already right, so a second run changes nothing.

CHANGES=0

say() { printf '%s\n' "$*"; }
note() { printf '  %-10s %s\n' "$1" "$2"; }
fail() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

changed() {
  CHANGES=$((CHANGES + 1))
  note "$1" "$2"
}

# The owner a file gets: as asked on a box, the invoking user under --root (no chown there).
owner_of() {
  if [ -n "$ROOT" ]; then printf '%s:%s' "$(id -un)" "$(id -gn)"; else printf '%s' "$1"; fi
}

# ensure_dir PATH MODE OWNER:GROUP — creates it or fixes its mode and owner.
ensure_dir() {
  local path=$1 mode=$2 owner
  owner=$(owner_of "$3")
  if [ ! -d "$path" ]; then
    mkdir -p "$path"
    chmod "$mode" "$path"
    chown "$owner" "$path"
    changed created "${path#"$ROOT"} ($mode $owner)"
    return
  fi
  fix_mode_owner "$path" "$mode" "$owner"
}

fix_mode_owner() {
  local path=$1 mode=$2 owner=$3 actual wanted
  actual=$(stat -c '%a %U:%G' "$path")
  wanted="$(printf '%o' "$((8#$mode))") $owner"
  if [ "$actual" != "$wanted" ]; then
    chmod "$mode" "$path"
    chown "$owner" "$path"
    changed fixed "${path#"$ROOT"} (was $actual, now $mode $owner)"
  fi
}

# install_file SOURCE DEST MODE OWNER:GROUP — copies when the bytes differ (via a temporary file
# and a rename, so a reader never sees half a file); sets mode and owner either way.
# Returns 0 when it wrote the file, 1 when the file was already right.
install_file() {
  local source=$1 dest=$2 mode=$3 owner temporary
  owner=$(owner_of "$4")
  if [ -f "$dest" ] && cmp -s "$source" "$dest"; then
    fix_mode_owner "$dest" "$mode" "$owner"
    return 1
  fi
  temporary="$dest.install-tmp"
  install -m "$mode" "$source" "$temporary"
  chown "$owner" "$temporary"
  local verb=installed
  [ -f "$dest" ] && verb=updated
  mv -f "$temporary" "$dest"
  changed "$verb" "${dest#"$ROOT"} ($mode $owner)"
  return 0
}

# install_text DEST MODE OWNER:GROUP — install_file with the content on standard input.
install_text() {
  local staged
  staged=$(mktemp)
  cat >"$staged"
  local status=0
  install_file "$staged" "$1" "$2" "$3" || status=$?
  rm -f "$staged"
  return "$status"
}

# ensure_symlink TARGET LINK — points LINK at TARGET (relative), switched with a rename.
ensure_symlink() {
  local target=$1 link=$2
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then return 1; fi
  ln -sfn "$target" "$link.install-tmp"
  mv -Tf "$link.install-tmp" "$link"
  changed linked "${link#"$ROOT"} -> $target"
  return 0
}

# sha256 of a list of files (paths relative to the current directory, sorted) and their contents.
tree_fingerprint() {
  find "$@" -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
