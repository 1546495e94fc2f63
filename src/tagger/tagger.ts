/**
 * The object tagger: what is in the photo, as COCO classes with a confidence. Two sources:
 *  - the caption head, a multi-label linear head on the captioner's own annotation vectors, trained on
 *    class labels read from training captions (labels.ts, train-tagger.ts):
 *      z_cap = W [mean_i a_i ; max_i a_i] + b          a = [B, L, D] → z_cap = [B, C]
 *  - optionally networks trained on more photos, run on the photo itself: the detector (detector.ts,
 *    SSD's COCO class head) s_det = [B, C], and the ImageNet classifier mapped to COCO classes
 *    through WordNet (imagenet.ts) s_in = [B, C]. When the captioner's encoder is the detector's own
 *    trunk, the detector's whole-photo view reads the annotation vectors instead (shared-pass.ts);
 * fused as  s = σ(w_cap · z_cap + w_det · logit(s_det) + w_in · logit(s_in) + b_fuse)  (fit-fusion.ts,
 * chosen on val), or s = σ(z_cap) alone. A checkpoint carries it as tagger.json + tagger.bin (W, b as
 * float32) and the networks in detector/ and imagenet/ (tagger-file.ts).
 */
import * as tf from '../util/tf.js';
import { COCO_CLASSES, type CocoClass } from '../data/coco-classes.js';
import type { DetectorTagger } from './detector.js';
import type { ImagenetTagger } from './imagenet.js';

export interface TaggerWeights {
  kernel: tf.Tensor2D; // [2D, C]
  bias: tf.Tensor1D; // [C]
}

export interface Tag {
  /** COCO class name, e.g. "giraffe". */
  cls: string;
  /** COCO category id. */
  id: number;
  /** The word captions most often use for it ("table" for dining table, "ball" for sports ball). */
  word: string;
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

/** How the caption head's logits and the photo taggers' scores are combined (see the top of this file). */
export interface TagFusion {
  caption: number;
  detector?: number;
  imagenet?: number;
  bias: number;
}

/** The networks that look at the photo itself, and the fusion that joins them to the caption head. */
export interface PhotoTaggers {
  detector?: DetectorTagger;
  imagenet?: ImagenetTagger;
  fusion: TagFusion;
}

/** logit(p) with p kept off 0 and 1. */
export const safeLogit = (p: tf.Tensor): tf.Tensor =>
  tf.tidy(() => {
    const q = tf.clipByValue(p, 1e-6, 1 - 1e-6);
    return tf.log(tf.div(q, tf.sub(1, q)));
  });

/** Fused logits [B, C] from the caption head's logits and the photo taggers' scores (all [B, C]). */
function fuseLogits(f: TagFusion, captionLogits: tf.Tensor2D, scores: { detector?: tf.Tensor2D; imagenet?: tf.Tensor2D }): tf.Tensor2D {
  return tf.tidy(() => {
    let z = tf.add(tf.mul(f.caption, captionLogits), f.bias);
    if (scores.detector) z = tf.add(z, tf.mul(f.detector ?? 0, safeLogit(scores.detector)));
    if (scores.imagenet) z = tf.add(z, tf.mul(f.imagenet ?? 0, safeLogit(scores.imagenet)));
    return z as tf.Tensor2D;
  });
}

export class Tagger {
  private readonly columns: number[];

  constructor(
    readonly weights: TaggerWeights,
    /** The classes, in the head's column order. */
    readonly classes: readonly CocoClass[] = COCO_CLASSES,
    readonly photoTaggers?: PhotoTaggers,
  ) {
    this.columns = classes.map((c) => COCO_CLASSES.indexOf(c));
  }

  /** True when tagging needs the photos themselves, not only their annotation vectors. */
  get needsPhotos(): boolean {
    return this.photoTaggers !== undefined;
  }

  /** Class probabilities [B, C] of annotation vectors [B, L, D] and, with photo taggers, photos [B, S, S, 3] in 0..255. */
  scores(features: tf.Tensor3D, photos?: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const z = tagLogits(this.weights, poolFeatures(features)); // [B, C]
      const p = this.photoTaggers;
      if (!p) return tf.sigmoid(z) as tf.Tensor2D;
      if (!photos) throw new Error('this tagger looks at the photos: pass them');
      const inOrder = (s: tf.Tensor2D) => tf.gather(s, this.columns, 1) as tf.Tensor2D; // COCO_CLASSES order → the head's
      const detector = p.detector ? inOrder(p.detector.scores(photos, features)) : undefined; // [B, C] (a shared view reads features)
      const imagenet = p.imagenet ? inOrder(p.imagenet.scores(photos)) : undefined; // [B, C]
      return tf.sigmoid(fuseLogits(p.fusion, z, { ...(detector ? { detector } : {}), ...(imagenet ? { imagenet } : {}) })) as tf.Tensor2D;
    });
  }

  /** Every class's score for each photo, highest first. */
  tag(features: tf.Tensor3D, photos?: tf.Tensor4D): Tag[][] {
    const scores = tf.tidy(() => this.scores(features, photos).arraySync() as number[][]); // [B, C]
    return scores.map((row) =>
      row
        .map((score, c) => ({ cls: this.classes[c]!.name, id: this.classes[c]!.id, word: this.classes[c]!.forms[0]!.join(' '), score }))
        .sort((a, b) => b.score - a.score),
    );
  }

  dispose(): void {
    tf.dispose([this.weights.kernel, this.weights.bias]);
    this.photoTaggers?.detector?.dispose();
    this.photoTaggers?.imagenet?.dispose();
  }
}
