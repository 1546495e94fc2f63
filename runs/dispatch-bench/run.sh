#!/usr/bin/env bash
# Issue 10 §3 "no slowdown": the training-step and decoding benchmarks before (the tree at BEFORE, the
# commit before the dispatch point) and after (this tree), alternated ABBA in one run, 5 rounds each,
# native and WASM. Usage: runs/dispatch-bench/run.sh BEFORE_DIR [PAUSE_PID]
# (Issue 12 reused it for the search changes: BACKENDS=tensorflow to measure native only.)
# PAUSE_PID (optional): a process (e.g. a training run) stopped while measuring and resumed after.
set -u
cd "$(dirname "$0")/../.." || exit
AFTER=$PWD
BEFORE=$1
PAUSE=${2:-}
[[ -n $PAUSE ]] && kill -STOP "$PAUSE" && trap 'kill -CONT $PAUSE' EXIT
bench() { echo "== $1 round $2, load $(cut -d' ' -f1-3 /proc/loadavg)"; (cd "$3" && npm run -s bench -- train --backends "${BACKENDS:-tensorflow,wasm}" --steps 5 2>&1 | grep -E '^(tensorflow|wasm) ' ); }
for round in 1 2 3 4 5; do
  if (( round % 2 )); then bench before $round "$BEFORE"; bench after $round "$AFTER"
  else bench after $round "$AFTER"; bench before $round "$BEFORE"; fi
done
