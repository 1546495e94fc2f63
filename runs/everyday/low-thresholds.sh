#!/usr/bin/env bash
# Issue 21, session 5: do tag thresholds below the shipped 0.2 name more main objects on val, and at
# what CIDEr-D? The shipped default (checkpoints/everyday) on both val splits at tags ≥ 0.1 and ≥ 0.15,
# beams 2 and 3, length penalties 0 and 1, margin 1 (the grid after-scst.sh ran at 0.2, 0.3, 0.5), into
# results/everyday/everyday-lowtags-val-<set>.json. Test is not touched.
set -eu
cd "$(dirname "$0")/../.."
S=../shared/datasets
for set in coco1k flickr8k; do
  if [[ $set == coco1k ]]; then DS=$S/coco-val2014-1k/dataset_coco1k.json; else DS=$S/flickr8k; fi
  npm run -s evaluate -- --checkpoint checkpoints/everyday --dataset "$DS" --features data/features/flickr8k-coco1k-pw12f16 \
    --split val --beams 2,3 --length-penalties 0,1 --tag-thresholds 0.1,0.15 --tag-margins 1 \
    --backend tensorflow --out "results/everyday/everyday-lowtags-val-$set.json" > "results/everyday/everyday-lowtags-val-$set.txt" 2>/dev/null
done
