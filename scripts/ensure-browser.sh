#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (packages/dist-tests) when /usr/bin/chromium is
# missing. Playwright never downloads a browser here: the test drives this one through
# playwright-core's executablePath. Needs root (apt-get). If chromium cannot be installed, the
# browser test skips loudly on a developer's machine and fails under CI=true.
set -uo pipefail
[ -x /usr/bin/chromium ] && exit 0
echo "installing Debian's chromium for the browser test"
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
$SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
if [ -x /usr/bin/chromium ]; then
  /usr/bin/chromium --version
else
  echo "WARNING: chromium could not be installed; the browser test will SKIP (FAIL under CI=true)" >&2
  exit 1
fi
