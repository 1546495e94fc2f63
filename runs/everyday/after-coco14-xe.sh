#!/usr/bin/env bash
# Issue 21 (speed) and 22 (grid), session 7: the captioner on the detector's own trunk (GRID=coco14
# runs/everyday/xe.sh → checkpoints/coco14-xe), made comparable to the shipped line's cross-entropy
# model (everyday-xe, `results/everyday/everyday-xe-photo-val-*`), on the validation splits only:
#   1. its encoder put inside it (so `caption` needs no flag);
#   2. the tagger as the shipped one is made: caption head on this model's features, the same detector
#      (views 160:96, 224:224) and ImageNet classifier, fused on val; the detector's 224 view is then
#      the captioner's own encoder pass (src/tagger/shared-pass.ts);
#   3. plain and tag-guided captions on each val split, with everyday-xe's settings;
#   4. the grounding benchmark on coco-mini-train2017 (its 14×14 maps).
set -euo pipefail
cd "$(dirname "$0")/../.."
CKPT=checkpoints/coco14-xe
NAME=coco14-xe
S=../shared/datasets
F=data/features/flickr8k-coco1k-coco11
OUT=results/everyday
npm run -s ship-encoder -- --checkpoint "$CKPT" --from data/encoders/mobilenet_v1_1.0_coco
npm run -s train-tagger -- --dataset $S/flickr8k --dataset $S/coco-val2014-1k/dataset_coco1k.json \
  --features "$F" --out "$CKPT" --backend tensorflow \
  --detector checkpoints/everyday/detector --views 160:96,224:224 --imagenet ../shared/weights/mobilenet_v1_0.25_224_tfhub \
  2>&1 | grep -v "line 67\|image not found" > "$OUT/$NAME-tagger.log"
runs/everyday/xe-val.sh "$CKPT" "$NAME" "$F"
echo "all done"
