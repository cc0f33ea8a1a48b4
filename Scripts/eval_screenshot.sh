#!/usr/bin/env bash
# Writes the end-to-end evaluation report (20 real prompts of StrongREJECT + XSTest, a scripted
# stand-in model, refusal + rubric judges against a loopback stub) into out/eval-report/ and takes
# a screenshot of report.html with headless Chromium (apt-get install chromium).
#   usage: Scripts/eval_screenshot.sh [scratch-path]      (run from the repository root)
set -euo pipefail
SCRATCH="${1:-.build}"
OUT="$(pwd)/out/eval-report"
mkdir -p "$OUT"
SAFEKEY_EVAL_REPORT_DIR="$OUT" swift test --scratch-path "$SCRATCH" --filter EndToEndEvalTests
CHROME="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$CHROME" ]; then echo "chromium not found: apt-get install chromium" >&2; exit 1; fi
"$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2400 \
  --screenshot="$OUT/report.png" "file://$OUT/report.html" 2>/dev/null
ls -l "$OUT"
