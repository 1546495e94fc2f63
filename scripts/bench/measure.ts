/** Shared by the benchmarks: timing with warm-up and medians, and running one backend per child process. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BACKEND_NAMES } from '../../src/backend/select.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BENCH_SCRIPT = path.join(REPO_ROOT, 'scripts', 'bench.ts');

/** Where the developers' shared data lives (same rule as test/shared.ts). */
export const sharedDir = (): string => path.resolve(REPO_ROOT, process.env['CAPTION_SHARED_DIR'] ?? '../shared');

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `once` `warmup` times untimed, then `runs` times; returns each timed run in ms. */
export async function timeRuns(once: () => Promise<void>, warmup: number, runs: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  return times;
}

const RESULT_PREFIX = '@@bench-result ';

/** In a child: hands a JSON result to the parent (on stdout, one tagged line). */
export function reportToParent(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/**
 * Runs `tsx scripts/bench.ts <args>` in a fresh Node process (tfjs keeps one engine per process)
 * and returns what it reported with `reportToParent`. The child's stderr passes through.
 */
export function runChild<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, BENCH_SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
      else reject(new Error(`bench child ${args.join(' ')} exited with ${code} without a result:\n${out}`));
    });
  });
}

/** Throws (for yargs' check) unless every name in the comma-separated `--backends` list is a backend. */
export function checkBackendList(list: string): void {
  for (const b of list.split(','))
    if (!(BACKEND_NAMES as readonly string[]).includes(b)) throw new Error(`--backends: unknown backend "${b}"`);
}
