#!/usr/bin/env bash
# The encoder study's table: each study checkpoint (best dev CIDEr-D of its 6 epochs) on all 1,000
# dev photos, greedy, with the final code (so every row decodes and scores the same way).
cd "$(dirname "$0")/../.." || exit
for pair in imagenet:flickr8k imagenet-pw12:flickr8k-pw12 coco:flickr8k-coco resnet:flickr8k-resnet; do
  name=${pair%%:*}; feats=${pair##*:}
  [[ -f checkpoints/study-$name/model.json ]] || continue
  npm run -s evaluate -- --checkpoint checkpoints/study-"$name" --dataset ../shared/datasets/flickr8k --features data/features/"$feats" \
    --split val --beams 1 --out results/study-"$name"-dev.json --backend tensorflow
done
