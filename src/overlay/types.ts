/** What the overlay renderer is given for one caption: the attention grid's shape and, per word, α and β. */

/** The encoder's attention grid: `height` rows × `width` columns of cells (14×14 for a 224 px input). */
export interface GridSize {
  height: number;
  width: number;
}

/** One generated word and where the decoder looked while emitting it. */
export interface WordAttention {
  word: string;
  /** α_t over the L = height·width cells, row-major (cell (r, c) at index r·width + c); sums to 1. */
  alpha: ArrayLike<number>;
  /** β_t, the gating scalar (paper §4.2.1) in [0, 1]; omitted for a decoder without the gate. */
  beta?: number;
  /** Hard attention decoded by its argmax: the one cell the context was made of (marked on the overlay). */
  region?: number;
}
