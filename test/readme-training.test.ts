/**
 * The README's "Train on your own data" block, read from the README itself and run as written on a
 * tiny JSONL dataset made here, offline (fetch fails in every child process) and with no CAPTION_*
 * variable set: extract-features (the shipped encoder, from the package) → train → self-critical
 * train → evaluate (choose decoding on val, then test) → caption with the new checkpoint, no flags.
 * `npm run NAME -- ARGS` runs package.json's script for NAME with cwd = the dataset's folder, as a user
 * in a clone runs it in the clone's root. The only change: `--epochs 2` on the train lines, to keep
 * the run short.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Preloaded into every child (NODE_OPTIONS splits on spaces: none in here).
const OFFLINE = `data:text/javascript,globalThis.fetch=()=>Promise.reject(TypeError('offline-test'))`;
/** `--import tsx` as npm would resolve it from the clone (the commands run in another folder). */
const TSX = pathToFileURL(path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const SHORTEN: Record<string, string[]> = { train: ['--epochs', '2'] };

/** The shell block under "## Train on your own data", one command per line, comments dropped. */
function readmeTrainingCommands(readme: string): string[][] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Train on your own data'));
  const block = /```sh\n([\s\S]*?)```/.exec(section ?? '')?.[1];
  if (!block) throw new Error('README: no ```sh block under "## Train on your own data"');
  return block
    .split('\n')
    .map((l) => l.replace(/\s#.*$/, '').trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/));
}

/** A README command as the process it starts: npm scripts from package.json, npx caption as the bin. */
function toProcess(words: string[]): { name: string; argv: string[] } {
  const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  if (words[0] === 'npx' && words[1] === 'caption')
    return { name: 'caption', argv: [path.join(repoRoot, 'bin', 'caption.js'), ...words.slice(2)] };
  if (words[0] === 'npm' && words[1] === 'run' && words[3] === '--') {
    const name = words[2]!;
    const script = /^tsx (scripts\/\S+\.ts)$/.exec(scripts[name] ?? '')?.[1];
    if (!script) throw new Error(`README runs "npm run ${name}", which is not a tsx script in package.json`);
    return { name, argv: ['--import', TSX, path.join(repoRoot, script), ...words.slice(4), ...(SHORTEN[name] ?? [])] };
  }
  throw new Error(`README: cannot run "${words.join(' ')}"`);
}

const COLOURS: Record<string, [number, number, number]> = {
  red: [220, 30, 30],
  green: [30, 200, 40],
  blue: [30, 60, 220],
  yellow: [230, 220, 30],
};

/** Tiny photos: a coloured square on grey, top or bottom; captions say which colour and where. */
async function makeDataset(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'photos'), { recursive: true });
  const lines: string[] = [];
  let n = 0;
  for (const [colour, rgb] of Object.entries(COLOURS)) {
    for (const where of ['top', 'bottom'] as const) {
      for (let k = 0; k < 2; k++) {
        const file = `photos/${n}.jpg`;
        const square = await sharp({ create: { width: 80, height: 80, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
          .png()
          .toBuffer();
        await sharp({ create: { width: 160, height: 160, channels: 3, background: { r: 128, g: 128, b: 128 } } })
          .composite([{ input: square, left: 40 + 20 * k, top: where === 'top' ? 0 : 80 }])
          .jpeg()
          .toFile(path.join(dir, file));
        const split = n % 8 === 6 ? 'val' : n % 8 === 7 ? 'test' : 'train';
        lines.push(
          JSON.stringify({ image: file, captions: [`a ${colour} square at the ${where}`, `a ${colour} box at the ${where}`], split }),
        );
        n++;
      }
    }
  }
  await fs.writeFile(path.join(dir, 'my-captions.jsonl'), `${lines.join('\n')}\n`);
  await fs.copyFile(path.join(dir, 'photos', '0.jpg'), path.join(dir, 'photo.jpg'));
}

describe("the README's training block runs as written, offline, and the result captions with no flags", () => {
  it('extract-features → train → scst → evaluate → caption', { timeout: 900_000 }, async () => {
    const commands = readmeTrainingCommands(await fs.readFile(path.join(repoRoot, 'README.md'), 'utf8'));
    expect(commands.map((c) => (c[0] === 'npx' ? c.slice(0, 2) : c.slice(0, 3)).join(' '))).toEqual([
      'npm run extract-features',
      'npm run train',
      'npm run train',
      'npm run evaluate',
      'npm run evaluate',
      'npx caption',
    ]);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'readme-training-'));
    await makeDataset(dir);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAPTION_') && k !== 'TF_ENABLE_ONEDNN_OPTS') env[k] = v;
    env['CAPTION_CACHE_DIR'] = path.join(dir, '.cache'); // an empty cache: nothing downloaded before
    env['NODE_OPTIONS'] = `--import=${OFFLINE}`;
    const t0 = Date.now();
    let captionOut = '';
    for (const words of commands) {
      const { name, argv } = toProcess(words);
      const r = spawnSync(process.execPath, argv, { cwd: dir, env, encoding: 'utf8', timeout: 600_000 });
      expect(r.status, `${words.join(' ')}\n${r.stderr}`).toBe(0);
      if (name === 'caption') captionOut = r.stdout;
    }
    process.stdout.write(`[readme-training] the README's block on 16 photos: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    // Every checkpoint carries its encoder; the SCST one has the decoding chosen on val.
    for (const ckpt of ['mine', 'mine-scst'])
      expect(existsSync(path.join(dir, 'checkpoints', ckpt, 'encoder', 'model.json')), ckpt).toBe(true);
    expect(existsSync(path.join(dir, 'checkpoints', 'mine-scst', 'decoding.json'))).toBe(true);
    expect(captionOut).toMatch(/^photo\.jpg\t\S+( \S+)*\n$/);

    // A checkpoint without its encoder, offline: one line naming the encoder and how to provide it.
    const bare = path.join(dir, 'checkpoints', 'bare');
    await fs.cp(path.join(dir, 'checkpoints', 'mine'), bare, { recursive: true });
    await fs.rm(path.join(bare, 'encoder'), { recursive: true });
    const r = spawnSync(process.execPath, toProcess(['npx', 'caption', 'photo.jpg', '--checkpoint', bare]).argv, {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('[caption]')),
    ).toEqual([
      expect.stringMatching(
        /^caption: .*checkpoints\/bare: its encoder \(mobilenet_v1_1\.0_pw12\/conv_pw_12_relu\/7x7x1024\/224px-squash\/sha256:[0-9a-f]{64}\) is not inside it and cannot be downloaded from storage\.googleapis\.com \(offline\?\): pass --encoder-weights <dir> with those weights, or put them inside once with `npm run ship-encoder -- --checkpoint .*checkpoints\/bare --from <dir>`$/,
      ),
    ]);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
