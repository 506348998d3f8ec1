#!/usr/bin/env bash
# Test the built Linux artefacts as a user would get them (after `bash packaging/build.sh deb`):
#  1. the .deb's metadata, files and relative /usr/bin links;
#  2. unpacked into a temporary root (dpkg -x) and, where dpkg allows, installed there with
#     dpkg --root: `callshield doctor --self-check` and `callshield-desktop --self-check` run from it;
#  3. the tarball unpacked elsewhere runs the self-check too;
#  4. a corrupted model inside the installed copy makes the self-check fail with one line.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -t dist/callshield_*.deb | head -1)
tarball=$(ls -t dist/callshield-*-linux-*.tar.gz | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
mkdir -p "$HOME"
unset CALLSHIELD_MODEL_DIR

echo "== $deb"
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'
dpkg-deb --contents "$deb" | grep -E 'usr/bin/|\.desktop|icons/.*callshield' 
lintian_like=$(dpkg-deb --field "$deb" Depends)
[ -n "$lintian_like" ] || { echo "FAIL: no Depends" >&2; exit 1; }

echo "== dpkg -x into a temporary root"
root="$work/root"
dpkg -x "$deb" "$root"
"$root/usr/bin/callshield" --version
"$root/usr/bin/callshield" doctor --self-check
"$root/usr/bin/callshield-desktop" --self-check

echo "== dpkg --root (a throwaway dpkg database; dependencies are those of this machine)"
droot="$work/droot"
mkdir -p "$droot/var/lib/dpkg/updates" "$droot/var/lib/dpkg/info"
touch "$droot/var/lib/dpkg/status"
if dpkg --root="$droot" --force-depends --force-not-root --force-script-chrootless -i "$deb" >"$work/dpkg.log" 2>&1; then
  dpkg --root="$droot" -s callshield | grep -E '^(Status|Version):'
  "$droot/usr/bin/callshield" doctor --self-check | tail -1
  dpkg --root="$droot" --force-script-chrootless -r callshield >/dev/null
  [ ! -e "$droot/opt/callshield/callshield" ] && echo "removed cleanly"
else
  echo "dpkg --root not possible here (see below); the dpkg -x check above stands"; tail -3 "$work/dpkg.log"
fi

echo "== tarball $tarball"
mkdir -p "$work/tar"
tar -C "$work/tar" -xzf "$tarball"
"$work/tar/callshield/callshield" doctor --self-check | tail -1

echo "== a corrupted model is refused with one line"
broken="$work/broken-models"
cp -r "$root/opt/callshield/_internal/models" "$broken"
printf 'x' >> "$broken/retinaface.onnx"
set +e
"$root/usr/bin/callshield" --model-dir "$broken" doctor --self-check >"$work/out" 2>"$work/err"
rc=$?
set -e
cat "$work/err"
[ "$rc" -ne 0 ] && [ "$(wc -l < "$work/err")" -eq 1 ] && grep -q "self-check failed: models: model 'retinaface'" "$work/err" \
  || { echo "FAIL: expected a one-line models failure, got rc=$rc" >&2; exit 1; }
echo "test-bundle: all checks passed"
