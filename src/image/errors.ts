/** A photo that cannot be read or used; the message names the file and the problem in one line. */
import { FileInputError } from '../util/user-error.js';

export class ImageInputError extends FileInputError {
  override name = 'ImageInputError';
}
