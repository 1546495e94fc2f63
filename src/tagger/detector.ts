/**
 * The detector tagger: knowledge from a network trained on COCO's boxes, not on captions. SSD MobileNet
 * v1's first class head (80 COCO classes + background per anchor, sigmoid scores) after Conv2d_11,
 * converted by `convert-weights --class-head`. That head finds *small* objects (anchors of 10–20 % of
 * its input), so the photo is shown to it shrunk onto a gray canvas, at a few sizes (views), and a
 * class's score is its best over every cell, anchor and view:
 *   s_c = max_{view, cell, anchor} σ(logit_{view, cell, anchor, c})
 */
import * as tf from '../util/tf.js';
import { COCO_CLASSES } from '../data/coco-classes.js';
import type { FeatureNetwork } from '../encoder/feature-network.js';

/** The photo resized to `size`×`size`, centred on a `canvas`×`canvas` gray square. */
export interface DetectorView {
  canvas: number;
  size: number;
}

/** SSD's class head: per cell, ANCHORS × (background + 90 ids), anchor-major. */
export const ANCHORS = 3;
export const SSD_CLASSES = 91;
/** The canvas colour (0..255); the network sees ≈ 0 there. */
export const CANVAS_GRAY = 120;

/** Column c of the result is COCO_CLASSES[c]; SSD's column for it is the COCO category id. */
const COLUMNS = COCO_CLASSES.map((c) => c.id);

export class DetectorTagger {
  constructor(
    private readonly network: FeatureNetwork,
    readonly views: readonly DetectorView[],
  ) {
    if (!views.length) throw new Error('DetectorTagger: no views');
  }

  /** Class scores [B, 80] (COCO_CLASSES order) of photos [B, S, S, 3] in 0..255. */
  scores(photos: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const perView = this.views.map((v) => this.viewScores(photos, v)); // V × [B, 91]
      const best = tf.max(tf.stack(perView), 0); // [B, 91]
      return tf.gather(best, COLUMNS, 1) as tf.Tensor2D; // [B, 80]
    });
  }

  private viewScores(photos: tf.Tensor4D, { canvas, size }: DetectorView): tf.Tensor2D {
    const [B] = photos.shape;
    const small = tf.image.resizeBilinear(photos, [size, size], true); // [B, s, s, 3]
    const before = Math.floor((canvas - size) / 2);
    const after = canvas - size - before;
    const centred = tf.pad(tf.sub(small, CANVAS_GRAY), [
      [0, 0],
      [before, after],
      [before, after],
      [0, 0],
    ]); // [B, c, c, 3], gray → 0
    const input = tf.div(tf.add(centred, CANVAS_GRAY - 127.5), 127.5) as tf.Tensor4D; // [B, c, c, 3] in [-1, 1]
    const logits = this.network.run(input); // [B, h, w, ANCHORS · 91]
    const perAnchor = tf.reshape(logits, [B, -1, SSD_CLASSES]); // [B, h·w·ANCHORS, 91]
    return tf.sigmoid(tf.max(perAnchor, 1)) as tf.Tensor2D; // [B, 91]
  }

  dispose(): void {
    this.network.dispose();
  }
}
