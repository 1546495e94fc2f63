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

const ONEDNN_AT_START = process.env['TF_ENABLE_ONEDNN_OPTS'];

/**
 * The test process's env, with TF_ENABLE_ONEDNN_OPTS as it was before loading the native backend here
 * set it (src/backend/onednn.ts): a child chooses its own setting, as a user's process does.
 */
export function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  if (ONEDNN_AT_START === undefined) delete base['TF_ENABLE_ONEDNN_OPTS'];
  else base['TF_ENABLE_ONEDNN_OPTS'] = ONEDNN_AT_START;
  return { ...base, ...env };
}

export function runCaptionCli(args: readonly string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, [CAPTION_BIN, ...args], {
    encoding: 'utf8',
    env: childEnv({ CAPTION_BACKEND: 'wasm', ...env }),
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
