/**
 * What each fast path is worth: the training step (forward, backward, clipping, Adam) and beam-3
 * decoding at the reference sizes with every fast path on, and with each one alone turned off (its op
 * runs the plain-tfjs reference: `CAPTION_FAST_PATHS=-name`), alternated within each round (the order
 * reversed every other round), per backend in its own process. A ratio off/on above 1 is what the
 * fast path saves; medians over rounds, with each round's load average.
 *
 *   npm run bench -- fast-paths [--backends tensorflow,wasm] [--rounds 5] [--steps 3] [--ops matMul,tanh]
 */
import * as os from 'node:os';
import { hideBin } from 'yargs/helpers';
import { fastPathsFor, setFastPaths, type FastPathName, type FastPathsSetting } from '../../src/fast-paths/dispatch.js';
import { FAST_PATH_NAMES } from '../../src/fast-paths/types.js';
import { selectBackend, type BackendName } from '../../src/backend/select.js';
import { beamSearch } from '../../src/search/beam.js';
import { requireInteger, type SubcommandSpec } from '../../src/cli/command.js';
import { checkBackendList, median, reportToParent, runChild, timeRuns } from './measure.js';
import { referenceTraining, SIZES } from './train.js';

/** One configuration's times in one round: median training step and beam-3 decoding of the batch, ms. */
interface Timing {
  stepMs: number;
  beamMs: number;
}

interface Result {
  backend: BackendName;
  skipped?: string;
  /** The ops with a fast path on this backend, in the order measured in round 1. */
  names?: FastPathName[];
  /** Per round: the load average, all on, and each op off. */
  rounds?: { load: number; on: Timing; off: Partial<Record<FastPathName, Timing>> }[];
}

async function measure(backend: BackendName, rounds: number, steps: number, ops: readonly string[]): Promise<Result> {
  try {
    await selectBackend({ requested: backend, log: () => {}, work: 'decoder-only' }); // as `train` runs
  } catch (err) {
    return { backend, skipped: (err as Error).message };
  }
  const names = (Object.keys(fastPathsFor(backend)) as FastPathName[]).filter((n) => ops.length === 0 || ops.includes(n));
  const { decoder, features, step, dispose } = referenceTraining();
  const time = async (setting: FastPathsSetting): Promise<Timing> => {
    setFastPaths(setting);
    const stepMs = median(await timeRuns(step, 1, steps));
    const beamMs = median(
      await timeRuns(
        async () => {
          beamSearch(decoder, features, { maxLength: SIZES.T, beamSize: 3 });
        },
        1,
        3,
      ),
    );
    return { stepMs, beamMs };
  };
  await time('on'); // warm-up: the first steps and decodings of a process run slower
  await time('on');
  const out: NonNullable<Result['rounds']> = [];
  for (let r = 0; r < rounds; r++) {
    const load = os.loadavg()[0]!;
    const order: (FastPathName | 'on')[] = ['on', ...names];
    if (r % 2 === 1) order.reverse();
    const off: Partial<Record<FastPathName, Timing>> = {};
    let on: Timing | undefined;
    for (const what of order) {
      const t = await time(what === 'on' ? 'on' : { except: [what] });
      if (what === 'on') on = t;
      else off[what] = t;
      process.stderr.write(
        `  ${backend} round ${r + 1}: ${what === 'on' ? 'all on' : `-${what}`} step ${t.stepMs.toFixed(0)} ms, beam ${t.beamMs.toFixed(0)} ms\n`,
      );
    }
    out.push({ load, on: on!, off });
  }
  setFastPaths('on');
  dispose();
  return { backend, names, rounds: out };
}

function report(results: Result[], steps: number): void {
  const s = SIZES;
  const lines = [
    `fast-path benchmark: training step (B=${s.B} L=${s.L} D=${s.D} E=${s.E} H=${s.H} A=${s.A} V=${s.V} T=${s.T}) and beam-3 decoding of the ${s.B} images`,
    `each figure the median of ${steps} steps (3 decodings) after one warm-up; ratio = time with the op's fast path off / all on, same round; median over rounds`,
  ];
  for (const r of results) {
    lines.push('');
    if (r.skipped) {
      lines.push(`${r.backend}: skipped: ${r.skipped}`);
      continue;
    }
    const rounds = r.rounds!;
    lines.push(
      `${r.backend}: ${rounds.length} rounds, load ${rounds.map((x) => x.load.toFixed(1)).join(' ')}; all on: step ${median(rounds.map((x) => x.on.stepMs)).toFixed(0)} ms, beam ${median(rounds.map((x) => x.on.beamMs)).toFixed(0)} ms`,
    );
    lines.push(
      `${'fast path off'.padEnd(22)}${'step off/on'.padStart(12)}  ${'per round'.padEnd(30)}${'beam off/on'.padStart(12)}  per round`,
    );
    for (const name of r.names!) {
      const stepRatios = rounds.map((x) => x.off[name]!.stepMs / x.on.stepMs);
      const beamRatios = rounds.map((x) => x.off[name]!.beamMs / x.on.beamMs);
      const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
      lines.push(
        `${name.padEnd(22)}${median(stepRatios).toFixed(2).padStart(12)}  ${fmt(stepRatios).padEnd(30)}${median(beamRatios).toFixed(2).padStart(12)}  ${fmt(beamRatios)}`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface FastPathsBenchArgs {
  backends: string;
  rounds: number;
  steps: number;
  ops: string | undefined;
  child: string | undefined;
}

export const fastPathsBenchmark: SubcommandSpec<FastPathsBenchArgs> = {
  command: 'fast-paths',
  description: "each fast path's worth: training step and beam-3 decoding with it off vs all on, alternated, per backend",
  options: (y) =>
    y
      .option('backends', { type: 'string', default: 'tensorflow,wasm', describe: 'comma-separated backends, each in its own process' })
      .option('rounds', { type: 'number', default: 5, describe: 'rounds (the order reversed every other round)' })
      .option('steps', { type: 'number', default: 3, describe: 'timed training steps per configuration and round (median)' })
      .option('ops', { type: 'string', describe: 'comma-separated ops to measure (default: every fast path of the backend)' })
      .option('child', { type: 'string', hidden: true })
      .check((a) => {
        checkBackendList(a.backends);
        requireInteger(a, ['steps', 'rounds']);
        for (const op of a.ops?.split(',') ?? [])
          if (!(FAST_PATH_NAMES as readonly string[]).includes(op)) throw new Error(`--ops: unknown fast path "${op}"`);
        return true;
      }),
  run: async (args) => {
    if (args.child) {
      reportToParent(await measure(args.child as BackendName, args.rounds, args.steps, args.ops?.split(',') ?? []));
      return;
    }
    const results: Result[] = [];
    for (const backend of args.backends.split(',') as BackendName[]) {
      process.stderr.write(`[bench] ${backend} ...\n`);
      results.push(await runChild<Result>([...hideBin(process.argv), '--child', backend]));
    }
    report(results, args.steps);
  },
};
