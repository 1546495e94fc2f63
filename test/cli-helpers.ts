/** Running the `caption` command as a user does: a child process of bin/caption.js. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CAPTION_BIN = path.join(repoRoot, 'bin', 'caption.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCaptionCli(args: readonly string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, [CAPTION_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CAPTION_BACKEND: 'wasm', ...env },
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
