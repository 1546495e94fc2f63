#!/usr/bin/env bash
# Issue 21 §1, step 1: cross-entropy on Flickr8k + COCO-1k together (one vocabulary, one feature store,
# best by CIDEr-D over both validation splits), the shipped model's recipe (runs/default/xe.sh) and
# seed, so that the shipped model's own XE stage is the run without COCO at the same budget.
# LAMBDA=0 runs/everyday/xe.sh: the same run with another doubly stochastic λ (attention study, issue 22),
# into checkpoints/everyday-xe-lambda0 and runs/everyday-xe-lambda0.
# GRID=14 LAMBDA=0 EPOCHS=13 runs/everyday/xe.sh: the grid study (issue 22 §4), the same run on the 14×14
# conv_pw_11 store (runs/attention/grid14-extract.sh), 13 epochs as the 7×7 λ = 0 run had, into grid14-xe-lambda0.
# GRID=coco14 runs/everyday/xe.sh: the shipped recipe (λ = 1, 20 epochs) on the COCO-detection MobileNet's
# 14×14 Conv2d_11 store (runs/everyday/coco-trunk-extract.sh), the trunk the detector tagger runs anyway,
# into coco14-xe (session 7: can a captioner share the detector's pass and keep its captions?).
# GRID=joined7 runs/everyday/xe.sh: the shipped recipe on both trunks at 7×7 (conv_pw_12 beside the detector's
# Conv2d_11 averaged 2×2, runs/everyday/join-stores.ts), into joined7-xe (session 9, a study store).
set -u
cd "$(dirname "$0")/../.." || exit
LAMBDA=${LAMBDA:-1}
EPOCHS=${EPOCHS:-20}
GRID=${GRID:-7}
NAME=everyday-xe features=data/features/flickr8k-coco1k-pw12f16
[[ $GRID == 14 ]] && NAME=grid14-xe features=data/features/flickr8k-coco1k-pw11
[[ $GRID == coco14 ]] && NAME=coco14-xe features=data/features/flickr8k-coco1k-coco11
[[ $GRID == joined7 ]] && NAME=joined7-xe features=data/features/flickr8k-coco1k-pw12+coco7
[[ $GRID == 7 || $GRID == 14 || $GRID == coco14 || $GRID == joined7 ]] || { echo "GRID: 7, 14, coco14 or joined7, got $GRID" >&2; exit 2; }
[[ $LAMBDA != 1 ]] && NAME=$NAME-lambda$LAMBDA
resume=()
[[ -f runs/$NAME/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --features "$features" \
  --out checkpoints/"$NAME" --run-dir runs/"$NAME" \
  --min-count 5 --embed-dim 512 --hidden-dim 512 --attention-dim 512 --dropout 0.5 --lambda "$LAMBDA" --lr 4e-4 \
  --batch-size 32 --epochs "$EPOCHS" --patience 4 --lr-patience 2 --val-limit 0 --select-by CIDEr-D --seed 1 \
  --checkpoint-every 200 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}"
