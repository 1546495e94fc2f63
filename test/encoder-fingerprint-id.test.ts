import { describe, expect, it } from 'vitest';
import { encoderConfigOf } from '../src/encoder/fingerprint.js';

describe('encoderConfigOf', () => {
  it('reads variant, layer (even with slashes), input size, resize policy and weights hash back from an id', () => {
    expect(encoderConfigOf('mobilenet_v1_1.0+rgb/conv_pw_11_relu/14x14x515/224px-squash/sha256:ab')).toEqual({
      variant: 'mobilenet_v1_1.0+rgb',
      layer: 'conv_pw_11_relu',
      resize: 'squash',
      inputSize: 224,
      weightsSha256: 'ab',
    });
    expect(
      encoderConfigOf(
        'tfhub_mobilenet_v1_0.25/module_apply_default/MobilenetV1/Conv2d_11_pointwise/Relu6/14x14x128/224px-center-crop/sha256:cd',
      ),
    ).toEqual({
      variant: 'tfhub_mobilenet_v1_0.25',
      layer: 'module_apply_default/MobilenetV1/Conv2d_11_pointwise/Relu6',
      resize: 'center-crop',
      inputSize: 224,
      weightsSha256: 'cd',
    });
    expect(encoderConfigOf('resnet_v2_50/block3/14x14x1024/448px-squash/sha256:ef').inputSize).toBe(448);
  });
});
