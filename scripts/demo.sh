#!/usr/bin/env bash
# Sets up (packages, build) and runs the main job on the scene the project ships:
# compress it, render the original and the compressed copy, and compare them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
scene="$root/assets/demo-knot.ply"
out="${SCENEZIP_DEMO_OUT:-${TMPDIR:-/tmp}/scenezip-demo}"
mkdir -p "$out"
bin="$root/build/scenezip"
"$bin" info "$scene"
"$bin" compress "$scene" "$out/demo-knot.scz"
"$bin" render "$scene" --out "$out/original.png" --width 480 --height 360 --view 0/4
"$bin" render "$out/demo-knot.scz" --out "$out/compressed.png" --width 480 --height 360 --view 0/4
"$bin" eval "$scene" "$out/demo-knot.scz" --views 4 --width 240 --height 180
echo "images: $out/original.png $out/compressed.png"
if [ "${SCENEZIP_DEMO_VIEW:-0}" = 1 ]; then
  # The original and its .scz side by side (needs a display).
  "$bin" view "$scene" "$out/demo-knot.scz"
fi
