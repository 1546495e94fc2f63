#!/usr/bin/env bash
# Issue 22 §4: the detector's class maps on the 14×14 grid (attention targets for the 14×14 model).
set -u
cd "$(dirname "$0")/../.." || exit
npx tsx runs/attention/detector-maps.ts --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json --splits train --grid 14 \
  --detector checkpoints/everyday/detector --out data/attention/flickr8k-coco1k-detector14.json
