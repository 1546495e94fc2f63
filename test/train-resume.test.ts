/**
 * `npm run train` end to end on a tiny dataset, in child processes as a user runs them: a run cut at
 * any step (a step budget, a SIGKILL mid-epoch, a kill at each point of a checkpoint swap or between
 * the metrics and the checkpoint) and continued with --resume ends with exactly the weights, Adam
 * state and metrics of the uncut run. Resume refuses changed flags; corrupt state is one line.
 * On WASM, and on native with its fused kernels where tfjs-node is built (required in CI).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { loadCheckpoint } from '../src/checkpoint/checkpoint.js';
import { FeatureStoreWriter } from '../src/data/feature-store.js';
import { mulberry32 } from '../src/util/random.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';

const nativeWhy = await nativeUnavailable();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORDS = ['red', 'blue', 'green', 'circle', 'square'];
const TRAIN_SCRIPT = path.join(repoRoot, 'scripts', 'train.ts');
/** 16 training captions in batches of 4: 4 steps an epoch, 3 epochs, 12 steps. */
const STEPS_PER_EPOCH = 4;
const TOTAL_STEPS = 12;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function train(args: string[], backend: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', TRAIN_SCRIPT, ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
    env: { ...process.env, CAPTION_BACKEND: backend, ...env },
    timeout: 120_000,
  });
  return { code: r.status, signal: r.signal, stderr: r.stderr };
}

let dir: string;
let common: string[];

beforeAll(async () => {
  await selectBackend({ log: () => {} });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'train-resume-'));
  const rng = mulberry32(3);
  const lines: string[] = [];
  const store = await FeatureStoreWriter.open(path.join(dir, 'features'), {
    encoder: 'tiny-test-encoder',
    grid: { height: 2, width: 2 },
    regions: 4,
    depth: 6,
  });
  for (let i = 0; i < 20; i++) {
    const id = `img${i}`;
    await fs.writeFile(path.join(dir, `${id}.png`), 'x'); // the loader checks existence only
    const caption = `a ${WORDS[i % 3]} ${WORDS[3 + (i % 2)]}`;
    lines.push(JSON.stringify({ id, image: `${id}.png`, captions: [caption], split: i < 16 ? 'train' : 'val' }));
    await store.append(
      { key: id, width: 8, height: 8 },
      Float32Array.from({ length: 24 }, () => rng()),
    );
  }
  await store.close();
  await fs.writeFile(path.join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
  common = [
    '--dataset',
    path.join(dir, 'data.jsonl'),
    '--features',
    path.join(dir, 'features'),
    '--min-count',
    '1',
    '--batch-size',
    '4',
    '--epochs',
    '3',
    '--embed-dim',
    '8',
    '--hidden-dim',
    '8',
    '--attention-dim',
    '4',
    '--dropout',
    '0.3',
    '--lr',
    '0.01',
    '--lr-patience',
    '1',
    '--checkpoint-every',
    '1000',
    '--no-progress',
    '--seed',
    '5',
  ];
});

/** `args` with `flag` set to `value` (replaced where present, so yargs never sees it twice). */
function withFlags(args: readonly string[], ...pairs: [string, string][]): string[] {
  const out = [...args];
  for (const [flag, value] of pairs) {
    const at = out.indexOf(flag);
    if (at >= 0) out[at + 1] = value;
    else out.push(flag, value);
  }
  return out;
}

const runArgs = (name: string): string[] => ['--out', path.join(dir, name, 'best'), '--run-dir', path.join(dir, name, 'run')];

/** What must be identical between two runs: weights, Adam's state, position, history (minus timings). */
async function runFingerprint(name: string): Promise<Record<string, string>> {
  const last = path.join(dir, name, 'run', 'last');
  const dropTimes = (text: string) => text.replace(/"(seconds|tokensPerSecond)":\s*[-0-9.e+]+/g, '"$1":0');
  return {
    weights: (await fs.readFile(path.join(last, 'weights.bin'))).toString('base64'),
    optimizer: (await fs.readFile(path.join(last, 'optimizer.bin'))).toString('base64'),
    state: dropTimes(await fs.readFile(path.join(last, 'train-state.json'), 'utf8')),
    metrics: dropTimes(await fs.readFile(path.join(dir, name, 'run', 'metrics.jsonl'), 'utf8')),
    best: (await fs.readFile(path.join(dir, name, 'best', 'weights.bin'))).toString('base64'),
  };
}

function expectOk(r: Run): void {
  expect(r.code, r.stderr).toBe(0);
}

for (const backend of ['wasm', 'tensorflow']) {
  const skip = backend === 'tensorflow' && nativeWhy !== undefined && !NATIVE_REQUIRED;
  const note = backend === 'tensorflow' && nativeWhy ? ` [skipped: tfjs-node ${nativeWhy}]` : '';
  describe.skipIf(skip)(`exact resume on ${backend}${note}`, () => {
    let straight: Record<string, string>;
    beforeAll(async () => {
      expect(backend !== 'tensorflow' || nativeWhy === undefined, `tfjs-node did not load: ${nativeWhy}`).toBe(true);
      const r = train([...common, ...runArgs(`${backend}-straight`)], backend);
      expectOk(r);
      expect(r.stderr).toMatch(new RegExp(`compute backend: ${backend}`));
      straight = await runFingerprint(`${backend}-straight`);
      const steps = JSON.parse(straight.state!).step;
      expect(steps).toBe(TOTAL_STEPS);
    });

    // 1, 2, 3 and 5: where pow(β, t) and the running product differ in float32; 4 = the first epoch
    // boundary, 7 one step before the second, 8 on it.
    it.each([1, 2, 3, 4, 5, 7, 8])('cut after step %i by --max-steps, resumed: byte-identical weights, Adam state, metrics', async (k) => {
      const name = `${backend}-cut${k}`;
      expectOk(train([...common, ...runArgs(name), '--max-steps', String(k)], backend));
      const resumed = train([...common, ...runArgs(name), '--resume'], backend);
      expectOk(resumed);
      const epoch = Math.floor(k / STEPS_PER_EPOCH);
      expect(resumed.stderr).toContain(`at epoch ${epoch + 1}, batch ${k % STEPS_PER_EPOCH}, step ${k}`);
      expect(await runFingerprint(name)).toEqual(straight);
    });

    it('self-critical training from the best checkpoint, cut after steps 3 and 5 and resumed: identical', async () => {
      const scst = (name: string, ...extra: string[]) =>
        train(
          [
            ...withFlags(common, ['--epochs', '2'], ['--lr', '0.002']),
            ...runArgs(name),
            '--objective',
            'scst',
            '--init-from',
            path.join(dir, `${backend}-straight`, 'best'),
            '--scst-samples',
            '3',
            ...extra,
          ],
          backend,
        );
      const whole = scst(`${backend}-scst`);
      expectOk(whole);
      expect(whole.stderr).toMatch(/self-critical: 3 samples per image of 16 images/);
      expect(whole.stderr).toMatch(/mean sampled reward [0-9.]+/);
      const want = await runFingerprint(`${backend}-scst`);
      for (const k of [3, 5]) {
        const name = `${backend}-scst-cut${k}`;
        expectOk(scst(name, '--max-steps', String(k)));
        expectOk(scst(name, '--resume'));
        expect(await runFingerprint(name)).toEqual(want);
      }
    });

    it('hard attention (sampled regions, the moving-average baseline in the state), cut after steps 1, 3, 4 and 6 and resumed: identical', async () => {
      const hard = (name: string, ...extra: string[]) =>
        train([...withFlags(common, ['--epochs', '2']), ...runArgs(name), '--attention', 'hard', ...extra], backend);
      expectOk(hard(`${backend}-hard`));
      const want = await runFingerprint(`${backend}-hard`);
      const baseline = JSON.parse(want.state!).objective.baseline;
      expect(baseline).toBeLessThan(0); // it learned from sampled minibatches (log p < 0)
      for (const k of [1, 3, 4, 6]) {
        const name = `${backend}-hard-cut${k}`;
        expectOk(hard(name, '--max-steps', String(k)));
        expectOk(hard(name, '--resume'));
        expect(await runFingerprint(name)).toEqual(want);
      }
      const changed = hard(`${backend}-hard-cut6`, '--resume', '--hard-entropy', '0.01');
      expect(changed.code).toBe(2);
      expect(changed.stderr).toMatch(/--hard-entropy is 0\.01 but the run .* was started with --hard-entropy 0\.002/);
    });

    it('killed with SIGKILL in the middle of an epoch, resumed: identical to the uncut run', async () => {
      const name = `${backend}-sigkill`;
      const lastState = path.join(dir, name, 'run', 'last', 'train-state.json');
      const child = spawn(process.execPath, ['--import', 'tsx', TRAIN_SCRIPT, ...common, ...runArgs(name), '--checkpoint-every', '1'], {
        cwd: repoRoot,
        env: { ...process.env, CAPTION_BACKEND: backend },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      // Kill as soon as the run has saved a checkpoint past step 5 (mid-epoch 2): wherever the
      // process is then (a step, a save, a rename), it gets no chance to clean up.
      for (let i = 0; i < 6000 && child.exitCode === null; i++) {
        try {
          const s = JSON.parse(await fs.readFile(lastState, 'utf8')) as { step: number };
          if (s.step >= 5) break;
        } catch {
          // not written yet, or caught between two saves
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const resumed = train([...common, ...runArgs(name), '--checkpoint-every', '1', '--resume'], backend);
      expectOk(resumed);
      expect(resumed.stderr).toMatch(/resuming .* at epoch \d, batch \d, step (\d+)/);
      expect(await runFingerprint(name)).toEqual(straight);
    });
  });
}

describe('crash safety (WASM)', () => {
  let straight: Record<string, string>;
  beforeAll(async () => {
    expectOk(train([...common, ...runArgs('faults-straight')], 'wasm'));
    straight = await runFingerprint('faults-straight');
  });

  it.each(['checkpoint:built', 'checkpoint:old-moved', 'checkpoint:new-moved', 'train:metrics-written'])(
    'a kill at %s leaves a checkpoint to resume from, and the resumed run is exact with no epoch logged twice',
    async (point) => {
      const name = `fault-${point.replace(':', '-')}`;
      // The first save of `last` after step 6 meets the fault: cut at 6 by budget, then resume with the fault armed.
      expectOk(train([...common, ...runArgs(name), '--max-steps', '6'], 'wasm'));
      const killed = train([...common, ...runArgs(name), '--resume'], 'wasm', { CAPTION_TEST_KILL_AT: point });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const layout = async () => (await fs.readdir(path.join(dir, name, 'run'))).sort();
      const before = await layout();
      const last = await loadCheckpoint(path.join(dir, name, 'run', 'last'), { withResume: true });
      expect(await layout()).toEqual(before); // a reader never moves or deletes (a save may be running)
      expect((last.resume!.state as { step: number }).step).toBeGreaterThanOrEqual(6);
      const resumed = train([...common, ...runArgs(name), '--resume'], 'wasm');
      expectOk(resumed);
      const fp = await runFingerprint(name);
      const epochs = fp
        .metrics!.trim()
        .split('\n')
        .map((l) => JSON.parse(l).epoch);
      expect(epochs).toEqual([1, 2, 3]);
      expect(fp).toEqual(straight);
      expect(existsSync(path.join(dir, name, 'run', '.last.new'))).toBe(false);
      expect(existsSync(path.join(dir, name, 'run', '.last.old'))).toBe(false);
    },
  );
});

describe('resume refuses what would break exactness', () => {
  beforeAll(() => {
    expectOk(train([...common, ...runArgs('flags'), '--max-steps', '2'], 'wasm'));
  });

  it.each([
    ['--seed', '6', '5'],
    ['--batch-size', '2', '4'],
    ['--max-words', '3', '20'],
    ['--clip-norm', '1', '5'],
    ['--weight-decay', '0.1', '0'],
    ['--lr', '0.001', '0.01'],
    ['--dropout', '0.1', '0.3'],
  ])('a changed %s (%s, run had %s) is one line naming the flag and both values, exit 2', (flag, value, was) => {
    const r = train([...withFlags(common, [flag!, value!]), ...runArgs('flags'), '--resume'], 'wasm');
    expect(r.code, r.stderr).toBe(2);
    const errors = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('train: '));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toContain(`${flag} is ${value}`);
    expect(errors[0]).toContain(`${flag} ${was}`);
  });

  it('the flags that do not change the run may change: --epochs, --patience, --val-limit, --max-steps', () => {
    const r = train(
      [
        ...withFlags(common, ['--epochs', '4'], ['--patience', '9'], ['--val-limit', '2'], ['--max-steps', '1']),
        ...runArgs('flags'),
        '--resume',
      ],
      'wasm',
    );
    expectOk(r);
  });

  it('a corrupt or truncated train-state.json is one line naming the file, exit 2', async () => {
    const file = path.join(dir, 'flags', 'run', 'last', 'train-state.json');
    const good = await fs.readFile(file, 'utf8');
    for (const bad of [good.slice(0, good.length / 2), good.replace('"step"', '"stepz"'), '[]']) {
      await fs.writeFile(file, bad);
      const r = train([...common, ...runArgs('flags'), '--resume'], 'wasm');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`train: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: corrupt training state`));
    }
    await fs.writeFile(file, good);
  });
});

describe('train script: bad input', () => {
  it('a missing dataset is a clear error (exit 2)', () => {
    const missing = train(
      ['--dataset', path.join(dir, 'nope.jsonl'), '--features', path.join(dir, 'features'), '--out', path.join(dir, 'C')],
      'wasm',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.jsonl: no such file/);
  });

  it('a NaN loss stops training with a clear message, before any weight is touched', async () => {
    const bad = path.join(dir, 'nan-features');
    const store = await FeatureStoreWriter.open(bad, { encoder: 'tiny-test-encoder', grid: { height: 2, width: 2 }, regions: 4, depth: 6 });
    for (let i = 0; i < 20; i++) await store.append({ key: `img${i}`, width: 8, height: 8 }, new Float32Array(24).fill(NaN));
    await store.close();
    const r = train([...withFlags(common, ['--features', bad]), ...runArgs('nan')], 'wasm');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/loss became NaN at step 0 \(epoch 1\); stopped without applying it/);
    await expect(fs.stat(path.join(dir, 'nan', 'best'))).rejects.toThrow(); // no best checkpoint from a broken run
  });
});
