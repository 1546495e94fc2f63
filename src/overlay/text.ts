/**
 * Text rendering: sharp (librsvg + fontconfig) renders one line of SVG `<text>` to a coverage mask,
 * which is blended into an RgbImage here in JS. Rendering once and measuring the ink gives exact
 * widths (for label boxes and caption wrapping) without font metrics tables.
 */
import sharp from 'sharp';
import type { RgbImage } from '../image/types.js';
import type { Rgb } from './colormaps.js';

/** One rendered line: `alpha` is coverage 0–255, `[height, width]` row-major. */
export interface TextMask {
  width: number;
  height: number;
  alpha: Uint8Array;
}

/** DejaVu Sans ships with most Linux distributions; the rest are the usual fallbacks elsewhere. */
const FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";

/** Line box height and baseline, in units of the font size (room for accents above, descenders below). */
const LINE_HEIGHT = 1.3;
const BASELINE = 1.0;

/**
 * `text` made safe inside an SVG text node: `& < > " '` escaped; characters XML 1.0 forbids (control
 * characters, lone surrogates, U+FFFE/U+FFFF) replaced; tabs and newlines become spaces.
 */
export function escapeXml(text: string): string {
  return (
    text
      .replace(/[\t\n\r]/g, ' ')
      // eslint-disable-next-line no-control-regex -- control characters cannot be drawn: replaced
      .replace(/[\u0000-\u001f\ufffe\uffff]/g, '\ufffd')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** One line of `text` at `fontSize` px, cropped left and right to its ink (width 0 if nothing shows). */
export async function renderText(text: string, fontSize: number): Promise<TextMask> {
  const height = Math.ceil(LINE_HEIGHT * fontSize);
  const inset = Math.ceil(fontSize / 2); // room for glyphs that overhang their origin
  const canvas = Math.ceil(fontSize * (1.25 * [...text].length + 1)); // ≥ any glyph's advance (CJK: 1 em)
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${canvas}" height="${height}">` +
    `<text x="${inset}" y="${Math.round(BASELINE * fontSize)}" font-family="${FONT_FAMILY}" font-size="${fontSize}" ` +
    `fill="#fff" xml:space="preserve">${escapeXml(text)}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const w = info.width; // [height, w, 4]

  let first = w;
  let last = -1;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < w; x++) {
      if (data[(y * w + x) * 4 + 3]! > 0) {
        if (x < first) first = x;
        if (x > last) last = x;
      }
    }
  }
  const width = Math.max(0, last - first + 1);
  const alpha = new Uint8Array(width * info.height); // [height, width]
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < width; x++) alpha[y * width + x] = data[(y * w + first + x) * 4 + 3]!;
  }
  return { width, height: info.height, alpha };
}

/** Blends `mask` in `colour` into `image` with its top-left at (left, top), clipped. Mutates `image`. */
export function drawText(image: RgbImage, mask: TextMask, left: number, top: number, colour: Rgb): void {
  for (let y = Math.max(0, -top); y < mask.height && top + y < image.height; y++) {
    for (let x = Math.max(0, -left); x < mask.width && left + x < image.width; x++) {
      const a = mask.alpha[y * mask.width + x]! / 255;
      if (a === 0) continue;
      const p = ((top + y) * image.width + left + x) * 3;
      for (let k = 0; k < 3; k++) image.pixels[p + k] = Math.round(image.pixels[p + k]! * (1 - a) + colour[k]! * a);
    }
  }
}
