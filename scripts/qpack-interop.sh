#!/bin/sh
# Offline QPACK interop tool (QIF corpus format). Works from any directory.
#   qpack-interop.sh decode ENCODED_FILE OUT_QIF --table-size N --max-blocked N
#   qpack-interop.sh encode QIF OUT --table-size N --max-blocked N --immediate-ack 0|1
set -e
root="$(cd "$(dirname "$0")/.." && pwd)"
exec node --conditions=source --import "$root/scripts/register-ts.mjs" "$root/scripts/qpack-interop.ts" "$@"
