#!/usr/bin/env bash
# Screenshots a report page in headless Chromium, to look at what a reader sees:
#   scripts/report-screenshot.sh runs/demo/report.html docs/report-demo.png [WIDTH HEIGHT]
# Installs Debian's chromium (and pngquant, which shrinks the PNG about threefold for docs/) when
# missing: test-time tools only; `polyglot report` itself needs no browser. Chromium gets a
# throw-away profile and no network features.
set -euo pipefail
html=${1:?usage: $0 REPORT.html OUT.png [WIDTH HEIGHT]}
png=${2:?usage: $0 REPORT.html OUT.png [WIDTH HEIGHT]}
width=${3:-1400}
height=${4:-3000}
[[ -f $html ]] || { echo "report-screenshot: $html does not exist; run 'scripts/polyglot report RUN_DIR' first" >&2; exit 1; }

if ! command -v chromium > /dev/null || ! command -v pngquant > /dev/null; then
  echo "report-screenshot: installing chromium and pngquant"
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core pngquant > /dev/null
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$png")"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$(realpath -m "$png")" --window-size="$width,$height" "file://$(realpath "$html")" 2> "$profile/chromium.log" \
  || { cat "$profile/chromium.log" >&2; exit 1; }
[[ -s $png ]] || { echo "report-screenshot: chromium wrote no screenshot" >&2; cat "$profile/chromium.log" >&2; exit 1; }
# 256 colours or fewer: charts have few distinct colours, so the loss is invisible.
pngquant --quality 60-90 --speed 1 --force --output "$png" "$png"
echo "$png"
