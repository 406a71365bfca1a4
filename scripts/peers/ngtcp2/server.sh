#!/usr/bin/env bash
# server.sh ADDR PORT DOCROOT CERT KEY [gtlsserver flags...]
# Runs the ngtcp2 example HTTP/3 server (ALPN h3 only) in the foreground, serving DOCROOT on
# UDP ADDR:PORT. The process execs gtlsserver, so the caller's PID is the server's: stop it with
# `kill PID`. Quiet unless VERBOSE=1. Note gtlsserver's own argument order: ADDR PORT KEY CERT.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
[ $# -ge 5 ] || { echo "usage: $0 ADDR PORT DOCROOT CERT KEY [flags...]" >&2; exit 2; }
addr=$1 port=$2 docroot=$3 cert=$4 key=$5
shift 5
bin=$(ngtcp2_bin gtlsserver)
quiet=(-q)
[ "${VERBOSE:-0}" = 1 ] && quiet=()
exec "$bin" "${quiet[@]}" -d "$docroot" "$@" "$addr" "$port" "$key" "$cert"
