/**
 * The checked open: everything we can refuse before decoding a single pixel. File-system problems
 * (missing, broken link, directory, unreadable, empty), then the image header: a format we accept,
 * a size under the pixel limit, and sides no smaller than MIN_SIDE.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { headerProblem, SUPPORTED_FORMATS } from './decode-errors.js';
import { ImageInputError } from './errors.js';
import { SNIFF_BYTES, sniff } from './sniff.js';

/**
 * The smallest side we accept. The encoder sees a 14×14 grid of 16×16-pixel cells at 224×224: a side
 * below 16 px holds less than one grid cell of real detail, and upscaling it only invents blur (a 1×1
 * "photo" is almost surely a tracking pixel or a broken export, not something to caption).
 */
export const MIN_SIDE = 16;

/** sharp's format names we decode, with their names for messages. `heif` is accepted only as AVIF. */
const ACCEPTED: Readonly<Record<string, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  heif: 'AVIF',
};

/** Input options shared by the header read and the decode. */
const INPUT: SharpOptions = {
  // sharp's default ('warning') also refuses the many real photos with harmless decoder warnings
  // (e.g. "extraneous bytes before marker"); 'truncated' still refuses a file that ends early, which
  // libjpeg would otherwise pad with grey and return as if it were whole.
  failOn: 'truncated',
  // Apply the EXIF orientation: every size and region we report is in displayed coordinates.
  autoOrient: true,
  // No `page`/`pages`: the default is the first frame (GIF, WebP, TIFF), and for HEIF/AVIF it lets sharp
  // pick the primary image, which an explicit `page: 0` would override.
};

export interface OpenedImage {
  /** Format name for messages, e.g. "JPEG". */
  label: string;
  /** Size as displayed (after EXIF orientation). */
  width: number;
  height: number;
  /** A fresh sharp pipeline on the file, oriented, with sharp's own pixel limit as a second guard. */
  decoder(): Sharp;
}

const codeOf = (err: unknown): string => String((err as NodeJS.ErrnoException | undefined)?.code ?? err);

/** Why `stat` failed, telling a missing file from a dangling symbolic link. */
async function statProblem(file: string, err: unknown): Promise<string> {
  switch (codeOf(err)) {
    case 'ENOENT': {
      const target = await fs.readlink(file).catch(() => undefined);
      return target === undefined ? 'no such file' : `broken symbolic link (its target ${target} does not exist)`;
    }
    case 'ELOOP':
      return 'symbolic link loop';
    case 'ENOTDIR':
      return 'no such file (a parent in the path is not a directory)';
    case 'EACCES':
      return 'permission denied (a parent folder cannot be searched)';
    default:
      return `cannot open the file (${codeOf(err)})`;
  }
}

/** File-system checks, then the first bytes of the file (for `sniff`). */
async function readHead(file: string): Promise<Uint8Array> {
  const stat = await fs.stat(file).catch(async (err: unknown) => {
    throw new ImageInputError(file, await statProblem(file, err));
  });
  if (stat.isDirectory()) throw new ImageInputError(file, 'is a directory, not an image');
  // A FIFO or device would block or never end; only regular files are photos.
  if (!stat.isFile()) throw new ImageInputError(file, 'not a regular file');
  if (stat.size === 0) throw new ImageInputError(file, 'empty file (0 bytes)');
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    const code = codeOf(err);
    throw new ImageInputError(
      file,
      code === 'EACCES' || code === 'EPERM' ? 'permission denied (cannot read the file)' : `cannot open the file (${code})`,
    );
  }
  try {
    const { buffer, bytesRead } = await handle.read(new Uint8Array(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } catch (err) {
    throw new ImageInputError(file, `cannot read the file (${codeOf(err)})`);
  } finally {
    await handle.close();
  }
}

/** The header as sharp reads it, with no pixel limit yet so that our own check can word the refusal. */
async function readHeader(input: string | Uint8Array, head: Uint8Array, file: string): Promise<Metadata> {
  try {
    return await sharp(input, { ...INPUT, limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageInputError(file, headerProblem(err, sniff(head)));
  }
}

function formatLabel(file: string, meta: Metadata): string {
  const label = ACCEPTED[meta.format];
  if (meta.format === 'heif' && meta.compression !== 'av1') {
    throw new ImageInputError(file, `HEIC images are not supported (use ${SUPPORTED_FORMATS})`);
  }
  if (label === undefined) {
    throw new ImageInputError(file, `${meta.format.toUpperCase()} images are not supported (use ${SUPPORTED_FORMATS})`);
  }
  return label;
}

const count = (n: number): string => n.toLocaleString('en');

/**
 * An image to open: a file path, or the encoded bytes of one (`name` labels them in messages, e.g.
 * "input 2 (bytes)").
 */
export type ImageSource = string | { bytes: Uint8Array; name: string };

/** Checks the file (or bytes) and its header; decodes nothing. Throws ImageInputError for every problem. */
export async function openChecked(source: ImageSource, maxPixels: number): Promise<OpenedImage> {
  const file = typeof source === 'string' ? source : source.name;
  const input = typeof source === 'string' ? source : source.bytes;
  if (typeof source !== 'string' && source.bytes.byteLength === 0) throw new ImageInputError(file, 'empty (0 bytes)');
  const head = typeof source === 'string' ? await readHead(source) : source.bytes.subarray(0, SNIFF_BYTES);
  const meta = await readHeader(input, head, file);
  const label = formatLabel(file, meta);
  const { width: storedW, height: storedH } = meta;
  if (!(storedW > 0 && storedH > 0)) throw new ImageInputError(file, `corrupt ${label} header (no image size)`);
  // The decompression-bomb guard, from the header alone: a 20000×20000 PNG can be a few kB on disk
  // but 1.2 GB once decoded.
  if (storedW * storedH > maxPixels) {
    throw new ImageInputError(
      file,
      `${storedW}×${storedH} is ${count(storedW * storedH)} pixels, over the pixel limit of ${count(maxPixels)}`,
    );
  }
  const { width, height } = meta.autoOrient;
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new ImageInputError(file, `${width}×${height} is too small (each side must be at least ${MIN_SIDE} px)`);
  }
  const limitInputPixels = Number.isFinite(maxPixels) ? Math.floor(maxPixels) : false;
  return { label, width, height, decoder: () => sharp(input, { ...INPUT, limitInputPixels }) };
}
