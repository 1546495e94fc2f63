/**
 * What each decoding step's context is made of: `expected`, the expectation over α (soft attention,
 * and hard-attention models decoded deterministically); `argmax`, only the most attended region (a
 * hard-attention model's most likely choice). No engine here: flags and files validate against it.
 */
export type ContextMode = 'expected' | 'argmax';
export const CONTEXT_MODES: readonly ContextMode[] = ['expected', 'argmax'];
