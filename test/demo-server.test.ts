/**
 * The demo's web server (`npm run demo`, src/demo/site.ts), started for real: a table of hostile
 * requests (malformed escapes, traversal in every encoding, a sibling folder whose name starts with the
 * site's, NUL bytes, backslashes, absolute paths, very long paths) each get an answer (400/404/405/414),
 * none carries a byte of a file outside the site, and the server keeps serving the site afterwards,
 * with the content types and cross-origin isolation headers the page needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileTargets, rawRequest } from './demo-requests.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = `secret-${process.pid}-${Date.now()}`;

/** Starts `npm run demo` (as its script) on a free port; resolves when it says where it serves. */
function startDemo(out: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'scripts', 'demo.ts'), '--out', out, '--port', '0', ...extra],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      err += chunk;
      const m = /serving .* at (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${err}`)));
  });
}

describe('the demo web server answers every request and serves nothing outside its folder', () => {
  let dir = '';
  let site = '';
  let url = '';
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-server-'));
    site = path.join(dir, 'demo-site');
    // Secrets beside the site: a sibling whose name starts with the site's, and the parent folder.
    await fs.mkdir(`${site}-x`, { recursive: true });
    await fs.writeFile(path.join(`${site}-x`, 'secret.txt'), SECRET);
    await fs.writeFile(path.join(dir, 'secret.txt'), SECRET);
    ({ child, url } = await startDemo(site));
  }, 180_000);
  afterAll(async () => {
    child?.kill();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 by default', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it.each(hostileTargets('demo-site-x'))('GET %s: an error status, nothing from outside', async (target) => {
    const r = await rawRequest(url, target);
    expect([400, 404, 414]).toContain(r.status);
    expect(r.body.toString('latin1')).not.toContain(SECRET);
    expect(r.body.toString('latin1')).not.toMatch(/root:.*:0:0:/);
  });

  it('other methods are refused; a request that is not HTTP gets 400', async () => {
    expect((await rawRequest(url, '/index.html', 'POST')).status).toBe(405);
    expect((await rawRequest(url, '/index.html', 'DELETE')).status).toBe(405);
    expect((await rawRequest(url, '/ x y z', 'GET')).status).toBe(400);
  });

  it('still serves the site after all of that, with the right types and headers', async () => {
    for (const target of ['/', '/index.html']) {
      const r = await rawRequest(url, target);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body.toString()).toContain('<html');
    }
    const wasm = (await fs.readdir(path.join(site, 'wasm')))[0]!;
    const types: [string, RegExp][] = [
      ['/demo.js', /^(text|application)\/javascript/],
      [`/wasm/${wasm}`, /^application\/wasm$/],
      ['/model/model.json', /^application\/json/],
      ['/model/weights.bin', /^application\/octet-stream$/],
    ];
    for (const [target, type] of types) {
      const r = await rawRequest(url, target, 'HEAD');
      expect(r.status, target).toBe(200);
      expect(r.headers['content-type'], target).toMatch(type);
    }
    const r = await rawRequest(url, '/index.html');
    expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(child?.exitCode).toBeNull();
  });
});
