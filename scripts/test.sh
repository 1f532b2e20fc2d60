#!/usr/bin/env bash
# Sets up (packages, build) and runs the whole test suite on the CPU Vulkan driver with
# the validation layer on, then the same suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/), then every fuzz target for a short while
# (scripts/fuzz.sh, build-fuzz/). Real scenes come from $SCENEZIP_DATA (default
# ../shared/data). The sanitizer and fuzzing stages run with `--all` (or
# SCENEZIP_TEST_STAGES=all); without it only the first stage runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stages=${SCENEZIP_TEST_STAGES:-quick}
[ "${1:-}" = "--all" ] && stages=all
[ "${1:-}" = "--quick" ] && stages=quick
started=$SECONDS
stage() { echo "test.sh: $1 ($(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s so far)"; }

bash "$root/scripts/setup.sh"
# Tests run on the CPU driver whatever GPU the machine has, so results match CI.
export SCENEZIP_DEVICE=cpu SCENEZIP_VALIDATION=1
stage "build done, running the tests"
(cd "$root/build" && ctest --output-on-failure -j"$(nproc)" --timeout 900)
[ "$stages" = quick ] && exit 0

# Second build: everything under ASan + UBSan. Any report fails its test (UBSan is made
# fatal at compile time). Leaks inside the Vulkan driver, the validation layer and
# Open3D are suppressed by library (scripts/lsan.supp), never leaks of our own code.
stage "tests passed, building with ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$root/scripts/lsan.supp:print_suppressions=0
asan="$root/build-asan"
if [ ! -f "$asan/build.ninja" ]; then
  cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCENEZIP_SANITIZE=ON >/dev/null
fi
cmake --build "$asan" -j"$(nproc)" | tail -n 1
stage "running the tests under ASan + UBSan"
(cd "$asan" && ctest --output-on-failure -j"$(nproc)" --timeout 900)
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

stage "sanitized tests passed, fuzzing every reader"
bash "$root/scripts/fuzz.sh"
stage "all passed"
