#!/usr/bin/env bash
cd "$(dirname "$0")/../.." || exit
npm run -s extract-features -- --images ../shared/datasets/flickr8k/images --out data/features/flickr8k-resnet --variant resnet_v2_50 --mobilenet data/encoders/resnet_v2_50 --backend tensorflow --no-progress
