#!/usr/bin/env bash
# Issue 22 §4, the grid study: a 14×14 feature store for Flickr8k + COCO-1k, the same network as the
# shipped 7×7 encoder read one layer lower (MobileNet v1 α=1.0, conv_pw_11: 14×14×512), native.
set -u
cd "$(dirname "$0")/../.." || exit
npm run -s extract-features -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --variant mobilenet_v1_1.0 --encoder-weights ../shared/weights/mobilenet_v1_1.0_224 \
  --out data/features/flickr8k-coco1k-pw11 --batch-size 16 --backend tensorflow --no-progress
