#!/bin/sh
# What the test suite needs from the machine besides npm, from Debian's packages: chromium
# (the browser and passkey tests drive it through playwright-core, which downloads no
# browser of its own), nginx-light (the cluster test and `npm run cluster` put it in front
# of the instances) and wrk (the load of the rolling-restart test). Each is installed with
# apt-get when missing, as root or through sudo; nothing happens when all are there.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v wrk > /dev/null 2>&1 || missing="$missing wrk"
if [ -z "$missing" ]; then
  echo "test prerequisites: $(/usr/bin/chromium --version 2>/dev/null || echo chromium), $(/usr/sbin/nginx -v 2>&1), $(wrk --version 2>&1 | head -n 1) are installed"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then as_root=""; else as_root="sudo"; fi
echo "test prerequisites: installing from Debian's packages:$missing"
$as_root apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq $missing > /dev/null
/usr/bin/chromium --version
/usr/sbin/nginx -v
wrk --version 2>&1 | head -n 1 || true
