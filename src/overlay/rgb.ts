/** RgbImage ↔ sharp: PNG encoding and resizing of the raw sRGB bytes the overlay code works on. */
import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from '../image/types.js';

function fromRaw(image: RgbImage): Sharp {
  return sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** Lossless PNG bytes of the image. */
export function encodePng(image: RgbImage): Promise<Buffer> {
  return fromRaw(image).png().toBuffer();
}

/** JPEG bytes (for pages that inline many images). */
export function encodeJpeg(image: RgbImage, quality = 85): Promise<Buffer> {
  return fromRaw(image).jpeg({ quality }).toBuffer();
}

/** The image resized to exactly width×height (lanczos3; aspect ratio is the caller's business). */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const { data, info } = await fromRaw(image)
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** A width×height image of one grey level (255 = white). */
export function blankRgb(width: number, height: number, level = 255): RgbImage {
  return { width, height, pixels: new Uint8Array(width * height * 3).fill(level) };
}

/** Copies `src` into `dst` with its top-left corner at (left, top), clipped to `dst`. Mutates `dst`. */
export function pasteRgb(dst: RgbImage, src: RgbImage, left: number, top: number): void {
  const x0 = Math.max(0, left);
  const x1 = Math.min(dst.width, left + src.width);
  if (x1 <= x0) return;
  for (let y = Math.max(0, top); y < Math.min(dst.height, top + src.height); y++) {
    const from = ((y - top) * src.width + (x0 - left)) * 3;
    dst.pixels.set(src.pixels.subarray(from, from + (x1 - x0) * 3), (y * dst.width + x0) * 3);
  }
}
