#!/usr/bin/env bash
# Issue 21 §1, step 2: self-critical training on CIDEr-D from the best cross-entropy checkpoint of xe.sh,
# the shipped model's recipe (runs/default/scst.sh).
# FROM=everyday-xe-lambda0 runs/everyday/scst.sh: the same stage from another cross-entropy checkpoint
# (attention study, issue 22), into checkpoints/everyday-scst-lambda0 and runs/everyday-scst-lambda0.
# NAME and EPOCHS (default 10) may be set too (runs/attention/scst.sh does); arguments go to `train`.
# FROM=coco14-xe NAME=coco14-scst FEATURES=data/features/flickr8k-coco1k-coco11 runs/everyday/scst.sh:
# the same stage on the detector's trunk (session 8); a FROM outside the everyday-xe line needs NAME and FEATURES.
set -u
cd "$(dirname "$0")/../.." || exit
FROM=${FROM:-everyday-xe}
if [[ $FROM != everyday-xe && $FROM != everyday-xe-* && (-z ${NAME:-} || -z ${FEATURES:-}) ]]; then
  echo "NAME and FEATURES: set both for FROM=$FROM (the defaults are the everyday-xe line's)" >&2
  exit 2
fi
FEATURES=${FEATURES:-data/features/flickr8k-coco1k-pw12f16}
if [[ -z ${NAME:-} ]]; then
  NAME=everyday-scst${FROM#everyday-xe}
  [[ $NAME == everyday-scst-* ]] || NAME=everyday-scst
fi
resume=()
[[ -f runs/$NAME/last/model.json ]] && resume=(--resume)
npm run -s train -- --dataset ../shared/datasets/flickr8k \
  --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
  --features "$FEATURES" \
  --objective scst --init-from "checkpoints/$FROM" --scst-samples 5 \
  --out "checkpoints/$NAME" --run-dir "runs/$NAME" \
  --lr 5e-5 --lr-patience 99 --batch-size 32 --epochs "${EPOCHS:-10}" --patience 3 --val-limit 0 --seed 1 \
  --checkpoint-every 100 --weights-dtype float16 --backend tensorflow --no-progress "${resume[@]}" "$@"
