#!/bin/bash
# Rewrites the regression tables: bytes and rendered PSNR of every preset on the shared
# scenes the regression test (tests/integration/regression_test.cpp) checks, one table
# per codec family (tests/regression/gaussians.csv, tests/regression/geometry.csv for
# meshes and point clouds). Run it after a change that is meant to move these numbers,
# and commit the tables with the change.
#   scripts/regression.sh [BINARY] [DATA]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/scenezip}"
data="${2:-${SCENEZIP_DATA:-../shared/data}}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SCENEZIP_DEVICE=cpu   # the CPU Vulkan driver, as CI renders

# write_table OUT SCENE...: every preset of every scene, compressed and evaluated as the
# test does it.
write_table() {
  local out=$1
  shift
  echo "scene,preset,bytes,psnr" > "$tmp/table.csv"
  for scene in "$@"; do
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
}

write_table tests/regression/gaussians.csv splats/small-sh3-9k.ply splats/tile-sh3-14k.ply
# Meshes from OBJ, glTF (textured) and PLY (vertex colours); point clouds with colours,
# with normals, and a Kinect frame whose missing depths the encoder drops.
write_table tests/regression/geometry.csv meshes/bunny.obj meshes/DamagedHelmet/DamagedHelmet.gltf \
  meshes/xyzrgb_dragon_50k.ply pointclouds/b9_training.ply pointclouds/building.ply \
  pointclouds/table_scene_mug_stereo_textured.pcd
