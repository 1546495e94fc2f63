/**
 * How captions end and how long they are: self-critical training is known to drift towards captions
 * that stop on a function word ("a man riding a") when its reward allows it. A bad ending is a last
 * word from BAD_ENDINGS; an empty caption counts as one.
 */
const BAD_ENDINGS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'the',
  'of',
  'with',
  'in',
  'on',
  'and',
  'to',
  'is',
  'are',
  'at',
  'for',
  'from',
  'by',
  'his',
  'her',
  'its',
  'their',
  'while',
  'into',
  'near',
  'or',
  'as',
]);

export interface CaptionStats {
  /** Mean words per caption. */
  meanLength: number;
  /** Share of captions ending on a word of BAD_ENDINGS (or empty). */
  badEndingRate: number;
}

export function captionStats(captions: Iterable<readonly string[]>): CaptionStats {
  let n = 0;
  let words = 0;
  let bad = 0;
  for (const c of captions) {
    n++;
    words += c.length;
    const last = c.at(-1);
    if (last === undefined || BAD_ENDINGS.has(last)) bad++;
  }
  return { meanLength: n ? words / n : 0, badEndingRate: n ? bad / n : 0 };
}
