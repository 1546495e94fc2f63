/**
 * Tag-guided decoding (the nocaps constrained-beam-search baseline, one constraint): caption plainly;
 * where the tagger is confident about an object the plain caption does not name, caption again under
 * the constraint that one of the object's words appears, and keep that caption unless it is much less
 * likely per word. Guards against wrong tags, as nocaps has them:
 *  - no constraint for person (captions say man, woman, boy…), nor for a class with no single-word
 *    form in the vocabulary;
 *  - none when the plain caption already names a class the tagger is confident about (the object
 *    itself, or a competing one);
 *  - the constrained caption replaces the plain one only if its mean log p per word (with <end>) is
 *    within `margin` nats of the plain caption's.
 */
import { classesNamed, COCO_CLASSES, PERSON_CLASS } from '../eval/coco-classes.js';
import type { Vocabulary } from '../data/vocabulary.js';
import type { Tag } from '../tagger/tagger.js';

export interface TagSettings {
  /** Tags at or above this score are confident (candidates for a constraint). */
  threshold: number;
  /** Nats per word the constrained caption may lose against the plain one and still be kept. */
  margin: number;
}

/** What decided an image's caption, for `--json` and the API. */
export interface ConstraintOutcome {
  /** The class the caption was asked to name. */
  cls: string;
  /** The words that satisfied it (any one). */
  words: string[];
  /** True when the constrained caption was kept. */
  used: boolean;
  /** Why not, when not. */
  reason?: 'less likely' | 'no caption found';
}

/** The single-word forms of class `id` that are in the vocabulary (ids), and the words. */
export function constraintWords(vocab: Vocabulary, id: number): { ids: number[]; words: string[] } {
  const cls = COCO_CLASSES.find((c) => c.id === id);
  const words = (cls?.forms ?? []).filter((f) => f.length === 1 && vocab.has(f[0]!)).map((f) => f[0]!);
  return { ids: words.map((w) => vocab.id(w)), words };
}

/** The class to constrain an image's caption to, or undefined (see the guards above). */
export function chooseConstraint(tags: readonly Tag[], plainWords: readonly string[], vocab: Vocabulary, settings: TagSettings): { id: number; cls: string; ids: number[]; words: string[] } | undefined {
  const confident = tags.filter((t) => t.score >= settings.threshold && t.id !== PERSON_CLASS);
  const named = classesNamed(plainWords);
  if (confident.some((t) => named.has(t.id))) return undefined;
  for (const t of confident) {
    const w = constraintWords(vocab, t.id);
    if (w.ids.length) return { id: t.id, cls: t.cls, ...w };
  }
  return undefined;
}

/** Mean log p per step (words and <end> when finished): what the margin compares. */
export const perWordLogProb = (c: { logProb: number; words: readonly unknown[]; finished: boolean }): number => c.logProb / Math.max(1, c.words.length + (c.finished ? 1 : 0));

/** Keep the constrained caption? */
export function keepConstrained(plain: { logProb: number; words: readonly unknown[]; finished: boolean }, constrained: { logProb: number; words: readonly unknown[]; finished: boolean } | undefined, margin: number): boolean {
  if (!constrained || !constrained.finished || constrained.words.length === 0) return false;
  return perWordLogProb(constrained) >= perWordLogProb(plain) - margin;
}
