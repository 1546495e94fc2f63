/**
 * Turns sharp's errors into one-line problems a user can act on. sharp's messages are libvips' error
 * log: several lines, often repeated, worded per decoder ("VipsJpeg: premature end of JPEG image",
 * "vipspng: libpng read error", "bad seek to 14286"), so we classify them and keep at most one line.
 */
import type { Sniffed } from './sniff.js';

export const SUPPORTED_FORMATS = 'JPEG, PNG, WebP, GIF, TIFF or AVIF';

const TRUNCATION = /premature end|unexpected end|end of file|truncat|bad seek|not enough data/i;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The first non-empty line of sharp's message, for the cases we cannot classify. */
function firstLine(err: unknown): string {
  return (
    messageOf(err)
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? 'unknown error'
  );
}

/** Why sharp could not read the header (`metadata()` failed), worded by what the leading bytes say. */
export function headerProblem(err: unknown, sniffed: Sniffed | undefined): string {
  if (/Input file is missing/.test(messageOf(err))) return 'no such file';
  if (sniffed === undefined) return `not an image: its contents are not ${SUPPORTED_FORMATS}`;
  if (!sniffed.supported) return `${sniffed.label} images are not supported (use ${SUPPORTED_FORMATS})`;
  if (TRUNCATION.test(messageOf(err))) return `truncated ${sniffed.label}: the file ends inside its header`;
  return `corrupt or truncated ${sniffed.label}: its header cannot be read (${firstLine(err)})`;
}

/** Why decoding the pixels failed after the header was read. */
export function decodeProblem(err: unknown, label: string): string {
  const message = messageOf(err);
  if (/exceeds pixel limit/.test(message)) return 'over the pixel limit';
  if (TRUNCATION.test(message)) return `truncated ${label}: the file ends before its image data does`;
  return `corrupt or truncated ${label} image data (${firstLine(err)})`;
}
