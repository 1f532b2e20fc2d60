#!/usr/bin/env bash
# Installs the Debian 12 packages scenezip needs (when any is missing), then configures
# and builds it with CMake into build/. Idempotent: a second run with nothing missing
# prints only the build's own summary line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config ninja-build
  libvulkan-dev glslc spirv-tools vulkan-validationlayers mesa-vulkan-drivers
  libglm-dev libtinygltf-dev libopen3d-dev libzstd-dev zlib1g-dev googletest libgtest-dev
  libglfw3-dev libimgui-dev libwebp-dev nlohmann-json3-dev libstb-dev libcli11-dev
  libbenchmark-dev libzip-dev libfreetype-dev xvfb xauth xdotool
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_type=${SCENEZIP_BUILD_TYPE:-Release}
if [ ! -f "$root/build/build.ninja" ]; then
  cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
fi
cmake --build "$root/build" -j"$(nproc)" | tail -n 1
