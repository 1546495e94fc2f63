/**
 * Training-step benchmark at the reference sizes (B=32, L=196, D=512, E=256, H=512, A=256, V=5000,
 * T=16; ≈ 19.5 GFLOP forward + backward): one step = forward, backward, gradient clipping and Adam,
 * as the trainer runs it. Also the forward pass alone, greedy and beam-3 captions per second, and with
 * --profile the phases of a step (gradients, clipping, Adam) and the kernels where its time goes;
 * --scst and --hard time the self-critical and hard-attention objectives' steps beside it.
 * Each backend runs in its own process.
 *
 *   npx tsx scripts/bench.ts train [--backends tensorflow,wasm] [--steps 5] [--warmup 2] [--profile] [--scst] [--hard]
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { hideBin } from 'yargs/helpers';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../../src/backend/select.js';
import { beamSearch } from '../../src/search/beam.js';
import { greedyDecode } from '../../src/search/greedy.js';
import { Vocabulary } from '../../src/data/vocabulary.js';
import { createDecoder, type AttentionDecoder } from '../../src/decoder/decoder.js';
import { CiderReward } from '../../src/train/cider-reward.js';
import { selfCriticalObjective } from '../../src/train/self-critical.js';
import { HARD_ATTENTION_DEFAULTS, hardAttentionObjective } from '../../src/train/hard-attention.js';
import type { Objective, StepContext } from '../../src/train/objective.js';
import { mulberry32 } from '../../src/util/random.js';
import { clipByGlobalNorm } from '../../src/train/clip-gradients.js';
import { createAdam } from '../../src/train/adam.js';
import { requireInteger, type SubcommandSpec } from '../../src/cli/command.js';
import { checkBackendList, median, reportToParent, runChild, timeRuns } from './measure.js';

export const SIZES = { B: 32, L: 196, D: 512, E: 256, H: 512, A: 256, V: 5000, T: 16 };

interface Result {
  backend: BackendName;
  skipped?: string;
  /** The backend's log line detail, e.g. "fused kernels; oneDNN on, checked on the decoder alone". */
  setting?: string;
  stepMs?: number[];
  forwardMs?: number[];
  greedyPerSec?: number;
  beam3PerSec?: number;
  kernels?: { name: string; ms: number; calls: number }[];
  /** With --profile: median ms of a step's phases (gradients, clipping, Adam). */
  phases?: { gradients: number; clipping: number; adam: number };
  /** With --scst: self-critical steps over B images × 5 samples (sampling, reward, fwd+bwd, Adam). */
  scstStepMs?: number[];
  /** With --hard: median ms of hard-attention steps with sampled regions and with the expected context. */
  hardStepMs?: { sampled: number; expected: number };
}

const SCST_SAMPLES = 5;

/** Steps of a training objective as the trainer runs them (prepare, loss and gradients, afterStep, clipping, Adam). */
async function objectiveSteps(
  decoder: AttentionDecoder,
  objective: Objective<unknown>,
  batch: StepContext['batch'],
  keys: readonly string[],
  steps: number,
  lr: number,
): Promise<number[]> {
  const optimizer = createAdam(lr, decoder.getWeights());
  const vars = decoder.trainableVariables();
  let n = 0;
  const times = await timeRuns(
    async () => {
      const ctx: StepContext = { decoder, batch, keys, step: n++, dropoutSeed: 1 };
      const prepared = objective.prepare(ctx);
      const { value, grads } = tf.variableGrads(() => objective.loss(ctx, prepared).loss, vars);
      objective.afterStep?.(prepared);
      objective.release(prepared);
      const clipped = clipByGlobalNorm(grads, 5);
      optimizer.applyGradients(clipped.grads);
      await value.data();
      tf.dispose([value, clipped.norm, ...Object.values(grads), ...Object.values(clipped.grads)]);
    },
    1,
    steps,
  );
  optimizer.dispose();
  return times;
}

/** A self-critical step at the reference sizes; random weights sample to full length. */
async function scstSteps(decoder: AttentionDecoder, features: tf.Tensor3D, steps: number): Promise<number[]> {
  const { B, V, T } = SIZES;
  const words = Array.from({ length: V - 4 }, (_, i) => `w${i}`);
  const vocab = Vocabulary.build([words]);
  const rng = mulberry32(4);
  const keys = Array.from({ length: B }, (_, b) => `img${b}`);
  const refs = new Map(
    keys.map((k) => [k, Array.from({ length: 5 }, () => Array.from({ length: 10 }, () => words[Math.floor(rng() * words.length)]!))]),
  );
  const objective = selfCriticalObjective({ reward: new CiderReward(refs), vocab, samples: SCST_SAMPLES, maxWords: T, seed: 1 });
  const batch = { features, tokens: tf.zeros([B, 2], 'int32') as tf.Tensor2D, mask: tf.ones([B, 2]) as tf.Tensor2D, targetCount: B };
  const times = await objectiveSteps(decoder, objective as Objective<unknown>, batch, keys, steps, 1e-5);
  tf.dispose([batch.tokens, batch.mask]);
  return times;
}

/**
 * Hard-attention steps (published settings) on the cross-entropy step's batch, the two kinds of
 * minibatch timed apart (sampled regions: the bound's estimator; the expected context: soft attention
 * with the hard objective's bookkeeping); training draws each with probability 0.5.
 */
async function hardSteps(
  decoder: AttentionDecoder,
  batch: StepContext['batch'],
  steps: number,
): Promise<{ sampled: number; expected: number }> {
  const keys = Array.from({ length: SIZES.B }, (_, b) => `img${b}`);
  const kinds = { sampled: [] as number[], expected: [] as number[] };
  for (const kind of ['sampled', 'expected'] as const) {
    const objective = hardAttentionObjective({ seed: 1, ...HARD_ATTENTION_DEFAULTS, expectedProbability: kind === 'expected' ? 1 : 0 });
    kinds[kind] = await objectiveSteps(decoder, objective as Objective<unknown>, batch, keys, steps, 1e-4);
  }
  return { sampled: median(kinds.sampled), expected: median(kinds.expected) };
}

/** A decoder at the reference sizes, a random batch, and one training step as the trainer runs it. */
export function referenceTraining() {
  const { B, L, D, E, H, A, V, T } = SIZES;
  const decoder = createDecoder({ vocabSize: V, featureDim: D, embedDim: E, hiddenDim: H, attentionDim: A, seed: 1 });
  const features = tf.tidy(() => tf.relu(tf.randomNormal([B, L, D], 0, 1, 'float32', 1)) as tf.Tensor3D); // [B, L, D]
  const tokens = tf.tidy(() => tf.concat([tf.fill([B, 1], 1, 'int32'), tf.randomUniform([B, T], 4, V, 'int32', 2)], 1) as tf.Tensor2D); // [B, T + 1]
  const mask = tf.ones([B, T + 1]) as tf.Tensor2D; // [B, T + 1]
  const optimizer = createAdam(1e-4, decoder.getWeights());
  const vars = decoder.trainableVariables();
  const step = async (): Promise<void> => {
    const { value, grads } = tf.variableGrads(
      () => decoder.computeLoss(features, tokens, mask, { training: true, dropoutSeed: 1 }).loss,
      vars,
    );
    const clipped = clipByGlobalNorm(grads, 5);
    optimizer.applyGradients(clipped.grads);
    await value.data();
    tf.dispose([value, clipped.norm, ...Object.values(grads), ...Object.values(clipped.grads)]);
  };
  const dispose = () => {
    tf.dispose([features, tokens, mask]);
    decoder.dispose();
    optimizer.dispose();
  };
  return { decoder, features, tokens, mask, optimizer, vars, step, dispose };
}

async function measure(
  backend: BackendName,
  steps: number,
  warmup: number,
  profile: boolean,
  scst: boolean,
  hard: boolean,
): Promise<Result> {
  let setting = '';
  try {
    const log = (line: string) => (setting = /\[([^\]]*)\]$/.exec(line)?.[1] ?? '');
    await selectBackend({ requested: backend, log, work: 'decoder-only' }); // as `train` runs
  } catch (err) {
    return { backend, skipped: (err as Error).message };
  }
  const { B, T } = SIZES;
  const { decoder, features, tokens, mask, optimizer, vars, step, dispose } = referenceTraining();
  const stepMs = await timeRuns(step, warmup, steps);
  process.stderr.write(`  ${backend}: step ${median(stepMs).toFixed(0)} ms (runs: ${stepMs.map((x) => x.toFixed(0)).join(' ')})\n`);
  const forwardMs = await timeRuns(
    async () => {
      const l = tf.tidy(() => decoder.computeLoss(features, tokens, mask).loss);
      await l.data();
      l.dispose();
    },
    1,
    steps,
  );
  // Decoding from random weights rarely emits <end>: every caption runs to maxLength (worst case).
  const decodeRate = async (beam: number): Promise<number> => {
    const ms = await timeRuns(
      async () => {
        if (beam === 1) greedyDecode(decoder, features, { maxLength: T });
        else beamSearch(decoder, features, { maxLength: T, beamSize: beam });
      },
      1,
      3,
    );
    return (B * 1000) / median(ms);
  };
  const greedyPerSec = await decodeRate(1);
  const beam3PerSec = await decodeRate(3);
  let kernels: Result['kernels'];
  let phases: Result['phases'];
  if (profile) {
    const times = { gradients: [] as number[], clipping: [] as number[], adam: [] as number[] };
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(
        () => decoder.computeLoss(features, tokens, mask, { training: true, dropoutSeed: 1 }).loss,
        vars,
      );
      await value.data();
      const t1 = performance.now();
      const clipped = clipByGlobalNorm(grads, 5);
      await clipped.norm.data();
      const t2 = performance.now();
      optimizer.applyGradients(clipped.grads);
      await tf.sum(vars[0]!).data(); // waits for the updates on asynchronous backends
      const t3 = performance.now();
      tf.dispose([value, clipped.norm, ...Object.values(grads), ...Object.values(clipped.grads)]);
      times.gradients.push(t1 - t0);
      times.clipping.push(t2 - t1);
      times.adam.push(t3 - t2);
    }
    phases = { gradients: median(times.gradients), clipping: median(times.clipping), adam: median(times.adam) };
    const info = await tf.profile(async () => step());
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += Number(k.kernelTimeMs) || 0;
      e.calls += 1;
      byName.set(k.name, e);
    }
    kernels = [...byName]
      .map(([name, e]) => ({ name, ...e }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12);
  }
  const scstStepMs = scst ? await scstSteps(decoder, features, steps) : undefined;
  const hardStepMs = hard ? await hardSteps(decoder, { features, tokens, mask, targetCount: B * T }, steps) : undefined;
  dispose();
  return {
    backend,
    ...(setting ? { setting } : {}),
    stepMs,
    forwardMs,
    greedyPerSec,
    beam3PerSec,
    ...(kernels ? { kernels } : {}),
    ...(phases ? { phases } : {}),
    ...(scstStepMs ? { scstStepMs } : {}),
    ...(hardStepMs ? { hardStepMs } : {}),
  };
}

function report(results: Result[], steps: number, warmup: number): void {
  const s = SIZES;
  const lines = [
    `training-step benchmark: B=${s.B} L=${s.L} D=${s.D} E=${s.E} H=${s.H} A=${s.A} V=${s.V} T=${s.T} (≈19.5 GFLOP fwd+bwd)`,
    `median of ${steps} steps after ${warmup} untimed steps (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
    '',
    `${'backend'.padEnd(12)}${'step s'.padStart(9)}${'fwd s'.padStart(9)}${'greedy/s'.padStart(10)}${'beam3/s'.padStart(10)}`,
  ];
  for (const r of results) {
    if (r.skipped) {
      lines.push(`${r.backend.padEnd(12)}skipped: ${r.skipped}`);
      continue;
    }
    lines.push(
      `${r.backend.padEnd(12)}${(median(r.stepMs!) / 1000).toFixed(3).padStart(9)}${(median(r.forwardMs!) / 1000).toFixed(3).padStart(9)}` +
        `${r.greedyPerSec!.toFixed(1).padStart(10)}${r.beam3PerSec!.toFixed(1).padStart(10)}`,
    );
    if (r.setting) lines.push(`  (${r.setting})`);
    if (r.phases) {
      const p = r.phases;
      lines.push(`  phases (median ms): gradients ${p.gradients.toFixed(1)}, clipping ${p.clipping.toFixed(1)}, Adam ${p.adam.toFixed(1)}`);
    }
    if (r.scstStepMs) {
      const scst = median(r.scstStepMs);
      const xe = median(r.stepMs!);
      lines.push(
        `  self-critical step (${s.B} images × ${SCST_SAMPLES} samples): ${(scst / 1000).toFixed(3)} s = ${(scst / s.B).toFixed(1)} ms per image; ` +
          `cross-entropy ${(xe / s.B).toFixed(1)} ms per caption (${((5 * xe) / s.B).toFixed(1)} ms per image at 5 captions): SCST/XE per image ${(scst / (5 * xe)).toFixed(2)}`,
      );
    }
    if (r.hardStepMs) {
      const { sampled, expected } = r.hardStepMs;
      const xe = median(r.stepMs!);
      lines.push(
        `  hard-attention step: sampled regions ${(sampled / 1000).toFixed(3)} s, expected context ${(expected / 1000).toFixed(3)} s; ` +
          `at half of each (the published 0.5), hard/soft per step ${((sampled + expected) / 2 / xe).toFixed(2)}`,
      );
    }
    if (r.kernels) lines.push(`  top kernels: ${r.kernels.map((k) => `${k.name} ${k.ms.toFixed(0)}ms×${k.calls}`).join(', ')}`);
  }
  const measured = results.filter((r) => r.stepMs);
  if (measured.length > 1) {
    const base = median(measured[0]!.stepMs!);
    lines.push(
      measured
        .slice(1)
        .map((r) => `${r.backend}/${measured[0]!.backend} step ratio ${(median(r.stepMs!) / base).toFixed(2)}`)
        .join(', '),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface TrainBenchArgs {
  backends: string;
  steps: number;
  warmup: number;
  profile: boolean;
  scst: boolean;
  hard: boolean;
  rounds: number;
  peer: string | undefined;
  child: string | undefined;
}

/** One round: each backend's result, the peer's step, and the load average when it started. */
interface Round {
  load: number;
  results: Result[];
  peerStepMs?: number;
}

/** The peer command's step time: the `decoder.medianStepMs` of the last JSON line it prints. */
function runPeer(command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      const ms = line ? (JSON.parse(line) as { decoder?: { medianStepMs?: number } }).decoder?.medianStepMs : undefined;
      if (code === 0 && typeof ms === 'number') resolve(ms);
      else reject(new Error(`--peer: \`${command}\` exited with ${code} without a decoder.medianStepMs JSON line`));
    });
  });
}

/** Rounds alternated (ours then the peer, the peer then ours, …): per round and median ratios. */
function reportRounds(rounds: Round[], peer: string | undefined): void {
  const backends = rounds[0]!.results.filter((r) => r.stepMs).map((r) => r.backend);
  const head = [
    'round',
    'load',
    ...backends.map((b) => `${b} s`),
    ...(peer ? ['peer s', `${backends[0]}/peer`] : []),
    ...backends.slice(1).map((b) => `${b}/${backends[0]}`),
  ];
  const rows = rounds.map((r, i) => {
    const step = (b: string) => median(r.results.find((x) => x.backend === b)!.stepMs!);
    const first = step(backends[0]!);
    return [
      String(i + 1),
      r.load.toFixed(1),
      ...backends.map((b) => (step(b) / 1000).toFixed(3)),
      ...(peer ? [(r.peerStepMs! / 1000).toFixed(3), (first / r.peerStepMs!).toFixed(2)] : []),
      ...backends.slice(1).map((b) => (step(b) / first).toFixed(2)),
    ];
  });
  const medians = head
    .slice(2)
    .map((_, j) => median(rows.map((row) => Number(row[j + 2]))).toFixed(j < backends.length + (peer ? 1 : 0) ? 3 : 2));
  const lines = [
    `${rounds.length} alternated rounds${peer ? ` with the peer \`${peer}\`` : ''}; each step time the median of its round's steps`,
    head.join('\t'),
    ...rows.map((r) => r.join('\t')),
    ['median', '', ...medians].join('\t'),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export const trainBenchmark: SubcommandSpec<TrainBenchArgs> = {
  command: 'train',
  description: 'training step (fwd+bwd+Adam) at the reference sizes, forward pass, greedy and beam-3 captions/s, per backend',
  options: (y) =>
    y
      .option('backends', { type: 'string', default: 'tensorflow,wasm', describe: 'comma-separated backends, each in its own process' })
      .option('steps', { type: 'number', default: 5, describe: 'timed steps (median reported)' })
      .option('warmup', {
        type: 'number',
        default: 2,
        describe: "untimed training steps first (2: the peer's protocol, a first step and one warm-up)",
      })
      .option('profile', { type: 'boolean', default: false, describe: 'also time the phases of a step and the top kernels' })
      .option('scst', { type: 'boolean', default: false, describe: 'also time a self-critical step (same sizes, 5 samples per image)' })
      .option('hard', {
        type: 'boolean',
        default: false,
        describe: 'also time hard-attention steps (sampled regions and expected context) against the soft step',
      })
      .option('rounds', {
        type: 'number',
        default: 1,
        describe: 'rounds, alternating the order of ours and the peer; per-round ratios and their medians',
      })
      .option('peer', {
        type: 'string',
        describe:
          'a command printing a JSON line with decoder.medianStepMs (e.g. ../shared/bench/torch-peer.sh --what decoder), run every round',
      })
      .option('child', { type: 'string', hidden: true })
      .check((a) => {
        checkBackendList(a.backends);
        requireInteger(a, ['steps', 'rounds']);
        requireInteger(a, ['warmup'], 0); // 0: time the first step too
        return true;
      }),
  run: async (args) => {
    if (args.child) {
      reportToParent(await measure(args.child as BackendName, args.steps, args.warmup, args.profile, args.scst, args.hard));
      return;
    }
    const ours = async (): Promise<Result[]> => {
      const results: Result[] = [];
      for (const backend of args.backends.split(',') as BackendName[]) {
        process.stderr.write(`[bench] ${backend} ...\n`);
        results.push(await runChild<Result>([...hideBin(process.argv), '--child', backend]));
      }
      return results;
    };
    if (args.rounds === 1 && !args.peer) {
      report(await ours(), args.steps, args.warmup);
      return;
    }
    const rounds: Round[] = [];
    for (let i = 0; i < args.rounds; i++) {
      const load = os.loadavg()[0]!;
      let peerStepMs: number | undefined;
      const peer = async () => {
        if (!args.peer) return;
        process.stderr.write(`[bench] peer ...\n`);
        peerStepMs = await runPeer(args.peer);
      };
      if (i % 2 === 1) await peer();
      const results = await ours();
      if (i % 2 === 0) await peer();
      report(results, args.steps, args.warmup);
      rounds.push({ load, results, ...(peerStepMs !== undefined ? { peerStepMs } : {}) });
    }
    reportRounds(rounds, args.peer);
  },
};
