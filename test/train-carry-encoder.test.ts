/**
 * A trained checkpoint carries its encoder (src/train/carry-encoder.ts): the features' encoder is found
 * among local copies — where extract-features read it, the --init-from checkpoint's, the shipped
 * model's — written cut at its annotation layer, and accepted only with the features' fingerprint;
 * a copy with another fingerprint is passed over, and with none the reason is said in one line.
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { shippedEncoder } from '../src/checkpoint/shipped.js';
import { loadEncoder } from '../src/encoder/load-encoder.js';
import { prepareCarriedEncoder } from '../src/train/carry-encoder.js';
import { HAS_SHARED, sharedPath } from './shared.js';

const shipped = shippedEncoder()!;

describe('the encoder a trained checkpoint carries', () => {
  let dir = '';
  beforeAll(async () => {
    await selectBackend({ requested: 'wasm', log: () => {} });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'carry-encoder-'));
  });

  const fingerprintOf = async (variant: string, source: string): Promise<string> => {
    const encoder = await loadEncoder({ variant, source });
    const id = encoder.fingerprint.id;
    encoder.dispose();
    return id;
  };

  it("features of the shipped encoder: the shipped model's copy, same fingerprint", { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const out = await prepareCarriedEncoder({ encoder: shipped.id }, path.join(dir, 'a'), (l) => lines.push(l));
    expect(out).toBe(path.join(dir, 'a'));
    expect(await fingerprintOf(shipped.variant, out!)).toBe(shipped.id);
    expect(lines).toEqual([
      expect.stringMatching(/^the checkpoint carries its encoder \(4\.\d MB, from .*checkpoints\/everyday\/encoder\)$/),
    ]);
  });

  it('no local copy: nothing carried, one line saying where the weights are', async () => {
    const lines: string[] = [];
    const fake = 'mobilenet_v1_1.0/conv_pw_11_relu/14x14x512/224px-squash/sha256:' + '0'.repeat(64);
    const url = 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json';
    expect(await prepareCarriedEncoder({ encoder: fake, weights: url }, path.join(dir, 'b'), (l) => lines.push(l))).toBeUndefined();
    expect(existsSync(path.join(dir, 'b'))).toBe(false);
    expect(lines).toEqual([
      `the checkpoint does not carry its encoder ${fake}: its weights are online (${url}); \`caption\` will need them (--encoder-weights DIR, or npm run ship-encoder)`,
    ]);
  });

  it.skipIf(!HAS_SHARED)(
    'features from a local folder: cut from it (only the weights read), a wrong copy passed over',
    { timeout: 180_000 },
    async () => {
      const weights = sharedPath('weights', 'mobilenet_v1_1.0_224');
      const id = await fingerprintOf('mobilenet_v1_1.0', weights);
      const lines: string[] = [];
      const out = await prepareCarriedEncoder({ encoder: id, weights }, path.join(dir, 'c'), (l) => lines.push(l));
      expect(await fingerprintOf('mobilenet_v1_1.0', out!)).toBe(id);
      const full = (await fs.readdir(weights))
        .filter((f) => f !== 'model.json')
        .reduce((n, f) => n + statSync(path.join(weights, f)).size, 0);
      expect(statSync(path.join(out!, 'weights.bin')).size).toBeLessThan(full);

      // The shipped encoder's features, but the store names the float32 Keras folder: that copy gives
      // another fingerprint, so the shipped model's own copy is used.
      const lines2: string[] = [];
      const out2 = await prepareCarriedEncoder({ encoder: shipped.id, weights }, path.join(dir, 'd'), (l) => lines2.push(l));
      expect(await fingerprintOf(shipped.variant, out2!)).toBe(shipped.id);
      expect(lines2).toEqual([expect.stringMatching(/from .*checkpoints\/everyday\/encoder\)$/)]);
    },
  );
});
