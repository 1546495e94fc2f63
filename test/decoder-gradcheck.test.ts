/**
 * The decoder's loss and gradients against an independent float64 JS reference of the paper's
 * equations. The reference's gradients come from central finite differences in float64 (accurate to
 * ~1e-9), so the float32 autodiff gradients (through the hand-written WASM gradients) are checked for
 * every weight element, not a sample.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { createDecoder, SCORING_KINDS, type AttentionScoring, type DecoderConfig } from '../src/decoder/index.js';
import { mulberry32 } from '../src/util/random.js';

beforeAll(async () => {
  await selectBackend();
});

type Weights = Map<string, Float64Array>;

// ---- float64 reference: Xu et al. 2015 eq. 1–7, 14, written plainly, one image at a time ----

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** x [n] · W [n, m] (row-major) → [m]. */
function vecMat(x: readonly number[], W: Float64Array, m: number): number[] {
  const out = new Array<number>(m).fill(0);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < m; j++) out[j]! += x[i]! * W[i * m + j]!;
  return out;
}
const add = (a: readonly number[], b: ArrayLike<number>): number[] => a.map((v, i) => v + b[i]!);
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

interface RefInputs {
  features: number[][][]; // [B][L][D]
  tokens: number[][]; // [B][T + 1]
  mask: number[][]; // [B][T + 1], 1 = real token
  regionMask?: number[][]; // [B][L]
}

function refLoss(w: Weights, cfg: DecoderConfig, inp: RefInputs): { loss: number; ce: number; pen: number } {
  const { embedDim: E, hiddenDim: H, attentionDim: A, featureDim: D, vocabSize: V } = cfg;
  const get = (n: string): Float64Array => w.get(n)!;
  const emb = (id: number): number[] => Array.from(get('embedding').subarray(id * E, (id + 1) * E));
  let ceSum = 0;
  let count = 0;
  let penSum = 0;
  inp.features.forEach((a, b) => {
    const L = a.length;
    const visible = inp.regionMask?.[b] ?? new Array<number>(L).fill(1);
    const nVis = visible.reduce((s, v) => s + v, 0);
    const mean = new Array<number>(D).fill(0);
    a.forEach((ai, i) => ai.forEach((v, d) => (mean[d]! += (visible[i]! * v) / nVis)));
    let h = add(vecMat(mean, get('init_h/kernel'), H), get('init_h/bias')).map(Math.tanh);
    let c = add(vecMat(mean, get('init_c/kernel'), H), get('init_c/bias')).map(Math.tanh);
    const attended = new Array<number>(L).fill(0);
    const toks = inp.tokens[b]!;
    for (let t = 0; t + 1 < toks.length; t++) {
      let e: number[];
      if (cfg.scoring === 'additive') {
        const q = vecMat(h, get('attention/U_a'), A);
        e = a.map((ai) => {
          const k = add(vecMat(ai, get('attention/W_a'), A), get('attention/b'));
          return k.reduce((s, kj, j) => s + get('attention/w')[j]! * Math.tanh(kj + q[j]!), 0);
        });
      } else if (cfg.scoring === 'dot') {
        const q = vecMat(h, get('attention/W_q'), D);
        e = a.map((ai) => dot(ai, q));
      } else {
        e = a.map((ai) => dot(vecMat(ai, get('attention/W_k'), H), h));
      }
      const mx = Math.max(...e.filter((_, i) => visible[i]));
      const ex = e.map((v, i) => (visible[i] ? Math.exp(v - mx) : 0));
      const sum = ex.reduce((s, v) => s + v, 0);
      const alpha = ex.map((v) => v / sum);
      const beta = sigmoid(dot(h, Array.from(get('gate/W_beta'))) + get('gate/b_beta')[0]!);
      const z = new Array<number>(D).fill(0);
      a.forEach((ai, i) => ai.forEach((v, d) => (z[d]! += beta * alpha[i]! * v)));
      const ey = emb(toks[t]!);
      const pre = add(vecMat([...ey, ...z, ...h], get('lstm/kernel'), 4 * H), get('lstm/bias'));
      const gi = pre.slice(0, H).map(sigmoid);
      const gf = pre.slice(H, 2 * H).map(sigmoid);
      const go = pre.slice(2 * H, 3 * H).map(sigmoid);
      const gg = pre.slice(3 * H).map(Math.tanh);
      c = c.map((cv, j) => gf[j]! * cv + gi[j]! * gg[j]!);
      h = c.map((cv, j) => go[j]! * Math.tanh(cv));
      const deep = add(add(ey, vecMat(h, get('output/L_h'), E)), vecMat(z, get('output/L_z'), E));
      const logits = add(vecMat(deep, get('output/L_o'), V), get('output/b_o'));
      const lmax = Math.max(...logits);
      const lse = lmax + Math.log(logits.reduce((s, v) => s + Math.exp(v - lmax), 0));
      if (inp.mask[b]![t + 1]) {
        ceSum += lse - logits[toks[t + 1]!]!;
        count++;
        alpha.forEach((v, i) => (attended[i]! += v));
      }
    }
    penSum += attended.reduce((s, v) => s + (1 - v) ** 2, 0);
  });
  const ce = ceSum / Math.max(count, 1);
  const pen = (cfg.doublyStochasticLambda * penSum) / inp.features.length;
  return { loss: ceSum / inp.features.length + pen, ce, pen };
}

/** d loss / d w for every element of every weight, by float64 central differences. */
function refGradients(w: Weights, cfg: DecoderConfig, inp: RefInputs, eps = 1e-6): Weights {
  const grads: Weights = new Map();
  for (const [name, values] of w) {
    const g = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) {
      const orig = values[k]!;
      values[k] = orig + eps;
      const up = refLoss(w, cfg, inp).loss;
      values[k] = orig - eps;
      const down = refLoss(w, cfg, inp).loss;
      values[k] = orig;
      g[k] = (up - down) / (2 * eps);
    }
    grads.set(name, g);
  }
  return grads;
}

// ---- fixture: B=2, L=4, D=3, E=4, H=5, A=3, V=7, T=3 with one padded step ----

function makeInputs(regionMask: boolean): RefInputs {
  const rng = mulberry32(7);
  const features = [0, 1].map(() => [0, 1, 2, 3].map(() => [0, 1, 2].map(() => 2 * rng())));
  return {
    features,
    tokens: [
      [1, 5, 6, 2],
      [1, 4, 2, 0],
    ],
    mask: [
      [1, 1, 1, 1],
      [1, 1, 1, 0],
    ],
    ...(regionMask
      ? {
          regionMask: [
            [1, 1, 1, 1],
            [1, 0, 1, 0],
          ],
        }
      : {}),
  };
}

function tinyConfig(scoring: AttentionScoring): Partial<DecoderConfig> & { vocabSize: number } {
  return {
    vocabSize: 7,
    featureDim: 3,
    embedDim: 4,
    hiddenDim: 5,
    attentionDim: 3,
    scoring,
    seed: 11,
    dropout: 0.5,
    doublyStochasticLambda: 1,
  };
}

function toFloat64(weights: Map<string, tf.Tensor>): Weights {
  return new Map([...weights].map(([n, t]) => [n, Float64Array.from(t.dataSync())]));
}

/** Gradients from tf (float32, autodiff) for loss(features, tokens, mask). */
function tfGradients(scoring: AttentionScoring, inp: RefInputs) {
  const dec = createDecoder(tinyConfig(scoring));
  // Non-trivial biases (zero-initialised ones would hide bias-gradient mistakes less well).
  const w = dec.getWeights();
  const rng = mulberry32(3);
  const perturbed = new Map(
    [...w].map(([n, t]) => [
      n,
      tf.tidy(() =>
        tf.add(
          t,
          tf.tensor(
            Array.from({ length: t.size }, () => 0.3 * (rng() - 0.5)),
            t.shape,
          ),
        ),
      ),
    ]),
  );
  dec.setWeights(perturbed);
  tf.dispose([...perturbed.values()]);
  const features = tf.tensor3d(inp.features);
  const tokens = tf.tensor2d(inp.tokens, undefined, 'int32');
  const mask = tf.tensor2d(inp.mask);
  const regionMask = inp.regionMask ? tf.tensor2d(inp.regionMask) : undefined;
  const vars = dec.trainableVariables();
  const names = [...dec.getWeights().keys()];
  const { value, grads } = tf.variableGrads(() => dec.computeLoss(features, tokens, mask, { training: false, regionMask }).loss, vars);
  const loss = value.dataSync()[0]!;
  const byName: Weights = new Map(names.map((n, i) => [n, Float64Array.from(grads[vars[i]!.name]!.dataSync())]));
  const weights64 = toFloat64(dec.getWeights());
  tf.dispose([value, ...Object.values(grads), features, tokens, mask, ...(regionMask ? [regionMask] : [])]);
  const cfg = dec.config;
  dec.dispose();
  return { loss, grads: byName, weights: weights64, cfg };
}

function maxAbs(a: Float64Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('loss and gradients vs a float64 reference (B=2, L=4, D=3, E=4, H=5, A=3, V=7, T=3)', () => {
  for (const scoring of SCORING_KINDS) {
    for (const masked of [false, true]) {
      it(`${scoring} scoring${masked ? ', with a region mask' : ''}`, () => {
        const inp = makeInputs(masked);
        const { loss, grads, weights, cfg } = tfGradients(scoring, inp);
        const ref = refLoss(weights, cfg, inp);
        expect(ref.pen).toBeGreaterThan(0.05); // the penalty term is really in play
        expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));

        const fd = refGradients(weights, cfg, inp);
        for (const [name, g] of grads) {
          const want = fd.get(name)!;
          const scale = Math.max(maxAbs(want), 1e-3);
          for (let k = 0; k < g.length; k++) {
            const err = Math.abs(g[k]! - want[k]!);
            if (err > 2e-4 * scale + 1e-5) {
              throw new Error(`${scoring}: d loss/d ${name}[${k}] = ${g[k]} (tf) vs ${want[k]} (finite differences)`);
            }
          }
        }

        // The check is sharp enough to catch a dropped doubly-stochastic gradient: without the λ term
        // the attention weights' gradients change by far more than the tolerance.
        const fdNoPenalty = refGradients(weights, { ...cfg, doublyStochasticLambda: 0 }, inp);
        const attentionWeight = scoring === 'additive' ? 'attention/U_a' : scoring === 'dot' ? 'attention/W_q' : 'attention/W_k';
        const withPen = fd.get(attentionWeight)!;
        const without = fdNoPenalty.get(attentionWeight)!;
        const shift = maxAbs(withPen.map((v, k) => v - without[k]!));
        expect(shift).toBeGreaterThan(50 * (2e-4 * Math.max(maxAbs(withPen), 1e-3) + 1e-5));
      });
    }
  }
});
