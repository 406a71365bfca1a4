#!/usr/bin/env bash
# Sourced by the peers' install scripts: `apt_install NAME PACKAGE...` installs Debian packages
# quietly, as root or through a password-less sudo, waiting up to a minute for another apt or
# dpkg that holds the lock, and running `apt-get update` only when a first install attempt fails.
# Returns 0 when installed, 1 when the install failed, 2 when apt-get or root is not available
# here (the peer's tests then skip). NAME prefixes the messages.

apt_install() {
  local name=$1
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$name install: apt-get is not available" >&2
    return 2
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      echo "$name install: root (or sudo) is needed to install $*" >&2
      return 2
    fi
  fi
  apt_retrying() {
    local i
    for i in 1 2 3 4 5 6; do
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -qq -o Dpkg::Use-Pty=0 "$@" >/dev/null 2>&1 && return 0
      sleep 10
    done
    return 1
  }
  apt_retrying install -y --no-install-recommends "$@" && return 0
  apt_retrying update || true
  if ! apt_retrying install -y --no-install-recommends "$@"; then
    echo "$name install: apt-get install failed for $*" >&2
    return 1
  fi
}
