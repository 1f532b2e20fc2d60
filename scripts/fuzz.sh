#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan, makes their seed
# corpora from the real scenes in $SCENEZIP_DATA, and runs every target for a while.
# Fails when any target finds a crash, a sanitizer report, a leak, a timeout (an input
# taking over 10 s) or an allocation over the caps below.
#
#   scripts/fuzz.sh [--seconds N] [--parallel P] [--workers W] [--runs R] [--targets "a b"]
#                   [--build-only] [--bin DIR]
#
# --workers W runs W processes per target on one shared corpus (each its own random seed;
# --runs is then split between them), so that a machine with many cores can give the slow
# targets all of them: `--parallel 1 --workers 120 --runs 10000000` takes the targets one
# after the other, each on 120 cores. The summary adds up their executions.
#
# --bin runs the fuzz_* programs in DIR (a copy of build-asan/fuzz/) instead of building:
# a long run then survives rebuilds of build-asan/.
#
# The targets live in build-asan/, the build that also holds the sanitized test suite
# (scripts/test.sh builds both at once; alone, this script builds only the targets).
# CI runs the defaults (20 s per target, two at a time). A long run is the same with a
# larger --seconds (or --runs, an execution count per target): corpora persist in
# build-asan/fuzz-runs/corpus/, crashing inputs land in build-asan/fuzz-runs/findings/<target>/,
# and each target's log in build-asan/fuzz-runs/logs/. The summary prints executions and
# coverage per target.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=20
parallel=2
workers=1
seconds_given=0
runs=
targets=
build_only=0
bin=
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; seconds_given=1; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --bin) bin=$(cd "$2" && pwd); shift 2 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

build="$root/build-asan"
runs_dir="$build/fuzz-runs"
data=${SCENEZIP_DATA:-$root/../shared/data}
if [ -z "$bin" ]; then
  if [ ! -f "$build/build.ninja" ]; then
    bash "$root/scripts/configure_sanitized.sh" "$build"
  fi
  cmake --build "$build" -j"$(nproc)" --target scenezip_fuzz | tail -n 1
  [ "$build_only" = 1 ] && exit 0
  bin="$build/fuzz"
fi

all_targets=$(cd "$bin" && ls fuzz_* | sed 's/^fuzz_//' | sort)
targets=${targets:-$all_targets}

# Seeds are remade when missing; the real scenes never change under a run.
seeds="$runs_dir/seeds"
if [ ! -d "$seeds" ]; then
  "$bin/make_fuzz_seeds" "$data" "$root" "$seeds.tmp" >/dev/null
  mv "$seeds.tmp" "$seeds"
fi

# ASan/UBSan stop at the first report; leaks are findings too. Open3D's own static state
# is suppressed by name (scripts/lsan.supp), nothing of ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}

run_target() {
  local name=$1
  local corpus="$runs_dir/corpus/$name" findings="$runs_dir/findings/$name/"
  mkdir -p "$corpus" "$findings" "$runs_dir/logs"
  rm -f "$runs_dir/logs/$name".*log
  # A run counted in executions (--runs, split between the workers) has no time limit of
  # its own unless --seconds is given too; a hung target is killed 5 minutes past its time.
  local limit=() wall_limit=$((7 * 24 * 3600))
  [ -n "$runs" ] && limit+=(-runs=$(((runs + workers - 1) / workers)))
  if [ -z "$runs" ] || [ "$seconds_given" = 1 ]; then
    limit+=(-max_total_time="$seconds")
    wall_limit=$((seconds + 300))
  fi
  local worker pids=() failed=0
  for ((worker = 0; worker < workers; ++worker)); do
    local log="$runs_dir/logs/$name.log"
    [ "$workers" -gt 1 ] && log="$runs_dir/logs/$name.$worker.log"
    # -close_fd_mask=1: Open3D prints its warnings on stdout; libFuzzer reports on stderr.
    # libFuzzer draws a random seed per process, so W workers take W different paths.
    timeout --signal=KILL "$wall_limit" "$bin/fuzz_$name" "${limit[@]}" \
      -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -close_fd_mask=1 -print_final_stats=1 \
      -artifact_prefix="$findings" "$corpus" "$seeds/$name" >"$log" 2>&1 &
    pids+=($!)
  done
  for worker in "${pids[@]}"; do wait "$worker" || failed=$?; done
  return "$failed"
}

# Adds up the executions of every worker's log; coverage is the best any worker reached
# (they share one corpus, so each soon holds what the others found).
summary() {
  local name=$1 rc=$2
  local logs=("$runs_dir/logs/$name".*log)
  local execs cov ft
  # A target that never started has no numbers: print '?' rather than stop the table.
  execs=$(cat "${logs[@]}" 2>/dev/null | grep -o 'stat::number_of_executed_units: [0-9]*' | awk '{s += $2; n++} END {if (n) print s}' || true)
  cov=$(for log in "${logs[@]}"; do grep -o 'cov: [0-9]*' "$log" 2>/dev/null | tail -n 1; done | awk '$2 > m {m = $2} END {if (m) print m}' || true)
  ft=$(for log in "${logs[@]}"; do grep -o 'ft: [0-9]*' "$log" 2>/dev/null | tail -n 1; done | awk '$2 > m {m = $2} END {if (m) print m}' || true)
  printf '%-16s %12s %7s %7s  %s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "$([ "$rc" = 0 ] && echo ok || echo "FAILED (rc $rc, see $runs_dir/logs/$name.*log)")"
}

declare -A pids=()
declare -A status=()
for name in $targets; do
  if [ ! -x "$bin/fuzz_$name" ]; then echo "fuzz.sh: no target $name" >&2; exit 2; fi
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
    for log in "$runs_dir/logs/$name".*log; do
      echo "--- $name (last lines of $log)"
      tail -n 40 "$log" || true
    done
  done
  exit 1
fi
