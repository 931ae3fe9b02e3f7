#!/usr/bin/env bash
# Installs the system parts qadeck needs, when they are missing: CJK fonts and HarfBuzz's
# subsetter for the PDF handbook; for the tests also Chromium (cheat sheet checks) and
# poppler-utils (reading PDFs back). Uses apt-get as root on Debian/Ubuntu; elsewhere it
# prints the command to run. Usage: scripts/system-deps.sh build|test
set -euo pipefail  # (grep without -q below: -q would end fc-list early and fail the pipe)
want=${1:-build}

missing=()
fc-list 2>/dev/null | grep -i 'Noto Serif CJK\|Noto Sans CJK' >/dev/null || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -i 'Noto Color Emoji' >/dev/null || missing+=(fonts-noto-color-emoji)  # markers
ldconfig -p 2>/dev/null | grep 'libharfbuzz-subset.so.0' >/dev/null || missing+=(libharfbuzz-subset0)
ldconfig -p 2>/dev/null | grep 'libpango-1.0.so.0' >/dev/null || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "$want" = test ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)  # actionlint checks run: scripts
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
  exit 0
fi

echo "qadeck needs these system packages: ${missing[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "  run: sudo apt-get install ${missing[*]}" >&2
elif command -v dnf >/dev/null 2>&1; then
  echo "  run: sudo dnf install google-noto-serif-cjk-fonts google-noto-sans-cjk-fonts harfbuzz chromium poppler-utils" >&2
elif command -v brew >/dev/null 2>&1; then
  echo "  run: brew install pango poppler && brew install --cask font-noto-serif-cjk-sc chromium" >&2
else
  echo "  install Noto CJK fonts, Pango/HarfBuzz, Chromium and poppler with your package manager" >&2
fi
exit 1
