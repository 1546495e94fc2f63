#!/usr/bin/env bash
# Issue 21 §1: one feature store for Flickr8k + COCO-1k, made with the shipped model's encoder
# (extract-features' default: MobileNet v1 conv_pw_12, float16 weights from the package), native.
set -u
cd "$(dirname "$0")/../.." || exit
npm run -s extract-features -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --out data/features/flickr8k-coco1k-pw12f16 --batch-size 16 --backend tensorflow --no-progress
