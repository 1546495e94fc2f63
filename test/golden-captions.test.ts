/**
 * Golden captions: the shipped model's default captions of four sample photos, pinned per backend
 * (WASM, and native where tfjs-node loads; required in CI). A change to the model, the decoding
 * defaults, the tagger, the image pipeline or a backend's fast paths that moves a word shows here.
 * Regenerate by running the captions and pasting them, with the reason in the commit message.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaptioner } from '../src/api/node.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';
import { repoRoot } from './pack.js';

const GOLDEN: Record<string, string> = {
  'chelsea.png': 'a cat is holding its lips',
  'coffee.png': 'a small bowl sitting in a bowl of a cup',
  'motorcycle_left.png': 'a man is riding a motorcycle on a motorcycle',
  'horse.png': 'a black dog is standing in the snow',
};
const photos = Object.keys(GOLDEN).map((f) => path.join(repoRoot, 'docs', 'examples', 'photos', f));

async function captionsOn(backend: 'wasm' | 'tensorflow'): Promise<Record<string, string>> {
  const captioner = await loadCaptioner({ backend });
  try {
    const results = await captioner.caption(photos);
    return Object.fromEntries(results.map((r, i) => [path.basename(photos[i]!), r.text]));
  } finally {
    captioner.dispose();
  }
}

const why = await nativeUnavailable();

describe('golden captions of the shipped model', () => {
  it('WASM', async () => {
    expect(await captionsOn('wasm')).toEqual(GOLDEN);
  });

  (why === undefined || NATIVE_REQUIRED ? it : it.skip)(`native${why ? ` [skipped: ${why}]` : ''}`, async () => {
    expect(await captionsOn('tensorflow')).toEqual(GOLDEN);
  });
});
