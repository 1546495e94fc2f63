import { describe, expect, it } from 'vitest';
import { normalizeCaption, tokenize } from '../src/data/tokenize.js';

describe('tokenize', () => {
  it('lowercases and removes punctuation', () => {
    expect(tokenize('A dog runs, jumps; and PLAYS!')).toEqual(['a', 'dog', 'runs', 'jumps', 'and', 'plays']);
    expect(tokenize('"Quoted" (text) -- here... ?')).toEqual(['quoted', 'text', 'here']);
    expect(tokenize('  \t\n ')).toEqual([]);
    expect(tokenize('...')).toEqual([]);
  });

  it('splits clitics the PTB way and keeps them', () => {
    expect(tokenize("A man's hat.")).toEqual(['a', 'man', "'s", 'hat']);
    expect(tokenize("Don't stop, can't!")).toEqual(['do', "n't", 'stop', 'ca', "n't"]);
    expect(tokenize("they're here, we've gone, I'll go, he'd, I'm")).toEqual([
      'they',
      "'re",
      'here',
      'we',
      "'ve",
      'gone',
      'i',
      "'ll",
      'go',
      'he',
      "'d",
      'i',
      "'m",
    ]);
    expect(tokenize('I cannot go')).toEqual(['i', 'can', 'not', 'go']);
  });

  it('leaves already PTB-tokenized captions (Flickr8k) as they are, lowercased, final period gone', () => {
    expect(tokenize("A man 's dog does n't bark .")).toEqual(['a', 'man', "'s", 'dog', 'does', "n't", 'bark']);
  });

  it('keeps hyphenated words, inner apostrophes and numbers whole; drops stray apostrophes', () => {
    expect(tokenize("a black-and-white dog at 5 o'clock")).toEqual(['a', 'black-and-white', 'dog', 'at', '5', "o'clock"]);
    expect(tokenize('3.5 metres, 1,000 dogs.')).toEqual(['3.5', 'metres', '1,000', 'dogs']);
    expect(tokenize("the dogs' toys 'here'")).toEqual(['the', 'dogs', 'toys', 'here']);
    expect(tokenize('a - dash')).toEqual(['a', 'dash']);
  });

  it('treats curly apostrophes and full-width letters like ASCII', () => {
    expect(tokenize('It’s ＡＢＣ')).toEqual(['it', "'s", 'abc']);
  });

  it('keeps symbols PTB keeps; angle brackets cannot smuggle in special tokens', () => {
    expect(tokenize('R&B #1 50%')).toEqual(['r', '&', 'b', '#', '1', '50', '%']);
    expect(tokenize('a <unk> <end>')).toEqual(['a', 'unk', 'end']);
  });

  it('normalizeCaption joins with single spaces and is idempotent', () => {
    const once = normalizeCaption("  Two DOGS' toys ,  in the snow . ");
    expect(once).toBe('two dogs toys in the snow');
    expect(normalizeCaption(once)).toBe(once);
  });
});
