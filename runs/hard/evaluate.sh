#!/usr/bin/env bash
# Issue 11: hard against soft attention at the same cross-entropy budget, on Flickr8k.
#   runs/hard/evaluate.sh dev   — each model's decoding chosen on the validation split (beam size, length
#                                 penalty, and for hard attention the context: expected or argmax), written
#                                 into its checkpoint's decoding.json; results/hard-{hard,soft}-dev.json
#   runs/hard/evaluate.sh test  — the test split, once, with each model's chosen decoding;
#                                 results/hard-{hard,soft}-test.json
# The models: checkpoints/hard-xe-lambda0 (runs/hard/xe.sh) and checkpoints/hard-soft-baseline
# (runs/hard/soft-baseline.sh, the default model's cross-entropy stage).
set -eu
cd "$(dirname "$0")/../.."
common=(--dataset ../shared/datasets/flickr8k --features data/features/flickr8k-pw12 --backend tensorflow)
case ${1:?dev or test} in
  dev)
    npm run -s evaluate -- "${common[@]}" --checkpoint checkpoints/hard-xe-lambda0 --split val \
      --beams 1,2,3,5 --length-penalties 0,0.5,1 --contexts expected,argmax --choose CIDEr-D --choose-within 0.001 \
      --out results/hard-hard-dev.json
    npm run -s evaluate -- "${common[@]}" --checkpoint checkpoints/hard-soft-baseline --split val \
      --beams 1,2,3,5 --length-penalties 0,0.5,1 --choose CIDEr-D --choose-within 0.001 \
      --out results/hard-soft-dev.json
    ;;
  test)
    for m in hard soft; do
      ckpt=checkpoints/hard-xe-lambda0; [[ $m == soft ]] && ckpt=checkpoints/hard-soft-baseline
      read -r beam lp context < <(python3 -c "import json,sys; d=json.load(open('$ckpt/decoding.json')); print(d['beamSize'], d['lengthPenalty'], d.get('context','expected'))")
      beams=1; [[ $beam != 1 ]] && beams=1,$beam  # greedy beside the chosen setting
      npm run -s evaluate -- "${common[@]}" --checkpoint $ckpt --split test --beams $beams --length-penalties $lp --contexts $context \
        --out results/hard-$m-test.json
    done
    ;;
esac
