#!/usr/bin/env bash
# Installs the real BitTorrent clients the interop tests talk to, when missing.
# Needs root (apt-get). If they cannot be installed the interop tests skip, loudly.
set -uo pipefail
need=()
/usr/bin/python3 -c 'import libtorrent' >/dev/null 2>&1 || need+=(python3-libtorrent)
command -v transmission-daemon >/dev/null 2>&1 || need+=(transmission-daemon)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages for interop tests: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
# The Debian transmission-daemon package starts a system service on install: forbid service
# starts for the install (policy-rc.d exit 101) and stop it in case it started anyway. The
# tests run their own daemon with a temporary config dir.
tmp_policy=""
if [[ " ${need[*]} " == *" transmission-daemon "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
  tmp_policy=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$tmp_policy" >/dev/null && $SUDO chmod +x "$tmp_policy"
fi
$SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
[ -n "$tmp_policy" ] && $SUDO rm -f "$tmp_policy"
if [[ " ${need[*]} " == *" transmission-daemon "* ]]; then
  $SUDO systemctl disable --now transmission-daemon >/dev/null 2>&1 || $SUDO service transmission-daemon stop >/dev/null 2>&1 || true
fi
status=0
if /usr/bin/python3 -c 'import libtorrent' >/dev/null 2>&1; then
  echo "python3-libtorrent installed"
else
  echo "WARNING: python3-libtorrent could not be installed; libtorrent interop tests will SKIP" >&2
  status=1
fi
if command -v transmission-daemon >/dev/null 2>&1; then
  echo "transmission-daemon installed"
else
  echo "WARNING: transmission-daemon could not be installed; Transmission interop tests will SKIP" >&2
  status=1
fi
exit $status
