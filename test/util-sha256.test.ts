/** The pure-TypeScript SHA-256 (used in browsers) equals node:crypto's, in one piece and fed in chunks. */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex } from '../src/util/sha256.js';

describe('sha256', () => {
  it.each([0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 1000, 100_003])('%i bytes', (n) => {
    const bytes = randomBytes(n);
    const want = createHash('sha256').update(bytes).digest('hex');
    expect(sha256Hex(bytes)).toBe(want);
    const chunked = new Sha256();
    for (let i = 0; i < n; i += 7) chunked.update(bytes.subarray(i, i + 7));
    expect(chunked.digestHex()).toBe(want);
  });

  it('hashes text as UTF-8', () => {
    expect(sha256Hex('α β')).toBe(createHash('sha256').update('α β', 'utf8').digest('hex'));
  });
});
