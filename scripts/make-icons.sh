#!/usr/bin/env bash
# Renders the application icon (resources/icons/tracemap.svg) into the PNG sizes desktops
# look up in the hicolor theme: resources/icons/hicolor/SIZExSIZE/apps/tracemap.png.
# The PNGs are committed; re-run this after changing the SVG (needs librsvg2-bin).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
svg=$root/resources/icons/tracemap.svg
for size in 16 22 24 32 48 64 128 256 512; do
    out=$root/resources/icons/hicolor/${size}x${size}/apps/tracemap.png
    mkdir -p "$(dirname "$out")"
    rsvg-convert --width "$size" --height "$size" --output "$out.tmp" "$svg"
    mv "$out.tmp" "$out"
done
echo "make-icons.sh: wrote resources/icons/hicolor/*/apps/tracemap.png" >&2
