#!/usr/bin/env bash
# Makes the Chromium WebTransport peer available: Debian's chromium (apt, /usr/bin/chromium) and
# playwright-core from the repository's devDependencies (`npm install`; the browser Playwright
# would download is never used, so `playwright install` is never run). Idempotent and quiet:
# exits 0 at once when both are present. `apt-get update` runs only when an install is needed.
# Exit 0: ready; 1: the install failed; 2: no apt-get (or no root) here (peer tests skip).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
chromium="${CHROMIUM:-/usr/bin/chromium}"

have_playwright() { (cd "$here" && node -e "require.resolve('playwright-core')") >/dev/null 2>&1; }

if ! have_playwright; then
  echo "chromium install: playwright-core is missing; run npm install in $root" >&2
  exit 1
fi
[ -x "$chromium" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium install: apt-get is not available" >&2
  exit 2
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
    echo "chromium install: root (or sudo) is needed to install chromium" >&2
    exit 2
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
apt install -y chromium || { apt update || true; apt install -y chromium; } || {
  echo "chromium install: apt-get install chromium failed" >&2
  exit 1
}
[ -x "$chromium" ] || { echo "chromium install: $chromium not found after the install" >&2; exit 1; }
