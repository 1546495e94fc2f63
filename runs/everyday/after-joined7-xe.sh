#!/usr/bin/env bash
# Issue 21, session 9: the cross-entropy model on both trunks (GRID=joined7 runs/everyday/xe.sh, trained
# on the study store runs/everyday/join-stores.ts wrote) made a model of the joined encoder:
#   1. bound to the joined encoder after its store (runs/everyday/joined-extract.sh) is shown to hold the
#      same vectors to float16 rounding, record by record (runs/everyday/rebind-joined.ts), and the
#      encoder put inside it;
#   2. the tagger as the shipped one is made (caption head on these features, ImageNet, SSD's class head),
#      the detector's view being the joined pass itself (224:224/2, no detector run: the fusion study
#      with this model's caption head, results/everyday/fusion-study-joined7.txt, named the right top
#      tag on 47/88 COCO and 348/445 Flickr8k val photos with it, within a photo of every set that
#      costs at most one more trunk pass);
#   3. (`val`) plain and tag-guided captions on each val split with everyday-xe's and coco14-xe's settings,
#      and the grounding benchmark, as after-coco14-xe.sh does.
# Usage: runs/everyday/after-joined7-xe.sh bind, then (beside its self-critical stage,
# FROM=joined7-xe NAME=joined7-scst FEATURES=data/features/flickr8k-coco1k-joined7 runs/everyday/scst.sh)
# runs/everyday/after-joined7-xe.sh val.
set -euo pipefail
cd "$(dirname "$0")/../.."
S=../shared/datasets
CKPT=checkpoints/joined7-xe
NAME=joined7-xe
F=data/features/flickr8k-coco1k-joined7
OUT=results/everyday
if [[ ${1:-} == val ]]; then
  runs/everyday/xe-val.sh "$CKPT" "$NAME" "$F"
  echo "all done"
  exit 0
fi
[[ ${1:-} == bind ]] || { echo "usage: $0 bind|val" >&2; exit 2; }
npx tsx runs/everyday/rebind-joined.ts data/features/flickr8k-coco1k-pw12+coco7 "$F" "$CKPT"
npm run -s ship-encoder -- --checkpoint "$CKPT" --from data/encoders/mobilenet_v1_1.0_pw12+coco
npm run -s train-tagger -- --dataset $S/flickr8k --dataset $S/coco-val2014-1k/dataset_coco1k.json \
  --features "$F" --out "$CKPT" --backend tensorflow \
  --detector checkpoints/everyday/detector --views 224:224/2 --imagenet ../shared/weights/mobilenet_v1_0.25_224_tfhub \
  2>&1 | grep -v "line 67\|image not found" > "$OUT/$NAME-tagger.log"
echo "all done"
