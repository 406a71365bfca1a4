#!/usr/bin/env bash
# client.sh OUTDIR URL [URL... | gtlsclient flags...]
# Downloads URLs (https://HOST:PORT/PATH, all on one host and port) over HTTP/3 with the ngtcp2
# example client into OUTDIR (each file named after the last path segment), on one connection,
# within CLIENT_TIMEOUT seconds (default 60). Quiet unless VERBOSE=1.
# gtlsclient does not verify the server certificate, and exits 0 even when the connection
# failed: callers must check the downloaded files.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
[ $# -ge 2 ] || { echo "usage: $0 OUTDIR URL [URL...|flags...]" >&2; exit 2; }
outdir=$1
shift
url=""
for a in "$@"; do case $a in https://*) url=$a; break ;; esac; done
[ -n "$url" ] || { echo "client.sh: no https URL given" >&2; exit 2; }
hostport=${url#https://}
hostport=${hostport%%/*}
if [[ $hostport == \[* ]]; then
  host=${hostport#[}; host=${host%%]*}; port=${hostport##*]:}
else
  host=${hostport%:*}; port=${hostport##*:}
fi
[ "$port" != "$hostport" ] || port=443
flags=() urls=()
for a in "$@"; do case $a in https://*) urls+=("$a") ;; *) flags+=("$a") ;; esac; done
mkdir -p "$outdir"
bin=$(ngtcp2_bin gtlsclient)
quiet=(-q)
[ "${VERBOSE:-0}" = 1 ] && quiet=()
exec timeout "${CLIENT_TIMEOUT:-60}" "$bin" "${quiet[@]}" --exit-on-all-streams-close --download "$outdir" \
  "${flags[@]}" "$host" "$port" "${urls[@]}"
