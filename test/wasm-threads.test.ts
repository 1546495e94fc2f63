/**
 * WASM on several threads in Node (src/backend/wasm-threads.ts): the count asked for is the count
 * run, results are bit for bit those of one thread, the process still ends by itself, and the
 * globals patched during the start are back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackendError } from '../src/backend/names.js';
import { WASM_THREADS_ENV, wasmThreadsRequested } from '../src/backend/wasm-threads.js';

/** A child process: starts WASM, runs a matmul and a decoder's loss gradients, prints what it saw. */
const probe = `
import os from 'node:os';
import workerThreads from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './src/backend/select.ts';
import { wasmThreadCount } from './src/backend/wasm-threads.ts';
import { createDecoder } from './src/decoder/decoder.ts';
if (process.env.PROBE_TMPDIR) process.env.TMPDIR = process.env.PROBE_TMPDIR; // (after tsx has its own cache)
const cpusBefore = os.cpus().length;
const BlobBefore = globalThis.Blob;
const WorkerBefore = workerThreads.Worker;
const createObjectURLBefore = URL.createObjectURL;
const globalWorkerBefore = Object.hasOwn(globalThis, 'Worker');
let logLine = '';
await selectBackend({ requested: 'wasm', log: (line) => (logLine = line) });
const bits = (t) => Buffer.from(new Float32Array(t.dataSync()).buffer).toString('base64');
const a = tf.randomNormal([96, 300], 0, 1, 'float32', 1);
const b = tf.randomNormal([300, 200], 0, 1, 'float32', 2);
const decoder = createDecoder({ vocabSize: 40, featureDim: 24, embedDim: 16, hiddenDim: 20, attentionDim: 12, seed: 3 });
const features = tf.randomNormal([6, 9, 24], 0, 1, 'float32', 4);
const tokens = tf.concat([tf.fill([6, 1], 1, 'int32'), tf.randomUniform([6, 7], 4, 40, 'int32', 5)], 1);
const mask = tf.ones([6, 8]);
const { value, grads } = tf.variableGrads(() => decoder.computeLoss(features, tokens, mask, { training: true, dropoutSeed: 1 }).loss, decoder.trainableVariables());
console.log(JSON.stringify({
  backend: tf.getBackend(),
  threads: wasmThreadCount(),
  matmul: bits(tf.matMul(a, b)),
  loss: bits(value),
  grads: Object.keys(grads).sort().map((k) => bits(grads[k])),
  cpusRestored: os.cpus().length === cpusBefore,
  globalsRestored: globalThis.Blob === BlobBefore && workerThreads.Worker === WorkerBefore && URL.createObjectURL === createObjectURLBefore && Object.hasOwn(globalThis, 'Worker') === globalWorkerBefore,
  logLine,
}));
`;

interface ProbeResult {
  backend: string;
  threads: number;
  matmul: string;
  loss: string;
  grads: string[];
  cpusRestored: boolean;
  globalsRestored: boolean;
  logLine: string;
}

/** The probe with CAPTION_WASM_THREADS=threads, its temporary files in `tmp` (a fresh folder if not given). */
function runProbe(
  threads: string,
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wasm-threads-test-')),
): { code: number | null; signal: NodeJS.Signals | null; result?: ProbeResult; stderr: string; tmp: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    encoding: 'utf8',
    env: { ...process.env, [WASM_THREADS_ENV]: threads, PROBE_TMPDIR: tmp },
    // No process.exit in the probe: a worker left referenced would hang it until this kills it.
    timeout: 90_000,
  });
  const line = r.stdout.trim().split('\n').at(-1);
  return {
    code: r.status,
    signal: r.signal,
    stderr: r.stderr,
    tmp,
    ...(line?.startsWith('{') ? { result: JSON.parse(line) as ProbeResult } : {}),
  };
}

describe('WASM threads', () => {
  it(`${WASM_THREADS_ENV}: the default is the usable CPUs (at most 4); bad values are refused by name`, () => {
    expect(wasmThreadsRequested({})).toBe(Math.min(4, os.availableParallelism()));
    expect(wasmThreadsRequested({ [WASM_THREADS_ENV]: '3' })).toBe(3);
    for (const bad of ['0', '-2', '1.5', 'two', '9']) {
      expect(() => wasmThreadsRequested({ [WASM_THREADS_ENV]: bad })).toThrow(BackendError);
      expect(() => wasmThreadsRequested({ [WASM_THREADS_ENV]: bad })).toThrow(
        new RegExp(`\\$${WASM_THREADS_ENV}.*'${bad.replace('.', '\\.')}'`),
      );
    }
  });

  it('runs on the threads asked for, with the results of one thread, and the process ends by itself', () => {
    const one = runProbe('1');
    const two = runProbe('2');
    const three = runProbe('3');
    for (const [r, n] of [
      [one, 1],
      [two, 2],
      [three, 3],
    ] as const) {
      expect(r.signal, r.stderr).toBeNull();
      expect(r.code, r.stderr).toBe(0);
      expect(r.result?.backend).toBe('wasm');
      expect(r.result?.threads).toBe(n);
      expect(r.result?.cpusRestored).toBe(true);
      expect(r.result?.globalsRestored).toBe(true);
      expect(r.result?.logLine).toContain(n === 1 ? `[1 thread (${WASM_THREADS_ENV}=1)]` : `[${n} threads]`);
      expect(
        readdirSync(r.tmp).filter((f) => f.startsWith('attend-caption-wasm-')),
        'the worker scripts are removed',
      ).toEqual([]);
    }
    for (const r of [two, three]) {
      expect(r.result!.matmul).toBe(one.result!.matmul);
      expect(r.result!.loss).toBe(one.result!.loss);
      expect(r.result!.grads).toEqual(one.result!.grads);
    }
    expect(one.result!.grads.length).toBeGreaterThan(5);

    // Where the threaded start fails (here: the temporary folder is a file, so there is nowhere to write
    // the worker script), WASM starts on one thread, says why, and computes the same.
    const notAFolder = path.join(mkdtempSync(path.join(os.tmpdir(), 'wasm-threads-test-')), 'nowhere');
    writeFileSync(notAFolder, '');
    const fallback = runProbe('2', notAFolder);
    expect(fallback.code, fallback.stderr).toBe(0);
    expect(fallback.result?.threads).toBe(1);
    expect(fallback.result?.logLine).toMatch(/compute backend: wasm \[1 thread: threads failed to start \(.*nowhere.*\)\]/);
    expect(fallback.result?.matmul).toBe(one.result!.matmul);
    expect(fallback.result?.globalsRestored).toBe(true);
  });
});
