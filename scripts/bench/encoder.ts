/**
 * Encoder benchmark: ms per image of the MobileNet v1 α=1.0 encoder (conv_pw_11_relu, 14×14×512) on
 * batches of 1 and 16, for each backend (tensorflow = tfjs-node, wasm, cpu), each in its own process.
 * Median of timed runs after warm-up; a run is `encode` + reading the result back (`data()`).
 *
 *   npm run bench -- encoder [--variant V] [--weights DIR] [--backends tensorflow,wasm,cpu] [--batches 1,16]
 *                                    [--runs 7] [--cpu-runs 3] [--compare-folded]
 *
 * --compare-folded alternates the encoder's fast path on and off (`network`, folded-network.ts, against
 * Keras's `predict`: CAPTION_FAST_PATHS=-network) run by run, the order reversed every other run, and
 * reports the median of the runs' Keras/folded ratios: above 1 is what folding saves.
 *
 * --weights defaults to $CAPTION_SHARED_DIR (default ../shared)/weights/mobilenet_v1_1.0_224.
 * The cpu backend takes ~3 s per image: its part alone lasts minutes (skip it with --backends).
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hideBin } from 'yargs/helpers';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, selectBackend, type BackendName } from '../../src/backend/select.js';
import { loadEncoder } from '../../src/encoder/index.js';
import { setFastPaths } from '../../src/fast-paths/dispatch.js';
import { requireInteger, type SubcommandSpec } from '../../src/cli/command.js';
import { weightsSource } from '../../src/encoder/weights-source.js';
import { UserError } from '../../src/util/user-error.js';
import { checkBackendList, median, reportToParent, runChild, sharedDir, timeRuns } from './measure.js';

interface BatchTiming {
  batch: number;
  runsMs: number[];
  msPerImage: number;
  /** With --compare-folded: the same runs with the `network` fast path off (Keras), and each run's Keras/folded ratio. */
  offMs?: number[];
  ratios?: number[];
}

type BackendResult = { backend: BackendName; timings: BatchTiming[] } | { backend: BackendName; skipped: string };

interface EncoderBenchArgs {
  variant: string;
  weights: string | undefined;
  backends: string;
  batches: string;
  runs: number;
  'cpu-runs': number;
  'compare-folded': boolean;
  child: string | undefined;
}

interface Options {
  variant: string;
  weights: string;
  backends: BackendName[];
  batches: number[];
  runs: number;
  cpuRuns: number;
  compare: boolean;
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export const encoderBenchmark: SubcommandSpec<EncoderBenchArgs> = {
  command: 'encoder',
  description: 'ms per image of an encoder, batch 1 and 16, on each backend',
  options: (y) =>
    y
      .option('variant', { type: 'string', default: 'mobilenet_v1_1.0', describe: 'encoder variant' })
      .option('weights', {
        type: 'string',
        describe: 'its weights folder [default: $CAPTION_MOBILENET, else $CAPTION_SHARED_DIR/weights/mobilenet_v1_1.0_224]',
      })
      .option('backends', {
        type: 'string',
        default: BACKEND_NAMES.join(','),
        describe: 'comma-separated backends, each in its own process',
      })
      .option('batches', { type: 'string', default: '1,16', describe: 'comma-separated batch sizes' })
      .option('runs', { type: 'number', default: 7, describe: 'timed runs per batch size (median reported)' })
      .option('cpu-runs', { type: 'number', default: 3, describe: 'timed runs on the pure-JS cpu backend' })
      .option('compare-folded', {
        type: 'boolean',
        default: false,
        describe: "alternate the encoder's fast path (folded convolutions) on and off, run by run; report Keras/folded ratios",
      })
      .option('child', { type: 'string', hidden: true })
      .check((a) => {
        checkBackendList(a.backends);
        for (const b of list(a.batches)) if (!/^[1-9]\d*$/.test(b)) throw new Error(`--batches: expected positive integers, got "${b}"`);
        requireInteger(a, ['runs', 'cpu-runs']);
        return true;
      }),
  run: async (args) => {
    const weights = path.resolve(weightsSource(args.weights) ?? path.join(sharedDir(), 'weights', 'mobilenet_v1_1.0_224'));
    if (!existsSync(path.join(weights, 'model.json')))
      throw new UserError(`no encoder weights at ${weights}: pass --weights DIR or set CAPTION_SHARED_DIR`);
    const o: Options = {
      variant: args.variant,
      weights,
      backends: list(args.backends) as BackendName[],
      batches: list(args.batches).map(Number),
      runs: args.runs,
      cpuRuns: args['cpu-runs'],
      compare: args['compare-folded'],
    };
    if (args.child) {
      reportToParent(await measureBackend(args.child as BackendName, o));
      return;
    }
    const results: BackendResult[] = [];
    for (const backend of o.backends) {
      process.stderr.write(`[bench] ${backend} ...\n`);
      results.push(await runChild<BackendResult>([...hideBin(process.argv), '--child', backend]));
    }
    printReport(results, o);
  },
};

/** In the child process: one backend, every batch size. */
async function measureBackend(backend: BackendName, o: Options): Promise<BackendResult> {
  try {
    await selectBackend({ requested: backend, log: () => {} });
  } catch (err) {
    return { backend, skipped: String((err as Error).message) };
  }
  const encoder = await loadEncoder({ variant: o.variant, source: o.weights });
  const runs = backend === 'cpu' ? o.cpuRuns : o.runs;
  const timings: BatchTiming[] = [];
  for (const [i, batch] of o.batches.entries()) {
    // The CPU backend has no per-shape setup to warm: one warm-up run in all (a batch of 16 is ~1 min).
    const warmup = backend === 'cpu' ? (i === 0 ? 1 : 0) : 2;
    const size = encoder.inputSize;
    const input = tf.randomUniform([batch, size, size, 3], 0, 255, 'float32') as tf.Tensor4D; // [B, S, S, 3]
    const once = async (): Promise<void> => {
      const features = encoder.encode(input); // [B, L, D]
      await features.data();
      features.dispose();
    };
    if (o.compare) {
      const on: number[] = [];
      const off: number[] = [];
      const folded = (yes: boolean) => setFastPaths(yes ? 'on' : { except: ['network'] });
      for (const yes of [true, false]) {
        folded(yes);
        await timeRuns(once, warmup, 0);
      }
      for (let r = 0; r < runs; r++) {
        for (const yes of r % 2 ? [false, true] : [true, false]) {
          folded(yes);
          (yes ? on : off).push(...(await timeRuns(once, 0, 1)));
        }
      }
      setFastPaths('on');
      const ratios = off.map((ms, r) => ms / on[r]!);
      timings.push({ batch, runsMs: on, msPerImage: median(on) / batch, offMs: off, ratios });
      process.stderr.write(
        `  ${backend}: batch ${batch}: folded ${(median(on) / batch).toFixed(1)}, Keras ${(median(off) / batch).toFixed(1)} ms/image; ` +
          `Keras/folded ${median(ratios).toFixed(2)} (runs: ${ratios.map((x) => x.toFixed(2)).join(' ')})\n`,
      );
    } else {
      const runsMs = await timeRuns(once, warmup, runs);
      timings.push({ batch, runsMs, msPerImage: median(runsMs) / batch });
      const perImage = runsMs.map((ms) => (ms / batch).toFixed(1)).join(' ');
      process.stderr.write(`  ${backend}: batch ${batch}: ${(median(runsMs) / batch).toFixed(1)} ms/image (runs: ${perImage})\n`);
    }
    input.dispose();
  }
  encoder.dispose();
  return { backend, timings };
}

function printReport(results: BackendResult[], o: Options): void {
  const measured = results.filter((r): r is Extract<BackendResult, { timings: BatchTiming[] }> => 'timings' in r);
  const cell = (r: (typeof measured)[number], batch: number): string => {
    const t = r.timings.find((x) => x.batch === batch);
    return t ? `${t.msPerImage.toFixed(1)}`.padStart(12) : '-'.padStart(12);
  };
  const lines = [
    `encoder benchmark: ${o.variant}; weights ${o.weights}`,
    `ms per image, median of ${o.runs} runs (cpu: ${o.cpuRuns}) after warm-up (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
    '',
    `${'backend'.padEnd(12)}${o.batches.map((b) => `batch ${b}`.padStart(12)).join('')}`,
    ...results.map((r) =>
      'timings' in r
        ? `${r.backend.padEnd(12)}${o.batches.map((b) => cell(r, b)).join('')}`
        : `${r.backend.padEnd(12)}skipped: ${r.skipped}`,
    ),
  ];
  if (o.compare) {
    lines.push('', 'Keras predict / folded network, per run (order alternated), median and range:');
    for (const r of measured) {
      for (const t of r.timings) {
        if (!t.ratios || !t.offMs) continue;
        const perImage = (ms: number[]) => (median(ms) / t.batch).toFixed(1);
        const range = `${Math.min(...t.ratios).toFixed(2)}–${Math.max(...t.ratios).toFixed(2)}`;
        lines.push(
          `  ${r.backend} batch ${t.batch}: folded ${perImage(t.runsMs)}, Keras ${perImage(t.offMs)} ms/image; Keras/folded ${median(t.ratios).toFixed(2)} (${range})`,
        );
      }
    }
  }
  for (const batch of o.batches) {
    const at = measured
      .map((r) => ({ backend: r.backend, ms: r.timings.find((t) => t.batch === batch)?.msPerImage }))
      .filter((x): x is { backend: BackendName; ms: number } => x.ms !== undefined)
      .sort((a, b) => a.ms - b.ms);
    const fastest = at[0];
    if (!fastest || at.length < 2) continue;
    const ratios = at.slice(1).map((x) => `${x.backend} ${(x.ms / fastest.ms).toFixed(1)}× slower`);
    lines.push(`batch ${batch}: ${fastest.backend} fastest; ${ratios.join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
