/**
 * Does the caption name what is in the photo? Judged against the reference captions with the COCO
 * class words (coco-classes.ts), person excluded (captions say man, woman, boy…):
 *  - an image is positive for a class when at least 2 of its references name it; a caption is positive
 *    for the classes it names; precision / recall / F1 are micro-averaged over (image, class) pairs;
 *  - main object named: of the images with a class named by at least 3 references, the share whose
 *    caption names at least one such class.
 */
import { tokenize } from '../data/tokenize.js';
import { classesNamed, PERSON_CLASS } from '../data/coco-classes.js';

export interface ObjectNaming {
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Images with a class named by ≥ 3 references, and how many captions name one of them. */
  mainObjectImages: number;
  mainObjectHits: number;
  mainObjectNamed: number;
}

const named = (text: string | readonly string[]): Set<number> => {
  const s = classesNamed(typeof text === 'string' ? tokenize(text) : text);
  s.delete(PERSON_CLASS);
  return s;
};

/** `references[i]` are image i's reference captions; `candidates[i]` its caption (text or tokens). */
export function objectNaming(
  references: readonly (readonly string[])[],
  candidates: readonly (string | readonly string[])[],
): ObjectNaming {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let mainImages = 0;
  let mainHits = 0;
  references.forEach((refs, i) => {
    const votes = new Map<number, number>();
    for (const r of refs) for (const c of named(r)) votes.set(c, (votes.get(c) ?? 0) + 1);
    const positive = new Set([...votes].filter(([, n]) => n >= 2).map(([c]) => c));
    const main = [...votes].filter(([, n]) => n >= 3).map(([c]) => c);
    const said = named(candidates[i]!);
    for (const c of said)
      if (positive.has(c)) tp++;
      else fp++;
    for (const c of positive) if (!said.has(c)) fn++;
    if (main.length) {
      mainImages++;
      if (main.some((c) => said.has(c))) mainHits++;
    }
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    mainObjectImages: mainImages,
    mainObjectHits: mainHits,
    mainObjectNamed: mainImages ? mainHits / mainImages : 0,
  };
}
