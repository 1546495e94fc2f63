/**
 * Online weights are downloaded once (item 9 of "Every promise holds"), tested for real against a
 * loopback HTTP server serving ../shared's weights: the first load fetches model.json and only the
 * shards up to the annotation layer, the second makes no request at all, a corrupted cached shard is
 * fetched again (and only it), and `caption` run twice as a user runs it downloads only the first time.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { cachedModelDir } from '../src/encoder/cached-http-io.js';
import { modelJsonUrl } from '../src/encoder/http-io.js';
import { loadEncoder } from '../src/encoder/index.js';
import { CAPTION_BIN } from './cli-helpers.js';
import { checkpointPath, describeWithShared, sharedPath } from './shared.js';

describeWithShared('weights cache over a loopback HTTP server', () => {
  const requested: string[] = [];
  let server: http.Server;
  let base = '';
  let shipped = '';
  let cache = '';

  beforeAll(async () => {
    await selectBackend({ log: () => {} });
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'weights-cache-'));
    process.env['CAPTION_CACHE_DIR'] = cache;
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x').pathname;
      const name = path.basename(url);
      requested.push(name);
      // /mobilenet/: the whole ImageNet MobileNet; /shipped/: the encoder the Flickr8k checkpoint ships (and names)
      const folder = url.startsWith('/shipped/')
        ? path.join(checkpointPath('flickr8k'), 'encoder')
        : sharedPath('weights', 'mobilenet_v1_1.0_224');
      fs.readFile(path.join(folder, name)).then(
        (data) => res.end(data),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mobilenet/`;
    shipped = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shipped/`;
  });
  afterAll(async () => {
    server?.close();
    await fs.rm(cache, { recursive: true, force: true });
  });

  it('downloads once: only the shards it needs, then no request; a corrupt cached shard is fetched again', async () => {
    const manifest = JSON.parse(await fs.readFile(sharedPath('weights', 'mobilenet_v1_1.0_224', 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[]; weights: { name: string }[] }[];
    };
    const needed = manifest.weightsManifest.filter((g) => g.weights.some((w) => !/^conv_(dw|pw)_12/.test(w.name))).flatMap((g) => g.paths);
    expect(needed.length).toBeLessThan(manifest.weightsManifest.flatMap((g) => g.paths).length); // conv_pw_12's shards are not read

    const first = await loadEncoder({ source: base });
    expect([...requested].sort()).toEqual(['model.json', ...needed].sort());
    const fingerprint = first.fingerprint;
    first.dispose();

    requested.length = 0;
    const second = await loadEncoder({ source: base });
    expect(requested).toEqual([]);
    expect(second.fingerprint).toEqual(fingerprint);
    second.dispose();

    const dir = cachedModelDir(modelJsonUrl(base));
    const shard = path.join(dir, `shard-${needed[0]}`);
    const bytes = await fs.readFile(shard);
    bytes[10] = bytes[10]! ^ 0xff;
    await fs.writeFile(shard, bytes);
    const third = await loadEncoder({ source: base });
    expect(requested).toEqual([needed[0]]);
    expect(third.fingerprint).toEqual(fingerprint);
    third.dispose();
  });

  it('caption, run twice with --encoder-weights <url>: the second run makes no request', async () => {
    const run = () =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            CAPTION_BIN,
            sharedPath('images', 'horse.png'),
            '--checkpoint',
            checkpointPath('flickr8k'),
            '--encoder-weights',
            shipped,
            '--beam',
            '1',
          ],
          {
            env: { ...process.env, CAPTION_BACKEND: 'wasm', CAPTION_CACHE_DIR: path.join(cache, 'cli') },
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d));
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    requested.length = 0;
    const a = await run();
    expect(a.code, a.stderr).toBe(0);
    expect(requested.length).toBeGreaterThan(1);
    requested.length = 0;
    const b = await run();
    expect(b.code, b.stderr).toBe(0);
    expect(requested).toEqual([]);
    expect(b.stdout).toBe(a.stdout);
  });
});
