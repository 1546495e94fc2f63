#!/usr/bin/env bash
# Issue 21: the self-critical model (scst.sh) with the tagger that looks at the photo, on the
# validation splits (test is scored once, at the end): the tagger (caption head + SSD detector + ImageNet
# classifier, fused on val) is the same as the cross-entropy model's (it reads the same features), so it
# is copied over; then plain and tag-guided captions on each val split, and the grounding benchmark.
# Usage: runs/everyday/after-scst.sh   (after runs/everyday/scst.sh and train-tagger on everyday-xe)
set -eu
cd "$(dirname "$0")/../.."
S=../shared/datasets
CKPT=checkpoints/everyday-scst
OUT=results/everyday
for f in tagger.json tagger.bin; do cp checkpoints/everyday-xe/$f $CKPT/; done
for d in detector imagenet; do rm -rf "${CKPT:?}/$d"; cp -r "checkpoints/everyday-xe/$d" "$CKPT/"; done
for set in coco1k flickr8k; do
  if [[ $set == coco1k ]]; then DS=$S/coco-val2014-1k/dataset_coco1k.json; else DS=$S/flickr8k; fi
  npm run -s evaluate -- --checkpoint $CKPT --dataset "$DS" --features data/features/flickr8k-coco1k-pw12f16 \
    --split val --beams 2,3 --length-penalties 0,1 --tag-thresholds 0.2,0.3,0.5 --tag-margins 1 \
    --backend tensorflow --out "$OUT/everyday-scst-val-$set.json" > "$OUT/everyday-scst-val-$set.txt" 2>/dev/null
done
npm run -s grounding -- --checkpoint $CKPT --instances $S/coco-mini-train2017/annotations/instances_train2017.json \
  --captions $S/coco-mini-train2017/annotations/captions_train2017.json --images $S/coco-mini-train2017/train2017 \
  --backend tensorflow --out results/grounding/everyday-scst.json > results/grounding/everyday-scst.txt 2>/dev/null
