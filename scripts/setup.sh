#!/usr/bin/env bash
# Idempotent set-up: system packages (Debian/Ubuntu), .venv at the checkout root, the package
# with its test extras, and the third-party models (sha256-checked). A re-run with nothing to do
# takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

APT_PACKAGES=(
  python3 python3-venv python3-pip
  libportaudio2                     # sounddevice (microphone / loopback capture)
  libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
  libx11-xcb1                       # Qt xcb platform plugin
  x11-utils                         # xwininfo: window geometry for window capture on X11
  xvfb                              # screen-capture tests run against a private X server
  xdotool                           # benchmarks/desktop_quit_idle.py types Ctrl+Q into the app under Xvfb
  postgresql                        # server binaries: the tests start a throwaway cluster on a unix socket
  espeak-ng                         # synthetic speech for the speech-cue tests and their evaluation (never shipped)
)

install_apt() {
  command -v dpkg-query >/dev/null 2>&1 || { echo "setup: not a Debian-like system; install the equivalents of: ${APT_PACKAGES[*]}" >&2; return 0; }
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$py"; return 0
    fi
  done
  echo "setup: Python 3.11 or newer is required" >&2; return 1
}

install_apt
if [ ! -x .venv/bin/python ]; then
  "$(pick_python)" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
# Reinstall only when the dependency list changed.
stamp=.venv/.callshield-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi
.venv/bin/callshield models fetch
