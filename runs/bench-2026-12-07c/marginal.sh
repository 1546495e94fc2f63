#!/usr/bin/env bash
# Issue 24 §3: more rounds for the fast paths whose first measurement (run.sh) was within noise of 1.
# Usage: runs/bench-2026-12-07c/marginal.sh [PAUSE_PID]
set -u
cd "$(dirname "$0")/../.." || exit
PAUSE=${1:-}
[[ -n $PAUSE ]] && kill -STOP "$PAUSE" && trap 'kill -CONT $PAUSE' EXIT
R=results
{ echo "load at start $(cut -d' ' -f1-3 /proc/loadavg)"; npm run -s bench -- fast-paths --backends tensorflow --rounds 9 --ops sigmoid,tanh,logSoftmax,topK,lstmCell,matMul 2>/dev/null; } > $R/bench-fast-paths-native-marginal-2026-12-07.txt
{ echo "load at start $(cut -d' ' -f1-3 /proc/loadavg)"; npm run -s bench -- fast-paths --backends wasm --rounds 7 --ops tanh,adamUpdate,logSoftmax,softmaxCrossEntropy 2>/dev/null; } > $R/bench-fast-paths-wasm-marginal-2026-12-07.txt
echo "all measured"
