# shellcheck shell=bash
# Enrolment with the central office: the box's credentials for its broker, all under
# /etc/helpline-gateway/upstream/ (0750 root:helpline).
#
#   password     the broker password, one line (0640 root:helpline)
#   ca.crt       the broker's CA certificate, when the central office uses its own CA (0644)
#   client.key   the box's private key, made here and never copied anywhere (0640 root:helpline)
#   client.csr   its certificate request, CN = the site id: this is what goes to the central office
#   client.crt   the certificate the central office signed, once it came back (0644)
#
# The key is made once and never again (a new key needs a new certificate); the installer only
# checks that a returned certificate belongs to it and names this site.

UPSTREAM_DIR=
ENROLMENT=none
CREDENTIALS_CHANGED=0

install_password() {
  local target="$UPSTREAM_DIR/password"
  [ -n "$PASSWORD_FILE" ] || return 0
  [ -r "$PASSWORD_FILE" ] || fail "--upstream-password-file $PASSWORD_FILE cannot be read"
  local staged
  staged=$(mktemp)
  # One line, the newline an editor adds dropped: as the gateway reads it.
  head -n 1 "$PASSWORD_FILE" | tr -d '\r\n' >"$staged"
  printf '\n' >>"$staged"
  [ "$(wc -c <"$staged")" -gt 1 ] || fail "--upstream-password-file $PASSWORD_FILE is empty"
  if [ -f "$target" ] && ! cmp -s "$staged" "$target" && [ "$RECONFIGURE" != 1 ]; then
    rm -f "$staged"
    fail "the upstream password differs from the one installed; add --reconfigure to replace it"
  fi
  install_file "$staged" "$target" 0640 root:helpline && CREDENTIALS_CHANGED=1
  rm -f "$staged"
}

install_ca() {
  [ -n "$CA_CERT" ] || return 0
  openssl x509 -in "$CA_CERT" -noout 2>/dev/null || fail "--ca-cert $CA_CERT is not a PEM certificate"
  install_file "$CA_CERT" "$UPSTREAM_DIR/ca.crt" 0644 root:root && CREDENTIALS_CHANGED=1
  return 0
}

# The key and its request: made when the broker is reached over TLS and there is no key yet.
make_client_key() {
  local key="$UPSTREAM_DIR/client.key" csr="$UPSTREAM_DIR/client.csr"
  if [ ! -f "$key" ]; then
    local staged
    staged=$(mktemp -d)
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$staged/client.key" -out "$staged/client.csr" -subj "/CN=$SITE_ID" 2>/dev/null || fail "openssl could not make the client key"
    install_file "$staged/client.key" "$key" 0640 root:helpline || true
    install_file "$staged/client.csr" "$csr" 0644 root:root || true
    rm -rf "$staged"
    return
  fi
  fix_mode_owner "$key" 0640 "$(owner_of root:helpline)"
  if [ ! -f "$csr" ]; then
    openssl req -new -key "$key" -out "$csr.install-tmp" -subj "/CN=$SITE_ID" 2>/dev/null || fail "openssl could not make the certificate request"
    chmod 0644 "$csr.install-tmp"
    mv "$csr.install-tmp" "$csr"
    changed installed "${csr#"$ROOT"} (from the existing key)"
  fi
}

public_key_of_certificate() { openssl x509 -in "$1" -noout -pubkey 2>/dev/null; }
public_key_of_key() { openssl pkey -in "$1" -pubout 2>/dev/null; }

install_client_cert() {
  local key="$UPSTREAM_DIR/client.key"
  [ -n "$CLIENT_CERT" ] || return 0
  [ -f "$key" ] || fail "--client-cert given but the box has no client key yet: run the installer once without it, send client.csr to the central office"
  openssl x509 -in "$CLIENT_CERT" -noout 2>/dev/null || fail "--client-cert $CLIENT_CERT is not a PEM certificate"
  [ "$(public_key_of_certificate "$CLIENT_CERT")" = "$(public_key_of_key "$key")" ] ||
    fail "--client-cert $CLIENT_CERT was not made for this box's key (${key#"$ROOT"}): it belongs to another request"
  local subject
  subject=$(openssl x509 -in "$CLIENT_CERT" -noout -subject -nameopt multiline 2>/dev/null | sed -n 's/^ *commonName *= *//p')
  [ "$subject" = "$SITE_ID" ] || fail "--client-cert $CLIENT_CERT names CN=$subject, not this site ($SITE_ID)"
  install_file "$CLIENT_CERT" "$UPSTREAM_DIR/client.crt" 0644 root:root && CREDENTIALS_CHANGED=1
  return 0
}

# The fingerprint the central office compares with the request it received (over the phone).
csr_fingerprint() {
  openssl req -in "$1" -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1 | sed 's/../&:/g; s/:$//'
}

enrol() {
  UPSTREAM_DIR="$ROOT/etc/helpline-gateway/upstream"
  ensure_dir "$UPSTREAM_DIR" 0750 root:helpline
  install_password
  install_ca
  case "$UPSTREAM_URL" in
    mqtts://* | wss://*)
      if [ "$NO_CLIENT_KEY" = 1 ]; then
        ENROLMENT=password-only
      else
        make_client_key
        install_client_cert
        if [ -f "$UPSTREAM_DIR/client.crt" ]; then ENROLMENT=complete; else ENROLMENT=pending; fi
      fi
      ;;
    *) ENROLMENT=plain ;;
  esac
}

print_enrolment() {
  case "$ENROLMENT" in
    pending)
      say "enrolment: waiting for the central office. Send them"
      say "  ${UPSTREAM_DIR#"$ROOT"}/client.csr (CN=$SITE_ID)"
      say "  sha256 $(csr_fingerprint "$UPSTREAM_DIR/client.csr")"
      say "and compare that fingerprint with theirs by phone. With the signed certificate, run again:"
      say "  scripts/install.sh --client-cert FILE [--ca-cert FILE]"
      ;;
    complete) say "enrolment: client certificate installed (valid until $(openssl x509 -in "$UPSTREAM_DIR/client.crt" -noout -enddate | cut -d= -f2))" ;;
    password-only) say "enrolment: TLS without a client certificate (--no-client-key): the broker knows the box by its password" ;;
    plain) say "enrolment: $UPSTREAM_URL is not TLS: use mqtts:// for a real central office" ;;
  esac
}
