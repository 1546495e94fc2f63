#!/usr/bin/env bash
# The encoder study (issue 14 §1): the same decoder recipe and budget on each encoder's features.
set -u
cd "$(dirname "$0")/../.." || exit
FLICKR=../shared/datasets/flickr8k
recipe=(--min-count 5 --embed-dim 512 --hidden-dim 512 --attention-dim 512 --dropout 0.5 --lambda 1 --lr 4e-4
  --batch-size 32 --epochs 6 --patience 6 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 --checkpoint-every 200
  --weights-dtype float16 --backend tensorflow --no-progress)
for enc in "$@"; do
  case $enc in
    coco) feats=data/features/flickr8k-coco ;;
    imagenet) feats=data/features/flickr8k ;;
    imagenet-pw12) feats=data/features/flickr8k-pw12 ;;
    resnet) feats=data/features/flickr8k-resnet ;;
  esac
  resume=()
  [[ -f runs/study-$enc/last/model.json ]] && resume=(--resume)
  npm run -s train -- --dataset $FLICKR --features "$feats" --out checkpoints/study-"$enc" --run-dir runs/study-"$enc" "${recipe[@]}" "${resume[@]}" >> runs/study/train-"$enc".log 2>&1
done
