/**
 * The resize policy: which part of the photo the encoder sees (see ResizePolicy in types.ts).
 *
 * `squash` is the default because the attention grid then covers the whole photo (nothing the caption
 * talks about is cut off), and because Flickr8k in ../shared was squashed to 224×224 — training and
 * inference see the same distortion. `center-crop` keeps the aspect ratio (ImageNet style) at the cost
 * of the borders of the long side; overlays then paint attention only over `region`.
 */
import type { Region, ResizePolicy } from './types.js';

/** The region of a width×height photo (oriented pixel coordinates) that is resized to the encoder's square. */
export function encoderRegion(policy: ResizePolicy, width: number, height: number): Region {
  if (policy === 'squash') return { left: 0, top: 0, width, height };
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), width: side, height: side };
}
