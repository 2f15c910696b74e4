#!/usr/bin/env bash
# Installs the real BitTorrent clients the interop tests talk to, when missing.
# Needs root (apt-get). If they cannot be installed the interop tests skip, loudly.
set -uo pipefail
need=()
/usr/bin/python3 -c 'import libtorrent' >/dev/null 2>&1 || need+=(python3-libtorrent)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages for interop tests: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
$SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
if /usr/bin/python3 -c 'import libtorrent' >/dev/null 2>&1; then
  echo "python3-libtorrent installed"
else
  echo "WARNING: python3-libtorrent could not be installed; libtorrent interop tests will SKIP" >&2
  exit 1
fi
