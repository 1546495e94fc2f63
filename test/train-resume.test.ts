/**
 * `npm run train` in child processes, as a user runs it, for what cannot run in-process: a SIGKILL
 * mid-epoch, a kill at each point of a checkpoint swap or between the metrics and the checkpoint, and
 * the native backend with its fused kernels (required in CI). Each resumed run ends with exactly the
 * weights, Adam state and metrics of the uncut run. Every cut point, the refused flags and bad input
 * are tested in-process on WASM (train-resume-in-process.test.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint/checkpoint.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';
import { makeTinyRun, runArgs, runFingerprint, STEPS_PER_EPOCH, TOTAL_STEPS, withFlags, type TinyRun } from './tiny-run.js';

const nativeWhy = await nativeUnavailable();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRAIN_SCRIPT = path.join(repoRoot, 'scripts', 'train.ts');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** `npm run train` in a child process; awaited, so that this worker answers vitest while it runs. */
function train(args: string[], backend: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', TRAIN_SCRIPT, ...args], {
      cwd: repoRoot,
      env: { ...process.env, CAPTION_BACKEND: backend, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

let tiny: TinyRun;
let common: string[];
let dir: string;
const fingerprint = (name: string) => runFingerprint(dir, name);
const named = (name: string) => runArgs(dir, name);

beforeAll(async () => {
  tiny = await makeTinyRun('train-resume-');
  ({ common, dir } = tiny);
});
afterAll(async () => {
  await fs.rm(tiny.dir, { recursive: true, force: true });
});

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
      const r = await train([...common, ...named(`${backend}-straight`)], backend);
      expectOk(r);
      expect(r.stderr).toMatch(new RegExp(`compute backend: ${backend}`));
      // Training reads features: its native check covers the decoder alone (native-check.ts).
      if (backend === 'tensorflow')
        expect(r.stderr).toMatch(/compute backend: tensorflow \[.*oneDNN (on|off), (checked on the decoder alone|unchecked)/);
      straight = await fingerprint(`${backend}-straight`);
      const steps = JSON.parse(straight.state!).step;
      expect(steps).toBe(TOTAL_STEPS);
    });

    // In-process (WASM) every step is a cut point; here: the first step, an epoch boundary, mid-epoch.
    const cuts = backend === 'wasm' ? [5] : [1, 4, 5];
    it.each(cuts)('cut after step %i by --max-steps, resumed: byte-identical weights, Adam state, metrics', async (k) => {
      const name = `${backend}-cut${k}`;
      expectOk(await train([...common, ...named(name), '--max-steps', String(k)], backend));
      const resumed = await train([...common, ...named(name), '--resume'], backend);
      expectOk(resumed);
      const epoch = Math.floor(k / STEPS_PER_EPOCH);
      expect(resumed.stderr).toContain(`at epoch ${epoch + 1}, batch ${k % STEPS_PER_EPOCH}, step ${k}`);
      expect(await fingerprint(name)).toEqual(straight);
    });

    if (backend === 'tensorflow')
      it('self-critical training from the best checkpoint, cut after step 3 and resumed: identical', async () => {
        const scst = (name: string, ...extra: string[]) =>
          train(
            [
              ...withFlags(common, ['--epochs', '2'], ['--lr', '0.002']),
              ...named(name),
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
        const whole = await scst(`${backend}-scst`);
        expectOk(whole);
        expect(whole.stderr).toMatch(/self-critical: 3 samples per image of 16 images/);
        expect(whole.stderr).toMatch(/mean sampled reward [0-9.]+/);
        const want = await fingerprint(`${backend}-scst`);
        expectOk(await scst(`${backend}-scst-cut3`, '--max-steps', '3'));
        expectOk(await scst(`${backend}-scst-cut3`, '--resume'));
        expect(await fingerprint(`${backend}-scst-cut3`)).toEqual(want);
      });

    if (backend === 'tensorflow')
      it('hard attention (sampled regions, the moving-average baseline in the state), cut after step 3 and resumed: identical', async () => {
        const hard = (name: string, ...extra: string[]) =>
          train([...withFlags(common, ['--epochs', '2']), ...named(name), '--attention', 'hard', ...extra], backend);
        expectOk(await hard(`${backend}-hard`));
        const want = await fingerprint(`${backend}-hard`);
        const baseline = JSON.parse(want.state!).objective.baseline;
        expect(baseline).toBeLessThan(0); // it learned from sampled minibatches (log p < 0)
        expectOk(await hard(`${backend}-hard-cut3`, '--max-steps', '3'));
        expectOk(await hard(`${backend}-hard-cut3`, '--resume'));
        expect(await fingerprint(`${backend}-hard-cut3`)).toEqual(want);
      });

    it('killed with SIGKILL in the middle of an epoch, resumed: identical to the uncut run', async () => {
      const name = `${backend}-sigkill`;
      const lastState = path.join(dir, name, 'run', 'last', 'train-state.json');
      const child = spawn(process.execPath, ['--import', 'tsx', TRAIN_SCRIPT, ...common, ...named(name), '--checkpoint-every', '1'], {
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
      const resumed = await train([...common, ...named(name), '--checkpoint-every', '1', '--resume'], backend);
      expectOk(resumed);
      expect(resumed.stderr).toMatch(/resuming .* at epoch \d, batch \d, step (\d+)/);
      expect(await fingerprint(name)).toEqual(straight);
    });
  });
}

describe('crash safety (WASM)', () => {
  let straight: Record<string, string>;
  beforeAll(async () => {
    expectOk(await train([...common, ...named('faults-straight')], 'wasm'));
    straight = await fingerprint('faults-straight');
  });

  it.each(['checkpoint:built', 'checkpoint:old-moved', 'checkpoint:new-moved', 'train:metrics-written'])(
    'a kill at %s leaves a checkpoint to resume from, and the resumed run is exact with no epoch logged twice',
    async (point) => {
      const name = `fault-${point.replace(':', '-')}`;
      // The first save of `last` after step 6 meets the fault: cut at 6 by budget, then resume with the fault armed.
      expectOk(await train([...common, ...named(name), '--max-steps', '6'], 'wasm'));
      const killed = await train([...common, ...named(name), '--resume'], 'wasm', { CAPTION_TEST_KILL_AT: point });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const layout = async () => (await fs.readdir(path.join(dir, name, 'run'))).sort();
      const before = await layout();
      const last = await loadCheckpoint(path.join(dir, name, 'run', 'last'), { withResume: true });
      expect(await layout()).toEqual(before); // a reader never moves or deletes (a save may be running)
      expect((last.resume!.state as { step: number }).step).toBeGreaterThanOrEqual(6);
      const resumed = await train([...common, ...named(name), '--resume'], 'wasm');
      expectOk(resumed);
      const fp = await fingerprint(name);
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
