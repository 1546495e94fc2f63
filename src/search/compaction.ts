/**
 * When a batched search drops the images it has finished. Their rows are computed and ignored until
 * at most this fraction of the rows are live; then the state is cut to the live images (selectRows,
 * which also cuts the attention memory), so a batch whose captions end early stops paying for them,
 * and the memory is copied only a few times per batch.
 */
export const COMPACT_WHEN = 0.75;
