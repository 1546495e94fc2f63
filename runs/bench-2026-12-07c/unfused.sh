#!/usr/bin/env bash
# Issue 24 §3: the native activations and matmul when the fused kernels are off (the addon failed to
# build: tfjs-node alone), where the one-sigmoid scores use them on a [B, L, A] tensor per step.
# Usage: runs/bench-2026-12-07c/unfused.sh [PAUSE_PID]
set -u
cd "$(dirname "$0")/../.." || exit
PAUSE=${1:-}
[[ -n $PAUSE ]] && kill -STOP "$PAUSE" && trap 'kill -CONT $PAUSE' EXIT
{ echo "load at start $(cut -d' ' -f1-3 /proc/loadavg); CAPTION_FUSED_KERNELS=0"; CAPTION_FUSED_KERNELS=0 npm run -s bench -- fast-paths --backends tensorflow --rounds 5 --ops sigmoid,tanh,matMul,additiveScores 2>/dev/null; } > results/bench-fast-paths-native-unfused-2026-12-07.txt
echo "all measured"
