/** The image pipeline's settings and their checks (shared by the Node and browser image loaders). */
import { UserError } from '../util/user-error.js';
import type { ImageLoadOptions } from './types.js';

export const DEFAULT_IMAGE_OPTIONS: ImageLoadOptions = {
  size: 224,
  policy: 'squash',
  // 100 MP: above any normal camera or phone output (12–50 MP; 108/200 MP sensors bin to 12 MP by
  // default), below sharp's own default of 268 MP. The oriented sRGB copy `readRgb` returns is then at
  // most 300 MB.
  maxPixels: 100_000_000,
};

export function checkedOptions(options: Partial<ImageLoadOptions>): ImageLoadOptions {
  const merged = { ...DEFAULT_IMAGE_OPTIONS, ...options };
  if (!Number.isInteger(merged.size) || merged.size < 1) {
    throw new UserError(`invalid image size ${merged.size}: must be a positive whole number of pixels`);
  }
  if (merged.policy !== 'squash' && merged.policy !== 'center-crop') {
    throw new UserError(`invalid resize policy "${String(merged.policy)}": must be squash or center-crop`);
  }
  if (!(merged.maxPixels >= 1)) throw new UserError(`invalid pixel limit ${merged.maxPixels}: must be at least 1`);
  return merged;
}
