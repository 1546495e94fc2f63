#!/usr/bin/env bash
# Issue 22 §4, the grid study: the λ = 0 cross-entropy run of runs/everyday/xe.sh (same recipe, seed and
# budget: 13 epochs, best by dev CIDEr-D over both val splits) on the 14×14 conv_pw_11 store, to set
# against checkpoints/everyday-xe-lambda0 (7×7 conv_pw_12, λ = 0, 13 epochs). Resumable.
set -u
cd "$(dirname "$0")/../.." || exit
NAME=grid14-xe-lambda0
resume=()
[[ -f runs/$NAME/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --features data/features/flickr8k-coco1k-pw11 \
  --out checkpoints/"$NAME" --run-dir runs/"$NAME" \
  --min-count 5 --embed-dim 512 --hidden-dim 512 --attention-dim 512 --dropout 0.5 --lambda 0 --lr 4e-4 \
  --batch-size 32 --epochs 13 --patience 4 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 \
  --checkpoint-every 200 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
