/**
 * Image input: any photo we accept (JPEG, PNG, WebP, GIF's first frame, TIFF, AVIF) → EXIF-oriented,
 * alpha-flattened (onto white), 8-bit sRGB bytes at the encoder's input size.
 * Every failure is an ImageInputError whose one-line message names the file and the problem.
 */
import type { OutputInfo, Sharp } from 'sharp';
import { decodeProblem } from './decode-errors.js';
import { ImageInputError } from './errors.js';
import { openChecked, type ImageSource } from './open.js';
import { encoderRegion } from './region.js';
import { checkedOptions, DEFAULT_IMAGE_OPTIONS } from './options.js';
import type { ImageLoadOptions, PreparedImage, RgbImage } from './types.js';

export { MIN_SIDE, type ImageSource } from './open.js';
export { encoderRegion } from './region.js';
export { DEFAULT_IMAGE_OPTIONS } from './options.js';

/** Alpha flattened onto white, any colourspace (grey, CMYK, 16-bit, embedded ICC profile) → 8-bit sRGB. */
function normalized(image: Sharp): Sharp {
  return image.flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha();
}

async function rawRgb(file: string, label: string, pipeline: Sharp, width: number, height: number): Promise<Uint8Array> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageInputError(file, decodeProblem(err, label));
  }
  const { info } = out;
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new ImageInputError(file, `decoded to an unexpected layout ${info.width}×${info.height}×${info.channels}`);
  }
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}

/** Reads a photo and resizes it to the encoder's square input by the given policy. */
export async function prepareImage(source: ImageSource, options: Partial<ImageLoadOptions> = {}): Promise<PreparedImage> {
  const { size, policy, maxPixels } = checkedOptions(options);
  const file = typeof source === 'string' ? source : source.name;
  const { label, width, height, decoder } = await openChecked(source, maxPixels);
  const region = encoderRegion(policy, width, height);
  // `extract` before `resize` crops first, in oriented coordinates (autoOrient runs before both).
  const pipeline = normalized(decoder()).extract(region).resize(size, size, { fit: 'fill', kernel: 'lanczos3' });
  const pixels = await rawRgb(file, label, pipeline, size, size);
  return { file, originalWidth: width, originalHeight: height, region, size, pixels };
}

/** Reads a photo at its original (oriented) size, for painting overlays. */
export async function readRgb(source: ImageSource, maxPixels = DEFAULT_IMAGE_OPTIONS.maxPixels): Promise<RgbImage> {
  const file = typeof source === 'string' ? source : source.name;
  const { label, width, height, decoder } = await openChecked(source, checkedOptions({ maxPixels }).maxPixels);
  const pixels = await rawRgb(file, label, normalized(decoder()), width, height);
  return { width, height, pixels };
}
