/** n-gram counting shared by BLEU and CIDEr-D (coco-caption's `precook`). */

/** `result[k - 1]` maps each k-gram (words joined by U+0000, which no token holds) to its count, k = 1..n. */
export function ngramCounts(words: readonly string[], n: number): Map<string, number>[] {
  return Array.from({ length: n }, (_, k0) => {
    const counts = new Map<string, number>();
    for (let i = 0; i + k0 + 1 <= words.length; i++) {
      const key = words.slice(i, i + k0 + 1).join('\u0000');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  });
}
