/**
 * Encoder benchmark: ms per image of the MobileNet v1 α=1.0 encoder (conv_pw_11_relu, 14×14×512) on
 * batches of 1 and 16, for each backend (tensorflow = tfjs-node, wasm, cpu), each in its own process.
 * Median of timed runs after warm-up; a run is `encode` + reading the result back (`data()`).
 *
 *   npx tsx scripts/bench.ts encoder [--weights DIR] [--backends tensorflow,wasm,cpu] [--batches 1,16]
 *                                    [--runs 7] [--cpu-runs 3]
 *
 * --weights defaults to $CAPTION_SHARED_DIR (default ../shared)/weights/mobilenet_v1_1.0_224.
 * The cpu backend takes ~3 s per image: its part alone lasts minutes (skip it with --backends).
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, selectBackend, type BackendName } from '../../src/backend/select.js';
import { loadEncoder } from '../../src/encoder/index.js';
import { UserError } from '../../src/util/user-error.js';
import { median, reportToParent, runChild, sharedDir, timeRuns } from './measure.js';

interface BatchTiming {
  batch: number;
  runsMs: number[];
  msPerImage: number;
}

type BackendResult = { backend: BackendName; timings: BatchTiming[] } | { backend: BackendName; skipped: string };

interface Options {
  weights: string;
  backends: BackendName[];
  batches: number[];
  runs: number;
  cpuRuns: number;
}

function parseOptions(args: string[]): Options & { child?: BackendName } {
  const { values } = parseArgs({
    args,
    options: {
      weights: { type: 'string' },
      backends: { type: 'string', default: BACKEND_NAMES.join(',') },
      batches: { type: 'string', default: '1,16' },
      runs: { type: 'string', default: '7' },
      'cpu-runs': { type: 'string', default: '3' },
      child: { type: 'string' },
    },
  });
  const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
  const backends = list(values.backends).map((b) => {
    if (!(BACKEND_NAMES as readonly string[]).includes(b)) throw new UserError(`--backends: unknown backend "${b}"`);
    return b as BackendName;
  });
  const positive = (flag: string, s: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`--${flag}: expected a positive integer, got "${s}"`);
    return n;
  };
  const weights = path.resolve(values.weights ?? path.join(sharedDir(), 'weights', 'mobilenet_v1_1.0_224'));
  if (!existsSync(path.join(weights, 'model.json'))) {
    throw new UserError(`no MobileNet α=1.0 weights at ${weights}: pass --weights DIR or set CAPTION_SHARED_DIR`);
  }
  return {
    weights,
    backends,
    batches: list(values.batches).map((b) => positive('batches', b)),
    runs: positive('runs', values.runs),
    cpuRuns: positive('cpu-runs', values['cpu-runs']),
    ...(values.child ? { child: values.child as BackendName } : {}),
  };
}

/** In the child process: one backend, every batch size. */
async function measureBackend(backend: BackendName, o: Options): Promise<BackendResult> {
  try {
    await selectBackend({ requested: backend, log: () => {} });
  } catch (err) {
    return { backend, skipped: String((err as Error).message) };
  }
  const encoder = await loadEncoder({ source: o.weights });
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
    const runsMs = await timeRuns(once, warmup, runs);
    input.dispose();
    timings.push({ batch, runsMs, msPerImage: median(runsMs) / batch });
    const perImage = runsMs.map((ms) => (ms / batch).toFixed(1)).join(' ');
    process.stderr.write(`  ${backend}: batch ${batch}: ${(median(runsMs) / batch).toFixed(1)} ms/image (runs: ${perImage})\n`);
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
    `encoder benchmark: MobileNet v1 α=1.0 → conv_pw_11_relu [B, 196, 512]; weights ${o.weights}`,
    `ms per image, median of ${o.runs} runs (cpu: ${o.cpuRuns}) after warm-up (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
    '',
    `${'backend'.padEnd(12)}${o.batches.map((b) => `batch ${b}`.padStart(12)).join('')}`,
    ...results.map((r) =>
      'timings' in r
        ? `${r.backend.padEnd(12)}${o.batches.map((b) => cell(r, b)).join('')}`
        : `${r.backend.padEnd(12)}skipped: ${r.skipped}`,
    ),
  ];
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

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  if (o.child) {
    reportToParent(await measureBackend(o.child, o));
    return;
  }
  const results: BackendResult[] = [];
  for (const backend of o.backends) {
    process.stderr.write(`[bench] ${backend} ...\n`);
    results.push(await runChild<BackendResult>(['encoder', ...args, '--child', backend]));
  }
  printReport(results, o);
}
