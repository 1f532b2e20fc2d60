#!/bin/bash
# Rewrites tests/regression/gaussians.csv: bytes and PSNR of every preset on the raw
# scenes the regression test (tests/integration/regression_test.cpp) checks. Run it after
# a change that is meant to move these numbers, and commit the table with the change.
#   scripts/regression.sh [BINARY] [DATA]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/scenezip}"
data="${2:-${SCENEZIP_DATA:-../shared/data}}"
out=tests/regression/gaussians.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SCENEZIP_DEVICE=cpu   # the CPU Vulkan driver, as CI renders
echo "scene,preset,bytes,psnr" > "$tmp/table.csv"
for scene in splats/small-sh3-9k.ply splats/tile-sh3-14k.ply; do
  for preset in high balanced small; do
    "$bin" compress "$data/$scene" "$tmp/out.scz" --preset "$preset" --threads 2 --device cpu > /dev/null 2>&1
    bytes=$(stat -c %s "$tmp/out.scz")
    psnr=$("$bin" eval "$data/$scene" "$tmp/out.scz" --views 2 --width 128 --height 128 --json 2> /dev/null |
      python3 -c 'import json, sys; print("%.3f" % json.load(sys.stdin)["psnr"])')
    echo "$scene,$preset,$bytes,$psnr" | tee -a "$tmp/table.csv"
  done
done
mv "$tmp/table.csv" "$out"
echo "wrote $out"
