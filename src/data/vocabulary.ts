/**
 * The word ↔ id table of the decoder. Ids 0–3 are the special tokens; then the training words that
 * occur at least `minCount` times, most frequent first, ties in alphabetical (code-unit) order, so
 * the same captions always give the same ids.
 */
import { FileInputError } from '../util/user-error.js';
import { tokenize } from './tokenize.js';

import { END_ID, PAD_ID, SPECIAL_TOKENS, START_ID, UNK_ID } from './special-tokens.js';

export { END_ID, PAD_ID, SPECIAL_TOKENS, START_ID, UNK_ID } from './special-tokens.js';

const FORMAT = 'attend-caption/vocabulary';
const VERSION = 1;

export interface VocabularyOptions {
  /** Words seen fewer times than this in the training captions become `<unk>` (default 1: keep all). */
  minCount?: number;
  /** Keep at most this many words besides the special tokens (default: no limit). */
  maxWords?: number;
}

/** The file format: `words[i]` is the word of id `i`; `counts[i]` its training count (`<unk>`: the
 * number of dropped word occurrences; other special tokens: 0). */
export interface VocabularyJson {
  format: typeof FORMAT;
  version: typeof VERSION;
  minCount: number;
  words: string[];
  counts: number[];
}

const isSpecial = (word: string): boolean => (SPECIAL_TOKENS as readonly string[]).includes(word);
const asTokens = (caption: string | readonly string[]): readonly string[] =>
  typeof caption === 'string' ? tokenize(caption) : caption;

export class Vocabulary {
  private readonly ids: Map<string, number>;

  private constructor(
    private readonly words: readonly string[],
    private readonly counts: readonly number[],
    readonly minCount: number,
  ) {
    this.ids = new Map(words.map((w, i) => [w, i]));
  }

  /** Builds the table from training captions (strings are tokenized; token arrays are used as given). */
  static build(captions: Iterable<string | readonly string[]>, options: VocabularyOptions = {}): Vocabulary {
    const minCount = options.minCount ?? 1;
    if (!Number.isInteger(minCount) || minCount < 1) throw new RangeError(`minCount must be an integer ≥ 1, got ${minCount}`);
    const counts = new Map<string, number>();
    for (const caption of captions) {
      for (const w of asTokens(caption)) if (!isSpecial(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    const sorted = [...counts].sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0));
    let kept = sorted.filter(([, c]) => c >= minCount);
    if (options.maxWords !== undefined) kept = kept.slice(0, Math.max(0, options.maxWords));
    const keptTotal = kept.reduce((s, [, c]) => s + c, 0);
    const allTotal = sorted.reduce((s, [, c]) => s + c, 0);
    return new Vocabulary(
      [...SPECIAL_TOKENS, ...kept.map(([w]) => w)],
      [0, 0, 0, allTotal - keptTotal, ...kept.map(([, c]) => c)],
      minCount,
    );
  }

  /** Reads the `toJSON()` form back; a malformed value throws a FileInputError naming `source`. */
  static fromJSON(value: unknown, source = 'vocabulary'): Vocabulary {
    const fail = (problem: string): never => {
      throw new FileInputError(source, `not a valid vocabulary file: ${problem}`);
    };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a JSON object');
    const v = value as Record<string, unknown>;
    if (v['format'] !== FORMAT) return fail(`"format" must be "${FORMAT}"`);
    if (v['version'] !== VERSION) return fail(`unsupported version ${JSON.stringify(v['version'])} (this build reads ${VERSION})`);
    const { minCount, words, counts } = v;
    if (typeof minCount !== 'number' || !Number.isInteger(minCount) || minCount < 1) return fail('"minCount" must be an integer ≥ 1');
    if (!Array.isArray(words)) return fail('"words" must be an array');
    if (!Array.isArray(counts) || counts.length !== words.length) return fail('"counts" must be an array as long as "words"');
    SPECIAL_TOKENS.forEach((t, i) => {
      if (words[i] !== t) fail(`"words[${i}]" must be "${t}"`);
    });
    const seen = new Set<string>();
    words.forEach((w: unknown, i) => {
      if (typeof w !== 'string' || w.length === 0 || /\s/.test(w)) fail(`"words[${i}]" must be a non-empty string without spaces`);
      if (seen.has(w as string)) fail(`"words[${i}]" repeats ${JSON.stringify(w)}`);
      seen.add(w as string);
    });
    counts.forEach((c: unknown, i) => {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) fail(`"counts[${i}]" must be an integer ≥ 0`);
    });
    return new Vocabulary(words as string[], counts as number[], minCount);
  }

  /** Number of ids, special tokens included (the decoder's output size). */
  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.ids.has(word) && !isSpecial(word);
  }

  /** The id of a word; `<unk>` for unknown words and for special-token strings met in text. */
  id(word: string): number {
    return isSpecial(word) ? UNK_ID : (this.ids.get(word) ?? UNK_ID);
  }

  /** The word of an id (special tokens included); RangeError for an id outside the table. */
  word(id: number): string {
    const w = Number.isInteger(id) ? this.words[id] : undefined;
    if (w === undefined) throw new RangeError(`id ${id} is outside the vocabulary (size ${this.size})`);
    return w;
  }

  /** Training count of a word (0 if unknown). */
  count(word: string): number {
    const id = this.ids.get(word);
    return id === undefined ? 0 : (this.counts[id] ?? 0);
  }

  /**
   * `[<start>, w1 … wk, <end>]` with k ≤ `maxWords` (longer captions are cut, `<end>` still closes them).
   * Not padded: see `padIds`.
   */
  encode(caption: string | readonly string[], maxWords: number): number[] {
    if (!Number.isInteger(maxWords) || maxWords < 0) throw new RangeError(`maxWords must be an integer ≥ 0, got ${maxWords}`);
    const tokens = asTokens(caption).slice(0, maxWords);
    return [START_ID, ...tokens.map((w) => this.id(w)), END_ID];
  }

  /** Words of an id sequence: skips `<start>` and `<pad>`, stops at the first `<end>`; `<unk>` stays. */
  decode(ids: Iterable<number>): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (id === END_ID) break;
      if (id === START_ID || id === PAD_ID) continue;
      out.push(this.word(id));
    }
    return out;
  }

  toJSON(): VocabularyJson {
    return { format: FORMAT, version: VERSION, minCount: this.minCount, words: [...this.words], counts: [...this.counts] };
  }
}

/** `ids` followed by `<pad>` up to `length` (RangeError if already longer). */
export function padIds(ids: readonly number[], length: number): number[] {
  if (ids.length > length) throw new RangeError(`${ids.length} ids do not fit in length ${length}`);
  return [...ids, ...new Array<number>(length - ids.length).fill(PAD_ID)];
}
