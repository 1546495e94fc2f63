#!/usr/bin/env bash
# Issue 24 §3, session 7 of 2026-12-07: the native step against the PyTorch peer, alternated, with the
# same protocol on both sides: two untimed steps, then the median of five (torch_bench.py times a first
# step and runs one warm-up before its five; `bench -- train` ran one warm-up until this session).
# Nothing else runs. Usage: [SUFFIX=-x] [ROUNDS=9] peer-s7.sh
set -u
cd "$(dirname "$0")/../.." || exit
sleep 20 # let the load settle
{ echo "load at start $(cut -d' ' -f1-3 /proc/loadavg)"
  npm run -s bench -- train --backends tensorflow --rounds "${ROUNDS:-9}" --warmup 2 \
    --peer '../shared/bench/torch-peer.sh --what decoder' 2>/dev/null; } \
  > "results/bench-peer-2026-12-07-s7${SUFFIX:-}.txt"
echo "all measured"
