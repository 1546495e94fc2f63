/** A photo that cannot be read or used; the message names the file and the problem in one line. */
import { FileInputError } from '../util/user-error.js';

/** Escapes control characters (a path may hold a newline) so the message stays on one printed line. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export class ImageInputError extends FileInputError {
  override name = 'ImageInputError';
  override readonly code: string = 'IMAGE_INPUT';
  constructor(file: string, problem: string) {
    super(file, oneLine(problem));
    this.message = `${oneLine(file)}: ${this.problem}`;
  }
}
