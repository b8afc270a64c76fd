#!/usr/bin/env bash
# Installs Debian's Chromium for the optional browser test (./run-tests -Pbrowser). Needs root (or sudo).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then echo "chromium is installed: $(/usr/bin/chromium --version)"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then exec sudo "$0" "$@"; fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
