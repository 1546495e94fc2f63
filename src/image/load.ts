/**
 * Image input: any photo sharp reads → oriented, flattened sRGB bytes at the encoder's input size.
 * Every failure is an ImageInputError whose message names the file and the problem.
 */
import { promises as fs } from 'node:fs';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { ImageInputError } from './errors.js';
import type { ImageLoadOptions, PreparedImage, Region, RgbImage } from './types.js';

export const DEFAULT_IMAGE_OPTIONS: ImageLoadOptions = {
  size: 224,
  policy: 'squash',
  maxPixels: 100_000_000,
};

/** The smallest side we accept: below this a photo holds nothing a 14×14 grid can attend to. */
export const MIN_SIDE = 16;

async function openChecked(file: string, maxPixels: number): Promise<{ image: Sharp; width: number; height: number }> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new ImageInputError(file, 'no such file');
  }
  if (stat.isDirectory()) throw new ImageInputError(file, 'is a directory, not an image');
  if (stat.size === 0) throw new ImageInputError(file, 'empty file');
  // sharp's own limit is a second guard; ours below gives the clearer message.
  const image = sharp(file, { failOn: 'truncated', limitInputPixels: false, pages: 1, page: 0 });
  let meta: Metadata;
  try {
    meta = await image.metadata();
  } catch {
    throw new ImageInputError(file, 'not a readable image (unknown format or corrupt header)');
  }
  const rawW = meta.width ?? 0;
  const rawH = meta.height ?? 0;
  if (rawW * rawH > maxPixels) {
    throw new ImageInputError(file, `${rawW}×${rawH} exceeds the ${maxPixels.toLocaleString('en')} pixel limit`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? rawH : rawW;
  const height = swap ? rawW : rawH;
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new ImageInputError(file, `${width}×${height} is too small (each side must be at least ${MIN_SIDE} px)`);
  }
  return { image, width, height };
}

/** Oriented, alpha-flattened (onto white), 8-bit sRGB pipeline. */
function normalized(image: Sharp): Sharp {
  return image.rotate().flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha();
}

async function rawRgb(file: string, pipeline: Sharp, width: number, height: number): Promise<Uint8Array> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    const reason = String((err as Error).message ?? err).split('\n')[0];
    throw new ImageInputError(file, `cannot decode image (${reason})`);
  }
  if (out.info.channels !== 3 || out.info.width !== width || out.info.height !== height) {
    throw new ImageInputError(file, `decoded to an unexpected layout ${out.info.width}×${out.info.height}×${out.info.channels}`);
  }
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}

function regionFor(policy: ImageLoadOptions['policy'], width: number, height: number): Region {
  if (policy === 'squash') return { left: 0, top: 0, width, height };
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), width: side, height: side };
}

/** Reads a photo and resizes it to the encoder's square input by the given policy. */
export async function prepareImage(file: string, options: Partial<ImageLoadOptions> = {}): Promise<PreparedImage> {
  const { size, policy, maxPixels } = { ...DEFAULT_IMAGE_OPTIONS, ...options };
  const { image, width, height } = await openChecked(file, maxPixels);
  const region = regionFor(policy, width, height);
  const pipeline = normalized(image)
    .extract(region)
    .resize(size, size, { fit: 'fill', kernel: 'lanczos3' });
  const pixels = await rawRgb(file, pipeline, size, size);
  return { file, originalWidth: width, originalHeight: height, region, size, pixels };
}

/** Reads a photo at its original (oriented) size, for painting overlays. */
export async function readRgb(file: string, maxPixels = DEFAULT_IMAGE_OPTIONS.maxPixels): Promise<RgbImage> {
  const { image, width, height } = await openChecked(file, maxPixels);
  const pixels = await rawRgb(file, normalized(image), width, height);
  return { width, height, pixels };
}
