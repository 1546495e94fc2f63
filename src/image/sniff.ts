/**
 * What a file's first bytes say it is. Used only to word errors: sharp reports a truncated TIFF or a
 * BMP as "unsupported image format", and the user deserves "truncated TIFF" / "BMP is not supported".
 */

/** How many leading bytes `sniff` needs. */
export const SNIFF_BYTES = 64;

export interface Sniffed {
  /** Name for messages, e.g. "JPEG". */
  label: string;
  /** Whether we read this format when the file is intact. */
  supported: boolean;
}

const ascii = (head: Uint8Array, at: number, text: string): boolean =>
  head.length >= at + text.length && [...text].every((c, i) => head[at + i] === c.charCodeAt(0));

const SIGNATURES: ReadonlyArray<Sniffed & { test(head: Uint8Array): boolean }> = [
  { label: 'JPEG', supported: true, test: (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff },
  { label: 'PNG', supported: true, test: (h) => ascii(h, 0, '\x89PNG\r\n\x1a\n') },
  { label: 'GIF', supported: true, test: (h) => ascii(h, 0, 'GIF87a') || ascii(h, 0, 'GIF89a') },
  { label: 'WebP', supported: true, test: (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WEBP') },
  { label: 'TIFF', supported: true, test: (h) => ['II*\0', 'MM\0*', 'II+\0', 'MM\0+'].some((s) => ascii(h, 0, s)) },
  { label: 'AVIF', supported: true, test: (h) => ascii(h, 4, 'ftypavi') },
  { label: 'HEIF', supported: false, test: (h) => ascii(h, 4, 'ftyp') },
  { label: 'JPEG 2000', supported: false, test: (h) => ascii(h, 4, 'jP  ') },
  { label: 'JPEG XL', supported: false, test: (h) => (h[0] === 0xff && h[1] === 0x0a) || ascii(h, 4, 'JXL ') },
  { label: 'BMP', supported: false, test: (h) => ascii(h, 0, 'BM') },
  { label: 'PSD', supported: false, test: (h) => ascii(h, 0, '8BPS') },
  { label: 'PDF', supported: false, test: (h) => ascii(h, 0, '%PDF') },
  { label: 'SVG', supported: false, test: (h) => /^(\ufeff)?\s*<svg/.test(new TextDecoder().decode(h)) },
];

/** The format the leading bytes announce, or undefined when they match none we know. */
export function sniff(head: Uint8Array): Sniffed | undefined {
  const found = SIGNATURES.find((s) => s.test(head));
  return found && { label: found.label, supported: found.supported };
}
