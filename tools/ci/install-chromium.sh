#!/usr/bin/env bash
# Installs headless Chromium for the HTML report's browser test (HtmlReportTest), if it is missing.
# Idempotent: does nothing when a chromium binary is already on PATH (or CPI_CHROMIUM points at one).
# Debian/Ubuntu only (apt); elsewhere it says what to install and exits non-zero.
set -euo pipefail

if [[ -n "${CPI_CHROMIUM:-}" && -x "${CPI_CHROMIUM}" ]]; then
  echo "install-chromium: using CPI_CHROMIUM=${CPI_CHROMIUM}"
  exit 0
fi
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$name" >/dev/null 2>&1; then
    echo "install-chromium: $(command -v "$name") already installed"
    exit 0
  fi
done

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get here; install Chromium or Chrome and put it on PATH (or set CPI_CHROMIUM)" >&2
  exit 1
fi

sudo=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "install-chromium: need root (or sudo) to apt-get install chromium" >&2
    exit 1
  fi
fi

echo "install-chromium: installing Debian's chromium (headless browser for the report test)..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-liberation >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "install-chromium: chromium still not on PATH" >&2; exit 1; }
echo "install-chromium: $(chromium --version 2>/dev/null | head -1)"
