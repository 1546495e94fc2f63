#!/usr/bin/env bash
# Issue 11's soft row on the test split: the default model's cross-entropy stage (runs/default/xe.sh),
# re-run with the same seed and recipe up to its best epoch (13 of 17), into checkpoints/soft-xe-13
# (its metrics in runs/soft-xe-13; the first 13 epochs must equal runs/default-xe/metrics.jsonl).
# Then: runs/hard/evaluate.sh soft-test
set -u
cd "$(dirname "$0")/../.." || exit
resume=()
[[ -f runs/soft-xe-13/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k --features data/features/flickr8k-pw12 \
  --out checkpoints/soft-xe-13 --run-dir runs/soft-xe-13 \
  --min-count 5 --embed-dim 512 --hidden-dim 512 --attention-dim 512 --dropout 0.5 --lambda 1 --lr 4e-4 \
  --batch-size 32 --epochs 13 --patience 4 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 \
  --checkpoint-every 200 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
