#!/usr/bin/env bash
# Issue 22: the grounding benchmark (coco-mini-train2017) of each checkpoint named, into
# results/grounding/<name>.json and .txt.   runs/attention/grounding.sh attention-sup10 attention-sup0 …
set -u
cd "$(dirname "$0")/../.." || exit
D=../shared/datasets/coco-mini-train2017
for name in "$@"; do
  npm run -s grounding -- --checkpoint "checkpoints/$name" \
    --instances "$D/annotations/instances_train2017.json" --captions "$D/annotations/captions_train2017.json" \
    --images "$D/train2017" --out "results/grounding/$name.json" 2>&1 | grep -v '^grounding: ' > "results/grounding/$name.txt"
done
