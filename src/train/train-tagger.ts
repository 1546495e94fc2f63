/**
 * Fitting the tagger (tagger.ts) on pooled annotation vectors and caption-derived labels: sigmoid
 * cross-entropy per class, Adam, L2 on the kernel, seeded minibatches. Also its evaluation: precision
 * and recall per class at a threshold, micro-averaged over (photo, class) pairs.
 */
import './gradients.js'; // every op's gradient (the captioning path does without)
import * as tf from '../util/tf.js';
import type { FeatureStoreReader } from '../data/feature-store.js';
import { mulberry32, shuffled } from '../util/random.js';
import { poolFeatures, tagLogits, type TaggerWeights } from '../tagger/tagger.js';

export interface TaggerTrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  batchSize: number;
  seed: number;
  /** Positives of class c weigh min(cap, (N − n_c) / n_c)^½ (rare classes would otherwise never fire); 0 = off. */
  positiveWeightCap: number;
}

/** Pooled features [N, 2D] of `keys`, read from the store in chunks. */
export async function pooledFeatures(store: FeatureStoreReader, keys: readonly string[], chunk = 256): Promise<tf.Tensor2D> {
  const { regions, depth } = store.header;
  const parts: tf.Tensor2D[] = [];
  for (let i = 0; i < keys.length; i += chunk) {
    const ids = keys.slice(i, i + chunk);
    const values = await store.read(ids);
    const feats = tf.tensor3d(values, [ids.length, regions, depth]); // [b, L, D]
    parts.push(poolFeatures(feats)); // [b, 2D]
    feats.dispose();
  }
  const all = tf.concat(parts, 0) as tf.Tensor2D; // [N, 2D]
  tf.dispose(parts);
  return all;
}

export function fitTagger(
  x: tf.Tensor2D,
  labels: readonly (readonly number[])[],
  o: TaggerTrainOptions,
  log: (line: string) => void = () => {},
): TaggerWeights {
  const [N, F] = x.shape;
  const C = labels[0]!.length;
  const y = tf.tensor2d(labels as number[][], [N, C]); // [N, C]
  const counts = Array.from({ length: C }, (_, c) => labels.reduce((s, row) => s + row[c]!, 0));
  const posWeight = tf.tensor1d(
    counts.map((n) => (o.positiveWeightCap > 0 && n > 0 ? Math.sqrt(Math.min(o.positiveWeightCap, (N - n) / n)) : 1)),
  ); // [C]
  const rng = mulberry32(o.seed);
  const kernel = tf.variable(tf.randomNormal([F, C], 0, 0.01, 'float32', o.seed)); // [2D, C]
  const bias = tf.variable(tf.zeros([C])); // [C]
  const optimizer = tf.train.adam(o.learningRate);
  const order = Array.from({ length: N }, (_, i) => i);
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const perm = shuffled(rng, order);
    let total = 0;
    for (let i = 0; i < N; i += o.batchSize) {
      const rows = tf.tensor1d(perm.slice(i, i + o.batchSize), 'int32');
      const cost = optimizer.minimize(() => {
        const xb = tf.gather(x, rows); // [b, 2D]
        const yb = tf.gather(y, rows); // [b, C]
        const logits = tagLogits({ kernel: kernel as tf.Variable<tf.Rank.R2>, bias: bias as tf.Variable<tf.Rank.R1> }, xb as tf.Tensor2D);
        const weights = tf.add(1, tf.mul(yb, tf.sub(posWeight, 1))); // [b, C]: positives of rare classes weigh more
        const ce = tf.losses.sigmoidCrossEntropy(yb, logits, weights, 0, tf.Reduction.MEAN);
        return tf.add(ce, tf.mul(o.l2, tf.sum(tf.square(kernel)))) as tf.Scalar;
      }, true);
      total += cost!.dataSync()[0]! * rows.shape[0];
      tf.dispose(cost ? [rows, cost] : [rows]);
    }
    if (epoch === 1 || epoch === o.epochs || epoch % 10 === 0) log(`tagger epoch ${epoch}: loss ${(total / N).toFixed(4)}`);
  }
  tf.dispose([y, posWeight]);
  optimizer.dispose();
  const weights = { kernel: tf.clone(kernel) as tf.Tensor2D, bias: tf.clone(bias) as tf.Tensor1D };
  tf.dispose([kernel, bias]);
  return weights;
}

export interface ClassQuality {
  precision: number;
  recall: number;
  support: number;
  predicted: number;
}

/** Per-class and micro precision/recall of scores [N][C] against labels at `threshold`. */
export function tagQuality(
  scores: readonly (readonly number[])[],
  labels: readonly (readonly number[])[],
  threshold: number,
): { perClass: ClassQuality[]; micro: { precision: number; recall: number; f1: number } } {
  const C = labels[0]?.length ?? 0;
  const perClass: ClassQuality[] = Array.from({ length: C }, (_, c) => {
    let tp = 0;
    let predicted = 0;
    let support = 0;
    scores.forEach((row, n) => {
      const p = row[c]! >= threshold;
      const l = labels[n]![c] === 1;
      if (p) predicted++;
      if (l) support++;
      if (p && l) tp++;
    });
    return { precision: predicted ? tp / predicted : 0, recall: support ? tp / support : 0, support, predicted };
  });
  const tp = perClass.reduce((s, q) => s + q.precision * q.predicted, 0);
  const pred = perClass.reduce((s, q) => s + q.predicted, 0);
  const sup = perClass.reduce((s, q) => s + q.support, 0);
  const precision = pred ? tp / pred : 0;
  const recall = sup ? tp / sup : 0;
  return { perClass, micro: { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 } };
}
