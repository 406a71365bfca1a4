#!/usr/bin/env bash
# The ngtcp2 HTTP/3 client for the interop runner: fetches the URLs given as arguments into OUT
# with scripts/peers/ngtcp2/client.sh (gtlsclient) in the case's MODE:
#   single               every URL on one connection
#   connection-per-file  one connection per URL, one after another (a failed one is retried)
#   resume               the first URL, then the rest on a connection resuming the session
#                        (session and transport-parameter files in STATE, no 0-RTT)
#   zerortt              the same, the second connection sending its requests in 0-RTT
# FLAGS: extra gtlsclient flags (space separated). CONNECTION_TIMEOUT bounds each process (s).
# gtlsclient exits 0 even when a connection failed: the runner checks the downloaded files.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
client="$here/../../../peers/ngtcp2/client.sh"
mode=${MODE:-single}
out=${OUT:?OUT is required}
state=${STATE:-$(mktemp -d)}
read -r -a flags <<< "${FLAGS:-}"
export CLIENT_TIMEOUT=${CONNECTION_TIMEOUT:-60}
[ $# -ge 1 ] || { echo "usage: MODE=... OUT=DIR $0 URL..." >&2; exit 2; }

fetch() { bash "$client" "$out" "${flags[@]}" "$@"; }

case $mode in
  single)
    fetch "$@"
    ;;
  connection-per-file)
    for url in "$@"; do
      file="$out/${url##*/}"
      for attempt in 1 2 3; do
        fetch "$url" && [ -s "$file" ] && break
        echo "ngtcp2 client: attempt $attempt for $url failed" >&2
        rm -f "$file"
      done
    done
    ;;
  resume|zerortt)
    session="$state/ngtcp2-session.pem" tp="$state/ngtcp2-tp.pem"
    rm -f "$session" "$tp"
    extra=(--session-file="$session" --tp-file="$tp")
    [ "$mode" = resume ] && extra+=(--disable-early-data)
    first=$1
    shift
    fetch "${extra[@]}" "$first" || exit 1
    if [ ! -s "$session" ]; then echo "ngtcp2 client: no session ticket was stored after the first connection" >&2; exit 1; fi
    [ $# -eq 0 ] || fetch "${extra[@]}" "$@"
    ;;
  *)
    echo "ngtcp2 client: unknown MODE $mode" >&2
    exit 2
    ;;
esac
