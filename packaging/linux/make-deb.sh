#!/usr/bin/env bash
# Wrap the one-folder app in a .deb: /opt/callshield, /usr/bin symlinks, desktop entry and icons.
#   bash packaging/linux/make-deb.sh APP_DIR VERSION OUT_DIR
set -euo pipefail
app=$1 version=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
assets="$here/../assets"
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/usr/share/icons/hicolor/256x256/apps" \
  "$stage/usr/share/doc/callshield" "$stage/DEBIAN"
cp -a "$app" "$stage/opt/callshield"
# relative links, so the package also works unpacked into another root (dpkg -x, --instdir)
ln -s ../../opt/callshield/callshield "$stage/usr/bin/callshield"
ln -s ../../opt/callshield/callshield-desktop "$stage/usr/bin/callshield-desktop"
install -m 0644 "$here/callshield.desktop" "$stage/usr/share/applications/callshield.desktop"
install -m 0644 "$assets/callshield.svg" "$stage/usr/share/icons/hicolor/scalable/apps/callshield.svg"
install -m 0644 "$assets/callshield.png" "$stage/usr/share/icons/hicolor/256x256/apps/callshield.png"
install -m 0644 "$app/_internal/models/THIRD_PARTY.md" "$stage/usr/share/doc/callshield/THIRD_PARTY.md"
[ -f "$app/sbom.cdx.json" ] && install -m 0644 "$app/sbom.cdx.json" "$stage/usr/share/doc/callshield/sbom.cdx.json"
cat > "$stage/usr/share/doc/callshield/copyright" <<COPY
CallShield is licensed under the Apache License 2.0.
Third-party packages and models inside /opt/callshield are listed with their licences in
sbom.cdx.json (CycloneDX) and, for the models, in THIRD_PARTY.md.
COPY

size_kb=$(du -sk "$stage/opt" | cut -f1)
# What the bundle leaves to the system (PyInstaller carries the xcb, fontconfig and D-Bus libraries):
# glibc, the OpenGL/EGL driver stack, libxcb, and PortAudio, which sounddevice opens by name.
# packaging/linux/check-deps.sh lists them from ldd and fails when this list misses one.
cat > "$stage/DEBIAN/control" <<CONTROL
Package: callshield
Version: $version
Architecture: $arch
Maintainer: CallShield maintainers <callshield@localhost>
Installed-Size: $size_kb
Section: utils
Priority: optional
Depends: $(tr '\n' ' ' < "$here/deb-depends.txt" | sed 's/ *$//; s/ /, /g')
Recommends: x11-utils, pulseaudio-utils | pipewire-pulse
Description: local deepfake-aware call verification for finance staff
 CallShield watches a video or voice call on this computer with ONNX detectors
 and holds high-value payments until an out-of-band confirmation is done.
 The detector models are inside the package and are verified at every start.
CONTROL
cat > "$stage/DEBIAN/postinst" <<'POST'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
exit 0
POST
chmod 0755 "$stage/DEBIAN/postinst"
deb="$out/callshield_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "build: $deb"
