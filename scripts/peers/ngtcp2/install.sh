#!/usr/bin/env bash
# Installs the Debian-packaged ngtcp2 HTTP/3 example peers when they are missing:
#   gtlsclient (package ngtcp2-client, /usr/bin) and gtlsserver (package ngtcp2-server, /usr/sbin),
# plus openssl for test certificates. Idempotent and quiet: prints nothing and exits 0 when all
# is present; otherwise installs what is missing through ../apt-install.sh.
# Exit 0: installed; 1: the install failed; 2: no apt-get (or no root) here (peer tests skip).
set -euo pipefail

PKGS=(ngtcp2-client ngtcp2-server openssl)

have_binaries() {
  { command -v gtlsclient || [ -x /usr/bin/gtlsclient ]; } >/dev/null 2>&1 &&
    { command -v gtlsserver || [ -x /usr/sbin/gtlsserver ]; } >/dev/null 2>&1 &&
    command -v openssl >/dev/null 2>&1
}

have_binaries && exit 0

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || missing=("${PKGS[@]}")

# shellcheck source=../apt-install.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../apt-install.sh"
rc=0
apt_install ngtcp2 "${missing[@]}" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
have_binaries || { echo "ngtcp2 install: gtlsclient/gtlsserver not found after the install" >&2; exit 1; }
