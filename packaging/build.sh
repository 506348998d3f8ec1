#!/usr/bin/env bash
# Build CallShield's installable artefacts from a clean checkout.
#   bash packaging/build.sh linux     one-folder app in dist/callshield, its SBOM, and the tarball
#   bash packaging/build.sh deb       the above, then dist/callshield_VERSION_ARCH.deb
#   bash packaging/build.sh windows   on Windows (Git Bash): one-folder app; then Inno Setup (see packaging/README.md)
#   bash packaging/build.sh macos     on macOS: CallShield.app
# Needs: .venv with `pip install -e ".[packaging]"` and the models fetched (`callshield models fetch`).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-linux}
py=${PYTHON:-.venv/bin/python}
[ -x "$py" ] || py=python
export CALLSHIELD_STAGED_MODELS="$PWD/build/staged-models"

echo "build: verifying and staging models"
"$py" packaging/stage_models.py "$CALLSHIELD_STAGED_MODELS"

case "$target" in
  linux|deb) spec=packaging/linux/callshield.spec; os=linux ;;
  windows)   spec=packaging/windows/callshield.spec; os=windows ;;
  macos)     spec=packaging/macos/callshield.spec; os=macos ;;
  *) echo "build: unknown target '$target' (linux, deb, windows, macos)" >&2; exit 2 ;;
esac

echo "build: PyInstaller ($spec)"
"$py" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller "$spec"

app=dist/callshield
[ "$os" = macos ] && app=dist/CallShield.app
version=$("$py" -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')

echo "build: bill of materials and licence check"
"$py" packaging/sbom.py --contents "build/bundle-contents-$os.json" --models "$CALLSHIELD_STAGED_MODELS" \
  --version "$version" --out "dist/callshield-$version-$os.cdx.json"

if [ "$os" = linux ]; then
  cp "dist/callshield-$version-$os.cdx.json" "$app/sbom.cdx.json"
  tarball="dist/callshield-$version-linux-$(uname -m).tar.gz"
  tar -C dist -czf "$tarball" callshield
  echo "build: $tarball"
fi
if [ "$target" = deb ]; then
  bash packaging/linux/make-deb.sh "$app" "$version" dist
fi
echo "build: done ($app)"
