/** Scoring a set of generated captions against a dataset's references with every metric at once. */
import type { CaptionedImage } from '../data/dataset.js';
import { tokenize } from '../data/tokenize.js';
import { bleuScorers } from './bleu.js';
import { CiderDScorer } from './cider.js';
import { ExactMatchScorer } from './exact-match.js';
import { RougeLScorer } from './rouge.js';
import type { Candidates, MetricScore, References, Scorer } from './scorer.js';

/** BLEU-1..4, CIDEr-D, ROUGE-L, ExactMatch (coco-caption's set without METEOR and SPICE, which need Java). */
export function defaultScorers(): Scorer[] {
  return [...bleuScorers(), new CiderDScorer(), new RougeLScorer(), new ExactMatchScorer()];
}

/** Tokenized references of the given images. */
export function referencesOf(images: Iterable<Pick<CaptionedImage, 'id' | 'captions'>>): Map<string, string[][]> {
  return new Map([...images].map((img) => [img.id, img.captions.map(tokenize)]));
}

/** Runs each scorer; the result maps scorer name → score, in scorer order. */
export function evaluateCaptions(
  refs: References,
  cands: Candidates,
  scorers: readonly Scorer[] = defaultScorers(),
): Map<string, MetricScore> {
  return new Map(scorers.map((s) => [s.name, s.score(refs, cands)]));
}
