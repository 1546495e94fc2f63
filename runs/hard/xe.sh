#!/usr/bin/env bash
# Issue 11: hard attention on Flickr8k with the default encoder (MobileNet v1 conv_pw_12, 7×7×1024),
# the same sizes, recipe and budget as the default model's cross-entropy run (runs/default/xe.sh), with
# the published hard-attention settings (--hard-signal 0.1, --hard-entropy 0.002, --hard-expected 0.5).
# Usage: runs/hard/xe.sh [EPOCHS] [LAMBDA]
#   EPOCHS: default 20, the soft run's budget (6 = the encoder study's).
#   LAMBDA: the doubly stochastic penalty; default 0, hard attention's default (the authors' code).
#     The first run (runs/hard-xe, 6 epochs) used 1, the soft model's, and its attention went uniform.
set -u
epochs=${1:-20}
lambda=${2:-0}
cd "$(dirname "$0")/../.." || exit
name=hard-xe
[[ $lambda != 1 ]] && name=hard-xe-lambda$lambda
resume=()
[[ -f runs/$name/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k --features data/features/flickr8k-pw12 \
  --out checkpoints/"$name" --run-dir runs/"$name" --attention hard \
  --min-count 5 --embed-dim 512 --hidden-dim 512 --attention-dim 512 --dropout 0.5 --lambda "$lambda" --lr 4e-4 \
  --batch-size 32 --epochs "$epochs" --patience 4 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 \
  --checkpoint-every 200 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
