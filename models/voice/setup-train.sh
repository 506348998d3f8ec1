#!/usr/bin/env bash
# Training set-up for models/voice (Debian/Ubuntu): TTS engines from apt, Python packages into
# the project's .venv. Idempotent. Run from anywhere; then:
#   .venv/bin/python models/voice/pipeline.py --seed 0
set -euo pipefail
cd "$(dirname "$0")/../.."
APT_PACKAGES=(espeak-ng festival festvox-us-slt-hts festvox-kallpc16k flite)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
[ -x .venv/bin/python ] || { echo "setup-train: run scripts/setup.sh first (creates .venv)" >&2; exit 1; }
.venv/bin/python -m pip install -q -r models/voice/requirements-train.txt
