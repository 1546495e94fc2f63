#!/usr/bin/env bash
# Issue 20: what the native check costs a cold `caption` of one photo (native, shipped model).
#   first    an empty cache folder: the check's child runs (oneDNN on passes here: one child)
#   later    the verdict cached by the run before
#   none     CAPTION_NATIVE_CHECK=off (no check at all)
# Rounds alternate the order; wall time of the whole command. Usage: runs/onednn/check-cost.sh > runs/onednn/check-cost.log
set -u
cd "$(dirname "$0")/../.." || exit
PHOTO=docs/examples/photos/motorcycle_left.png
ROUNDS=${ROUNDS:-7}
cache=$(mktemp -d)
one() { # name env...
  local name=$1; shift
  local t0 t1; t0=$(date +%s.%N)
  env "$@" node bin/caption.js "$PHOTO" >/dev/null 2>&1 || echo "$name failed"
  t1=$(date +%s.%N)
  echo "$name $(echo "$t1 - $t0" | bc) load $(cut -d' ' -f1 /proc/loadavg)"
}
for round in $(seq 1 "$ROUNDS"); do
  first() { rm -rf "${cache:?}"/*; one first CAPTION_CACHE_DIR="$cache"; }
  later() { one later CAPTION_CACHE_DIR="$cache"; }
  none() { one none CAPTION_CACHE_DIR="$cache" CAPTION_NATIVE_CHECK=off; }
  if (( round % 2 )); then first; later; none; else none; first; later; fi
done
rm -rf "$cache"
