/** A hand-built StepModel for search and sampling tests: its next-word distribution is a table of the prefix. */
import * as tf from '@tensorflow/tfjs';
import type { StepModel, StepResult } from '../src/search/index.js';

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

