# shellcheck shell=bash
# Shared by the ngtcp2 peer wrappers (sourced): where the binaries live. gtlsserver is installed
# in /usr/sbin, which is not always on PATH.
ngtcp2_bin() {
  local name=$1 dir
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  for dir in /usr/bin /usr/sbin /usr/local/bin /usr/local/sbin; do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
  done
  echo "ngtcp2: $name not found (run scripts/peers/ngtcp2/install.sh)" >&2
  return 1
}
