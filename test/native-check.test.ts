/**
 * The native backend never takes the process down (src/backend/native-check.ts, onednn.ts): a child
 * process checks this CPU under each oneDNN setting before TensorFlow loads here; a crash there
 * (simulated with CAPTION_NATIVE_CHECK_CRASH, which makes the child kill itself with a signal) moves
 * the process to oneDNN off, or to WASM with one line saying why. The user's TF_ENABLE_ONEDNN_OPTS wins.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkNative, nativeCheckCacheFile } from '../src/backend/native-check.js';
import { describeOneDnn, oneDnnCandidates } from '../src/backend/onednn.js';
import { childEnv, runCaptionCli } from './cli-helpers.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PHOTO = path.join(repoRoot, 'docs', 'examples', 'photos', 'motorcycle_left.png');
const ENCODER = path.join(repoRoot, 'checkpoints', 'flickr8k', 'encoder', 'model.json');

describe('the oneDNN setting: the user’s own first, else on then off', () => {
  it.each([
    [{}, false, ['1', '0']],
    [{ TF_ENABLE_ONEDNN_OPTS: '0' }, false, ['0']],
    [{ TF_ENABLE_ONEDNN_OPTS: '1' }, false, ['1']],
    [{ TF_ENABLE_ONEDNN_OPTS: 'false' }, false, ['false']],
    [{ TF_ENABLE_ONEDNN_OPTS: '' }, false, ['1', '0']],
    [{}, true, [undefined]],
    [{ TF_ENABLE_ONEDNN_OPTS: '0' }, true, ['0']],
  ] as const)('env %j, TensorFlow already loaded: %s → %j', (env, loaded, expected) => {
    expect(oneDnnCandidates(env, loaded)).toEqual(expected);
  });

  it('reads the value as TensorFlow does', () => {
    expect(['0', 'false', 'FALSE', ' 0 '].map(describeOneDnn)).toEqual(Array(4).fill('oneDNN off'));
    expect(['1', 'true', undefined, 'yes'].map(describeOneDnn)).toEqual(Array(4).fill('oneDNN on'));
  });
});

const nativeWhy = await nativeUnavailable();

describe.skipIf(nativeWhy !== undefined && !NATIVE_REQUIRED)(
  `the native check${nativeWhy ? ` [skipped: tfjs-node ${nativeWhy}]` : ''}`,
  () => {
    const freshCache = (): string => mkdtempSync(path.join(os.tmpdir(), 'native-check-'));
    const caption = (args: string[], env: Record<string, string>) =>
      runCaptionCli([PHOTO, ...args], { CAPTION_CACHE_DIR: freshCache(), ...env });
    const backendLine = (stderr: string): string => stderr.split('\n').find((l) => l.startsWith('[caption] compute backend')) ?? '';

    /** Runs `fn` with this process's cache folder a fresh one (checkNative reads it from the environment). */
    const inFreshCache = async (fn: () => Promise<void>): Promise<void> => {
      const saved = process.env['CAPTION_CACHE_DIR'];
      process.env['CAPTION_CACHE_DIR'] = freshCache();
      try {
        await fn();
      } finally {
        if (saved === undefined) delete process.env['CAPTION_CACHE_DIR'];
        else process.env['CAPTION_CACHE_DIR'] = saved;
      }
    };

    it(
      'a crash in the child is a verdict, cached per setting; a new setting is checked anew',
      () =>
        inFreshCache(async () => {
          const tfjsNode = createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
          const env = { ...process.env, CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE@on' };
          const on = { tfjsNode, encoderModelJson: ENCODER, oneDnn: '1' };
          const off = { ...on, oneDnn: '0' };
          expect(await checkNative(on, env)).toEqual({ ok: false, cached: false, reason: 'SIGFPE with oneDNN on' });
          expect(await checkNative(on, env)).toEqual({ ok: false, cached: true, reason: 'SIGFPE with oneDNN on' });
          expect(await checkNative(off, env)).toEqual({ ok: true, cached: false });
          expect(await checkNative(off, env)).toEqual({ ok: true, cached: true });
          // Without the hook it is another key: checked for real, and cached. Some CPUs of this kind
          // really die under oneDNN (SIGFPE in its 1×1 convolution), others pass: either is a verdict.
          const real = await checkNative(on, process.env);
          if (real.ok) expect(real).toEqual({ ok: true, cached: false });
          else expect(real).toEqual({ ok: false, cached: false, reason: expect.stringMatching(/^SIG[A-Z]+ with oneDNN on$/) });
          expect(await checkNative(on, process.env)).toEqual({ ...real, cached: true });
          const cache = JSON.parse(readFileSync(nativeCheckCacheFile(), 'utf8')) as Record<string, { ok: boolean; ms: number }>;
          expect(
            Object.values(cache)
              .map((v) => v.ok)
              .sort(),
          ).toEqual([false, real.ok, true].sort());
        }),
      120_000,
    );

    it(
      'the work decides what is checked: a crash in the encoder fails the full check, not the decoder-alone one',
      () =>
        inFreshCache(async () => {
          const tfjsNode = createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
          const env = { ...process.env, CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE@on:encoder' };
          const all = { tfjsNode, encoderModelJson: ENCODER, oneDnn: '1' };
          const decoder = { ...all, work: 'decoder-only' as const };
          expect(await checkNative(all, env)).toEqual({ ok: false, cached: false, reason: 'SIGFPE with oneDNN on' });
          expect(await checkNative(decoder, env)).toEqual({ ok: true, cached: false });
          expect(await checkNative(decoder, env)).toEqual({ ok: true, cached: true });
          expect(await checkNative({ ...all, oneDnn: '0' }, env)).toEqual({ ok: true, cached: false });
        }),
      120_000,
    );

    it('a process for the decoder alone keeps oneDNN on where only the convolution crashes, and fences convolutions off', async () => {
      const probe = [
        "const tf = await import('./src/util/tf.ts');",
        "const { selectBackend } = await import('./src/backend/select.ts');",
        "await selectBackend({ requested: 'tensorflow', work: process.argv[1] });",
        'const p = tf.matMul(tf.ones([2, 3]), tf.ones([3, 4])); // [2, 4]',
        "console.log('matMul', (await p.data())[0]);",
        "try { tf.conv2d(tf.ones([1, 4, 4, 2]), tf.ones([1, 1, 2, 3]), 1, 'same'); console.log('conv ran'); }",
        "catch (e) { console.log('conv:', e.message); }",
      ].join('\n');
      const env = childEnv({ CAPTION_CACHE_DIR: freshCache(), CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE@on:encoder' });
      const run = (work: string) =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe, work], {
          encoding: 'utf8',
          cwd: repoRoot,
          env,
        });
      const decoder = await run('decoder-only'); // (a failure rejects: exit 0 is part of the expectation)
      expect(backendLine(decoder.stderr)).toMatch(/compute backend: tensorflow \[.*oneDNN on, checked on the decoder alone\]$/);
      expect(decoder.stdout.trim().split('\n')).toEqual([
        'matMul 3',
        'conv: Conv2D: this process runs the decoder alone (its native check did not cover convolutions)',
      ]);
      const all = await run('all');
      expect(backendLine(all.stderr)).toMatch(/oneDNN off \(failed this CPU's check: SIGFPE with oneDNN on\)\]$/);
      expect(all.stdout.trim().split('\n')).toEqual(['matMul 3', 'conv ran']);
    }, 180_000);

    it('greedy and beam captions of a photo on native, end to end: exit 0 and the same caption as WASM', () => {
      for (const beam of ['1', '3']) {
        const native = caption(['--beam', beam], { CAPTION_BACKEND: 'tensorflow' });
        const wasm = caption(['--beam', beam], { CAPTION_BACKEND: 'wasm' });
        expect(native.code, native.stderr).toBe(0);
        expect(wasm.code, wasm.stderr).toBe(0);
        expect(backendLine(native.stderr)).toMatch(/compute backend: tensorflow \[.*oneDNN (on|off)/);
        expect(native.stdout).toMatch(/\t\S+/);
        expect(native.stdout).toBe(wasm.stdout);
      }
    }, 180_000);

    it('a crash under oneDNN on: captions on native with oneDNN off, and the log line says why', () => {
      const r = caption([], { CAPTION_BACKEND: 'auto', CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE@on' });
      expect(r.code, r.stderr).toBe(0);
      expect(backendLine(r.stderr)).toMatch(
        /compute backend: tensorflow \[.*oneDNN off \(failed this CPU's check: SIGFPE with oneDNN on\)\]$/,
      );
      expect(r.stdout).toMatch(/motorcycle_left\.png\t\S+/);
    }, 120_000);

    it('a crash under every setting: captions on WASM, with one line naming the reason and the override', () => {
      const r = caption([], { CAPTION_BACKEND: 'auto', CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/motorcycle_left\.png\t\S+/);
      expect(backendLine(r.stderr)).toMatch(
        /compute backend: wasm .*\(tensorflow: failed this CPU's check \(SIGFPE with oneDNN on; SIGFPE with oneDNN off\), not used \(CAPTION_NATIVE_CHECK=off to use it anyway\)\)$/,
      );
      expect(r.stderr).not.toMatch(/setup:native/);
    }, 120_000);

    it('asked for by name, a failed check is one line and exit code 2, never a signal', () => {
      const r = caption([], { CAPTION_BACKEND: 'tensorflow', CAPTION_NATIVE_CHECK_CRASH: 'SIGSEGV' });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^caption: no usable compute backend \(tensorflow: failed this CPU's check \(SIGSEGV with oneDNN on; SIGSEGV with oneDNN off\)/,
        ),
      ]);
    }, 120_000);

    it("the user's TF_ENABLE_ONEDNN_OPTS is the only setting tried: 1 is never quietly turned off, 0 is used as is", () => {
      const on = caption([], { CAPTION_BACKEND: 'auto', TF_ENABLE_ONEDNN_OPTS: '1', CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE@on' });
      expect(on.code, on.stderr).toBe(0);
      expect(backendLine(on.stderr)).toMatch(
        /compute backend: wasm .*\(tensorflow: failed this CPU's check \(SIGFPE with oneDNN on\), not used/,
      );
      const off = caption([], { CAPTION_BACKEND: 'auto', TF_ENABLE_ONEDNN_OPTS: '0', CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE@on' });
      expect(off.code, off.stderr).toBe(0);
      expect(backendLine(off.stderr)).toMatch(/compute backend: tensorflow \[.*oneDNN off\]$/);
    }, 120_000);

    it('the setting reaches TensorFlow: its own start-up line says oneDNN is on only when it is', () => {
      // CAPTION_DEBUG=1 lets TensorFlow's start-up log through; TF_CPP_MIN_LOG_LEVEL=0 includes the oneDNN line.
      const loud = { CAPTION_BACKEND: 'tensorflow', CAPTION_DEBUG: '1', TF_CPP_MIN_LOG_LEVEL: '0' };
      // On, unchecked: TensorFlow says so when it loads (on a CPU that dies under oneDNN the run then
      // ends with that signal, which is what the check exists for; the line comes first either way).
      const on = caption([], { ...loud, TF_ENABLE_ONEDNN_OPTS: '1', CAPTION_NATIVE_CHECK: 'off' });
      const off = caption([], { ...loud, CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE@on' });
      expect(off.code, off.stderr).toBe(0);
      expect(on.stderr).toMatch(/oneDNN custom operations are on/);
      expect(off.stderr).not.toMatch(/oneDNN custom operations are on/);
    }, 120_000);

    it('CAPTION_NATIVE_CHECK=off trusts the native backend without a check', () => {
      // (oneDNN off: with it on, some CPUs of this kind really die, and nothing would stop it here.)
      const env = { CAPTION_BACKEND: 'tensorflow', CAPTION_NATIVE_CHECK: 'off', CAPTION_NATIVE_CHECK_CRASH: 'SIGFPE' };
      const r = caption([], { ...env, TF_ENABLE_ONEDNN_OPTS: '0' });
      expect(r.code, r.stderr).toBe(0);
      expect(backendLine(r.stderr)).toMatch(/compute backend: tensorflow \[.*oneDNN off, unchecked\]$/);
    }, 120_000);
  },
);
