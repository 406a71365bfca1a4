#!/usr/bin/env bash
# Installs the Debian-packaged ngtcp2 HTTP/3 example peers when they are missing:
#   gtlsclient (package ngtcp2-client, /usr/bin) and gtlsserver (package ngtcp2-server, /usr/sbin),
# plus openssl for test certificates. Idempotent and quiet: prints nothing and exits 0 when all
# is present. Runs `apt-get update` once (only if an install is needed), then `apt-get install`.
# Exit 0: installed; 1: the install failed; 2: no apt-get on this system (peer tests skip).
set -euo pipefail

PKGS=(ngtcp2-client ngtcp2-server openssl)

have_binaries() {
  { command -v gtlsclient || [ -x /usr/bin/gtlsclient ]; } >/dev/null 2>&1 &&
    { command -v gtlsserver || [ -x /usr/sbin/gtlsserver ]; } >/dev/null 2>&1 &&
    command -v openssl >/dev/null 2>&1
}

have_binaries && exit 0

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ngtcp2 install: apt-get is not available" >&2
  exit 2
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "ngtcp2 install: root (or sudo) is needed to install ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg may hold the lock for a while: wait up to a minute for it.
apt() {
  local i
  for i in 1 2 3 4 5 6; do
    "${SUDO[@]}" apt-get -qq -o Dpkg::Use-Pty=0 "$@" >/dev/null 2>&1 && return 0
    sleep 10
  done
  return 1
}

apt update || true
if ! apt install -y --no-install-recommends "${missing[@]}"; then
  echo "ngtcp2 install: apt-get install failed for ${missing[*]}" >&2
  exit 1
fi
have_binaries || { echo "ngtcp2 install: gtlsclient/gtlsserver not found after the install" >&2; exit 1; }
