#!/usr/bin/env bash
# Issue 11: the soft model's cross-entropy run (runs/default/xe.sh) again, to its best epoch (13), so
# that soft attention at the same budget can be scored on the test split beside hard attention (the
# first run's checkpoint was not kept: the default model is that run plus self-critical training).
# Training is deterministic when seeded: runs/hard-soft-baseline/metrics.jsonl must repeat the first 13
# lines of runs/default-xe/metrics.jsonl (times aside).
set -u
cd "$(dirname "$0")/../.."
resume=()
[[ -f runs/hard-soft-baseline/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k --features data/features/flickr8k-pw12 \
  --out checkpoints/hard-soft-baseline --run-dir runs/hard-soft-baseline \
  --min-count 5 --embed-dim 512 --hidden-dim 512 --attention-dim 512 --dropout 0.5 --lambda 1 --lr 4e-4 \
  --batch-size 32 --epochs 13 --patience 4 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 \
  --checkpoint-every 200 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
