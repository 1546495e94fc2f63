#!/usr/bin/env bash
# The new default model, step 2 (issue 14 §2–3): self-critical training on CIDEr-D from the best
# cross-entropy checkpoint (runs/default/xe.sh): 5 samples per image, mean-of-others baseline,
# constant LR 5e-5 (the published one), best by dev CIDEr-D, stop after 3 epochs without a better one.
set -u
cd "$(dirname "$0")/../.." || exit
resume=()
[[ -f runs/default-scst/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k --features data/features/flickr8k-pw12 \
  --objective scst --init-from checkpoints/default-xe --scst-samples 5 \
  --out checkpoints/default-scst --run-dir runs/default-scst \
  --lr 5e-5 --lr-patience 99 --batch-size 32 --epochs 10 --patience 3 --val-limit 0 --seed 1 \
  --checkpoint-every 100 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
