/**
 * Errors a program can handle: a disposed captioner is a typed error with a stable code (every method,
 * dispose twice is harmless); the library's errors carry stable codes; a failed download keeps the
 * failure underneath as its `cause`.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CaptionerDisposedError,
  EncoderMismatchError,
  FileInputError,
  ImageInputError,
  loadCaptioner,
  UserError,
  WeightsUnavailableError,
} from '../src/index.js';
import { selectBackend } from '../src/backend/select.js';
import { loadEncoder } from '../src/encoder/load-encoder.js';

beforeAll(async () => {
  await selectBackend({ requested: 'wasm', log: () => {} });
});

describe('errors a program can handle', () => {
  it('a disposed captioner: CaptionerDisposedError on every method; dispose twice is harmless', { timeout: 60_000 }, async () => {
    const captioner = await loadCaptioner({ backend: 'wasm' });
    const [result] = await captioner.caption('docs/examples/photos/horse.png');
    captioner.dispose();
    captioner.dispose();
    for (const call of [
      () => captioner.caption('docs/examples/photos/horse.png'),
      () => captioner.explain('docs/examples/photos/horse.png', 'a horse'),
      () => captioner.overlay('docs/examples/photos/horse.png', result!),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaptionerDisposedError);
      expect(err).toBeInstanceOf(UserError);
      expect((err as CaptionerDisposedError).code).toBe('CAPTIONER_DISPOSED');
    }
  });

  it('stable codes on every public error', () => {
    expect(new UserError('x').code).toBe('USER_ERROR');
    expect(new FileInputError('f', 'p').code).toBe('FILE_INPUT');
    expect(new ImageInputError('f', 'p').code).toBe('IMAGE_INPUT');
    expect(new EncoderMismatchError('m').code).toBe('ENCODER_MISMATCH');
    expect(new WeightsUnavailableError('https://h/x', 'offline?').code).toBe('WEIGHTS_UNAVAILABLE');
  });

  it("a failed download keeps fetch's failure as the cause", async () => {
    const underneath = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND storage.googleapis.com'), { code: 'ENOTFOUND' }),
    });
    vi.stubGlobal('fetch', () => Promise.reject(underneath));
    try {
      const err = await loadEncoder({ variant: 'mobilenet_v1_1.0' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WeightsUnavailableError);
      expect((err as Error).cause).toBe(underneath);
      expect(((err as Error).cause as Error & { cause: { code: string } }).cause.code).toBe('ENOTFOUND');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
