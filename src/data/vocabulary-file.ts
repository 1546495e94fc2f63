/** A vocabulary as a JSON file (Node): written atomically, read with one-line errors. */
import { writeJsonAtomic } from '../util/atomic-write.js';
import { FileInputError } from '../util/user-error.js';
import { readTextInput } from './read-input.js';
import { Vocabulary } from './vocabulary.js';

export function saveVocabulary(file: string, vocab: Vocabulary): Promise<void> {
  return writeJsonAtomic(file, vocab.toJSON());
}

/** Reads a vocabulary file; every problem (missing, not JSON, malformed) is a FileInputError. */
export async function loadVocabulary(file: string): Promise<Vocabulary> {
  const text = await readTextInput(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FileInputError(file, 'not a valid vocabulary file: not JSON');
  }
  return Vocabulary.fromJSON(value, file);
}
