#!/usr/bin/env bash
# The test command (CI runs it through .ci/run), in three stages on the CPU Vulkan driver
# with the validation layer on:
#   1. set up (packages, build/) and run the whole test suite;
#   2. build everything again with clang, ASan and UBSan (build-asan/, which also holds
#      the fuzz targets) and run the whole suite there;
#   3. run every fuzz target for 20 s (scripts/fuzz.sh).
# CI runs all three (the default); `--quick` (or SCENEZIP_TEST_STAGES=quick) runs only the
# first, for a fast check while working; `--all` is the default spelled out. Real scenes
# come from $SCENEZIP_DATA (default ../shared/data). Each stage prints its wall and CPU
# time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stages=${SCENEZIP_TEST_STAGES:-all}
[ "${1:-}" = "--all" ] && stages=all
[ "${1:-}" = "--quick" ] && stages=quick

# Sets cpu_now to the CPU time (user + sys) of the finished children so far, in whole
# seconds. `times` must run in this shell: in a command substitution it would report a
# subshell's children, of which there are none.
cpu_now=0
read_cpu_seconds() {
  local report
  report=$(mktemp)
  times >"$report"
  cpu_now=$(tail -n 1 "$report" | awk '{ s = 0; for (i = 1; i <= 2; ++i) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "%d", s }')
  rm -f "$report"
}
stage_name=
stage_wall=$SECONDS
stage_cpu=0
started=$SECONDS
stage() {
  local cpu
  read_cpu_seconds
  cpu=$cpu_now
  if [ -n "$stage_name" ]; then
    echo "test.sh: $stage_name took $((SECONDS - stage_wall)) s wall, $((cpu - stage_cpu)) s CPU (user + sys)"
  fi
  stage_name=$1
  stage_wall=$SECONDS
  stage_cpu=$cpu
  [ -n "$1" ] && echo "test.sh: $1 ($((SECONDS - started)) s so far)"
  return 0
}

stage "setup and build"
bash "$root/scripts/setup.sh"
# Tests run on the CPU driver whatever GPU the machine has, so results match CI.
export SCENEZIP_DEVICE=cpu SCENEZIP_VALIDATION=1
stage "tests"
(cd "$root/build" && ctest --output-on-failure -j"$(nproc)" --timeout 900)
if [ "$stages" = quick ]; then
  stage ""
  exit 0
fi

stage "ASan + UBSan build (with the fuzz targets)"
asan="$root/build-asan"
[ -f "$asan/build.ninja" ] || bash "$root/scripts/configure_sanitized.sh" "$asan"
cmake --build "$asan" -j"$(nproc)" | tail -n 1

# Any report fails its test: UBSan is fatal at compile time, ASan and LeakSanitizer end
# the process with an error. scripts/lsan.supp may name third-party libraries only.
#
# Mesa's lavapipe keeps a heap for its x86 code generator in a static for the life of the
# process (exec_heap in rtasm_execmem.c, two 56-byte blocks from u_mmInit, never freed by
# design). The Vulkan loader dlcloses the driver at vkDestroyInstance; LeakSanitizer then
# finds those blocks with nothing pointing at them and only an <unknown module> to name,
# which no suppression can match. Preloading the driver keeps it mapped to the end, so the
# static still points at its heap and no leak is reported; nothing is suppressed.
# (docs/RELIABILITY.md: how it was traced.)
stage "tests under ASan + UBSan"
lavapipe=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' /usr/share/vulkan/icd.d/lvp_icd.*.json 2>/dev/null | head -n 1)
(
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$root/scripts/lsan.supp:print_suppressions=0
  [ -n "$lavapipe" ] && [ -f "$lavapipe" ] && export LD_PRELOAD=$lavapipe
  # The source checks (layering, shader_literals, readable_test_names) read only the
  # source tree, so their result cannot differ from stage 1's; under the preloaded driver
  # every one of their many small processes would map lavapipe for nothing.
  cd "$asan" && ctest --output-on-failure -j"$(nproc)" --timeout 900 -E '^(layering|shader_literals|readable_test_names)$'
)

stage "fuzzing every reader"
bash "$root/scripts/fuzz.sh"
stage ""
echo "test.sh: all stages passed in $((SECONDS - started)) s"
