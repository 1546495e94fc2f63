import { describe, expect, it } from 'vitest';
import { epochBatches, type Example } from '../src/train/examples.js';

const examples: Example[] = Array.from({ length: 1000 }, (_, i) => ({
  key: `img${i}`,
  ids: Array.from({ length: 3 + ((i * 7) % 15) }, () => 1),
}));

describe('epoch batches', () => {
  it('cover every example once, in an order fixed by (seed, epoch)', () => {
    const a = epochBatches(examples, 32, 1, 0);
    expect(
      a
        .flat()
        .map((e) => e.key)
        .sort(),
    ).toEqual(examples.map((e) => e.key).sort());
    expect(epochBatches(examples, 32, 1, 0)).toEqual(a);
    expect(epochBatches(examples, 32, 1, 1)).not.toEqual(a);
    expect(epochBatches(examples, 32, 2, 0)).not.toEqual(a);
  });

  it('group captions of similar length, so batches carry little padding', () => {
    const batches = epochBatches(examples, 32, 1, 0);
    const padding = (bs: Example[][]) =>
      bs.reduce((sum, b) => sum + b.reduce((s, e) => s + Math.max(...b.map((x) => x.ids.length)) - e.ids.length, 0), 0);
    const random: Example[][] = [];
    for (let i = 0; i < examples.length; i += 32) random.push(examples.slice(i, i + 32));
    expect(padding(batches)).toBeLessThan(padding(random) / 4);
  });
});
