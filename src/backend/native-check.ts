/**
 * The native check: before this process loads TensorFlow's C library, a child process runs the ops
 * that matter at their real shapes — the shipped encoder (MobileNet v1 to conv_pw_12) at batch 1 and
 * 16, and a decoder step with its gradient — under the oneDNN setting about to be used. A signal in
 * native code cannot be caught in-process; in a child it is only a verdict. The verdict is cached per
 * (CPU, TensorFlow build, oneDNN setting, work), so only the first run on a machine pays for it.
 *
 * The work: a process that runs no convolution (`train`, which reads a feature store) is checked on the
 * decoder step alone, so a CPU whose oneDNN convolution dies still trains with oneDNN on; such a
 * process fences convolutions off (conv-fence.ts) rather than trust them unchecked.
 *
 *   CAPTION_NATIVE_CHECK=off          trust the native backend without checking
 *   CAPTION_NATIVE_CHECK_CRASH=SIG    a test hook: the child kills itself with SIG (e.g. SIGFPE) after
 *                                     loading TensorFlow; SIG@on / SIG@off only under that oneDNN setting;
 *                                     SIG@on:encoder only when it reaches the encoder (as this CPU's oneDNN
 *                                     1×1 convolution does)
 *
 * The cache file is <cache folder>/native-check.json (cache-dir.ts), written atomically.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { cacheRoot } from '../util/cache-dir.js';
import { describeOneDnn, ONEDNN_ENV, type OneDnnValue } from './onednn.js';

const NATIVE_CHECK_ENV = 'CAPTION_NATIVE_CHECK';
const NATIVE_CHECK_CRASH_ENV = 'CAPTION_NATIVE_CHECK_CRASH';

/** Bumped whenever the child's work changes, so older verdicts are not reused. */
const CHECK_VERSION = 1;
const TIMEOUT_MS = 180_000;

/** What the process will run on TensorFlow: everything, or the decoder alone (no convolution). */
export type NativeWork = 'all' | 'decoder-only';

export type NativeVerdict = { ok: true; cached: boolean } | { ok: false; cached: boolean; reason: string };

export interface NativeCheckInputs {
  /** tfjs-node's main file, as the parent would require it. */
  tfjsNode: string;
  /** A tfjs layers model.json of the shipped encoder (its weights in the same folder). */
  encoderModelJson: string;
  oneDnn: OneDnnValue;
  /** 'decoder-only': the encoder is not run (default 'all'). */
  work?: NativeWork;
}

/**
 * The child's program (CommonJS, run with `node -e`): argv = [tfjs-node main, model.json URL or '-'
 * for the decoder alone]. It exits 0 after every op ran; a crash shows as a signal or another exit code.
 */
const CHILD = `
const [tfjsNode, modelUrl] = process.argv.slice(1);
const tf = require(tfjsNode);
const crashAt = (part) => {
  const crash = process.env.${NATIVE_CHECK_CRASH_ENV};
  if (!crash) return;
  const [signal, rest = ''] = crash.split('@');
  const [when, where = ''] = rest.split(':');
  const v = (process.env.${ONEDNN_ENV} ?? '').toLowerCase();
  const on = !['0', 'false'].includes(v);
  if ((!when || (when === 'on') === on) && where === part) process.kill(process.pid, signal);
};
crashAt('');
(async () => {
  if (modelUrl !== '-') {
    crashAt('encoder');
    const encoder = await tf.loadLayersModel(modelUrl);
    for (const batch of [1, 16]) {
      const x = tf.randomUniform([batch, 224, 224, 3], -1, 1);
      const a = encoder.predict(x);
      await a.data();
      tf.dispose([x, a]);
    }
  }
  // One decoder step, forward and backward, at the shipped model's sizes (L = 49, D = 1024, E = H = A = 512).
  const [B, L, D, E, H, A, V] = [32, 49, 1024, 512, 512, 512, 2542];
  const v = (shape) => tf.variable(tf.randomNormal(shape, 0, 0.05));
  const W = { Wa: v([D, A]), Ua: v([H, A]), w: v([A, 1]), beta: v([H, 1]), lstm: v([E + D + H, 4 * H]), out: v([H, V]) };
  const feats = tf.randomNormal([B, L, D]);
  const h = tf.randomNormal([B, H]), c = tf.randomNormal([B, H]), y = tf.randomNormal([B, E]);
  const labels = tf.oneHot(tf.zeros([B], 'int32'), V);
  const { value, grads } = tf.variableGrads(() => {
    const keys = tf.matMul(feats.reshape([B * L, D]), W.Wa).reshape([B, L, A]);
    const scores = tf.tanh(keys.add(tf.matMul(h, W.Ua).expandDims(1))).reshape([B * L, A]).matMul(W.w).reshape([B, L]);
    const alpha = tf.softmax(scores);
    const z = tf.sigmoid(tf.matMul(h, W.beta)).mul(tf.matMul(alpha.expandDims(1), feats).squeeze([1]));
    const gates = tf.matMul(tf.concat([y, z, h], 1), W.lstm);
    const [i, f, o, g] = tf.split(gates, 4, 1);
    const c2 = tf.sigmoid(f).mul(c).add(tf.sigmoid(i).mul(tf.tanh(g)));
    const h2 = tf.sigmoid(o).mul(tf.tanh(c2));
    return tf.losses.softmaxCrossEntropy(labels, tf.matMul(h2, W.out));
  });
  await value.data();
  for (const g of Object.values(grads)) await g.data();
  process.stdout.write('ok\\n');
})().catch((err) => { process.stderr.write(String(err && err.stack || err) + '\\n'); process.exit(3); });
`;

/** What decides whether a verdict still holds: this CPU, this TensorFlow build, the setting. */
function checkKey(inputs: NativeCheckInputs, env: NodeJS.ProcessEnv): string {
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0] ?? '';
  } catch {
    cpuinfo = `${os.cpus()[0]?.model ?? '?'} ${os.arch()}`;
  }
  // Per-CPU facts that change from boot to boot do not identify the CPU.
  const cpu = cpuinfo.replace(/^(cpu MHz|bogomips|processor|apicid|initial apicid|core id)\s*:.*$/gm, '');
  const tfLib = tensorflowLibrary(inputs.tfjsNode);
  const parts = [
    `v${CHECK_VERSION}`,
    os.platform(),
    process.versions.node,
    cpu,
    cpuCacheSizes(),
    tfLib,
    inputs.work === 'decoder-only' ? 'decoder only' : inputs.encoderModelJson,
    `${ONEDNN_ENV}=${inputs.oneDnn ?? '(unset)'}`,
    ...['DNNL_MAX_CPU_ISA', 'ONEDNN_MAX_CPU_ISA', NATIVE_CHECK_CRASH_ENV].map((k) => `${k}=${env[k] ?? ''}`),
  ];
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** The CPU caches the kernel reports (oneDNN's divide-by-zero was seen where it reports none). */
function cpuCacheSizes(): string {
  const dir = '/sys/devices/system/cpu/cpu0/cache';
  try {
    const sizes = readdirSync(dir)
      .filter((n) => n.startsWith('index'))
      .map((n) => readFileSync(path.join(dir, n, 'size'), 'utf8').trim());
    return sizes.join(',') || 'none';
  } catch {
    return 'none';
  }
}

/** The TensorFlow C library tfjs-node links (size and mtime tell a rebuild from another wheel). */
function tensorflowLibrary(tfjsNodeMain: string): string {
  const pkg = path.resolve(path.dirname(tfjsNodeMain), '..');
  for (const name of ['libtensorflow_cc.so.2', 'libtensorflow.so.2', 'libtensorflow.so']) {
    const file = path.join(pkg, 'deps', 'lib', name);
    try {
      const s = statSync(file);
      return `${file} ${s.size} ${s.mtimeMs}`;
    } catch {
      // try the next name
    }
  }
  return pkg;
}

interface CacheFile {
  [key: string]: { ok: boolean; reason?: string; checkedAt: string; ms: number } | undefined;
}

function readCache(file: string): CacheFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as CacheFile) : {};
  } catch {
    return {};
  }
}

export const nativeCheckCacheFile = (): string => path.join(cacheRoot(), 'native-check.json');

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderr: string;
}

function runChild(inputs: NativeCheckInputs, env: NodeJS.ProcessEnv): Promise<ChildOutcome> {
  const childEnv: NodeJS.ProcessEnv = { ...env, TF_CPP_MIN_LOG_LEVEL: '3' };
  if (inputs.oneDnn === undefined) delete childEnv[ONEDNN_ENV];
  else childEnv[ONEDNN_ENV] = inputs.oneDnn;
  const modelUrl = inputs.work === 'decoder-only' ? '-' : `file://${path.resolve(inputs.encoderModelJson)}`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', CHILD, inputs.tfjsNode, modelUrl],
      { env: childEnv, timeout: TIMEOUT_MS, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, _stdout, stderr) => {
        const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals | null; killed?: boolean }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          timedOut: Boolean(e?.killed && e.signal === 'SIGTERM'),
          stderr,
        });
      },
    );
  });
}

/** What went wrong under one setting, e.g. "SIGFPE with oneDNN on". */
function describeFailure(o: ChildOutcome, oneDnn: OneDnnValue): string {
  const setting = `with ${describeOneDnn(oneDnn)}`;
  if (o.signal) return `${o.signal} ${setting}`;
  const last = o.stderr.trim().split('\n').filter(Boolean).at(-1) ?? '';
  return `exit code ${o.code} ${setting}${last ? ` (${last.slice(0, 160)})` : ''}`;
}

/**
 * Whether the native backend runs here under `inputs.oneDnn`: the cached verdict, else the child's.
 * A timeout is not cached (a busy machine is not a broken one) and counts as a failure this time.
 */
export async function checkNative(inputs: NativeCheckInputs, env: NodeJS.ProcessEnv = process.env): Promise<NativeVerdict> {
  const file = nativeCheckCacheFile();
  const key = checkKey(inputs, env);
  const known = readCache(file)[key];
  if (known) return known.ok ? { ok: true, cached: true } : { ok: false, cached: true, reason: known.reason ?? 'failed before' };
  const t0 = performance.now();
  const outcome = await runChild(inputs, env);
  const ms = Math.round(performance.now() - t0);
  if (outcome.timedOut) {
    return { ok: false, cached: false, reason: `no result in ${TIMEOUT_MS / 1000} s with ${describeOneDnn(inputs.oneDnn)}` };
  }
  const ok = outcome.code === 0 && outcome.signal === null;
  const reason = ok ? undefined : describeFailure(outcome, inputs.oneDnn);
  const cache = readCache(file); // re-read: another process may have added its verdict meanwhile
  cache[key] = { ok, ...(reason ? { reason } : {}), checkedAt: new Date().toISOString(), ms };
  try {
    await writeJsonAtomic(file, cache);
  } catch {
    // A read-only cache folder only means the check runs again next time.
  }
  return ok ? { ok: true, cached: false } : { ok: false, cached: false, reason: reason! };
}

/** The native backend failed its check under every setting tried: using it could kill the process. */
export class NativeCheckError extends Error {
  override name = 'NativeCheckError';
}

export interface NativeSetting {
  oneDnn: OneDnnValue;
  /** For the backend log line, e.g. "oneDNN off (failed this CPU's check: SIGFPE with oneDNN on)". */
  note: string;
}

/**
 * The first oneDNN setting under which this CPU passes the check (the user's own setting is the only
 * candidate when set). Throws NativeCheckError when none does.
 */
export async function safeNativeSetting(
  inputs: Omit<NativeCheckInputs, 'oneDnn'>,
  candidates: readonly OneDnnValue[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<NativeSetting> {
  if ((env[NATIVE_CHECK_ENV] ?? '').toLowerCase() === 'off') {
    return { oneDnn: candidates[0], note: `${describeOneDnn(candidates[0])}, unchecked` };
  }
  const failures: string[] = [];
  const scope = inputs.work === 'decoder-only' ? ', checked on the decoder alone' : '';
  for (const oneDnn of candidates) {
    const verdict = await checkNative({ ...inputs, oneDnn }, env);
    if (verdict.ok) {
      const why = failures.length ? ` (failed this CPU's check: ${failures.join('; ')})` : '';
      return { oneDnn, note: `${describeOneDnn(oneDnn)}${scope}${why}` };
    }
    failures.push(verdict.reason);
  }
  throw new NativeCheckError(`failed this CPU's check (${failures.join('; ')}), not used (${NATIVE_CHECK_ENV}=off to use it anyway)`);
}
