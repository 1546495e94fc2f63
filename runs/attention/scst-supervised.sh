#!/usr/bin/env bash
# Issue 22 §4 / issue 21: self-critical training with attention supervision (the detector's class maps,
# runs/attention/detector-maps.ts) on the sampled captions' class words, from the shipped default
# (checkpoints/everyday: XE → SCST, λ = 1), EPOCHS (default 3) more epochs of the shipped recipe
# (runs/everyday/scst.sh, fresh Adam at 5e-5), supervision STRENGTH (default 10). Into
# checkpoints/everyday-scst-sup<STRENGTH> and runs/everyday-scst-sup<STRENGTH>. Resumable.
set -u
cd "$(dirname "$0")/../.." || exit
STRENGTH=${STRENGTH:-10}
FROM=${FROM:-everyday} NAME=${NAME:-everyday-scst-sup$STRENGTH} EPOCHS=${EPOCHS:-3} exec runs/everyday/scst.sh \
  --attention-targets data/attention/flickr8k-coco1k-detector.json --attention-supervision "$STRENGTH"
