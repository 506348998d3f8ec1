#!/usr/bin/env bash
# List the Debian packages whose libraries the one-folder app loads from the system (not bundled),
# and fail when one is missing from deb-depends.txt.   bash packaging/linux/check-deps.sh dist/callshield
set -euo pipefail
app=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
libs=$(find "$app" -type f \( -name '*.so*' -o -name callshield -o -name callshield-desktop \) -print0 |
  LD_LIBRARY_PATH="$app/_internal" xargs -0 ldd 2>/dev/null | awk '/=> \//{print $3}' | grep -v "^$app" | sort -u)
pkgs=$(for lib in $libs; do dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null; done |
  cut -d: -f1 | sort -u)
missing=0
for p in $pkgs; do
  if grep -qx "$p" "$here/deb-depends.txt"; then echo "ok       $p"; else echo "MISSING  $p"; missing=1; fi
done
exit $missing
