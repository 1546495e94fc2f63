#!/usr/bin/env bash
# A cross-entropy model on both val splits with everyday-xe's settings (beam 2, no length penalty,
# tags ≥ 0.15, 0.2, 0.3, 0.5, margin 1), then the grounding benchmark on coco-mini-train2017.
# Usage: runs/everyday/xe-val.sh CKPT NAME FEATURES  → results/everyday/NAME-val-*, results/grounding/NAME.*
# (after-coco14-xe.sh and after-joined7-xe.sh call it).
set -euo pipefail
cd "$(dirname "$0")/../.."
CKPT=$1 NAME=$2 F=$3
S=../shared/datasets
OUT=results/everyday
for set in coco1k flickr8k; do
  if [[ $set == coco1k ]]; then DS=$S/coco-val2014-1k/dataset_coco1k.json; else DS=$S/flickr8k; fi
  npm run -s evaluate -- --checkpoint "$CKPT" --dataset "$DS" --features "$F" \
    --split val --beams 2 --length-penalties 0 --tag-thresholds 0.15,0.2,0.3,0.5 --tag-margins 1 \
    --backend tensorflow --out "$OUT/$NAME-val-$set.json" > "$OUT/$NAME-val-$set.txt" 2>/dev/null
done
npm run -s grounding -- --checkpoint "$CKPT" --instances $S/coco-mini-train2017/annotations/instances_train2017.json \
  --captions $S/coco-mini-train2017/annotations/captions_train2017.json --images $S/coco-mini-train2017/train2017 \
  --backend tensorflow --out "results/grounding/$NAME.json" > "results/grounding/$NAME.txt" 2>/dev/null
