#!/usr/bin/env bash
# Issue 21: score a candidate default on both TEST splits, once, at the decoding its decoding.json
# holds (caption's defaults: beam, length penalty, tag threshold and margin); the plain caption
# (no tags) is scored in the same run. Choose on val first (after-scst.sh, choose.py); run this once.
# Usage: runs/everyday/test-once.sh CKPT NAME   (FEATURES: the store its encoder reads, default the
# shipped line's). E.g. FEATURES=data/features/flickr8k-coco1k-joined7 \
#   runs/everyday/test-once.sh checkpoints/joined7-scst joined7-scst
set -eu
cd "$(dirname "$0")/../.."
S=../shared/datasets
CKPT=$1
NAME=$2
FEATURES=${FEATURES:-data/features/flickr8k-coco1k-pw12f16}
read -r BEAM LP TAGS MARGIN < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1] + "/decoding.json"))
t = d.get("tags") or {}
print(d["beamSize"], d["lengthPenalty"], t.get("threshold", ""), t.get("margin", 1))' "$CKPT")
TAGARGS=()
if [[ -n $TAGS ]]; then TAGARGS=(--tag-thresholds "$TAGS" --tag-margins "$MARGIN"); fi
for set in coco1k flickr8k; do
  if [[ $set == coco1k ]]; then DS=$S/coco-val2014-1k/dataset_coco1k.json; else DS=$S/flickr8k; fi
  npm run -s evaluate -- --checkpoint "$CKPT" --dataset "$DS" --features "$FEATURES" --split test \
    --beams "$BEAM" --length-penalties "$LP" ${TAGARGS[@]+"${TAGARGS[@]}"} --backend tensorflow \
    --out "results/everyday/$NAME-test-$set.json" > "results/everyday/$NAME-test-$set.txt"
done
