#!/bin/sh
# What the test suite needs from the machine besides npm: Debian's Chromium, which the
# browser tests drive (test/browser.test.ts, through playwright-core, which downloads no
# browser of its own). Installed with apt-get when /usr/bin/chromium is missing, as root
# or through sudo; nothing happens when it is there.
set -eu
if [ -x /usr/bin/chromium ]; then
  echo "test prerequisites: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) is installed"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then as_root=""; else as_root="sudo"; fi
echo "test prerequisites: installing Debian's chromium (apt-get)"
$as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium > /dev/null
/usr/bin/chromium --version
