#!/usr/bin/env bash
# Issue 24 §3, session 4 of 2026-12-07: each fast path's worth (npm run bench -- fast-paths), the
# tree before this session (BEFORE, 8396fc3) against this one alternated (runs/dispatch-bench/run.sh),
# and the native step against the PyTorch peer, alternated. A training run (PAUSE_PID) is stopped
# while measuring. Usage: runs/bench-2026-12-07c/run.sh BEFORE_DIR [PAUSE_PID]
set -u
cd "$(dirname "$0")/../.." || exit
BEFORE=$1
PAUSE=${2:-}
[[ -n $PAUSE ]] && kill -STOP "$PAUSE" && trap 'kill -CONT $PAUSE' EXIT
R=results
{ echo "load at start $(cut -d' ' -f1-3 /proc/loadavg)"; npm run -s bench -- fast-paths --backends tensorflow --rounds 5 2>/dev/null; } > $R/bench-fast-paths-native-2026-12-07.txt
{ echo "load at start $(cut -d' ' -f1-3 /proc/loadavg)"; npm run -s bench -- fast-paths --backends wasm --rounds 3 2>/dev/null; } > $R/bench-fast-paths-wasm-2026-12-07.txt
BACKENDS=tensorflow,wasm runs/dispatch-bench/run.sh "$BEFORE" > $R/bench-old-new-2026-12-07c.txt 2>&1
npm run -s bench -- train --backends tensorflow --rounds 5 --warmup 1 --peer '../shared/bench/torch-peer.sh --what decoder' > $R/bench-peer-2026-12-07c.txt 2>/dev/null
npm run -s bench -- train --backends tensorflow --rounds 5 --warmup 1 --peer '../shared/bench/torch-peer.sh --what decoder' > $R/bench-peer-2026-12-07d.txt 2>/dev/null
echo "all measured"
