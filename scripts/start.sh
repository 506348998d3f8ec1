#!/usr/bin/env bash
# Set up if needed, then start the desktop app (or explain headless use when there is no display).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname -s)" = "Linux" ]; then
  cat <<'MSG'
No display found, so the desktop app cannot open a window here.
Analyse recordings headless instead, for example:
  .venv/bin/callshield analyze call.mp4 --html report.html --jsonl reports.jsonl
Other commands: .venv/bin/callshield --help
MSG
  exit 0
fi
exec .venv/bin/callshield-desktop "$@"
