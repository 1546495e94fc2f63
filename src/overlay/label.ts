/**
 * Word labels: "circle  β=0.83" in white on a dark translucent box in the image's top-left corner, so
 * it reads on any photo. The font size follows the image's size, so a label looks the same on a
 * full-size overlay and on a 256 px grid panel.
 */
import type { RgbImage } from '../image/types.js';
import { drawText, renderText } from './text.js';

/** How much of the photo shows through the box behind the text. */
const BOX_SHOW_THROUGH = 0.4;
const WHITE = [255, 255, 255] as const;

/** The label of one word: the word, then the gate β_t with two decimals when the decoder has one. */
export function labelText(word: string, beta?: number): string {
  return beta === undefined ? word : `${word}  β=${beta.toFixed(2)}`;
}

/** Label font size in px for a width×height image: 1/20 of the width (1/7 of the height for wide panoramas), ≥ 11. */
function labelFontSize(width: number, height: number): number {
  return Math.max(11, Math.round(Math.min(width / 20, height / 7)));
}

/** Darkens the rectangle to `BOX_SHOW_THROUGH` of its brightness, clipped to the image. Mutates `image`. */
function darkenBox(image: RgbImage, left: number, top: number, width: number, height: number): void {
  for (let y = Math.max(0, top); y < Math.min(image.height, top + height); y++) {
    for (let x = Math.max(0, left); x < Math.min(image.width, left + width); x++) {
      const p = (y * image.width + x) * 3;
      for (let k = 0; k < 3; k++) image.pixels[p + k] = Math.round(image.pixels[p + k]! * BOX_SHOW_THROUGH);
    }
  }
}

/** A copy of `image` with `text` drawn in its top-left corner (shrunk to fit narrow images; blank text: no label). */
export async function drawLabel(image: RgbImage, text: string, fontSize = labelFontSize(image.width, image.height)): Promise<RgbImage> {
  const out: RgbImage = { width: image.width, height: image.height, pixels: image.pixels.slice() };
  if (text.trim() === '') return out;

  let size = fontSize;
  let mask = await renderText(text, size);
  const room = (s: number): number => image.width - 2 * Math.round(0.3 * s) - 2 * Math.round(0.4 * s);
  if (mask.width > room(size)) {
    size = Math.max(6, Math.floor((size * room(size)) / mask.width));
    mask = await renderText(text, size);
  }
  const margin = Math.round(0.3 * size); // box ↔ image edge
  const pad = Math.round(0.4 * size); // text ↔ box edge, left and right
  darkenBox(out, margin, margin, mask.width + 2 * pad, mask.height);
  drawText(out, mask, margin + pad, margin, WHITE);
  return out;
}
