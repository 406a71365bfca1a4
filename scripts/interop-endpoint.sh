#!/usr/bin/env bash
# The quic-interop-runner endpoint (DESIGN.md 'Contracts' 1): reads ROLE, TESTCASE, REQUESTS,
# SSLKEYLOGFILE and QLOGDIR from the environment, serves WWW (default /www) or downloads to
# DOWNLOADS (default /downloads), with the certificate in CERTS (default /certs: cert.pem and
# priv.key), on PORT (default 443; HOST sets the server's bind address, default '::').
# Unsupported test cases exit 127. ALPN hq-interop; h3 for the http3 case, and for every case
# with APPLICATION=h3.
#
#   ROLE=server TESTCASE=transfer WWW=./www CERTS=./certs PORT=4433 HOST=127.0.0.1 bash scripts/interop-endpoint.sh
#   ROLE=client TESTCASE=transfer DOWNLOADS=./dl REQUESTS="https://127.0.0.1:4433/a https://127.0.0.1:4433/b" bash scripts/interop-endpoint.sh
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${TESTCASE:-}" in
  handshake|transfer|chacha20|retry|multiconnect|keyupdate|resumption|zerortt|http3|versionnegotiation) ;;
  *) echo "interop-endpoint: unsupported test case '${TESTCASE:-}'" >&2; exit 127 ;;
esac
exec node --conditions=source --import "file://$root/scripts/register-ts.mjs" "$root/scripts/interop/endpoint.ts"
