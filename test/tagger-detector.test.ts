/**
 * The detector tagger (src/tagger/detector.ts) and the fusion (tagger.ts, fit-fusion.ts): what the
 * network is shown (the photo shrunk onto a gray canvas, in [-1, 1]), how its anchor-major logits
 * become one score per COCO class (best over cells, anchors and views, SSD column = COCO id), and
 * that the fusion's logistic fit recovers the weights that made its data.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { COCO_CLASSES } from '../src/data/coco-classes.js';
import type { FeatureNetwork } from '../src/encoder/feature-network.js';
import { ANCHORS, CANVAS_GRAY, classMaps, DetectorTagger, SSD_CLASSES } from '../src/tagger/detector.js';
import { fitFusion } from '../src/tagger/fit-fusion.js';
import { parseViews } from '../src/tagger/photo-taggers.js';
import { mulberry32 } from '../src/util/random.js';

/** A stand-in network: records its inputs; per input, logits −10 except `hot` (cell, anchor, SSD column) = `value`. */
function fakeNetwork(hot: (canvas: number) => { cell: number; anchor: number; column: number; value: number }) {
  const inputs: number[][][][][] = [];
  const network: FeatureNetwork = {
    run: (input) => {
      inputs.push(input.arraySync() as number[][][][]);
      const [B, S] = input.shape;
      const h = Math.ceil(S / 16);
      const logits = new Float32Array(B * h * h * ANCHORS * SSD_CLASSES).fill(-10);
      const { cell, anchor, column, value } = hot(S);
      for (let b = 0; b < B; b++) logits[((b * h * h + cell) * ANCHORS + anchor) * SSD_CLASSES + column] = value;
      return tf.tensor4d(logits, [B, h, h, ANCHORS * SSD_CLASSES]);
    },
    weightsSha256: 'fake',
    dispose: () => {},
  };
  return { network, inputs };
}

describe('detector tagger', () => {
  it('shows the photo shrunk and centred on a gray canvas, scaled to [-1, 1]', () => {
    const { network, inputs } = fakeNetwork(() => ({ cell: 0, anchor: 0, column: 18, value: 0 }));
    const photos = tf.fill([1, 8, 8, 3], 255) as tf.Tensor4D; // white
    new DetectorTagger(network, [{ canvas: 12, size: 4 }]).scores(photos).dispose();
    const seen = inputs[0]![0]!; // [12, 12, 3]
    expect(seen).toHaveLength(12);
    const gray = (CANVAS_GRAY - 127.5) / 127.5;
    expect(seen[0]![0]![0]).toBeCloseTo(gray, 5); // corner: canvas
    expect(seen[3]![3]![1]).toBeCloseTo(gray, 5); // just outside the photo (rows/cols 4..7)
    expect(seen[4]![4]![2]).toBeCloseTo(1, 5); // the photo, white → 1
    expect(seen[7]![7]![0]).toBeCloseTo(1, 5);
    expect(seen[8]![8]![0]).toBeCloseTo(gray, 5);
    photos.dispose();
  });

  it("scores a class by its best cell, anchor and view, in COCO_CLASSES' order (SSD column = COCO id)", () => {
    // The 32-px canvas sees a dog (COCO id 18) at its last anchor; the 48-px one a giraffe (id 25), stronger.
    const { network } = fakeNetwork((canvas) =>
      canvas === 32 ? { cell: 3, anchor: ANCHORS - 1, column: 18, value: 2 } : { cell: 1, anchor: 1, column: 25, value: 3 },
    );
    const photos = tf.zeros([2, 16, 16, 3]) as tf.Tensor4D;
    const scores = new DetectorTagger(network, [
      { canvas: 32, size: 16 },
      { canvas: 48, size: 24 },
    ]).scores(photos);
    expect(scores.shape).toEqual([2, 80]);
    const rows = scores.arraySync();
    const col = (name: string) => COCO_CLASSES.findIndex((c) => c.name === name);
    for (const row of rows) {
      expect(row[col('dog')]).toBeCloseTo(1 / (1 + Math.exp(-2)), 5);
      expect(row[col('giraffe')]).toBeCloseTo(1 / (1 + Math.exp(-3)), 5);
      expect(row[col('cat')]).toBeCloseTo(1 / (1 + Math.exp(10)), 6); // id 17, next to dog: untouched
      expect(row[col('zebra')]).toBeCloseTo(1 / (1 + Math.exp(10)), 6);
    }
    tf.dispose([scores, photos]);
  });

  it('a pooled view averages the logits of each K×K block of cells before taking the best cell', () => {
    // A 64-px canvas: a 4×4 grid. The dog's logit is 4 in cell 0 only; its 2×2 block's mean is (4 − 30) / 4.
    const { network } = fakeNetwork(() => ({ cell: 0, anchor: 0, column: 18, value: 4 }));
    const photos = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    const dog = COCO_CLASSES.findIndex((c) => c.name === 'dog');
    const plain = new DetectorTagger(network, [{ canvas: 64, size: 64 }]).scores(photos);
    const pooled = new DetectorTagger(network, [{ canvas: 64, size: 64, pool: 2 }]).scores(photos);
    expect(plain.arraySync()[0]![dog]).toBeCloseTo(1 / (1 + Math.exp(-4)), 5);
    expect(pooled.arraySync()[0]![dog]).toBeCloseTo(1 / (1 + Math.exp(-(4 - 30) / 4)), 5);
    tf.dispose([photos, plain, pooled]);
  });

  it('reads --views as CANVAS:SIZE, with /POOL for a pooled view, and refuses anything else in one line', () => {
    expect(parseViews('160:96,224:224/2')).toEqual([
      { canvas: 160, size: 96 },
      { canvas: 224, size: 224, pool: 2 },
    ]);
    expect(parseViews('224:224/1')).toEqual([{ canvas: 224, size: 224 }]);
    for (const bad of ['224', '96:160', '224:224/0', '224:224/x', '160:8'])
      expect(() => parseViews(bad)).toThrow(/^--views: ".*" is not CANVAS:SIZE or CANVAS:SIZE\/POOL/);
  });
});

describe('tag fusion fit', () => {
  it.each([
    { weights: [0.8, 0.5], bias: -1 },
    { weights: [0.2, 1.3, -0.4], bias: 0.5 },
  ])('recovers the weights that generated the labels: %o', (truth) => {
    const rng = mulberry32(7);
    const normal = () => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
    const examples = Array.from({ length: 40_000 }, () => {
      const x = truth.weights.map(() => 2 * normal());
      const p = 1 / (1 + Math.exp(-(x.reduce((s, v, i) => s + v * truth.weights[i]!, 0) + truth.bias)));
      return { x, label: (rng() < p ? 1 : 0) as 0 | 1 };
    });
    const fit = fitFusion(examples, { l2: 0 });
    fit.weights.forEach((w, i) => expect(w).toBeCloseTo(truth.weights[i]!, 1));
    expect(fit.bias).toBeCloseTo(truth.bias, 1);
  });

  it.each([3, 4, 5])('stays finite and separates the classes when they are nearly separable and the scores saturate (seed %i)', (seed) => {
    // What a caption head with saturated scores and an ImageNet map scoring most classes 1e-6 give: plain Newton diverged to NaN here.
    const rng = mulberry32(seed);
    const examples = Array.from({ length: 4000 }, () => {
      const label = (rng() < 0.05 ? 1 : 0) as 0 | 1;
      const caption = label ? 2 + 3 * rng() : -6 - 4 * rng();
      const imagenet = rng() < 0.9 ? -13.8 : 13.8 * (rng() - 0.5);
      return { x: [caption, imagenet], label };
    });
    const fit = fitFusion(examples);
    expect([...fit.weights, fit.bias].every(Number.isFinite)).toBe(true);
    const p = (x: readonly number[]) => 1 / (1 + Math.exp(-(x[0]! * fit.weights[0]! + x[1]! * fit.weights[1]! + fit.bias)));
    for (const e of examples) expect(p(e.x) > 0.5).toBe(e.label === 1);
  });
});

describe('detector class maps (attention targets on the encoder grid)', () => {
  /** A 224-px network with seeded random logits per view [B, 14, 14, ANCHORS · 91]; tells the gray-canvas view by its corner. */
  function randomViews(seed: number) {
    const rng = mulberry32(seed);
    const logits = {
      whole: Float32Array.from({ length: 14 * 14 * ANCHORS * SSD_CLASSES }, () => rng() * 8 - 4),
      shrunk: Float32Array.from({ length: 14 * 14 * ANCHORS * SSD_CLASSES }, () => rng() * 8 - 4),
    };
    const seen: { shrunk?: number[][][] } = {};
    const network: FeatureNetwork = {
      run: (input) => {
        const corner = input.slice([0, 0, 0, 0], [1, 1, 1, 1]).dataSync()[0]!;
        const view = Math.abs(corner - (CANVAS_GRAY - 127.5) / 127.5) < 1e-4 ? 'shrunk' : 'whole';
        if (view === 'shrunk') seen.shrunk = (input.arraySync() as number[][][][])[0]!;
        return tf.tensor4d(logits[view], [1, 14, 14, ANCHORS * SSD_CLASSES]);
      },
      weightsSha256: 'fake',
      dispose: () => {},
    };
    return { network, logits, seen };
  }
  /** The best anchor's logit of SSD column `col` at detector cell (r, c). */
  const best = (l: Float32Array, r: number, c: number, col: number) =>
    Math.max(...Array.from({ length: ANCHORS }, (_, a) => l[((r * 14 + c) * ANCHORS + a) * SSD_CLASSES + col]!));
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  it('on a 14×14 grid: a cell is the best of its own detector cell and of the half-size view cell covering it; the 7×7 maps are its 2×2 maxima', () => {
    const photos = tf.fill([1, 224, 224, 3], 255) as tf.Tensor4D;
    for (const seed of [1, 2, 3]) {
      const { network, logits, seen } = randomViews(seed);
      const m14 = classMaps(network, photos, 14);
      // The half-size view: the (white) photo fills canvas pixels 48..159, exactly detector cells 3..9.
      const gray = (CANVAS_GRAY - 127.5) / 127.5;
      for (const [y, x, value] of [
        [47, 47, gray],
        [48, 48, 1],
        [159, 159, 1],
        [160, 160, gray],
        [48, 160, gray],
      ] as const)
        expect(seen.shrunk![y]![x]![0]).toBeCloseTo(value, 4);
      const m7 = classMaps(network, photos, 7);
      expect(m14.shape).toEqual([1, 14, 14, 80]);
      expect(m7.shape).toEqual([1, 7, 7, 80]);
      const a14 = m14.arraySync()[0]!;
      const a7 = m7.arraySync()[0]!;
      const rng = mulberry32(seed + 10);
      for (let k = 0; k < 40; k++) {
        const [r, c, j] = [Math.floor(rng() * 14), Math.floor(rng() * 14), Math.floor(rng() * 80)];
        const col = COCO_CLASSES[j]!.id;
        const want = Math.max(best(logits.whole, r, c, col), best(logits.shrunk, 3 + Math.floor(r / 2), 3 + Math.floor(c / 2), col));
        expect(a14[r]![c]![j]).toBeCloseTo(sigmoid(want), 5);
      }
      for (let r = 0; r < 7; r++)
        for (let c = 0; c < 7; c++)
          for (let j = 0; j < 80; j += 7) {
            const pooled = Math.max(
              a14[2 * r]![2 * c]![j]!,
              a14[2 * r]![2 * c + 1]![j]!,
              a14[2 * r + 1]![2 * c]![j]!,
              a14[2 * r + 1]![2 * c + 1]![j]!,
            );
            expect(a7[r]![c]![j]).toBeCloseTo(pooled, 6);
          }
      tf.dispose([m14, m7]);
    }
    photos.dispose();
  });
});
