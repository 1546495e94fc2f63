/**
 * Network loads a program controls (src/util/network.ts): progress in bytes as the encoder's weights
 * download, a timeout and an AbortSignal that stop a load, and failures that say what failed (DNS,
 * connection refused, HTTP status, timeout, abort) with the underlying error as `cause`. A local HTTP
 * server serves the shipped model's encoder.
 */
import { mkdtempSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner, WeightsUnavailableError } from '../src/index.js';
import { selectBackend } from '../src/backend/select.js';
import { loadEncoder } from '../src/encoder/load-encoder.js';
import { describeFetchFailure } from '../src/util/network.js';

const ENCODER = path.resolve('checkpoints', 'flickr8k', 'encoder');
let server: http.Server;
let base = '';
let delayMs = 0;

beforeAll(async () => {
  await selectBackend({ requested: 'wasm', log: () => {} });
  server = http.createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const name = pathname.includes('/nothing/') ? 'no-such-file' : path.basename(pathname);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const bytes = await fs.readFile(path.join(ENCODER, name)).catch(() => undefined);
    if (!bytes) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': bytes.byteLength }).end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => server.close());

const freshCache = () => {
  process.env['CAPTION_CACHE_DIR'] = mkdtempSync(path.join(os.tmpdir(), 'net-cache-'));
};

describe('network loads', () => {
  it('progress: growing byte counts up to the weights’ size', { timeout: 60_000 }, async () => {
    freshCache();
    const seen: [number, number | undefined][] = [];
    const captioner = await loadCaptioner({
      backend: 'wasm',
      encoderWeights: base,
      onProgress: (loaded, total) => seen.push([loaded, total]),
    });
    captioner.dispose();
    const size = (await fs.stat(path.join(ENCODER, 'weights.bin'))).size;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual([size, size]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });

  it('a timeout and an abort stop the load with a message that says so', { timeout: 60_000 }, async () => {
    freshCache();
    delayMs = 2000;
    try {
      const timedOut = await loadEncoder({ variant: 'mobilenet_v1_1.0_pw12', source: base }, { timeoutMs: 200 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(WeightsUnavailableError);
      expect((timedOut as Error).message).toMatch(/\(timed out after 0\.2 s\)/);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const aborted = await loadEncoder({ variant: 'mobilenet_v1_1.0_pw12', source: base }, { signal: controller.signal }).catch(
        (e: unknown) => e,
      );
      expect((aborted as Error).message).toMatch(/\(aborted\)/);
      expect((aborted as Error).cause).toBeDefined();
    } finally {
      delayMs = 0;
    }
  });

  it('HTTP errors and refused connections are named', async () => {
    freshCache();
    const missing = await loadEncoder({ variant: 'mobilenet_v1_1.0_pw12', source: `${base}nothing/here/` }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/HTTP 404/);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r)); // a port nothing listens on
    const refused = await loadEncoder({ variant: 'mobilenet_v1_1.0_pw12', source: `http://127.0.0.1:${port}/` }).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/connection refused/);
  });

  it('failures are classified from the cause chain', () => {
    const chain = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
    expect(describeFetchFailure(chain('ENOTFOUND'))).toBe('DNS lookup failed: offline?');
    expect(describeFetchFailure(chain('ECONNREFUSED'))).toBe('connection refused');
    expect(describeFetchFailure(chain('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe('TLS failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(describeFetchFailure(Object.assign(new Error('x'), { name: 'TimeoutError' }), { timeoutMs: 1500 })).toBe(
      'timed out after 1.5 s',
    );
    expect(describeFetchFailure(new TypeError('fetch failed'))).toBe('offline?');
  });
});
