#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs and provisions helpline-gateway on a fresh Raspberry Pi OS (Debian 12) in one command,
# and is safe to run again: a second run changes nothing and loses nothing (docs/install.md).
#
#   sudo scripts/install.sh                      asks for what it needs
#   sudo scripts/install.sh --non-interactive --site-id utrecht-1 --country NL \
#        --upstream-url mqtts://mqtt.central.example:8883 --upstream-username utrecht-1 \
#        --upstream-password-file /root/upstream-password
#   scripts/install.sh --root /tmp/box ...       a rehearsal in a folder (no user, no systemctl)
#
# It creates the service user and the directories, installs the code into
# /opt/helpline-gateway/slots/a (current -> slots/a), the systemd unit, udev rules, the journal
# namespace and log rotation, writes /etc/helpline-gateway/config.json from the answers (checked
# by the gateway's own loader), makes the keyring, enrols the box with the central office's broker
# (a key and certificate request made here; the signed certificate installed on a later run),
# optionally makes the first coordinator account, starts the service and ends with `doctor`.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=install/lib-files.sh
source "$REPO/scripts/install/lib-files.sh"
# shellcheck source=install/lib-code.sh
source "$REPO/scripts/install/lib-code.sh"
# shellcheck source=install/lib-enrol.sh
source "$REPO/scripts/install/lib-enrol.sh"
# shellcheck source=install/lib-service.sh
source "$REPO/scripts/install/lib-service.sh"

usage() {
  cat <<'USAGE'
usage: scripts/install.sh [options]

  --site-id ID                   site name: lower-case letters, digits, dashes (an MQTT topic level)
  --country NL|BE                how phone numbers are read; sets the defaults below
  --preset allesoke-nl|lumi-be   the privacy statement whose rules apply (NL: allesoke-nl, BE: lumi-be)
  --time-zone ZONE               (NL: Europe/Amsterdam, BE: Europe/Brussels)
  --line modem|sip|simulated     how calls arrive (default modem on /dev/helpline-modem)
  --modem-device PATH            (default /dev/helpline-modem)
  --sip-address IP --trunk-peers A,B   for --line sip: the box's address, the trunk's addresses
  --panel firmata|fake           the front-panel board (default firmata on /dev/helpline-panel; fake: none)
  --zeroize-on-tamper yes|no     opening the case destroys the key-encryption key (default no; docs/panel.md)
  --stations N                   station tokens to make (default 2)
  --stations-listen HOST:PORT    where the station pages listen (default 0.0.0.0:8080)
  --upstream-url URL             the central office's broker, mqtts://host:8883
  --upstream-username NAME       broker user name (a password-protected broker)
  --upstream-password-file FILE  the broker password, first line of FILE (asked when interactive)
  --ca-cert FILE                 the broker's CA certificate, from the central office
  --client-cert FILE             this box's certificate, signed by the central office (enrolment)
  --no-client-key                TLS without a client certificate: make no key and request
  --coordinator ID               make this coordinator account (password asked, or from the file below)
  --coordinator-password-file FILE
  --code-from DIR                copy a prebuilt tree (dist/, node_modules/, package.json) instead of building
  --skip-broker-check            do not connect to the broker at the end
  --no-start                     install and enable nothing in systemd beyond the files
  --reconfigure                  replace config values and the password that differ from the answers
  --root DIR                     install under DIR as if it were / (a rehearsal or a test): no user,
                                 no packages, no systemctl; the config inside points into DIR
  --non-interactive              ask nothing: answers from flags, the existing config or defaults
  -h, --help                     this text
USAGE
}

ROOT='' NON_INTERACTIVE=0 RECONFIGURE=0 NO_START=0 SKIP_BROKER_CHECK=0 NO_CLIENT_KEY=0
SITE_ID='' COUNTRY='' PRESET='' TIME_ZONE='' LINE_KIND='' MODEM_DEVICE='' SIP_ADDRESS='' TRUNK_PEERS=''
PANEL_KIND='' ZEROIZE_ON_TAMPER=''
STATIONS='' STATIONS_LISTEN='' UPSTREAM_URL='' UPSTREAM_USERNAME='' PASSWORD_FILE='' CA_CERT='' CLIENT_CERT=''
COORDINATOR='' COORDINATOR_PASSWORD_FILE='' CODE_FROM='' NODE='' PASSWORD_FILE_IS_TEMPORARY=0

absolute() { (cd "$(dirname "$1")" && printf '%s/%s' "$(pwd)" "$(basename "$1")"); }

# value_needed "$@": the option in $1 has a value in $2.
value_needed() { [ $# -ge 2 ] || fail "$1 needs a value (see --help)"; }

while [ $# -gt 0 ]; do
  option=$1
  case "$option" in
    --site-id) value_needed "$@"; SITE_ID=$2; shift ;;
    --country) value_needed "$@"; COUNTRY=$2; shift ;;
    --preset) value_needed "$@"; PRESET=$2; shift ;;
    --time-zone) value_needed "$@"; TIME_ZONE=$2; shift ;;
    --line) value_needed "$@"; LINE_KIND=$2; shift ;;
    --panel) value_needed "$@"; PANEL_KIND=$2; shift ;;
    --zeroize-on-tamper) value_needed "$@"; ZEROIZE_ON_TAMPER=$2; shift ;;
    --modem-device) value_needed "$@"; MODEM_DEVICE=$2; shift ;;
    --sip-address) value_needed "$@"; SIP_ADDRESS=$2; shift ;;
    --trunk-peers) value_needed "$@"; TRUNK_PEERS=$2; shift ;;
    --stations) value_needed "$@"; STATIONS=$2; shift ;;
    --stations-listen) value_needed "$@"; STATIONS_LISTEN=$2; shift ;;
    --upstream-url) value_needed "$@"; UPSTREAM_URL=$2; shift ;;
    --upstream-username) value_needed "$@"; UPSTREAM_USERNAME=$2; shift ;;
    --upstream-password-file) value_needed "$@"; PASSWORD_FILE=$(absolute "$2"); shift ;;
    --ca-cert) value_needed "$@"; CA_CERT=$(absolute "$2"); shift ;;
    --client-cert) value_needed "$@"; CLIENT_CERT=$(absolute "$2"); shift ;;
    --no-client-key) NO_CLIENT_KEY=1 ;;
    --coordinator) value_needed "$@"; COORDINATOR=$2; shift ;;
    --coordinator-password-file) value_needed "$@"; COORDINATOR_PASSWORD_FILE=$(absolute "$2"); shift ;;
    --code-from) value_needed "$@"; CODE_FROM=$(cd "$2" && pwd); shift ;;
    --skip-broker-check) SKIP_BROKER_CHECK=1 ;;
    --no-start) NO_START=1 ;;
    --reconfigure) RECONFIGURE=1 ;;
    --root) value_needed "$@"; mkdir -p "$2"; ROOT=$(cd "$2" && pwd); shift ;;
    --non-interactive) NON_INTERACTIVE=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown option: $option" ;;
  esac
  shift
done
[ "$ROOT" = / ] && ROOT=''

CONFIG="$ROOT/etc/helpline-gateway/config.json"
WRITE_CONFIG="$REPO/scripts/install/write-config.mjs"

config_value() { HGW_ROOT=$ROOT HGW_EXISTING=$CONFIG node "$WRITE_CONFIG" get "$1"; }

interactive() { [ "$NON_INTERACTIVE" != 1 ] && [ -t 0 ]; }

# ask VARIABLE "question" DEFAULT — only when interactive and the answer is not given yet.
ask() {
  local variable=$1 question=$2 default=$3 reply
  [ -n "${!variable}" ] && return 0
  if interactive; then
    read -r -p "$question [${default:-none}]: " reply
    printf -v "$variable" '%s' "${reply:-$default}"
  else
    printf -v "$variable" '%s' "$default"
  fi
}

gather_answers() {
  # What is not asked for keeps the existing config's value (read here for the questions' defaults).
  local have_config=0
  [ -f "$CONFIG" ] && have_config=1
  local current_site='' current_country='' current_url=''
  if [ "$have_config" = 1 ]; then
    current_site=$(config_value site.id)
    current_country=$(config_value site.country)
    current_url=$(config_value upstream.url)
  fi
  if [ "$have_config" = 1 ] && ! interactive; then
    SITE_ID=${SITE_ID:-$current_site}
    UPSTREAM_URL=${UPSTREAM_URL:-$current_url}
    return
  fi
  ask SITE_ID "site id (lower-case letters, digits, dashes)" "$current_site"
  ask COUNTRY "country (NL or BE)" "${current_country:-NL}"
  case "$COUNTRY" in NL | BE) ;; *) fail "--country must be NL or BE" ;; esac
  ask UPSTREAM_URL "central office broker URL" "${current_url:-mqtts://}"
  if interactive && [ -z "$UPSTREAM_USERNAME" ] && [ "$have_config" = 0 ]; then
    ask UPSTREAM_USERNAME "broker user name (empty: certificate only)" "$SITE_ID"
  fi
  [ -n "$SITE_ID" ] || fail "no site id: give --site-id"
  [[ "$SITE_ID" =~ ^[a-z0-9][a-z0-9-]{0,62}$ ]] || fail "--site-id must be lower-case letters, digits and dashes"
  [[ "$UPSTREAM_URL" =~ ^(mqtt|mqtts|ws|wss)://[^[:space:]]+$ ]] || fail "no upstream URL: give --upstream-url mqtts://host:8883"
}

# An interactive install asks the broker password once, when there is none yet.
ask_password() {
  [ -n "$PASSWORD_FILE" ] && return 0
  [ -n "$UPSTREAM_USERNAME" ] || return 0
  [ -f "$ROOT/etc/helpline-gateway/upstream/password" ] && return 0
  interactive || return 0
  local password
  read -r -s -p "broker password for $UPSTREAM_USERNAME: " password
  printf '\n'
  PASSWORD_FILE=$(mktemp)
  PASSWORD_FILE_IS_TEMPORARY=1
  printf '%s\n' "$password" >"$PASSWORD_FILE"
}

write_config() {
  local staged status
  staged=$(mktemp)
  status=$(HGW_ROOT=$ROOT HGW_REPO=$REPO HGW_EXISTING=$CONFIG HGW_OUT=$staged \
    HGW_SITE_ID=$SITE_ID HGW_COUNTRY=$COUNTRY HGW_PRESET=$PRESET HGW_TIME_ZONE=$TIME_ZONE \
    HGW_LINE=$LINE_KIND HGW_MODEM_DEVICE=$MODEM_DEVICE HGW_SIP_ADDRESS=$SIP_ADDRESS HGW_TRUNK_PEERS=$TRUNK_PEERS \
    HGW_STATIONS=$STATIONS HGW_STATIONS_LISTEN=$STATIONS_LISTEN HGW_PANEL=$PANEL_KIND HGW_ZEROIZE_ON_TAMPER=$ZEROIZE_ON_TAMPER \
    HGW_UPSTREAM_URL=$UPSTREAM_URL HGW_UPSTREAM_USERNAME=$UPSTREAM_USERNAME \
    HGW_HAS_PASSWORD=$([ -f "$UPSTREAM_DIR/password" ] && echo 1 || echo 0) \
    HGW_HAS_CA=$([ -f "$UPSTREAM_DIR/ca.crt" ] && echo 1 || echo 0) \
    HGW_HAS_CLIENT_CERT=$([ -f "$UPSTREAM_DIR/client.crt" ] && echo 1 || echo 0) \
    node "$WRITE_CONFIG" merge) || fail "the config could not be written"
  case "$status" in
    same) fix_mode_owner "$CONFIG" 0640 "$(owner_of root:helpline)" ;;
    new | enrolment* | differs*)
      # The gateway's own loader is the judge: one line naming every bad key.
      "$NODE" "$ROOT/opt/helpline-gateway/current/dist/cli/helpline-gateway.js" config check --config "$staged" >/dev/null ||
        fail "the answers do not make a valid config (the line above names the keys)"
      if [[ "$status" == differs* ]]; then
        if [ "$RECONFIGURE" != 1 ]; then
          rm -f "$staged"
          fail "the answers differ from $CONFIG in: ${status#differs }; the config was left as it is. Add --reconfigure to replace those values"
        fi
        cp -p "$CONFIG" "$CONFIG.before-$(date -u +%Y%m%dT%H%M%SZ)"
      fi
      install_file "$staged" "$CONFIG" 0640 root:helpline || true
      CONFIG_CHANGED=1
      ;;
    *) fail "unexpected answer from write-config.mjs: $status" ;;
  esac
  rm -f "$staged"
}

make_coordinator() {
  [ -n "$COORDINATOR" ] || return 0
  if service_active; then
    note skipped "coordinator $COORDINATOR: the service holds the database (add accounts on the coordinator page)"
    return
  fi
  local listing
  listing=$(gateway accounts list --config "$CONFIG") || fail "accounts list failed"
  if printf '%s\n' "$listing" | awk '{print $1}' | grep -qx -- "$COORDINATOR"; then
    return 0
  fi
  if [ -n "$COORDINATOR_PASSWORD_FILE" ]; then
    head -n 1 "$COORDINATOR_PASSWORD_FILE" | gateway accounts add "$COORDINATOR" --role coordinator --config "$CONFIG" >/dev/null
  elif interactive; then
    gateway accounts add "$COORDINATOR" --role coordinator --config "$CONFIG" >/dev/null
  else
    fail "--coordinator $COORDINATOR needs --coordinator-password-file when not interactive"
  fi
  changed created "coordinator account $COORDINATOR"
}

check_broker() {
  if [ "$SKIP_BROKER_CHECK" = 1 ] || [ "$ENROLMENT" = pending ]; then return 0; fi
  gateway upstream check --config "$CONFIG" || say "the broker did not accept the box (above); the service keeps trying: see docs/install.md, Enrolment"
}

main() {
  check_node
  if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then fail "run as root (sudo), or rehearse with --root DIR"; fi
  say "helpline-gateway install${ROOT:+ under $ROOT}"
  detect_systemd
  ensure_packages
  ensure_user
  ensure_dir "$ROOT/etc/helpline-gateway" 0750 root:helpline
  ensure_dir "$ROOT/etc/helpline-gateway/update-keys" 0755 root:root
  ensure_dir "$ROOT/var/lib/helpline-gateway" 0700 "$SERVICE_USER:$SERVICE_USER"
  local part
  for part in data keyring logs update; do ensure_dir "$ROOT/var/lib/helpline-gateway/$part" 0700 "$SERVICE_USER:$SERVICE_USER"; done
  install_code
  install_system_files
  gather_answers
  ask_password
  enrol
  [ "$PASSWORD_FILE_IS_TEMPORARY" = 1 ] && shred -u "$PASSWORD_FILE"
  CONFIG_CHANGED=0
  write_config
  local keys
  keys=$(gateway keys init --config "$CONFIG") || fail "the keyring could not be made"
  [[ "$keys" == "keyring created"* ]] && changed created "keyring ${keys#*: }"
  make_coordinator
  local restart=0
  if [ "$CODE_CHANGED" = 1 ] || [ "$CONFIG_CHANGED" = 1 ] || [ "$UNIT_CHANGED" = 1 ] || [ "$CREDENTIALS_CHANGED" = 1 ]; then restart=1; fi
  start_service "$restart"
  [ "$SYSTEM_FILES_CHANGED" = 1 ] && [ "$HAVE_SYSTEMD" = 1 ] && systemctl try-restart systemd-journald@helpline-gateway.service
  print_enrolment
  check_broker
  if [ "$CHANGES" -eq 0 ]; then say "nothing changed"; else say "$CHANGES change(s)"; fi
  say "doctor:"
  gateway doctor --config "$CONFIG"
}

main
