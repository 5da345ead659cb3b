#!/usr/bin/env sh
# Make sure a headless Chromium is available for the browser test of the HTML report.
# Installs Debian's `chromium` package when it is missing and this shell may do so
# (root with apt-get); otherwise says why, and the browser test skips with that reason.
set -u
for bin in "${MCA_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$bin" ] && [ -x "$bin" ]; then
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium missing and apt-get unavailable: the browser test will be skipped" >&2
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium missing and not root (install it with: sudo apt-get install chromium): the browser test will be skipped" >&2
  exit 0
fi
echo "installing chromium for the browser test of the HTML report" >&2
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; then
  apt-get update >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || echo "chromium could not be installed: the browser test will be skipped" >&2
fi
exit 0
