/** Reading a user-given file (dataset, vocabulary): any failure is a one-line FileInputError. */
import { promises as fs } from 'node:fs';
import { FileInputError } from '../util/user-error.js';

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot read (${String((err as Error | undefined)?.message ?? err).split('\n')[0]})`;
}

/** The file's bytes; any failure is a FileInputError naming the file. */
export async function readBytesInput(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new FileInputError(file, describeReadError(err));
  }
}

/** The file's text as UTF-8, without a leading byte-order mark. */
export async function readTextInput(file: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new FileInputError(file, describeReadError(err));
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
