#!/usr/bin/env bash
# Renderer benchmarks behind docs/BENCHMARKS.md: GPU medians per stage at 1920x1080.
# Usage: scripts/bench-render.sh SCENEZIP_BINARY DATA_DIR
#   DATA_DIR holds playbot/meta.json (+ its .webp files) and lego-3dgs.ply.
# Prints one JSON object per run (see `scenezip bench --help`).
set -euo pipefail
bin=${1:?usage: bench-render.sh SCENEZIP_BINARY DATA_DIR}
data=${2:?usage: bench-render.sh SCENEZIP_BINARY DATA_DIR}
playbot="$data/playbot/meta.json"
"$bin" bench "$data/lego-3dgs.ply" --width 1920 --height 1080 --frames 100 --json
"$bin" bench "$playbot" --width 1920 --height 1080 --frames 200 --json
"$bin" bench "$playbot" --width 1920 --height 1080 --frames 100 --copies 12 --json
for copies in 2 4 8 16 32; do
  "$bin" bench "$playbot" --width 1920 --height 1080 --frames 50 --copies "$copies" --json
done
# The sizes of the side-by-side table with the 3DGS reference (0.5, 2, 6 and 16 million
# Gaussians), one fixed camera as the reference run used.
for copies in 1 4 12 32; do
  "$bin" bench "$playbot" --width 1920 --height 1080 --frames 200 --view 0/8 --copies "$copies" --json
done
