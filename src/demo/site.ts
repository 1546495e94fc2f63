/**
 * Builds the demo as a static site (index.html, the bundled script, the model's files, the WASM
 * binaries, sample photos) and serves a folder over HTTP on localhost. Any static server works for
 * the built folder; nothing is fetched from anywhere but its own origin.
 */
import { createReadStream, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.bin': 'application/octet-stream',
};

async function copyInto(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  await fs.cp(from, to, { recursive: true });
}

/** Writes the site into `out` (replaced whole); returns its size in bytes. */
export async function buildDemoSite(out: string, checkpoint = path.join(ROOT, 'checkpoints', 'flickr8k')): Promise<number> {
  const { build } = await import('esbuild');
  const tmp = `${out}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, 'src', 'demo', 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    outfile: path.join(tmp, 'demo.js'),
    logLevel: 'error',
  });
  for (const f of ['index.html', 'demo.css']) await copyInto(path.join(ROOT, 'demo', f), path.join(tmp, f));
  for (const f of ['model.json', 'weights.bin', 'vocab.json', 'training.json', 'decoding.json', 'encoder']) {
    await fs.stat(path.join(checkpoint, f)).then(
      () => copyInto(path.join(checkpoint, f), path.join(tmp, 'model', f)),
      () => undefined, // training.json and decoding.json are optional
    );
  }
  const wasmDir = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of (await fs.readdir(wasmDir)).filter((n) => n.endsWith('.wasm'))) await copyInto(path.join(wasmDir, f), path.join(tmp, 'wasm', f));
  const photos = path.join(ROOT, 'docs', 'examples', 'photos');
  for (const f of (await fs.readdir(photos)).filter((n) => n.endsWith('.png'))) await copyInto(path.join(photos, f), path.join(tmp, 'samples', f));
  await fs.rm(out, { recursive: true, force: true });
  await fs.rename(tmp, out);
  let bytes = 0;
  for (const e of await fs.readdir(out, { recursive: true, withFileTypes: true })) if (e.isFile()) bytes += (await fs.stat(path.join(e.parentPath, e.name))).size;
  return bytes;
}

/** Serves `dir` on 127.0.0.1:`port` (0: any free port); resolves to the server and its URL. */
export function serveFolder(dir: string, port: number): Promise<{ server: http.Server; url: string }> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, rel.endsWith('/') ? `${rel}index.html` : rel);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    fs.stat(file).then(
      (s) => {
        if (!s.isFile()) throw new Error('not a file');
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': s.size });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end('not found'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/` });
    });
  });
}
