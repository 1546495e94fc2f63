#!/usr/bin/env bash
# Issue 24 §3, session 5 of 2026-12-07: the native step against the PyTorch peer, alternated, in the
# product's setting after the native check was scoped to the work: the decoder benchmarks run as
# `train` does (checked on the decoder alone: oneDNN on here, although this CPU's oneDNN convolution
# dies). Training runs (PAUSE_PIDS) are stopped while measuring. Usage: [SUFFIX=-quiet] peer.sh [PAUSE_PIDS...]
set -u
cd "$(dirname "$0")/../.." || exit
for p in "$@"; do kill -STOP "$p"; done
trap 'for p in "$@"; do kill -CONT "$p"; done' EXIT
sleep 20 # let the load settle
{ echo "load at start $(cut -d' ' -f1-3 /proc/loadavg)"
  npm run -s bench -- train --backends tensorflow --rounds 7 --warmup 1 --peer '../shared/bench/torch-peer.sh --what decoder' 2>/dev/null; } \
  > "results/bench-peer-2026-12-07-scoped${SUFFIX:-}.txt"
echo "all measured"
