#!/usr/bin/env bash
# Prints the path of a Deno binary for the real-peer tests, installing it when missing: $DENO if
# set, else the binary of the @deno/<platform> npm package (an optional devDependency, so `npm ci`
# normally brings it), else `deno` on PATH. Installs the platform package without touching
# package.json or the lock file when none of these exist.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -n "${DENO:-}" ] && [ -x "$DENO" ]; then echo "$DENO"; exit 0; fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg="@deno/linux-x64-glibc" ;;
  Linux-aarch64) pkg="@deno/linux-arm64-glibc" ;;
  Darwin-arm64) pkg="@deno/darwin-arm64" ;;
  Darwin-x86_64) pkg="@deno/darwin-x64" ;;
  *) echo "install-deno: no Deno package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
bin="$root/node_modules/$pkg/deno"
if [ ! -x "$bin" ]; then
  if command -v deno >/dev/null 2>&1; then command -v deno; exit 0; fi
  version="$(node -e "const p=require('$root/package.json');process.stdout.write((p.optionalDependencies||{})['$pkg']||(p.devDependencies||{})['$pkg']||'latest')")"
  (cd "$root" && npm install --no-save --no-package-lock "$pkg@$version" >&2)
fi
[ -x "$bin" ] || { echo "install-deno: $bin missing after install" >&2; exit 1; }
echo "$bin"
