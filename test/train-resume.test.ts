/**
 * `npm run train` end to end on a tiny dataset (child processes as a user runs them): a run cut short
 * by a step budget and continued with --resume ends with exactly the weights, optimizer state and
 * metrics of an uninterrupted run; best and last checkpoints load. On WASM, and on the native backend
 * with its fused kernels where tfjs-node is built (required in CI).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fusedKernelsStatus } from '../src/backend/fused-kernels.js';
import { selectBackend } from '../src/backend/select.js';
import { loadCheckpoint } from '../src/checkpoint/checkpoint.js';
import { FeatureStoreWriter } from '../src/data/feature-store.js';
import { mulberry32 } from '../src/util/random.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';

const nativeWhy = await nativeUnavailable();

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORDS = ['red', 'blue', 'green', 'circle', 'square'];

function train(args: string[], backend = 'wasm'): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'train.ts'), ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
    env: { ...process.env, CAPTION_BACKEND: backend },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stderr: r.stderr };
}

describe('train script: budget, resume, checkpoints', () => {
  let dir: string;
  let common: string[];
  beforeAll(async () => {
    await selectBackend({ log: () => {} });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'train-resume-'));
    const rng = mulberry32(3);
    const lines: string[] = [];
    const store = await FeatureStoreWriter.open(path.join(dir, 'features'), { encoder: 'tiny-test-encoder', grid: { height: 2, width: 2 }, regions: 4, depth: 6 });
    for (let i = 0; i < 16; i++) {
      const id = `img${i}`;
      await fs.writeFile(path.join(dir, `${id}.png`), 'x'); // the loader checks existence only
      const caption = `a ${WORDS[i % 3]} ${WORDS[3 + (i % 2)]}`;
      lines.push(JSON.stringify({ id, image: `${id}.png`, captions: [caption], split: i < 12 ? 'train' : 'val' }));
      await store.append({ key: id, width: 8, height: 8 }, Float32Array.from({ length: 24 }, () => rng()));
    }
    await store.close();
    await fs.writeFile(path.join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
    common = ['--dataset', path.join(dir, 'data.jsonl'), '--min-count', '1', '--batch-size', '4',
      '--epochs', '2', '--embed-dim', '8', '--hidden-dim', '8', '--attention-dim', '4', '--dropout', '0.3', '--checkpoint-every', '1000', '--no-progress', '--seed', '5'];
  });

  async function resumeMatchesStraightRun(backend: string): Promise<void> {
    const features = ['--features', path.join(dir, 'features')];
    const out = (name: string) => path.join(dir, backend, name);
    const straight = train([...common, ...features, '--out', out('A'), '--run-dir', out('runA')], backend);
    expect(straight.code, straight.stderr).toBe(0);
    expect(straight.stderr).toMatch(new RegExp(`compute backend: ${backend}`));
    if (backend === 'tensorflow' && fusedKernelsStatus()?.loaded) expect(straight.stderr).toMatch(/\[fused kernels\]/);
    const cut = train([...common, ...features, '--out', out('B'), '--run-dir', out('runB'), '--max-steps', '4'], backend);
    expect(cut.code, cut.stderr).toBe(0);
    const resumed = train([...common, ...features, '--out', out('B'), '--run-dir', out('runB'), '--resume'], backend);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .*runB at epoch 2, batch 1, step 4/);

    for (const f of ['weights.bin', 'optimizer.bin']) {
      const a = await fs.readFile(path.join(out('runA'), 'last', f));
      const b = await fs.readFile(path.join(out('runB'), 'last', f));
      expect(Buffer.compare(a, b), f).toBe(0);
    }
    const metrics = async (run: string) =>
      (await fs.readFile(path.join(out(run), 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => {
        const { seconds: _s, tokensPerSecond: _t, ...rest } = JSON.parse(l);
        return rest;
      });
    expect(await metrics('runB')).toEqual(await metrics('runA'));
    expect((await metrics('runA')).map((m: { step: number }) => m.step)).toEqual([3, 6]);

    const best = await loadCheckpoint(out('A'));
    expect(best.encoder).toBe('tiny-test-encoder');
    expect(best.resume).toBeUndefined();
    const last = await loadCheckpoint(path.join(out('runA'), 'last'), { withResume: true });
    expect((last.resume!.state as { step: number }).step).toBe(6);
  }

  it('a run cut after 4 steps and resumed matches an uninterrupted 6-step run exactly (WASM)', async () => {
    await resumeMatchesStraightRun('wasm');
  });

  it.skipIf(nativeWhy !== undefined && !NATIVE_REQUIRED)(
    `the same on the native backend, fused kernels and all${nativeWhy ? ` [skipped: tfjs-node ${nativeWhy}]` : ''}`,
    async () => {
      expect(nativeWhy, `tfjs-node did not load: ${nativeWhy}`).toBeUndefined();
      await resumeMatchesStraightRun('tensorflow');
    },
  );

  it('a missing dataset is a clear error (exit 2)', () => {
    const missing = train(['--dataset', path.join(dir, 'nope.jsonl'), '--features', path.join(dir, 'features'), '--out', path.join(dir, 'C')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.jsonl: no such file/);
  });

  it('a NaN loss stops training with a clear message, before any weight is touched', async () => {
    const bad = path.join(dir, 'nan-features');
    const store = await FeatureStoreWriter.open(bad, { encoder: 'tiny-test-encoder', grid: { height: 2, width: 2 }, regions: 4, depth: 6 });
    for (let i = 0; i < 16; i++) await store.append({ key: `img${i}`, width: 8, height: 8 }, new Float32Array(24).fill(NaN));
    await store.close();
    const r = train([...common, '--features', bad, '--out', path.join(dir, 'D'), '--run-dir', path.join(dir, 'runD')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/loss became NaN at step 0 \(epoch 1\); stopped without applying it/);
    await expect(fs.stat(path.join(dir, 'D'))).rejects.toThrow(); // no best checkpoint from a broken run
  });
});
