#!/usr/bin/env bash
# Issue 22 §4: a self-critical stage (the shipped recipe's, runs/everyday/scst.sh) from the
# detector-supervised model (checkpoints/attention-sup10), for EPOCHS epochs (default 4: what one
# session's budget left), into checkpoints/attention-sup10-scst and runs/attention-sup10-scst.
# FROM=attention-sup10-scst NAME=attention-sup10-scst10 EPOCHS=7: 7 more epochs from that stage's best
# (epoch 3; a fresh optimizer), so that the stage gets the shipped model's budget of 10 SCST epochs.
set -u
cd "$(dirname "$0")/../.." || exit
FROM=${FROM:-attention-sup10} NAME=${NAME:-attention-sup10-scst} EPOCHS=${EPOCHS:-4} exec runs/everyday/scst.sh
