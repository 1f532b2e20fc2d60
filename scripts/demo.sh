#!/usr/bin/env bash
# Sets up (packages, build) and runs the main job on the scene the project ships.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
scene="$root/assets/demo-knot.ply"
out="${TMPDIR:-/tmp}/scenezip-demo"
mkdir -p "$out"
"$root/build/scenezip" info "$scene"
"$root/build/scenezip" convert "$scene" "$out/demo-knot.splat"
"$root/build/scenezip" info "$out/demo-knot.splat"
