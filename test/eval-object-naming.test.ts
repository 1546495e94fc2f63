/**
 * Object naming against the references (src/eval/object-naming.ts): a class is in the photo when ≥ 2
 * references name it, the main object when ≥ 3 do; person is never counted; micro P/R/F1 over
 * (image, class) pairs.
 */
import { describe, expect, it } from 'vitest';
import { COCO_CLASSES } from '../src/data/coco-classes.js';
import { objectNaming } from '../src/eval/object-naming.js';

const refs = [
  // giraffe ×5 (main), fence ×0, tree ×0; "zebra" once (not positive)
  ['a giraffe by a fence', 'two giraffes eating', 'a tall giraffe', 'giraffe near a zebra', 'the giraffe stands'],
  // cat ×3 (main), laptop ×2 (positive, not main), man ×5 (person: ignored)
  ['a man and his cat', 'a man with a kitten on a laptop', 'a man and a cat', 'a man at a laptop', 'a man sitting'],
  // nothing named by ≥ 2: no positives, no main object
  ['a view of a street', 'a bus on a street', 'a city street', 'buildings', 'a road'],
];

describe('object naming', () => {
  it('counts pairs and main objects by the definition', () => {
    const r = objectNaming(refs, ['a giraffe and a zebra', 'a man on a laptop', 'a dog on a street']);
    // TP: giraffe (0), laptop (1). FP: zebra (0, named once only), dog (2). FN: cat (1).
    expect([r.truePositives, r.falsePositives, r.falseNegatives]).toEqual([2, 2, 1]);
    expect(r.precision).toBeCloseTo(0.5, 12);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(r.f1).toBeCloseTo(4 / 7, 12);
    // Main objects: giraffe (image 0, named), cat (image 1, not named: laptop is not main).
    expect([r.mainObjectHits, r.mainObjectImages, r.mainObjectNamed]).toEqual([1, 2, 0.5]);
  });

  it('person words never count; synonyms and plurals do; tokens work as text does', () => {
    const r = objectNaming(refs, [['two', 'giraffes'], 'a kitten by the laptops', 'a woman']);
    expect([r.truePositives, r.falsePositives, r.falseNegatives, r.mainObjectHits]).toEqual([3, 0, 0, 2]);
  });
});

describe('the COCO class table', () => {
  it("uses COCO's own category ids (1–90 with gaps), so boxes and detector outputs line up by id", () => {
    const id = (name: string) => COCO_CLASSES.find((c) => c.name === name)?.id;
    expect(COCO_CLASSES).toHaveLength(80);
    expect([id('person'), id('stop sign'), id('cat'), id('dog'), id('giraffe'), id('cup'), id('dining table'), id('toothbrush')]).toEqual([
      1, 13, 17, 18, 25, 47, 67, 90,
    ]);
    const gaps = [12, 26, 29, 30, 45, 66, 68, 69, 71, 83];
    expect(new Set(COCO_CLASSES.map((c) => c.id))).toEqual(
      new Set(Array.from({ length: 90 }, (_, i) => i + 1).filter((i) => !gaps.includes(i))),
    );
  });
});
