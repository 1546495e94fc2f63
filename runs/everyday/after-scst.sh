#!/usr/bin/env bash
# Issue 21: the self-critical model (scst.sh) with the tagger that looks at the photo, on the
# validation splits (test is scored once, at the end): the tagger (caption head + SSD detector + ImageNet
# classifier, fused on val) is the same as the cross-entropy model's (it reads the same features), so it
# is copied over; then plain and tag-guided captions on each val split, and the grounding benchmark.
# Usage: runs/everyday/after-scst.sh [CKPT NAME]   (after runs/everyday/scst.sh and train-tagger on
# everyday-xe; defaults checkpoints/everyday-scst everyday-scst). TAGGER_FROM (default
# checkpoints/everyday-xe) is where the tagger is copied from (checkpoints/everyday ships the same one).
# FEATURES (default the shipped line's store) and TAGS (tag thresholds tried, default 0.2,0.3,0.5) may be set:
# FEATURES=data/features/flickr8k-coco1k-coco11 TAGGER_FROM=checkpoints/coco14-xe TAGS=0.15,0.2,0.3 \
#   runs/everyday/after-scst.sh checkpoints/coco14-scst coco14-scst     (the detector-trunk line, session 8)
set -eu
cd "$(dirname "$0")/../.."
S=../shared/datasets
CKPT=${1:-checkpoints/everyday-scst}
NAME=${2:-everyday-scst}
FROM=${TAGGER_FROM:-checkpoints/everyday-xe}
FEATURES=${FEATURES:-data/features/flickr8k-coco1k-pw12f16}
TAGS=${TAGS:-0.2,0.3,0.5}
OUT=results/everyday
for f in tagger.json tagger.bin; do cp "$FROM/$f" "$CKPT/"; done
for d in detector imagenet; do rm -rf "${CKPT:?}/$d"; cp -r "$FROM/$d" "$CKPT/"; done
for set in coco1k flickr8k; do
  if [[ $set == coco1k ]]; then DS=$S/coco-val2014-1k/dataset_coco1k.json; else DS=$S/flickr8k; fi
  npm run -s evaluate -- --checkpoint "$CKPT" --dataset "$DS" --features "$FEATURES" \
    --split val --beams 2,3 --length-penalties 0,1 --tag-thresholds "$TAGS" --tag-margins 1 \
    --backend tensorflow --out "$OUT/$NAME-val-$set.json" > "$OUT/$NAME-val-$set.txt" 2>/dev/null
done
npm run -s grounding -- --checkpoint "$CKPT" --instances $S/coco-mini-train2017/annotations/instances_train2017.json \
  --captions $S/coco-mini-train2017/annotations/captions_train2017.json --images $S/coco-mini-train2017/train2017 \
  --backend tensorflow --out "results/grounding/$NAME.json" > "results/grounding/$NAME.txt" 2>/dev/null
