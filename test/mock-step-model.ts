/** A hand-built StepModel for search and sampling tests: its next-word distribution is a table of the prefix. */
import * as tf from '@tensorflow/tfjs';
import type { StepModel, StepResult } from '../src/search/index.js';
import { mulberry32 } from '../src/util/random.js';

const END = 2;
const V = 6; // <pad>, <start>, <end>, and three words (3, 4, 5)

/** log p(next | prefix) of a hand-built model: a table from prefix (and the row's image) to distribution. */
export type Table = (prefix: readonly number[], image: number) => number[];

export interface MockState {
  prefixes: number[][];
  image: number[];
}

/** A StepModel whose step distribution is `table(prefix)`; α depends on the prefix too. */
export function mockModel(table: Table): StepModel<MockState> & { live: () => number; rowsPerStep: number[] } {
  let live = 0;
  const rowsPerStep: number[] = [];
  const track = (s: MockState) => {
    live++;
    return s;
  };
  return {
    live: () => live,
    rowsPerStep,
    initState(features) {
      const B = features.shape[0];
      return track({ prefixes: Array.from({ length: B }, () => []), image: Array.from({ length: B }, (_, b) => b) });
    },
    step(state, prevTokens): StepResult<MockState> {
      rowsPerStep.push(prevTokens.length);
      const prefixes = state.prefixes.map((p, r) => (prevTokens[r] === 1 ? [...p] : [...p, prevTokens[r]!]));
      const logProbs = prefixes.map((p, r) => table(p, state.image[r]!));
      const alpha = prefixes.map((p, r) => {
        const e = [p.length, 1, (state.image[r]! + 1) * 0.5].map(Math.exp);
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((x) => x / s);
      });
      return {
        logProbs: tf.tensor2d(logProbs),
        alpha: tf.tensor2d(alpha),
        beta: tf.tensor1d(prefixes.map(() => 0.5)),
        state: track({ prefixes, image: state.image }),
      };
    },
    selectRows(state, rows) {
      return track({ prefixes: rows.map((r) => [...state.prefixes[r]!]), image: rows.map((r) => state.image[r]!) });
    },
    disposeState() {
      live--;
    },
  };
}

/** A random but fixed distribution per prefix (pad and start get tiny mass, never chosen). */
export function randomTable(seed: number, endBias = 0): Table {
  const cache = new Map<string, number[]>();
  return (prefix) => {
    const key = prefix.join(',');
    let lp = cache.get(key);
    if (!lp) {
      let h = seed;
      for (const t of prefix) h = (Math.imul(h, 31) + t + 7) >>> 0;
      const rng = mulberry32(h);
      const logits = Array.from({ length: V }, (_, v) => (v < 2 ? -5 : 3 * rng() + (v === END ? endBias : 0)));
      const m = Math.max(...logits);
      const lse = m + Math.log(logits.reduce((s, x) => s + Math.exp(x - m), 0));
      lp = logits.map((x) => x - lse);
      cache.set(key, lp);
    }
    return lp;
  };
}
