/**
 * Caption tokenizer: the text → words step shared by the vocabulary and every metric.
 *
 * It follows coco-caption (`pycocoevalcap/tokenizer/ptbtokenizer.py`) as closely as plain code can:
 * that runs Stanford's PTBTokenizer with `-lowerCase`, then deletes tokens that are punctuation
 * (`'' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ;`). Here, in order:
 *
 *  1. Unicode NFKC, lowercase; curly apostrophes (’ ‘ ʼ) become `'`.
 *  2. A word is a run of letters/digits, joined inside by `'` or `-` (`o'clock`, `black-and-white`
 *     stay one word, as PTB keeps them) or by `.`/`,` between digits (`3.5`, `1,000`).
 *  3. The symbols `& # % $ + = @` are words of their own (PTB keeps them; coco does not strip them).
 *  4. Every other character separates words and is dropped: that is coco's punctuation list, plus
 *     quotes, brackets, `/`, `*`, `<`, `>` … (PTB would keep a few of those; they are rare in captions).
 *  5. PTB's clitic splits: `don't` → `do n't`, `can't` → `ca n't`, `man's` → `man 's`, and
 *     `'re 've 'll 'd 'm` likewise; `cannot` → `can not`, `gonna`/`gotta`/`wanna` → `gon na` …
 *     An already split clitic stays one word (`man 's` → `man 's`). Any other leading or trailing
 *     apostrophe is dropped (`dogs'` → `dogs`: PTB splits it off and coco deletes it).
 *
 * Flickr8k's captions are already PTB-tokenized (`a man 's hat`), so they pass through unchanged
 * apart from lowercasing and the final `.` being removed.
 */

const WORD = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+|(?<=\p{N})[.,]\p{N}+)*|'(?:s|re|ve|ll|d|m)(?![\p{L}\p{N}])|[&#%$+=@]/gu;
const CLITIC = /^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$/;
const SPLIT_WORDS: Readonly<Record<string, readonly string[]>> = {
  cannot: ['can', 'not'],
  gonna: ['gon', 'na'],
  gotta: ['got', 'ta'],
  wanna: ['wan', 'na'],
};

function splitClitic(word: string): string[] {
  const fixed = SPLIT_WORDS[word];
  if (fixed) return [...fixed];
  const m = CLITIC.exec(word);
  if (m && m[1] && m[2]) return [m[1], m[2]];
  return [word];
}

/** Lowercased words of a caption, punctuation removed (see the file comment for the exact rules). */
export function tokenize(caption: string): string[] {
  const text = caption.normalize('NFKC').toLowerCase().replace(/[’‘ʼ]/g, "'");
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) out.push(...splitClitic(m[0]));
  return out;
}

/** The tokenized caption as one space-separated string (what coco-caption's scorers receive). */
export function normalizeCaption(caption: string): string {
  return tokenize(caption).join(' ');
}
