#!/usr/bin/env bash
# Issue 21/22, session 9: the feature store of the joined encoder (conv_pw_12 beside the detector's
# Conv2d_11 averaged 2×2, `npm run join-encoders`), for Flickr8k + COCO-1k. Its records equal the study
# store's (runs/everyday/join-stores.ts) to float16 rounding; runs/everyday/rebind-joined.ts checks that
# for every record before a checkpoint trained on the study store is bound to this encoder.
set -u
cd "$(dirname "$0")/../.." || exit
[[ -f data/encoders/mobilenet_v1_1.0_pw12+coco/model.json ]] ||
  npm run -s join-encoders -- --variant mobilenet_v1_1.0_pw12+coco --first checkpoints/everyday/encoder \
    --second data/encoders/mobilenet_v1_1.0_coco --out data/encoders/mobilenet_v1_1.0_pw12+coco
npm run -s extract-features -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --variant mobilenet_v1_1.0_pw12+coco --encoder-weights data/encoders/mobilenet_v1_1.0_pw12+coco \
  --out data/features/flickr8k-coco1k-joined7 --batch-size 16 --backend tensorflow --no-progress
