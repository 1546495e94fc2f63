#!/usr/bin/env bash
# Issue 21 (speed) and 22 (a 14×14 grid), session 7: a feature store for Flickr8k + COCO-1k from the
# COCO-detection MobileNet's Conv2d_11 (14×14×512), the trunk the detector tagger already runs on
# every photo at 224 px. A captioner on these features can share that pass with the tagger.
set -u
cd "$(dirname "$0")/../.." || exit
npm run -s extract-features -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --variant mobilenet_v1_1.0_coco --encoder-weights data/encoders/mobilenet_v1_1.0_coco \
  --out data/features/flickr8k-coco1k-coco11 --batch-size 16 --backend tensorflow --no-progress
