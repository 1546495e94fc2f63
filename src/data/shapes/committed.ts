/** What `npm run make-shapes` makes with no flags: exactly the committed data/shapes set (6,000 / 750 / 750). */
export const COMMITTED_SHAPES = { out: 'data/shapes', count: 7500, seed: 1, size: 224 } as const;
