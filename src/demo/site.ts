/**
 * Builds the demo as a static site (index.html, the bundled script, the model's files, the WASM
 * binaries, sample photos) and serves a folder over HTTP on localhost. Any static server works for
 * the built folder; nothing is fetched from anywhere but its own origin.
 */
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function copyInto(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  await fs.cp(from, to, { recursive: true });
}

/** Writes the site into `out` (replaced whole); returns its size in bytes. */
export async function buildDemoSite(out: string, checkpoint = path.join(ROOT, 'checkpoints', 'everyday')): Promise<number> {
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
  for (const f of [
    'model.json',
    'weights.bin',
    'vocab.json',
    'training.json',
    'decoding.json',
    'tagger.json',
    'tagger.bin',
    'encoder',
    'detector',
    'imagenet',
  ]) {
    await fs.stat(path.join(checkpoint, f)).then(
      () => copyInto(path.join(checkpoint, f), path.join(tmp, 'model', f)),
      () => undefined, // training.json, decoding.json and the tagger (with its networks) are optional
    );
  }
  const wasmDir = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of (await fs.readdir(wasmDir)).filter((n) => n.endsWith('.wasm')))
    await copyInto(path.join(wasmDir, f), path.join(tmp, 'wasm', f));
  const photos = path.join(ROOT, 'docs', 'examples', 'photos');
  for (const f of (await fs.readdir(photos)).filter((n) => n.endsWith('.png')))
    await copyInto(path.join(photos, f), path.join(tmp, 'samples', f));
  await fs.rm(out, { recursive: true, force: true });
  await fs.rename(tmp, out);
  let bytes = 0;
  for (const e of await fs.readdir(out, { recursive: true, withFileTypes: true }))
    if (e.isFile()) bytes += (await fs.stat(path.join(e.parentPath, e.name))).size;
  return bytes;
}

/** Headers on every answer: cross-origin isolation lets the browser run WASM on threads (SharedArrayBuffer). */
const SITE_HEADERS: Record<string, string> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

/** Longest request target served; longer ones get 414 before any lookup. */
const MAX_URL_LENGTH = 2048;

export interface ServeOptions {
  port: number;
  /** Interface to bind (default 127.0.0.1: this machine only). */
  host?: string;
}

/**
 * Serves the files of `dir` over HTTP with sirv: it lists the folder once at start and answers only
 * from that list, so no request can reach a file outside it (nor a dotfile); it sets MIME types,
 * ETags and ranges. Before it: GET/HEAD only (405), a length limit (414), and 400 for a request
 * target that is not a valid path (malformed percent-escapes, NUL bytes, backslashes). Resolves to
 * the server and its URL; every request gets an answer and the server keeps serving.
 */
export async function serveFolder(dir: string, options: ServeOptions | number): Promise<{ server: http.Server; url: string }> {
  const { port, host = '127.0.0.1' } = typeof options === 'number' ? { port: options } : options;
  const { default: sirv } = await import('sirv');
  const assets = sirv(path.resolve(dir), { dev: false, etag: true, dotfiles: false });
  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(SITE_HEADERS)) res.setHeader(k, v);
    const target = req.url ?? '/';
    const answer = (code: number, text: string): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'method not allowed');
    if (target.length > MAX_URL_LENGTH) return answer(414, 'request target too long');
    if (!isPlainPath(target)) return answer(400, 'bad request target');
    assets(req, res, () => answer(404, 'not found'));
  });
  server.on('clientError', (_err, socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shownHost}:${typeof address === 'object' && address ? address.port : port}/` };
}

/** An origin-form target whose path decodes to text without NUL or backslash. */
function isPlainPath(target: string): boolean {
  if (!target.startsWith('/')) return false;
  const pathname = target.split(/[?#]/, 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  return !/[\0\\]/.test(decoded);
}
