#!/usr/bin/env bash
# Issue 24 §3: native 2-D MatMul against tfjs's matMul everywhere (the shared step matmuls included,
# which `-matMul` now covers), 7 rounds, with the product's setting on this machine (oneDNN off: its
# encoder check fails here) and with oneDNN on (unchecked; the decoder has no convolution).
# Usage: runs/bench-2026-12-07c/matmul.sh [PAUSE_PID]
set -u
cd "$(dirname "$0")/../.." || exit
PAUSE=${1:-}
[[ -n $PAUSE ]] && kill -STOP "$PAUSE" && trap 'kill -CONT $PAUSE' EXIT
if [[ ${ONEDNN:-} == on ]]; then
  { echo "load at start $(cut -d' ' -f1-3 /proc/loadavg); TF_ENABLE_ONEDNN_OPTS=1 CAPTION_NATIVE_CHECK=off"
    TF_ENABLE_ONEDNN_OPTS=1 CAPTION_NATIVE_CHECK=off npm run -s bench -- fast-paths --backends tensorflow --rounds 7 --ops matMul 2>/dev/null; } > results/bench-fast-paths-native-matmul-onednn-2026-12-07.txt
else
  { echo "load at start $(cut -d' ' -f1-3 /proc/loadavg)"; npm run -s bench -- fast-paths --backends tensorflow --rounds 7 --ops matMul 2>/dev/null; } > results/bench-fast-paths-native-matmul-2026-12-07.txt
fi
echo "all measured"
