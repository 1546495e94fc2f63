#!/usr/bin/env bash
cd "$(dirname "$0")/../.." || exit
npm run -s extract-features -- --images ../shared/datasets/flickr8k/images --out data/features/flickr8k-pw12 --variant mobilenet_v1_1.0_pw12 --mobilenet ../shared/weights/mobilenet_v1_1.0_224 --backend tensorflow --no-progress
