# shellcheck shell=bash
# The box around the code: the service user, the Debian packages the gateway needs at run time,
# the systemd unit, the journal namespace, udev rules and log rotation, and starting the service.
# Under --root only files are written: no user, no package, no systemctl, no udevadm.

SERVICE_USER=helpline
SYSTEM_FILES_CHANGED=0
UNIT_CHANGED=0
HAVE_SYSTEMD=0

check_node() {
  NODE=$(command -v node) || fail "node is not installed: the gateway needs Node.js 20 or later (docs/install.md, Before you start)"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || fail "node $(node --version) is too old: the gateway needs Node.js 20 or later (docs/install.md, Before you start)"
}

ensure_packages() {
  [ -n "$ROOT" ] && return 0
  local missing=()
  command -v socat >/dev/null || missing+=(socat)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v npm >/dev/null || [ -n "$CODE_FROM" ] || missing+=(npm)
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "  apt-get    install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} failed"
  CHANGES=$((CHANGES + 1))
}

ensure_user() {
  if [ -n "$ROOT" ]; then
    note simulated "user $SERVICE_USER (system, no shell, in dialout): not made under --root"
    return
  fi
  if ! getent passwd "$SERVICE_USER" >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/helpline-gateway --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    changed created "user $SERVICE_USER (system, no shell)"
  fi
  if ! id -nG "$SERVICE_USER" | tr ' ' '\n' | grep -qx dialout; then
    usermod -a -G dialout "$SERVICE_USER"
    changed added "$SERVICE_USER to group dialout (modem and panel)"
  fi
}

install_system_files() {
  local hardware="$REPO/hardware"
  ensure_dir "$ROOT/etc/systemd/system" 0755 root:root
  ensure_dir "$ROOT/etc/udev/rules.d" 0755 root:root
  ensure_dir "$ROOT/etc/logrotate.d" 0755 root:root
  ensure_dir "$ROOT/etc/modules-load.d" 0755 root:root
  # The unit as shipped, with ExecStart's node where this box has it.
  local unit
  for unit in helpline-gateway.service helpline-gateway-update.path helpline-gateway-update.service; do
    # The units as shipped, with node where this box has it (ExecStart, ExecStartPre=+-…).
    if sed -E "s#^(ExecStart(Pre)?=[-+]*)/usr/bin/node #\1$NODE #" "$hardware/$unit" |
      install_text "$ROOT/etc/systemd/system/$unit" 0644 root:root; then
      UNIT_CHANGED=1
    fi
  done
  install_file "$hardware/journald@helpline-gateway.conf" "$ROOT/etc/systemd/journald@helpline-gateway.conf" 0644 root:root && SYSTEM_FILES_CHANGED=1
  if install_file "$hardware/99-helpline-gateway.rules" "$ROOT/etc/udev/rules.d/99-helpline-gateway.rules" 0644 root:root; then
    if [ -z "$ROOT" ] && command -v udevadm >/dev/null; then
      udevadm control --reload && udevadm trigger --subsystem-match=tty
    fi
  fi
  install_file "$hardware/helpline-gateway.logrotate" "$ROOT/etc/logrotate.d/helpline-gateway" 0644 root:root && SYSTEM_FILES_CHANGED=1
  if install_file "$hardware/helpline-gateway-modules.conf" "$ROOT/etc/modules-load.d/helpline-gateway.conf" 0644 root:root; then
    if [ -z "$ROOT" ] && command -v modprobe >/dev/null; then modprobe -a cdc_acm usbserial || true; fi
  fi
  return 0
}

detect_systemd() {
  if [ -z "$ROOT" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then HAVE_SYSTEMD=1; fi
}

service_active() { [ "$HAVE_SYSTEMD" = 1 ] && systemctl is-active --quiet helpline-gateway; }

# Enable and start; restart only when something it reads changed (code, config, unit, credentials).
start_service() {
  local restart_needed=$1
  if [ "$HAVE_SYSTEMD" != 1 ]; then
    note skipped "systemctl (${ROOT:+--root; }no systemd running): start it with systemctl enable --now helpline-gateway"
    return
  fi
  [ "$UNIT_CHANGED" = 1 ] && systemctl daemon-reload
  if [ "$NO_START" = 1 ]; then
    note skipped "starting the service (--no-start)"
    return
  fi
  if ! systemctl is-enabled --quiet helpline-gateway; then
    systemctl enable --quiet helpline-gateway
    changed enabled helpline-gateway.service
  fi
  # Uploaded update bundles are applied by root through this path unit (docs/updates.md).
  if ! systemctl is-enabled --quiet helpline-gateway-update.path; then
    systemctl enable --now --quiet helpline-gateway-update.path
    changed enabled helpline-gateway-update.path
  fi
  if ! service_active; then
    systemctl start helpline-gateway || fail "the service did not start: journalctl --namespace=helpline-gateway -u helpline-gateway"
    changed started helpline-gateway.service
  elif [ "$restart_needed" = 1 ]; then
    systemctl restart helpline-gateway || fail "the service did not restart: journalctl --namespace=helpline-gateway -u helpline-gateway"
    changed restarted helpline-gateway.service
  fi
}

# Runs the installed gateway as the service user (files it makes belong to it); as is under --root.
gateway() {
  local cli="$ROOT/opt/helpline-gateway/current/dist/cli/helpline-gateway.js"
  if [ -n "$ROOT" ] || [ "$(id -u)" != 0 ]; then
    "$NODE" "$cli" "$@"
  else
    runuser -u "$SERVICE_USER" -- "$NODE" "$cli" "$@"
  fi
}
