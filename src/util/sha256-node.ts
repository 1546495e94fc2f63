/** In Node, SHA-256 through node:crypto (≈ 20× the pure-JS speed); imported by the Node entry points. */
import { createHash } from 'node:crypto';
import { usePlatformSha256 } from './sha256.js';

usePlatformSha256(() => {
  const hash = createHash('sha256');
  return { update: (data: Uint8Array | string) => hash.update(data), digestHex: () => hash.digest('hex') };
});
