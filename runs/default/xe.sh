#!/usr/bin/env bash
# The new default model, step 1 (issue 14 §3): cross-entropy to convergence on the chosen encoder's
# features (MobileNet v1 ImageNet conv_pw_12, 7×7×1024; see docs/encoder-study.md). The study's recipe,
# with a longer budget: up to 20 epochs, LR halved after 2 epochs without a better dev CIDEr-D, stop
# after 4. Seed 1, as in the study, so its first 6 epochs repeat the study's run (b) exactly.
set -u
cd "$(dirname "$0")/../.." || exit
resume=()
[[ -f runs/default-xe/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k --features data/features/flickr8k-pw12 \
  --out checkpoints/default-xe --run-dir runs/default-xe \
  --min-count 5 --embed-dim 512 --hidden-dim 512 --attention-dim 512 --dropout 0.5 --lambda 1 --lr 4e-4 \
  --batch-size 32 --epochs 20 --patience 4 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 \
  --checkpoint-every 200 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
