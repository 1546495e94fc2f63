#!/usr/bin/env bash
# Issue 20, "choose by measurement": TensorFlow's oneDNN optimisations on vs off on the native backend,
# alternated in one run (the order swaps each round), ROUNDS rounds (default 5). Each configuration runs
#   encoder   npm run bench -- encoder --variant mobilenet_v1_1.0 (conv_pw_11, runs under both settings), batch 1 and 16
#   train     npm run bench -- train (training step, forward pass, greedy and beam-3 captions/s)
#   cold      one cold `caption` of a photo with the shipped model (conv_pw_12): wall time, exit code
# with TF_ENABLE_ONEDNN_OPTS=1 or =0 set explicitly (the user's setting wins over any default).
# Usage: runs/onednn/run.sh [TREE] > runs/onednn/rounds.log; python3 runs/onednn/summary.py runs/onednn/rounds.log
set -u
TREE=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
ROUNDS=${ROUNDS:-5}
SHARED=${CAPTION_SHARED_DIR:-$TREE/../shared}
cd "$TREE" || exit
measure() { # on|off
  local v; [[ $1 == on ]] && v=1 || v=0
  echo "== $1 round $round load $(cut -d' ' -f1-3 /proc/loadavg)"
  TF_ENABLE_ONEDNN_OPTS=$v npm run -s bench -- encoder --backends tensorflow --batches 1,16 2>/dev/null | grep -E '^tensorflow ' | sed "s/^/$1 encoder /"
  TF_ENABLE_ONEDNN_OPTS=$v npm run -s bench -- train --backends tensorflow --warmup 1 2>/dev/null | grep -E '^tensorflow ' | sed "s/^/$1 train /"
  local t0 t1 rc
  t0=$(date +%s.%N)
  TF_ENABLE_ONEDNN_OPTS=$v node bin/caption.js "$SHARED/images/motorcycle_left.png" >/dev/null 2>&1; rc=$?
  t1=$(date +%s.%N)
  echo "$1 cold $(echo "$t1 - $t0" | bc) rc=$rc"
}
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then measure on; measure off; else measure off; measure on; fi
done
