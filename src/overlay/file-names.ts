/** Names of the files an overlay run writes: `NN-word.png` per word, inside one folder per photo. */

/** A word as a file-name part: lowercase, every character outside [a-z0-9_-] → '_', at most 40 long. */
export function fileSafeWord(word: string): string {
  const safe = [...word.toLowerCase()].map((ch) => (/^[a-z0-9_-]$/.test(ch) ? ch : '_')).join('');
  return safe.slice(0, 40) || '_';
}

/** `NN-word.png` for the `index`-th (0-based) of `count` words; NN from 01, wider when count ≥ 100. */
export function wordFileName(index: number, count: number, word: string): string {
  const digits = Math.max(2, String(count).length);
  return `${String(index + 1).padStart(digits, '0')}-${fileSafeWord(word)}.png`;
}

/** Whether `name` is a word file some overlay run wrote (`NN-word.png`). */
export const isWordFileName = (name: string): boolean => /^[0-9]{2,}-[a-z0-9_-]{1,40}\.png$/.test(name);

/** Throws unless `name` is one plain path segment (no separators, not '.' or '..'). */
export function checkFolderName(name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new Error(`overlay folder name "${name}" must be one plain path segment`);
  }
}
