/**
 * Tag-guided decoding (the nocaps constrained-beam-search baseline, one constraint): caption plainly;
 * where the tagger is confident about an object the plain caption does not name, caption again under
 * the constraint that one of the object's words appears, and keep that caption unless it is much less
 * likely per word. Guards against wrong tags, as nocaps has them:
 *  - no constraint for person (captions say man, woman, boy…), nor for a class with no single-word
 *    form in the vocabulary;
 *  - none when the plain caption already names the class, or a competing class the tagger scores at
 *    least as high (measured on both val splits: blocking on any confident named class, the stricter
 *    reading, named 1–3 fewer main objects);
 *  - a constraint may be met by the words of the top one or two unnamed confident classes (`classes`);
 *  - the constrained caption replaces the plain one only if its mean log p per word (with <end>) is
 *    within `margin` nats of the plain caption's.
 */
import { classesNamed, COCO_CLASSES, PERSON_CLASS } from '../data/coco-classes.js';
import type { Vocabulary } from '../data/vocabulary.js';
import type { Tag } from '../tagger/tagger.js';

export interface TagSettings {
  /** Tags at or above this score are confident (candidates for a constraint). */
  threshold: number;
  /** Nats per word the constrained caption may lose against the plain one and still be kept. */
  margin: number;
  /** How many confident classes one (disjunctive) constraint may be met by: 1 (default) or 2. */
  classes?: number;
}

/** What decided an image's caption, for `--json` and the API. */
export interface ConstraintOutcome {
  /** The class the caption was asked to name (the best-scored one, when it may name either of two). */
  cls: string;
  /** Every class whose words satisfy it (one, or two with `classes: 2`). */
  classes: string[];
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

/** The class(es) to constrain an image's caption to, or undefined (see the guards above). */
export function chooseConstraint(
  tags: readonly Tag[],
  plainWords: readonly string[],
  vocab: Vocabulary,
  settings: TagSettings,
): { id: number; cls: string; classes: string[]; ids: number[]; words: string[] } | undefined {
  const confident = tags.filter((t) => t.score >= settings.threshold && t.id !== PERSON_CLASS).sort((a, b) => b.score - a.score);
  const named = classesNamed(plainWords);
  const candidates = confident
    .filter((t) => !named.has(t.id))
    .flatMap((t) => {
      const w = constraintWords(vocab, t.id);
      return w.ids.length ? [{ tag: t, ...w }] : [];
    });
  const first = candidates[0];
  if (!first) return undefined;
  // The plain caption already names what the tagger sees best (the candidate or a competitor scored at least as high).
  if (confident.some((t) => named.has(t.id) && t.score >= first.tag.score)) return undefined;
  const chosen = candidates.slice(0, settings.classes ?? 1);
  return {
    id: first.tag.id,
    cls: first.tag.cls,
    classes: chosen.map((c) => c.tag.cls),
    ids: chosen.flatMap((c) => c.ids),
    words: chosen.flatMap((c) => c.words),
  };
}

/** Mean log p per step (words and <end> when finished): what the margin compares. */
const perWordLogProb = (c: { logProb: number; words: readonly unknown[]; finished: boolean }): number =>
  c.logProb / Math.max(1, c.words.length + (c.finished ? 1 : 0));

/** Keep the constrained caption? */
export function keepConstrained(
  plain: { logProb: number; words: readonly unknown[]; finished: boolean },
  constrained: { logProb: number; words: readonly unknown[]; finished: boolean } | undefined,
  margin: number,
): boolean {
  if (!constrained || !constrained.finished || constrained.words.length === 0) return false;
  return perWordLogProb(constrained) >= perWordLogProb(plain) - margin;
}
