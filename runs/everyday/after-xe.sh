#!/usr/bin/env bash
# Issue 21: what the Flickr8k + COCO-1k cross-entropy model (xe.sh) and the tagger buy, on the
# validation splits (test is scored once, at the end of the issue, not here):
#   1. the tagger, trained on the same features, put into the checkpoint;
#   2. evaluate on each val split (COCO-1k, Flickr8k): plain captions and tag-guided ones;
#   3. the grounding benchmark on coco-mini-train2017.
# Usage: runs/everyday/after-xe.sh CHECKPOINT NAME   (e.g. checkpoints/everyday-xe everyday-xe)
set -eu
cd "$(dirname "$0")/../.."
CKPT=$1
NAME=$2
S=../shared/datasets
OUT=results/everyday
mkdir -p "$OUT" results/grounding
npm run -s train-tagger -- --dataset $S/flickr8k --dataset $S/coco-val2014-1k/dataset_coco1k.json \
  --features data/features/flickr8k-coco1k-pw12f16 --out "$CKPT" --backend tensorflow 2>&1 | grep -v "line 67\|image not found" > "$OUT/$NAME-tagger.log"
for set in coco1k flickr8k; do
  if [[ $set == coco1k ]]; then DS=$S/coco-val2014-1k/dataset_coco1k.json; else DS=$S/flickr8k; fi
  npm run -s evaluate -- --checkpoint "$CKPT" --dataset "$DS" --features data/features/flickr8k-coco1k-pw12f16 \
    --split val --beams 2 --length-penalties 0,1 --tag-thresholds 0.3,0.5,0.7 --tag-margins 1,3 \
    --backend tensorflow --out "$OUT/$NAME-val-$set.json" > "$OUT/$NAME-val-$set.txt" 2>/dev/null
done
npm run -s grounding -- --checkpoint "$CKPT" --instances $S/coco-mini-train2017/annotations/instances_train2017.json \
  --captions $S/coco-mini-train2017/annotations/captions_train2017.json --images $S/coco-mini-train2017/train2017 \
  --backend tensorflow --out "results/grounding/$NAME.json" > "results/grounding/$NAME.txt" 2>/dev/null
