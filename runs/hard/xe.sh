#!/usr/bin/env bash
# Issue 11: hard attention on Flickr8k with the default encoder (MobileNet v1 conv_pw_12, 7×7×1024),
# the same sizes, recipe and budget as the default model's cross-entropy run (runs/default/xe.sh), with
# the published hard-attention settings (--hard-signal 0.1, --hard-entropy 0.002, --hard-expected 0.5).
# Usage: runs/hard/xe.sh [EPOCHS] (default 20, the soft run's budget; 6 = the encoder study's).
set -u
epochs=${1:-20}
cd "$(dirname "$0")/../.."
resume=()
[[ -f runs/hard-xe/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k --features data/features/flickr8k-pw12 \
  --out checkpoints/hard-xe --run-dir runs/hard-xe --attention hard \
  --min-count 5 --embed-dim 512 --hidden-dim 512 --attention-dim 512 --dropout 0.5 --lambda 1 --lr 4e-4 \
  --batch-size 32 --epochs $epochs --patience 4 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 \
  --checkpoint-every 200 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
