#!/usr/bin/env bash
# Issue 22 §4: a self-critical stage (the shipped recipe's, runs/everyday/scst.sh) from the
# detector-supervised model (checkpoints/attention-sup10), for EPOCHS epochs (default 4: what one
# session's budget left), into checkpoints/attention-sup10-scst and runs/attention-sup10-scst.
# FROM=attention-sup10-scst NAME=attention-sup10-scst10 EPOCHS=7: 7 more epochs from that stage's best
# (epoch 3; a fresh optimizer), so that the stage gets the shipped model's budget of 10 SCST epochs.
set -u
cd "$(dirname "$0")/../.." || exit
EPOCHS=${EPOCHS:-4}
FROM=${FROM:-attention-sup10}
NAME=${NAME:-attention-sup10-scst}
resume=()
[[ -f runs/$NAME/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --features data/features/flickr8k-coco1k-pw12f16 \
  --objective scst --init-from "checkpoints/$FROM" --scst-samples 5 \
  --out "checkpoints/$NAME" --run-dir "runs/$NAME" \
  --lr 5e-5 --lr-patience 99 --batch-size 32 --epochs "$EPOCHS" --patience 3 --val-limit 0 --seed 1 \
  --checkpoint-every 100 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
