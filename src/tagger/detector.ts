/**
 * The detector tagger: knowledge from a network trained on COCO's boxes, not on captions. SSD MobileNet
 * v1's first class head (80 COCO classes + background per anchor, sigmoid scores) after Conv2d_11,
 * converted by `convert-weights --class-head`. That head finds *small* objects (anchors of 10–20 % of
 * its input), so the photo is shown to it shrunk onto a gray canvas, at a few sizes (views), and a
 * class's score is its best over every cell, anchor and view:
 *   s_c = max_{view, cell, anchor} σ(logit_{view, cell, anchor, c})
 *
 * A captioner whose encoder *is* that trunk (the same weights, read at the class head's input, on the
 * same squashed photo) already ran the whole-photo view: its annotation vectors are the trunk's output.
 * That view then costs only the class head, applied to the annotation vectors (`SharedPass`).
 */
import * as tf from '../util/tf.js';
import { COCO_CLASSES } from '../data/coco-classes.js';
import type { FeatureNetwork } from '../encoder/feature-network.js';

/**
 * The photo resized to `size`×`size`, centred on a `canvas`×`canvas` gray square; with `pool`, the
 * trunk's cells averaged `pool`×`pool` before the class head (the head is a 1×1 convolution, so that is
 * its logits averaged): what a joined encoder's annotation vectors hold of the trunk (join-networks.ts).
 */
export interface DetectorView {
  canvas: number;
  size: number;
  pool?: number;
}

/** SSD's class head: per cell, ANCHORS × (background + 90 ids), anchor-major. */
export const ANCHORS = 3;
export const SSD_CLASSES = 91;
/** The canvas colour (0..255); the network sees ≈ 0 there. */
export const CANVAS_GRAY = 120;

/** Column c of the result is COCO_CLASSES[c]; SSD's column for it is the COCO category id. */
const COLUMNS = COCO_CLASSES.map((c) => c.id);

/**
 * The photos [B, S, S, 3] (0..255) resized to `size`, placed `offset` px from the top-left of a
 * `canvas`-sized gray square, scaled to the network's [-1, 1] (the gray ≈ 0) → [B, canvas, canvas, 3].
 */
function onCanvas(photos: tf.Tensor4D, size: number, offset: number, canvas: number): tf.Tensor4D {
  const small = tf.image.resizeBilinear(photos, [size, size], true); // [B, s, s, 3]
  const after = canvas - size - offset;
  const padded = tf.pad(tf.sub(small, CANVAS_GRAY), [
    [0, 0],
    [offset, after],
    [offset, after],
    [0, 0],
  ]); // [B, c, c, 3], gray → 0
  return tf.div(tf.add(padded, CANVAS_GRAY - 127.5), 127.5) as tf.Tensor4D; // [B, c, c, 3] in [-1, 1]
}

/** SSD's class head, the 1×1 convolution after the trunk, as a matrix: what a shared view applies to annotation vectors. */
interface ClassHead {
  kernel: tf.Tensor2D; // [D, ANCHORS · 91]
  bias: tf.Tensor1D; // [ANCHORS · 91]
}

/** The view whose trunk pass is the captioner's encoder pass, and the head that finishes it. */
export interface SharedPass {
  /** Index into `views` (a view of the whole photo at the encoder's input size). */
  view: number;
  head: ClassHead;
  /** The annotation vectors' channels that are the trunk's output, [first, count] (a joined encoder's second part); default all. */
  channels?: readonly [number, number];
}

/** Logits [B, cells, ANCHORS · 91] → the best anchor and cell per SSD class, as probabilities [B, 91]. */
function bestPerClass(logits: tf.Tensor): tf.Tensor2D {
  const [B] = logits.shape;
  const perAnchor = tf.reshape(logits, [B!, -1, SSD_CLASSES]); // [B, cells·ANCHORS, 91]
  return tf.sigmoid(tf.max(perAnchor, 1)) as tf.Tensor2D; // [B, 91]
}

export class DetectorTagger {
  constructor(
    private readonly network: FeatureNetwork,
    readonly views: readonly DetectorView[],
    /** Set when the captioner's encoder is this detector's trunk (shared-pass.ts decides, by weights hash). */
    readonly shared?: SharedPass,
  ) {
    if (!views.length) throw new Error('DetectorTagger: no views');
  }

  /**
   * Class scores [B, 80] (COCO_CLASSES order) of photos [B, S, S, 3] in 0..255; with a shared pass and
   * the photos' annotation vectors `features` [B, L, D], the shared view reads those instead of the photos.
   */
  scores(photos: tf.Tensor4D, features?: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const perView = this.views.map((v, i) =>
        features && this.shared?.view === i ? this.sharedScores(features, this.shared) : this.viewScores(photos, v),
      ); // V × [B, 91]
      const best = tf.max(tf.stack(perView), 0); // [B, 91]
      return tf.gather(best, COLUMNS, 1) as tf.Tensor2D; // [B, 80]
    });
  }

  private viewScores(photos: tf.Tensor4D, { canvas, size, pool = 1 }: DetectorView): tf.Tensor2D {
    const before = Math.floor((canvas - size) / 2);
    const input = onCanvas(photos, size, before, canvas); // [B, c, c, 3] in [-1, 1]
    const logits = this.network.run(input); // [B, h, w, ANCHORS · 91]
    return bestPerClass(pool > 1 ? tf.avgPool(logits, pool, pool, 'valid') : logits); // [B, h/pool, w/pool, ·] → [B, 91]
  }

  private sharedScores(features: tf.Tensor3D, { head, channels }: SharedPass): tf.Tensor2D {
    const [B, L] = features.shape;
    const trunk = channels ? tf.slice(features, [0, 0, channels[0]], [B, L, channels[1]]) : features; // [B, L, D_trunk]
    const D = trunk.shape[2];
    const logits = tf.add(tf.matMul(tf.reshape(trunk, [B * L, D]), head.kernel), head.bias); // [B·L, ANCHORS · 91]
    return bestPerClass(tf.reshape(logits, [B, L, -1])); // the best over cells and anchors → [B, 91]
  }

  dispose(): void {
    this.network.dispose();
    if (this.shared) tf.dispose([this.shared.head.kernel, this.shared.head.bias]);
  }
}

/** The encoder grids `classMaps` is made for: 7×7 (conv_pw_12) or 14×14 (conv_pw_11), over a squashed 224 px photo. */
export type MapGridSide = 7 | 14;
const MAP_INPUT = 224;
const DETECTOR_CELL = 16; // px of the 224 px input per detector cell (its 14×14 grid)
/** The shrunk view: the photo at half size, placed so that its 7×7 detector cells fall exactly on the grid's cells. */
const HALF = MAP_INPUT / 2;
const HALF_OFFSET = 48; // 3 detector cells

/**
 * Where the detector sees each class, on the encoder's `side`×`side` grid over a squashed 224 px photo:
 * scores [B, side, side, 80] (COCO_CLASSES order), a cell's best over anchors and two views —
 * - the whole photo (small and medium objects): the detector's 14×14 cells, the best of each 2×2 on a 7×7 grid;
 * - the photo at half size on the gray canvas (large objects): its 7×7 detector cells, each spread over
 *   the 2×2 cells it covers on a 14×14 grid.
 * So the 7×7 maps are the 14×14 maps' 2×2 maxima. photos: [B, 224, 224, 3] in 0..255.
 */
export function classMaps(network: FeatureNetwork, photos: tf.Tensor4D, side: MapGridSide = 7): tf.Tensor4D {
  const [B, H, W] = photos.shape;
  if (H !== MAP_INPUT || W !== MAP_INPUT) throw new RangeError(`classMaps: photos must be ${MAP_INPUT}×${MAP_INPUT}, got ${H}×${W}`);
  return tf.tidy(() => {
    const perCell = (input: tf.Tensor4D): tf.Tensor4D => {
      const logits = network.run(input); // [B, 14, 14, ANCHORS · 91]
      const [, h, w] = logits.shape;
      return tf.max(tf.reshape(logits, [B, h!, w!, ANCHORS, SSD_CLASSES]), 3) as tf.Tensor4D; // [B, 14, 14, 91]  best anchor
    };
    const full = perCell(tf.div(tf.sub(photos, 127.5), 127.5) as tf.Tensor4D); // [B, 14, 14, 91]
    const whole = side === 7 ? tf.maxPool(full, 2, 2, 'valid') : full; // [B, side, side, 91]
    const canvas = onCanvas(photos, HALF, HALF_OFFSET, MAP_INPUT); // [B, 224, 224, 3], gray around the photo
    const first = HALF_OFFSET / DETECTOR_CELL;
    const half = HALF / DETECTOR_CELL;
    const covered = tf.slice(perCell(canvas), [0, first, first, 0], [B, half, half, SSD_CLASSES]); // [B, 7, 7, 91]
    const shrunk = side === 7 ? covered : tf.image.resizeNearestNeighbor(covered, [side, side]); // [B, side, side, 91]
    return tf.gather(tf.sigmoid(tf.maximum(whole, shrunk)), COLUMNS, 3) as tf.Tensor4D; // [B, side, side, 80]
  });
}
