#!/usr/bin/env bash
# Configures the CI's second build (default build-asan/): the whole project, test suite
# included, with clang, AddressSanitizer and UndefinedBehaviorSanitizer, plus the libFuzzer
# targets of fuzz/ compiled from the same objects. scripts/test.sh builds all of it;
# scripts/fuzz.sh alone builds only the fuzz targets.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-asan}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSCENEZIP_SANITIZE=ON -DSCENEZIP_FUZZ=ON "${launcher[@]}" >/dev/null
