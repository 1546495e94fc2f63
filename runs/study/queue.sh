#!/usr/bin/env bash
# Runs the rest of the encoder study after the process $1 (the running chain) ends.
cd "$(dirname "$0")/../.." || exit
while kill -0 "$1" 2>/dev/null; do sleep 15; done
runs/study/extract-pw12.sh > runs/study/extract-pw12.log 2>&1
runs/study/run.sh imagenet-pw12
runs/study/extract-resnet.sh > runs/study/extract-resnet.log 2>&1
runs/study/run.sh resnet
