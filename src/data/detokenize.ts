/**
 * Words → the text a person reads: the inverse of the tokenizer's PTB clitic splits (`man 's` →
 * `man's`, `do n't` → `don't`, `ca n't` → `can't`, `gon na` → `gonna`). Scoring always uses the words.
 */
const ATTACHED = new Set(["'s", "n't", "'re", "'ve", "'ll", "'d", "'m"]);
const JOINED: Readonly<Record<string, string>> = { 'ca n\'t': "can't", 'wo n\'t': "won't", 'can not': 'cannot', 'gon na': 'gonna', 'got ta': 'gotta', 'wan na': 'wanna' };

export function detokenize(words: readonly string[]): string {
  const out: string[] = [];
  for (const w of words) {
    const prev = out.at(-1);
    const pair = prev === undefined ? undefined : JOINED[`${prev} ${w}`];
    if (pair !== undefined) out[out.length - 1] = pair;
    else if (prev !== undefined && ATTACHED.has(w)) out[out.length - 1] = `${prev}${w}`;
    else out.push(w);
  }
  return out.join(' ');
}
