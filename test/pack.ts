/** The package as a user installs it: `npm pack`, then `npm install <tarball>` into an empty app folder. */
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface InstalledApp {
  /** The temp folder (remove it when done). */
  dir: string;
  /** The app folder, with node_modules/attend-caption installed from the tarball. */
  app: string;
  /** What npm printed while installing, stdout and stderr (warnings included). */
  installLog: string;
}

export async function packAndInstall(prefix: string): Promise<InstalledApp> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' };
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tarball = npm(['pack', '--pack-destination', dir, '--ignore-scripts', '--silent'], repoRoot).trim().split('\n').at(-1)!;
  const app = path.join(dir, 'app');
  await fs.mkdir(app);
  await fs.writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const r = spawnSync('npm', ['install', path.join(dir, tarball), '--prefer-offline', '--no-package-lock'], {
    cwd: app,
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`npm install of the packed package failed (${r.status}): ${r.stderr}`);
  return { dir, app, installLog: `${r.stdout}${r.stderr}` };
}
