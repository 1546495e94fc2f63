/**
 * The `train` command run in this process (the trainer is a library function): a run cut after any
 * step by a step budget and continued with --resume ends with exactly the weights, Adam state and
 * metrics of the uncut run — at every cut point, for cross-entropy, self-critical and hard-attention
 * training. Resume refuses changed flags; corrupt state and bad input are one line, exit 2.
 * The kills (SIGKILL, a kill inside a checkpoint swap) and the native backend need real processes:
 * train-resume.test.ts.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStoreWriter } from '../src/data/feature-store.js';
import { makeTinyRun, runArgs, runFingerprint, STEPS_PER_EPOCH, TOTAL_STEPS, trainInProcess, withFlags, type TinyRun } from './tiny-run.js';

type Run = Awaited<ReturnType<typeof trainInProcess>>;
const train = trainInProcess;

function expectOk(r: Run): void {
  expect(r.code, r.stderr).toBe(0);
}

let tiny: TinyRun;
const fingerprint = (name: string) => runFingerprint(tiny.dir, name);
const named = (name: string) => runArgs(tiny.dir, name);

beforeAll(async () => {
  tiny = await makeTinyRun('train-resume-in-process-');
});
afterAll(async () => {
  await fs.rm(tiny.dir, { recursive: true, force: true });
});

describe('exact resume at every cut point', () => {
  let straight: Record<string, string>;
  beforeAll(async () => {
    const r = await train([...tiny.common, ...named('straight')]);
    expectOk(r);
    expect(r.stderr).toMatch(/compute backend: wasm/);
    straight = await fingerprint('straight');
    expect(JSON.parse(straight.state!).step).toBe(TOTAL_STEPS);
  });

  // Every step of the run: inside epochs, on their boundaries, where pow(β, t) and Adam's running
  // product differ in float32 (steps 1–3, 5).
  it.each(Array.from({ length: TOTAL_STEPS - 1 }, (_, i) => i + 1))(
    'cut after step %i by --max-steps, resumed: byte-identical weights, Adam state, metrics',
    async (k) => {
      const name = `cut${k}`;
      expectOk(await train([...tiny.common, ...named(name), '--max-steps', String(k)]));
      const resumed = await train([...tiny.common, ...named(name), '--resume']);
      expectOk(resumed);
      const epoch = Math.floor(k / STEPS_PER_EPOCH);
      expect(resumed.stderr).toContain(`at epoch ${epoch + 1}, batch ${k % STEPS_PER_EPOCH}, step ${k}`);
      expect(await fingerprint(name)).toEqual(straight);
    },
  );

  it('cut twice (after steps 2 and 7), resumed twice: identical', async () => {
    expectOk(await train([...tiny.common, ...named('twice'), '--max-steps', '2']));
    expectOk(await train([...tiny.common, ...named('twice'), '--resume', '--max-steps', '5']));
    expectOk(await train([...tiny.common, ...named('twice'), '--resume']));
    expect(await fingerprint('twice')).toEqual(straight);
  });

  it('self-critical training from the best checkpoint, cut after steps 1, 3, 4 and 6 of its 8 and resumed: identical', async () => {
    const scst = (name: string, ...extra: string[]) =>
      train([
        ...withFlags(tiny.common, ['--epochs', '2'], ['--lr', '0.002']),
        ...named(name),
        '--objective',
        'scst',
        '--init-from',
        path.join(tiny.dir, 'straight', 'best'),
        '--scst-samples',
        '3',
        ...extra,
      ]);
    const whole = await scst('scst');
    expectOk(whole);
    expect(whole.stderr).toMatch(/self-critical: 3 samples per image of 16 images/);
    expect(whole.stderr).toMatch(/mean sampled reward [0-9.]+/);
    const want = await fingerprint('scst');
    for (const k of [1, 3, 4, 6]) {
      const name = `scst-cut${k}`;
      expectOk(await scst(name, '--max-steps', String(k)));
      expectOk(await scst(name, '--resume'));
      expect(await fingerprint(name), `cut after step ${k}`).toEqual(want);
    }
  });

  it('hard attention (sampled regions, the moving-average baseline in the state), cut after each of its 8 steps and resumed: identical', async () => {
    const hard = (name: string, ...extra: string[]) =>
      train([...withFlags(tiny.common, ['--epochs', '2']), ...named(name), '--attention', 'hard', ...extra]);
    expectOk(await hard('hard'));
    const want = await fingerprint('hard');
    expect(JSON.parse(want.state!).objective.baseline).toBeLessThan(0); // it learned from sampled minibatches (log p < 0)
    for (let k = 1; k < 8; k++) {
      const name = `hard-cut${k}`;
      expectOk(await hard(name, '--max-steps', String(k)));
      expectOk(await hard(name, '--resume'));
      expect(await fingerprint(name), `cut after step ${k}`).toEqual(want);
    }
    const changed = await hard('hard-cut6', '--resume', '--hard-entropy', '0.01');
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/--hard-entropy is 0\.01 but the run .* was started with --hard-entropy 0\.002/);
  });
});

describe('resume refuses what would break exactness', () => {
  beforeAll(async () => {
    expectOk(await train([...tiny.common, ...named('flags'), '--max-steps', '2']));
  });

  it.each([
    ['--seed', '6', '5'],
    ['--batch-size', '2', '4'],
    ['--max-words', '3', '20'],
    ['--clip-norm', '1', '5'],
    ['--weight-decay', '0.1', '0'],
    ['--lr', '0.001', '0.01'],
    ['--dropout', '0.1', '0.3'],
  ])('a changed %s (%s, run had %s) is one line naming the flag and both values, exit 2', async (flag, value, was) => {
    const r = await train([...withFlags(tiny.common, [flag!, value!]), ...named('flags'), '--resume']);
    expect(r.code, r.stderr).toBe(2);
    const errors = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('train: '));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toContain(`${flag} is ${value}`);
    expect(errors[0]).toContain(`${flag} ${was}`);
  });

  it('the flags that do not change the run may change: --epochs, --patience, --val-limit, --max-steps', async () => {
    const flags = withFlags(tiny.common, ['--epochs', '4'], ['--patience', '9'], ['--val-limit', '2'], ['--max-steps', '1']);
    expectOk(await train([...flags, ...named('flags'), '--resume']));
  });

  it('a corrupt or truncated train-state.json is one line naming the file, exit 2', async () => {
    const file = path.join(tiny.dir, 'flags', 'run', 'last', 'train-state.json');
    const good = await fs.readFile(file, 'utf8');
    for (const bad of [good.slice(0, good.length / 2), good.replace('"step"', '"stepz"'), '[]']) {
      await fs.writeFile(file, bad);
      const r = await train([...tiny.common, ...named('flags'), '--resume']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`train: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: corrupt training state`));
    }
    await fs.writeFile(file, good);
  });
});

describe('train: bad input', () => {
  it('a missing dataset is a clear error (exit 2)', async () => {
    const missing = await train([
      '--dataset',
      path.join(tiny.dir, 'nope.jsonl'),
      '--features',
      path.join(tiny.dir, 'features'),
      '--out',
      path.join(tiny.dir, 'C'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.jsonl: no such file/);
  });

  it('a NaN loss stops training with a clear message, before any weight is touched', async () => {
    const bad = path.join(tiny.dir, 'nan-features');
    const store = await FeatureStoreWriter.open(bad, { encoder: 'tiny-test-encoder', grid: { height: 2, width: 2 }, regions: 4, depth: 6 });
    for (let i = 0; i < 20; i++) await store.append({ key: `img${i}`, width: 8, height: 8 }, new Float32Array(24).fill(NaN));
    await store.close();
    const r = await train([...withFlags(tiny.common, ['--features', bad]), ...named('nan')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/loss became NaN at step 0 \(epoch 1\); stopped without applying it/);
    await expect(fs.stat(path.join(tiny.dir, 'nan', 'best'))).rejects.toThrow(); // no best checkpoint from a broken run
  });
});
