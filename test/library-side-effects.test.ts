/**
 * The library leaves its host alone (issue "behaves like a library", item 2): an app that uses tfjs
 * itself sees the same backend, the same kernels, the same globals, process listeners, tfjs flags and
 * environment before and after `loadCaptioner` + `caption` + `dispose` — with the library on the app's
 * backend, and with a backend the library asked for (borrowed per call). The opt-in `processWide`
 * mode does change them, which shows the check can fail. Each case is a fresh process (test/fixtures/host-app.ts).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childEnv } from './cli-helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function host(scenario: string): {
  library: string;
  between: string;
  afterCall: string;
  hostSum: number;
  caption: string;
  changes: string[];
} {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'fixtures', 'host-app.ts'), scenario], {
    encoding: 'utf8',
    cwd: repoRoot,
    env: childEnv(),
    timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`host-app ${scenario} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ReturnType<typeof host>;
}

describe('a host app that uses tfjs itself', () => {
  it("on the app's own backend, the library changes nothing", () => {
    const r = host('host-wasm');
    expect(r.library).toBe('wasm');
    expect(r.caption).toMatch(/motorcycle|bike/);
    expect(r.changes).toEqual([]);
  });

  it('with a backend the library asked for: borrowed per call, the app keeps its own between calls and after', () => {
    const r = host('borrow-wasm');
    expect(r.library).toBe('wasm');
    expect([r.between, r.afterCall]).toEqual(['cpu', 'cpu']);
    expect(r.hostSum).toBe(6);
    expect(r.caption).toMatch(/motorcycle|bike/);
    expect(r.changes).toEqual([]);
  });

  it('processWide: true tunes the process (the opt-in the CLI takes), and the check sees it', () => {
    const r = host('process-wide');
    expect(r.changes).toEqual(expect.arrayContaining(['backend cpu → wasm', 'kernel Identity/wasm', 'kernel Sum/wasm']));
  });
});
