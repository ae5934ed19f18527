#!/usr/bin/env bash
# Install (apt, as root) what the browser test needs when it is absent: Debian's headless-capable
# Chromium, which Playwright drives through executable_path (Playwright's own browser download
# cannot work on these machines), and a font so screenshots show text. A second run changes nothing.
set -euo pipefail
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}

need_apt=()
[ -x "$CHROMIUM_PATH" ] || need_apt+=(chromium)
[ -d /usr/share/fonts/truetype/liberation ] || need_apt+=(fonts-liberation)
[ ${#need_apt[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-browser: please install: ${need_apt[*]} (Debian/Ubuntu: sudo apt-get install -y ${need_apt[*]})" >&2
  exit 1
fi
echo "test-browser: installing ${need_apt[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
