#!/usr/bin/env bash
# Issue 21, speed target (session 7): a tag-guided caption against the plain beam-2 caption, per photo,
# for the shipped model (its detector runs both views on the photo) and for the captioner on the
# detector's trunk (checkpoints/coco14-xe, whose encoder pass is the detector's 224 view: shared-pass.ts),
# each with its checkpoint's decoding.json (session 7: both beam 3, length penalty 1, tags ≥ 0.2, margin 1,
# coco14-xe's copied from the shipped model for this comparison). Each `bench -- tags`
# alternates plain and tagged over rounds in one process; the two checkpoints alternate twice.
# Session 8: CKPTS="checkpoints/everyday checkpoints/coco14-scst" SUFFIX=-s8 runs/everyday/shared-pass-bench.sh
# (each checkpoint with its own decoding.json: coco14-scst's is beam 2, length penalty 1, tags ≥ 0.3).
# The output file is named by the day it runs on (and SUFFIX).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=results/everyday/shared-pass-bench-$(date +%F)${SUFFIX:-}.txt
read -r -a ckpts <<< "${CKPTS:-checkpoints/everyday checkpoints/coco14-xe}"
: > "$OUT"
for round in 1 2; do
  for ckpt in "${ckpts[@]}"; do
    echo "== round $round, $ckpt, load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"
    npm run -s bench -- tags --checkpoint "$ckpt" --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
      --images 100 --rounds 5 --plain-beam 2 --backend tensorflow 2>/dev/null >> "$OUT"
  done
done
echo "all measured" >> "$OUT"
