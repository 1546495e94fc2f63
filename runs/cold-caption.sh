#!/usr/bin/env bash
# Issue 21's cold-start target (≤ 2 s on native): wall time of `node bin/caption.js PHOTO` in a fresh
# process, N rounds, alternating between the trees given (each built: `npm run build` there; default
# this tree), with the load average of each round. The native check's verdict must already be cached
# (run once before): its first run on a machine is not what this measures.
# Usage: runs/cold-caption.sh [ROUNDS] [TREE...]   e.g. runs/cold-caption.sh 3 . /tmp/old-tree
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
shift || true
TREES=("$@")
if [[ ${#TREES[@]} -eq 0 ]]; then TREES=(.); fi
PHOTO=$PWD/docs/examples/photos/chelsea.png
for ((r = 1; r <= ROUNDS; r++)); do
  for tree in "${TREES[@]}"; do
    start=$(date +%s.%N)
    (cd "$tree" && node bin/caption.js "$PHOTO" --backend tensorflow > /dev/null 2>&1)
    end=$(date +%s.%N)
    printf 'round %d  %-40s %.2f s  load %s\n' "$r" "$(cd "$tree" && git rev-parse --short HEAD)" "$(echo "$end - $start" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
