#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan in build-fuzz/, makes
# their seed corpora from the real scenes in $SCENEZIP_DATA, and runs every target for
# a while. Fails when any target finds a crash, a sanitizer report, a leak, a timeout
# (an input taking over 10 s) or an allocation over the caps below.
#
#   scripts/fuzz.sh [--seconds N] [--parallel P] [--runs R] [--targets "a b"] [--build-only]
#
# CI runs the defaults (20 s per target, two at a time). A long run is the same with a
# larger --seconds (or --runs, an execution count per target): corpora persist in
# build-fuzz/corpus/, crashing inputs land in build-fuzz/findings/<target>/, and each
# target's log in build-fuzz/logs/. The summary prints executions and coverage per target.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=20
parallel=2
runs=
targets=
build_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

build="$root/build-fuzz"
data=${SCENEZIP_DATA:-$root/../shared/data}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSCENEZIP_FUZZ=ON "${launcher[@]}" >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target scenezip_fuzz | tail -n 1
[ "$build_only" = 1 ] && exit 0

all_targets=$(cd "$build/fuzz" && ls fuzz_* | sed 's/^fuzz_//' | sort)
targets=${targets:-$all_targets}

# Seeds are remade when missing; the real scenes never change under a run.
seeds="$build/seeds"
if [ ! -d "$seeds" ]; then
  "$build/fuzz/make_fuzz_seeds" "$data" "$root" "$seeds.tmp" >/dev/null
  mv "$seeds.tmp" "$seeds"
fi

# ASan/UBSan stop at the first report; leaks are findings too. Open3D's own static state
# is suppressed by name (scripts/lsan.supp), nothing of ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}

run_target() {
  local name=$1
  local corpus="$build/corpus/$name" findings="$build/findings/$name/" log="$build/logs/$name.log"
  mkdir -p "$corpus" "$findings" "$build/logs"
  local limit=(-max_total_time="$seconds")
  [ -n "$runs" ] && limit=(-runs="$runs")
  # -close_fd_mask=1: Open3D prints its warnings on stdout; libFuzzer reports on stderr.
  timeout --signal=KILL $((seconds + 300)) "$build/fuzz/fuzz_$name" "${limit[@]}" \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -close_fd_mask=1 -print_final_stats=1 \
    -artifact_prefix="$findings" "$corpus" "$seeds/$name" >"$log" 2>&1
}

summary() {
  local name=$1 rc=$2 log="$build/logs/$1.log"
  local execs cov ft
  # A target that never started has no numbers: print '?' rather than stop the table.
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" 2>/dev/null | awk '{print $2}' | tail -n 1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" 2>/dev/null | tail -n 1 | awk '{print $2}' || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" 2>/dev/null | tail -n 1 | awk '{print $2}' || true)
  printf '%-16s %12s %7s %7s  %s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "$([ "$rc" = 0 ] && echo ok || echo "FAILED (rc $rc, see $log)")"
}

declare -A pids=()
declare -A status=()
for name in $targets; do
  if [ ! -x "$build/fuzz/fuzz_$name" ]; then echo "fuzz.sh: no target $name" >&2; exit 2; fi
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  run_target "$name" &
  pids[$name]=$!
done
failed=0
for name in $targets; do
  rc=0
  wait "${pids[$name]}" || rc=$?
  status[$name]=$rc
  [ "$rc" = 0 ] || failed=1
done

printf '%-16s %12s %7s %7s  %s\n' target executions cov ft result
for name in $targets; do summary "$name" "${status[$name]}"; done
if [ "$failed" != 0 ]; then
  for name in $targets; do
    [ "${status[$name]}" = 0 ] && continue
    echo "--- $name (last lines of $build/logs/$name.log)"
    tail -n 40 "$build/logs/$name.log" || true
  done
  exit 1
fi
