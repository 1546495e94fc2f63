#!/usr/bin/env bash
# Issue 11: hard attention (checkpoints/hard-xe-lambda0, runs/hard/xe.sh) on Flickr8k.
#   runs/hard/evaluate.sh dev   — decoding chosen on the validation split (beam size, length penalty, and
#                                 the context: expected or argmax), written into the checkpoint's
#                                 decoding.json; results/hard-dev.json
#   runs/hard/evaluate.sh test  — the test split, once, with the chosen decoding (and greedy beside it);
#                                 results/hard-test.json
#   runs/hard/evaluate.sh soft-test — soft attention at the same budget (runs/hard/soft-xe.sh) on the test
#                                 split, greedy and beam 3 (its dev rows: results/default-xe-dev.json);
#                                 results/soft-xe-test.json
set -eu
cd "$(dirname "$0")/../.."
common=(--dataset ../shared/datasets/flickr8k --features data/features/flickr8k-pw12 --checkpoint checkpoints/hard-xe-lambda0 --backend tensorflow)
case ${1:?dev or test} in
  dev)
    npm run -s evaluate -- "${common[@]}" --split val --beams 1,2,3,5 --length-penalties 0,0.5,1 --contexts expected,argmax \
      --choose CIDEr-D --choose-within 0.001 --out results/hard-dev.json
    ;;
  test)
    read -r beam lp context < <(python3 -c "import json; d=json.load(open('checkpoints/hard-xe-lambda0/decoding.json')); print(d['beamSize'], d['lengthPenalty'], d.get('context', 'expected'))")
    beams=1; [[ $beam != 1 ]] && beams=1,$beam  # greedy beside the chosen setting
    npm run -s evaluate -- "${common[@]}" --split test --beams "$beams" --length-penalties "$lp" --contexts "$context" --out results/hard-test.json
    ;;
  soft-test)
    npm run -s evaluate -- "${common[@]/hard-xe-lambda0/soft-xe-13}" --split test --beams 1,3 --length-penalties 0 --contexts expected --out results/soft-xe-test.json
    ;;
esac
