/**
 * The package as a user gets it: `npm pack`, installed into an empty folder, then
 * `import { loadCaptioner } from 'attend-caption'` captions a photo with no network (fetch replaced
 * by a function that throws) and no CAPTION_* environment variables; and its `caption` command runs
 * the compiled JavaScript (tsx is not installed there).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packAndInstall, repoRoot } from './pack.js';
let dir = '';

afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('installs, imports, and captions offline with no environment; the bin runs compiled code', { timeout: 600_000 }, async () => {
    const installed0 = await packAndInstall('pack-');
    dir = installed0.dir;
    const app = installed0.app;
    const installed = path.join(app, 'node_modules', 'attend-caption');
    expect((await fs.readdir(installed)).sort()).toEqual(expect.arrayContaining(['bin', 'checkpoints', 'dist', 'package.json']));
    await expect(fs.stat(path.join(app, 'node_modules', 'tsx'))).rejects.toThrow();
    // No install script in the tree asks the user's approval (npm's allowScripts): no `prepare`, no core-js.
    expect(installed0.installLog).not.toMatch(/install-scripts|allowScripts/);
    await expect(fs.stat(path.join(app, 'node_modules', 'core-js'))).rejects.toThrow();
    await expect(fs.stat(path.join(app, 'node_modules', '@tensorflow', 'tfjs'))).rejects.toThrow();

    const photo = path.join(repoRoot, 'docs', 'examples', 'photos', 'horse.png');
    await fs.writeFile(path.join(app, 'no-network.mjs'), "globalThis.fetch = () => { throw new Error('network use'); };\n");
    await fs.writeFile(
      path.join(app, 'main.mjs'),
      `import { loadCaptioner } from 'attend-caption';
const captioner = await loadCaptioner();
const [result] = await captioner.caption([${JSON.stringify(photo)}]);
console.log(JSON.stringify({ text: result.text, words: result.words.length, grid: result.grid, backend: captioner.info.backend }));
captioner.dispose();
`,
    );
    const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAPTION_')));
    const r = spawnSync(process.execPath, ['--import', './no-network.mjs', 'main.mjs'], { cwd: app, encoding: 'utf8', env: cleanEnv });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.text.split(' ').length).toBeGreaterThanOrEqual(3);
    const shipped = JSON.parse(readFileSync(path.join(repoRoot, 'checkpoints', 'flickr8k', 'model.json'), 'utf8')).grid;
    expect(out.grid).toEqual(shipped); // the shipped model's attention grid (7×7 for conv_pw_12)
    expect(['wasm', 'tensorflow']).toContain(out.backend); // tfjs-node only if its install could fetch libtensorflow

    const bin = spawnSync(path.join(app, 'node_modules', '.bin', 'caption'), [photo], { cwd: app, encoding: 'utf8', env: cleanEnv });
    expect(bin.status, bin.stderr).toBe(0);
    expect(bin.stdout.split('\t')[1]!.trim()).toBe(out.text);
  });
});
