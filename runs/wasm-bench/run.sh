#!/usr/bin/env bash
# Issue 12, "WASM step ≤ 4× native": the training step on native (this tree) and on WASM three ways,
# alternated in one run (the order rotates each round), 5 rounds:
#   wasm-before   the tree at BEFORE (one thread, no SIMD kernels)
#   wasm-1thread  this tree with CAPTION_WASM_THREADS=1 (the SIMD kernels only)
#   wasm          this tree (threads and SIMD kernels)
# Usage: runs/wasm-bench/run.sh BEFORE_DIR [PAUSE_PID]  (PAUSE_PID: a job stopped while measuring)
# Then: python3 runs/wasm-bench/summary.py runs/wasm-bench/rounds.log
set -u
cd "$(dirname "$0")/../.." || exit
AFTER=$PWD
BEFORE=$1
PAUSE=${2:-}
[[ -n $PAUSE ]] && kill -STOP "$PAUSE" && trap 'kill -CONT $PAUSE' EXIT
run() { # name dir backend [env]
  echo "== $1 round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$2" && env "${4:-}" npm run -s bench -- train --backends "$3" --steps 3 2>&1 | grep -E "^$3 " | sed "s/^$3 /$1 /")
}
configs=("native $AFTER tensorflow" "wasm-before $BEFORE wasm" "wasm-1thread $AFTER wasm CAPTION_WASM_THREADS=1" "wasm $AFTER wasm")
for round in 1 2 3 4 5; do
  for i in 0 1 2 3; do
    read -r name dir backend envs <<< "${configs[$(( (i + round - 1) % 4 ))]}"
    run "$name" "$dir" "$backend" "${envs:-}"
  done
done
