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

# shellcheck source=../apt-install.sh
. "$here/../apt-install.sh"
rc=0
apt_install chromium chromium || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
[ -x "$chromium" ] || { echo "chromium install: $chromium not found after the install" >&2; exit 1; }
