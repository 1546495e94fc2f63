#!/usr/bin/env bash
# Issue 24 §3: every native fast path's worth with oneDNN on (this machine's encoder check fails under
# oneDNN, so the check is skipped; the decoder has no convolution and runs), 5 rounds, in TREE (a
# checkout of the commit before the σ/tanh fast paths went, so that they are measured too).
# Usage: runs/bench-2026-12-07c/onednn-on.sh TREE [PAUSE_PID]
set -u
cd "$(dirname "$0")/../.." || exit
OUT=$PWD/results/bench-fast-paths-native-onednn-2026-12-07.txt
TREE=$1
PAUSE=${2:-}
[[ -n $PAUSE ]] && kill -STOP "$PAUSE" && trap 'kill -CONT $PAUSE' EXIT
{ echo "load at start $(cut -d' ' -f1-3 /proc/loadavg); TF_ENABLE_ONEDNN_OPTS=1 CAPTION_NATIVE_CHECK=off; tree $(git -C "$TREE" rev-parse --short HEAD)"
  cd "$TREE" && TF_ENABLE_ONEDNN_OPTS=1 CAPTION_NATIVE_CHECK=off npm run -s bench -- fast-paths --backends tensorflow --rounds 5 2>/dev/null; } > "$OUT"
echo "all measured"
