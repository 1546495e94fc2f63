/**
 * Grounding against boxes on real photos (src/eval/box-grounding.ts, coco-classes.ts): grid cells map
 * to photo pixels through the encoder's region (a synthetic photo with a known box, under both resize
 * policies), pointing and mass ratio mean what they say on maps with a known answer, the baselines are
 * what they claim, intervals are seeded and contain the mean, and class words are found as phrases.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { boxTarget, bootstrapMean, cellCoverage, scoreMap, scoreWords, summarize, type GroundingWord } from '../src/eval/box-grounding.js';
import { classesNamed, findClassMentions } from '../src/data/coco-classes.js';
import { tokenize } from '../src/data/tokenize.js';
import { prepareImage } from '../src/image/load.js';

const GRID = { height: 7, width: 7 };

async function photo640x480(): Promise<Uint8Array> {
  const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

describe('grid cells on photo pixels', () => {
  it('squash: the grid covers the whole photo; a known box covers the cells it should', async () => {
    const image = await prepareImage({ bytes: await photo640x480(), name: 'synthetic' }, { size: 224, policy: 'squash' });
    expect(image.region).toEqual({ left: 0, top: 0, width: 640, height: 480 });
    // The top-left quarter of the photo: cells (r, c) with r, c ≤ 2 fully, row/column 3 half.
    const cov = cellCoverage([{ x: 0, y: 0, width: 320, height: 240 }], { grid: GRID, region: image.region });
    const at = (r: number, c: number): number => cov[r * 7 + c]!;
    expect(at(0, 0)).toBe(1);
    expect(at(2, 2)).toBeCloseTo(1, 12);
    expect(at(0, 3)).toBeCloseTo(0.5, 10);
    expect(at(3, 3)).toBeCloseTo(0.25, 10);
    expect(at(4, 4)).toBe(0);
    expect(cov.reduce((s, v) => s + v, 0) / 49).toBeCloseTo(0.25, 10);
  });

  it('center-crop: only the central square; a box outside it covers nothing', async () => {
    const image = await prepareImage({ bytes: await photo640x480(), name: 'synthetic' }, { size: 224, policy: 'center-crop' });
    expect(image.region).toEqual({ left: 80, top: 0, width: 480, height: 480 });
    const g = { grid: GRID, region: image.region };
    expect(boxTarget([{ x: 0, y: 0, width: 80, height: 480 }], g).share).toBe(0);
    // The crop's left half: x from 80 to 320.
    expect(boxTarget([{ x: 0, y: 0, width: 320, height: 480 }], g).share).toBeCloseTo(0.5, 10);
  });

  it('overlapping boxes count their union once', () => {
    const g = { grid: { height: 2, width: 2 }, region: { left: 0, top: 0, width: 100, height: 100 } };
    const one = boxTarget([{ x: 0, y: 0, width: 50, height: 50 }], g);
    const twice = boxTarget(
      [
        { x: 0, y: 0, width: 50, height: 50 },
        { x: 10, y: 10, width: 40, height: 40 },
      ],
      g,
    );
    expect(twice.coverage).toEqual(one.coverage);
    expect(one.share).toBe(0.25);
  });
});

describe('pointing and mass ratio', () => {
  const g = { grid: { height: 2, width: 2 }, region: { left: 0, top: 0, width: 100, height: 100 } };
  const target = boxTarget([{ x: 0, y: 0, width: 50, height: 50 }], g); // cell 0 only

  it('all attention on the box: pointing 1, mass ratio 1/share; uniform: ratio 1; away: 0', () => {
    expect(scoreMap([1, 0, 0, 0], target)).toEqual({ pointing: 1, massRatio: 4 });
    expect(scoreMap([0.25, 0.25, 0.25, 0.25], target).massRatio).toBeCloseTo(1, 12);
    expect(scoreMap([0, 0, 0.5, 0.5], target)).toEqual({ pointing: 0, massRatio: 0 });
    // Pointing takes the most attended cell, even when most mass is elsewhere.
    expect(scoreMap([0.4, 0.3, 0.3, 0], target)).toEqual({ pointing: 1, massRatio: 1.6 });
  });

  it('baselines: centre cell, uniform (expected pointing), average map, other words', () => {
    const word = (alpha: number[], others: number[][], image = 'a'): GroundingWord => ({
      image,
      cls: 'cat',
      word: 'cat',
      source: 'reference',
      alpha,
      others,
      target,
      grid: g.grid,
    });
    const [w1, w2] = scoreWords([word([1, 0, 0, 0], [[0, 0, 0, 1]]), word([0, 1, 0, 0], [[1, 0, 0, 0]], 'b')]);
    expect(w1!.scores.attention.pointing).toBe(1);
    expect(w1!.scores['centre cell'].pointing).toBe(0); // centre of a 2×2 grid: cell (1, 1)
    expect(w1!.scores.uniform).toEqual({ pointing: 0.25, massRatio: 1 });
    expect(w1!.scores['average map'].massRatio).toBeCloseTo(2, 12); // mean of the two maps: 0.5 on cell 0
    expect(w1!.scores['other words'].pointing).toBe(0);
    expect(w2!.scores['other words'].pointing).toBe(1);
  });

  it('intervals: seeded, around the mean, resampling photos', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ word: { image: `im${i % 10}` }, v: i % 3 === 0 ? 1 : 0 }));
    const a = bootstrapMean(items, (x) => x.v, 500, 7);
    expect(bootstrapMean(items, (x) => x.v, 500, 7)).toEqual(a);
    expect(a.mean).toBeCloseTo(14 / 40, 12);
    expect(a.low).toBeLessThanOrEqual(a.mean);
    expect(a.high).toBeGreaterThanOrEqual(a.mean);
    expect(a.high - a.low).toBeGreaterThan(0);
  });

  it('the summary names the strongest baseline and attention minus it', () => {
    const words: GroundingWord[] = Array.from({ length: 6 }, (_, i) => ({
      image: `im${i}`,
      cls: 'dog',
      word: 'dog',
      source: 'reference',
      alpha: [0.7, 0.1, 0.1, 0.1],
      others: [[0.1, 0.1, 0.1, 0.7]],
      target,
      grid: g.grid,
    }));
    const s = summarize(scoreWords(words));
    expect(s.methods.attention.pointing.mean).toBe(1);
    expect(s.bestBaseline).toBe('average map');
    expect(s.pointingOverBest.mean).toBe(0);
    expect(s.perClass).toEqual([{ cls: 'dog', words: 6, pointing: 1, massRatio: expect.closeTo(2.8, 10), baselinePointing: 1 }]);
  });
});

describe('COCO class words', () => {
  it('finds phrases, longest first; plurals and synonyms', () => {
    const m = findClassMentions(tokenize('A teddy bear next to a brown bear and two hot dogs on a motorbike.'));
    expect(m.map((x) => [x.cls.name, x.start, x.end])).toEqual([
      ['teddy bear', 1, 2],
      ['bear', 7, 7],
      ['hot dog', 10, 11],
      ['motorcycle', 14, 14],
    ]);
    expect([...classesNamed(tokenize('Two giraffes and a zebra near some people'))].sort((a, b) => a - b)).toEqual([1, 24, 25]);
    expect(classesNamed(tokenize('a view of the sky'))).toEqual(new Set());
  });
});
