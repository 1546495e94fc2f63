/**
 * Photos in a browser → what the encoder takes: any drawable (an <img>, an ImageBitmap, a canvas,
 * ImageData) drawn onto a square canvas of the encoder's input size, the whole photo squashed onto it
 * (the "squash" policy, as in Node: the grid covers the whole photo and maps back onto it). The
 * browser's own resampling is used (Node uses lanczos3 through sharp), so pixels, and rarely a
 * caption, can differ from Node's for the same photo unless it already has the input size.
 */
import type { PreparedImage } from './types.js';

export type BrowserImage = HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap | ImageData;

function sizeOf(image: BrowserImage): { width: number; height: number } {
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement)
    return { width: image.naturalWidth, height: image.naturalHeight };
  return { width: image.width, height: image.height };
}

/** The photo's RGBA pixels at `width`×`height` (its own size by default). */
export function browserPixels(image: BrowserImage, width?: number, height?: number): ImageData {
  const own = sizeOf(image);
  const w = width ?? own.width;
  const h = height ?? own.height;
  if (image instanceof ImageData && w === image.width && h === image.height) return image;
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d')!;
  if (image instanceof ImageData) {
    const src = new OffscreenCanvas(image.width, image.height);
    src.getContext('2d')!.putImageData(image, 0, 0);
    ctx.drawImage(src, 0, 0, w, h);
  } else {
    ctx.drawImage(image, 0, 0, w, h);
  }
  return ctx.getImageData(0, 0, w, h);
}

/** RGBA bytes (canvas ImageData) → RGB bytes, alpha dropped. */
export function rgbaToRgb(rgba: Uint8ClampedArray): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return rgb;
}

export function prepareBrowserImage(image: BrowserImage, size: number, name: string): PreparedImage {
  const { width, height } = sizeOf(image);
  const pixels = rgbaToRgb(browserPixels(image, size, size).data);
  return { file: name, originalWidth: width, originalHeight: height, region: { left: 0, top: 0, width, height }, size, pixels };
}
