#!/usr/bin/env bash
# Sets up (packages, build) and runs the main job on the scene the project ships:
# inspect it, convert it to a smaller format, render both and compare them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
scene="$root/assets/demo-knot.ply"
out="${SCENEZIP_DEMO_OUT:-${TMPDIR:-/tmp}/scenezip-demo}"
mkdir -p "$out"
bin="$root/build/scenezip"
"$bin" info "$scene"
"$bin" convert "$scene" "$out/demo-knot.splat"
"$bin" render "$scene" --out "$out/original.png" --width 480 --height 360 --view 0/4
"$bin" render "$out/demo-knot.splat" --out "$out/converted.png" --width 480 --height 360 --view 0/4
"$bin" eval "$scene" "$out/demo-knot.splat" --views 4 --width 240 --height 180
echo "images: $out/original.png $out/converted.png"
