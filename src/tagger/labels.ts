/**
 * Tagger labels from captions: a photo shows a COCO class when at least `minVotes` of its reference
 * captions name it (the same rule as object-naming.ts's positives).
 */
import { tokenize } from '../data/tokenize.js';
import { COCO_CLASSES, classesNamed } from '../data/coco-classes.js';

const LABEL_VOTES = 2;

/** One row per photo, one 0/1 per class in COCO_CLASSES order. */
export function classLabels(captions: readonly (readonly string[])[], minVotes = LABEL_VOTES): number[][] {
  return captions.map((refs) => {
    const votes = new Map<number, number>();
    for (const r of refs) for (const c of classesNamed(tokenize(r))) votes.set(c, (votes.get(c) ?? 0) + 1);
    return COCO_CLASSES.map((c) => ((votes.get(c.id) ?? 0) >= minVotes ? 1 : 0));
  });
}
