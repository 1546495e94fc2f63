import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendError, defaultInitializers, parseBackendRequest, selectBackend, type BackendInitializers } from '../src/backend/select.js';

const missingModule = (): never => {
  const err = new Error("Cannot find module '@tensorflow/tfjs-node'") as Error & { code: string };
  err.code = 'MODULE_NOT_FOUND';
  throw err;
};

function withInitializers(overrides: Partial<BackendInitializers>): BackendInitializers {
  return { ...defaultInitializers, ...overrides };
}

describe('backend selection', () => {
  it('falls back to WASM when tfjs-node is not installed, and says why', async () => {
    const lines: string[] = [];
    const choice = await selectBackend({
      requested: 'auto',
      initializers: withInitializers({ tensorflow: async () => missingModule() }),
      log: (l) => lines.push(l),
    });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.skipped).toEqual(['tensorflow: not installed']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/compute backend: wasm .*tensorflow: not installed.*setup:native/);
  });

  it('falls back to the pure-JS CPU backend when WASM also fails', async () => {
    const lines: string[] = [];
    const choice = await selectBackend({
      requested: 'auto',
      initializers: withInitializers({
        tensorflow: async () => missingModule(),
        wasm: async () => {
          throw new Error('WebAssembly.instantiate failed');
        },
      }),
      log: (l) => lines.push(l),
    });
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(choice.skipped[1]).toMatch(/^wasm: failed to load \(WebAssembly.instantiate failed\)/);
    // The CPU backend's "install tfjs-node" banner is silenced.
    const warnings: unknown[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      tf.tensor([1, 2, 3]).dispose();
    } finally {
      console.warn = original;
    }
    expect(warnings).toEqual([]);
  });

  it('a broken tfjs-node (loads but throws) is reported, not mistaken for absent', async () => {
    const choice = await selectBackend({
      requested: 'auto',
      initializers: withInitializers({
        tensorflow: async () => {
          throw new Error('libtensorflow.so.2: cannot open shared object file');
        },
      }),
      log: () => {},
    });
    expect(choice.name).toBe('wasm');
    expect(choice.skipped[0]).toMatch(/^tensorflow: failed to load \(libtensorflow/);
  });

  it('an explicit request is strict: no silent fallback', async () => {
    await expect(
      selectBackend({
        requested: 'tensorflow',
        initializers: withInitializers({ tensorflow: async () => missingModule() }),
        log: () => {},
      }),
    ).rejects.toThrow(/no usable compute backend \(tensorflow: not installed; run `npm run setup:native`/);
  });

  it('reads CAPTION_BACKEND when no flag is given', async () => {
    const saved = process.env['CAPTION_BACKEND'];
    process.env['CAPTION_BACKEND'] = 'cpu';
    try {
      const choice = await selectBackend({ log: () => {} });
      expect(choice.name).toBe('cpu');
    } finally {
      process.env['CAPTION_BACKEND'] = saved;
    }
  });

  it('parses backend names and aliases, and rejects unknown ones with the source named', () => {
    expect(parseBackendRequest(undefined, '--backend')).toBe('auto');
    expect(parseBackendRequest('native', '--backend')).toBe('tensorflow');
    expect(parseBackendRequest('WASM', '--backend')).toBe('wasm');
    expect(() => parseBackendRequest('gpu', '$CAPTION_BACKEND')).toThrow(BackendError);
    expect(() => parseBackendRequest('gpu', '$CAPTION_BACKEND')).toThrow(/^\$CAPTION_BACKEND: unknown backend "gpu"/);
  });
});
