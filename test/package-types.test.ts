/**
 * The package's types, per platform, as a TypeScript user gets them: the packed package installed into
 * an app, then the README's two code blocks (read from the README itself, so it cannot drift) compiled
 * with tsc in a Node project (nodenext: the `node` condition) and in a browser project (bundler
 * resolution with customConditions ["browser"], DOM types): each must type-check against its
 * platform's declarations, and the browser one must fail against the Node ones.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAndInstall, repoRoot, type InstalledApp } from './pack.js';

const TSC = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** The README's ```ts blocks whose first line is the given comment. */
function readmeBlock(firstLine: string): string {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith(`${firstLine}\n`));
  if (!block) throw new Error(`README: no \`\`\`ts block starting "${firstLine}"`);
  return block;
}

async function project(dir: string, compilerOptions: Record<string, unknown>, code: string): Promise<{ code: number | null; out: string }> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'example.ts'), code);
  // skipLibCheck as tfjs users must (tfjs's own .d.ts do not pass a strict check); the example's uses of our types are checked.
  const base = { strict: true, target: 'es2022', noEmit: true, skipLibCheck: true, types: [] as string[] };
  await fs.writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...base, ...compilerOptions }, files: ['example.ts'] }),
  );
  const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("the README's examples type-check against the packed package, per platform", () => {
  let installed: InstalledApp | undefined;
  beforeAll(async () => {
    installed = await packAndInstall('pack-types-');
    // @types/node for the Node project, from the repo (the app has no dev dependencies).
    await fs.mkdir(path.join(installed.app, 'node_modules', '@types'), { recursive: true });
    execFileSync('cp', [
      '-r',
      path.join(repoRoot, 'node_modules', '@types', 'node'),
      path.join(installed.app, 'node_modules', '@types', 'node'),
    ]);
  }, 600_000);
  afterAll(async () => {
    if (installed) await fs.rm(installed.dir, { recursive: true, force: true });
  });

  const node = { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] };
  const browser = { module: 'es2022', moduleResolution: 'bundler', customConditions: ['browser'], lib: ['es2022', 'dom'] };

  it('Node: the README block compiles (module nodenext)', async () => {
    const r = await project(path.join(installed!.app, 'node-example'), node, readmeBlock('// Node.js'));
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('browser: the README block compiles (bundler resolution, browser condition, DOM)', async () => {
    const r = await project(path.join(installed!.app, 'browser-example'), browser, readmeBlock('// In a browser'));
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('the ./browser subpath gives the browser types too, and the Node types reject the browser example', async () => {
    const sub = readmeBlock('// In a browser').replace("from 'attend-caption'", "from 'attend-caption/browser'");
    const r = await project(path.join(installed!.app, 'browser-subpath'), { ...browser, customConditions: [] }, sub);
    expect(r.out).toBe('');
    const wrong = await project(
      path.join(installed!.app, 'browser-as-node'),
      { ...browser, customConditions: [] },
      readmeBlock('// In a browser'),
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toMatch(/paint|HTMLImageElement|checkpoint/);
  }, 120_000);
});
