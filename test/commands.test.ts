/**
 * Every command of the project is built one way (src/cli/command.ts): a bad flag or value is exactly
 * one line on stderr naming it, exit code 2, no help text and no stack; `--help` works; and with the
 * native backend nothing but the project's own lines reaches stderr (TensorFlow's start-up log is
 * silenced).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CAPTION_BIN } from './cli-helpers.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';
import { checkpointPath, sharedPath, HAS_SHARED } from './shared.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeWhy = await nativeUnavailable();

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const argv = script === 'caption' ? [CAPTION_BIN, ...args] : ['--import', 'tsx', path.join(repoRoot, 'scripts', `${script}.ts`), ...args];
  const r = spawnSync(process.execPath, argv, {
    encoding: 'utf8',
    cwd: repoRoot,
    env: { ...process.env, CAPTION_BACKEND: 'wasm', ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split('\n').filter(Boolean) };
}

const BAD: [string, string[], RegExp][] = [
  ['caption', ['x.png', '--beam', '0'], /--beam must be a positive integer/],
  ['train', ['--dataset', 'd', '--features', 'f', '--out', 'o', '--lr', '-1'], /--lr must be positive, got -1/],
  [
    'train',
    ['--dataset', 'd', '--features', 'f', '--out', 'o', '--select-by', 'BLEU5'],
    /Invalid values: Argument: select-by, Given: "BLEU5", Choices: "BLEU-1"/,
  ],
  ['train', ['--dataset', 'd', '--features', 'f', '--out', 'o', '--epochs', '0'], /--epochs must be an integer ≥ 1, got 0/],
  ['evaluate', ['--checkpoint', 'c', '--dataset', 'd', '--features', 'f', '--beams', '0'], /--beams must be positive integers/],
  ['extract-features', ['--out', 'x', '--dataset', 'a', '--images', 'b'], /give exactly one of --dataset, --images, --list/],
  ['extract-features', ['--out', 'x', '--images', 'b', '--batch-size', '1.5'], /--batch-size must be an integer ≥ 1, got 1\.5/],
  ['make-shapes', ['--count', '-3'], /--count must be an integer ≥ 0, got -3/],
  ['make-shapes', ['--size', '50'], /--size must be an integer ≥ 112, got 50/],
  ['bench', ['train', '--steps', '0'], /--steps must be an integer ≥ 1, got 0/],
  ['bench', ['train', '--warmup', '-1'], /--warmup must be an integer ≥ 0, got -1/],
  ['bench', ['encoder', '--backends', 'gpu'], /--backends: unknown backend "gpu"/],
  ['bench', ['nope'], /Unknown argument: nope/],
  ['plot-training', ['only-one-arg'], /Not enough non-option arguments/],
  ['plot-training', ['m.jsonl', 'o.png', '--metric', 'X'], /Invalid values/],
  ['convert-weights', ['--from', 'x'], /Missing required argument: out/],
  [
    'join-encoders',
    ['--variant', 'mobilenet_v1_1.0_pw12', '--first', 'a', '--second', 'b', '--out', 'c'],
    /--variant: mobilenet_v1_1\.0_pw12 is not a joined encoder/,
  ],
  ['join-encoders', ['--variant', 'nope', '--first', 'a', '--second', 'b', '--out', 'c'], /unknown encoder "nope"/],
];

describe('every command: a bad flag is one line, exit 2', () => {
  it.each(BAD)('%s %j', (script, args, message) => {
    const r = run(script, args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.lines, r.stderr).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^${script}: `));
    expect(r.lines[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it.each([
    'caption',
    'train',
    'evaluate',
    'extract-features',
    'make-shapes',
    'bench',
    'plot-training',
    'convert-weights',
    'join-encoders',
  ])('%s --help: usage on stdout, exit 0, nothing on stderr', (script) => {
    const r = run(script, ['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Options:|Commands:/);
    expect(r.stderr).toBe('');
  });

  it('a bad file is one line naming it, exit 2 (train, evaluate, plot-training)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'commands-'));
    const metrics = path.join(dir, 'metrics.jsonl');
    await fs.writeFile(metrics, '{"epoch": 1}\n');
    for (const [script, args, message] of [
      ['train', ['--dataset', path.join(dir, 'nope.jsonl'), '--features', dir, '--out', path.join(dir, 'o')], /nope\.jsonl: no such file/],
      [
        'evaluate',
        ['--checkpoint', path.join(dir, 'none'), '--dataset', path.join(dir, 'nope.jsonl'), '--features', dir],
        /nope\.jsonl: no such file/,
      ],
      ['plot-training', [metrics, path.join(dir, 'o.png')], /metrics\.jsonl: corrupt epoch metrics: step must be an integer/],
    ] as const) {
      const r = run(script, [...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(
        r.lines.filter((l) => !l.startsWith('[caption] compute backend')),
        r.stderr,
      ).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe.skipIf(nativeWhy !== undefined && !NATIVE_REQUIRED)(
  `no engine noise on the native backend${nativeWhy ? ` [skipped: tfjs-node ${nativeWhy}]` : ''}`,
  () => {
    it.skipIf(!HAS_SHARED)('caption on native prints only its own lines on stderr, even for a batch of failures', async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'noise-'));
      const bad = ['a.jpg', 'b.png'].map((n) => path.join(dir, n));
      for (const f of bad) await fs.writeFile(f, 'not an image');
      const r = run('caption', [sharedPath('images', 'horse.png'), ...bad, '--checkpoint', checkpointPath('flickr8k')], {
        CAPTION_BACKEND: 'tensorflow',
      });
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/absl|oneDNN custom operations|cpu_feature_guard|This TensorFlow binary/);
      for (const line of r.lines) expect(line, r.stderr).toMatch(/^(\[caption\] |caption: | {2})/);
      expect(r.lines.filter((l) => l.includes('not an image'))).toHaveLength(2);
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('loading the native backend writes nothing to stderr but the backend line', () => {
      const probe = "const { selectBackend } = await import('./src/backend/select.ts'); await selectBackend({ requested: 'tensorflow' });";
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8', cwd: repoRoot });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr.trim()).toMatch(/^\[caption\] compute backend: tensorflow( \[[^\]]*\])?$/);
    });
  },
);
