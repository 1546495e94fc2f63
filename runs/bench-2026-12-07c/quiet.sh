#!/usr/bin/env bash
# Issue 24 §3 on a quiet machine: the native step against the PyTorch peer, alternated, with the
# product's setting on this machine (oneDNN off: its encoder check fails here) and with oneDNN on
# (unchecked; the decoder has no convolution); then the tree before this session (BEFORE) against
# this one, oneDNN on, alternated ABBA (runs/dispatch-bench/run.sh). Usage: quiet.sh BEFORE_DIR
set -u
cd "$(dirname "$0")/../.." || exit
BEFORE=$1
R=results
PEER='../shared/bench/torch-peer.sh --what decoder'
npm run -s bench -- train --backends tensorflow --rounds 5 --warmup 1 --peer "$PEER" > $R/bench-peer-2026-12-07-onednn-off.txt 2>/dev/null
TF_ENABLE_ONEDNN_OPTS=1 CAPTION_NATIVE_CHECK=off npm run -s bench -- train --backends tensorflow --rounds 5 --warmup 1 --peer "$PEER" > $R/bench-peer-2026-12-07-onednn-on.txt 2>/dev/null
TF_ENABLE_ONEDNN_OPTS=1 CAPTION_NATIVE_CHECK=off BACKENDS=tensorflow runs/dispatch-bench/run.sh "$BEFORE" > $R/bench-old-new-2026-12-07-onednn-on.txt 2>&1
echo "all measured"
