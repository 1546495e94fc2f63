#!/usr/bin/env bash
# Issue 22 §4, attention supervision: 5 more cross-entropy epochs from the λ = 0 run
# (checkpoints/everyday-xe-lambda0, 13 epochs), with the detector's class maps as attention targets
# (runs/attention/detector-maps.ts) at STRENGTH (default 1), or without them (STRENGTH=0: the control,
# the same 5 epochs from the same start). Into checkpoints/attention-sup<STRENGTH> and runs/attention-sup<STRENGTH>.
# FROM=everyday-xe STRENGTH=10: the same on the λ = 1 line the shipped model comes from
# (checkpoints/everyday-xe), into attention-sup10-l1.
# GRID=14: the same from the 14×14 λ = 0 run (runs/attention/grid14-xe.sh) with the 14×14 maps
# (runs/attention/grid14-maps.sh), into attention14-sup<STRENGTH>.
set -u
cd "$(dirname "$0")/../.." || exit
STRENGTH=${STRENGTH:-1}
GRID=${GRID:-7}
[[ $GRID == 7 || $GRID == 14 ]] || { echo "GRID: 7 or 14, got $GRID" >&2; exit 2; }
if [[ $GRID == 14 ]]; then
  FROM=${FROM:-grid14-xe-lambda0} NAME=attention14-sup$STRENGTH
  features=data/features/flickr8k-coco1k-pw11 maps=data/attention/flickr8k-coco1k-detector14.json
else
  FROM=${FROM:-everyday-xe-lambda0} NAME=attention-sup$STRENGTH
  features=data/features/flickr8k-coco1k-pw12f16 maps=data/attention/flickr8k-coco1k-detector.json
fi
[[ $FROM == everyday-xe ]] && NAME=$NAME-l1
targets=()
[[ $STRENGTH != 0 ]] && targets=(--attention-targets "$maps" --attention-supervision "$STRENGTH")
resume=()
[[ -f runs/$NAME/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --features "$features" --init-from "checkpoints/$FROM" \
  --out "checkpoints/$NAME" --run-dir "runs/$NAME" "${targets[@]}" \
  --lr 1e-4 --batch-size 32 --epochs 5 --patience 5 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 \
  --checkpoint-every 200 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
