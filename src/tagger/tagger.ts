/**
 * The object tagger: what is in the photo, as COCO classes with a confidence. A multi-label linear
 * head on the captioner's own annotation vectors (no second network, no second pass over the photo):
 *   s = σ(W [mean_i a_i ; max_i a_i] + b)       a = [B, L, D] → s = [B, C]
 * trained on class labels read from training captions (labels.ts, train-tagger.ts). A checkpoint
 * carries it as tagger.json (classes, per-class thresholds) + tagger.bin (W, b as float32).
 */
import * as tf from '@tensorflow/tfjs';
import { COCO_CLASSES, type CocoClass } from '../eval/coco-classes.js';

export interface TaggerWeights {
  kernel: tf.Tensor2D; // [2D, C]
  bias: tf.Tensor1D; // [C]
}

export interface Tag {
  /** COCO class name, e.g. "giraffe". */
  cls: string;
  /** COCO category id. */
  id: number;
  /** σ score in [0, 1]. */
  score: number;
}

/** [mean over regions ; max over regions] of annotation vectors [B, L, D] → [B, 2D]. */
export function poolFeatures(features: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => tf.concat([tf.mean(features, 1), tf.max(features, 1)], 1) as tf.Tensor2D); // [B, 2D]
}

/** Class probabilities [B, C] from pooled features [B, 2D]. */
export function tagLogits(w: TaggerWeights, pooled: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(pooled, w.kernel), w.bias) as tf.Tensor2D); // [B, C]
}

export class Tagger {
  constructor(
    readonly weights: TaggerWeights,
    /** The classes, in the head's column order. */
    readonly classes: readonly CocoClass[] = COCO_CLASSES,
  ) {}

  /** Every class's score for each photo, highest first. */
  tag(features: tf.Tensor3D): Tag[][] {
    const scores = tf.tidy(() => tf.sigmoid(tagLogits(this.weights, poolFeatures(features))).arraySync() as number[][]); // [B, C]
    return scores.map((row) => row.map((score, c) => ({ cls: this.classes[c]!.name, id: this.classes[c]!.id, score })).sort((a, b) => b.score - a.score));
  }

  dispose(): void {
    tf.dispose([this.weights.kernel, this.weights.bias]);
  }
}
