#!/usr/bin/env bash
# Sets up (packages, build) and runs the whole test suite on the CPU Vulkan driver with
# the validation layer on. Real scenes come from $SCENEZIP_DATA (default ../shared/data).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
cd "$root/build"
# Tests run on the CPU driver whatever GPU the machine has, so results match CI.
export SCENEZIP_DEVICE=cpu SCENEZIP_VALIDATION=1
ctest --output-on-failure -j"$(nproc)" --timeout 900
