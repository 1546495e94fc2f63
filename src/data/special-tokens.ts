/** The special tokens, their ids and their spelling: the one home of both (vocabulary, model, search, rewards, overlays). */
export const PAD_ID = 0;
export const START_ID = 1;
export const END_ID = 2;
export const UNK_ID = 3;
export const SPECIAL_TOKENS = ['<pad>', '<start>', '<end>', '<unk>'] as const;
export const [PAD_TOKEN, START_TOKEN, END_TOKEN] = SPECIAL_TOKENS;
/** Ids 0 … NUM_SPECIAL_TOKENS − 1 are reserved for them. */
export const NUM_SPECIAL_TOKENS = SPECIAL_TOKENS.length;
