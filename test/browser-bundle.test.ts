/**
 * The browser entry (src/api/browser.ts, the package's "browser" export) bundles for the browser with
 * esbuild (platform: 'browser'): nothing reachable from it imports a Node built-in, sharp, the native
 * addons or tfjs-node. esbuild itself fails on an unresolvable `node:` import; the metafile check names
 * the file that pulled one in.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('browser bundle', () => {
  it('src/api/browser.ts bundles for the browser with no Node module in it', async () => {
    const result = await build({
      entryPoints: [path.join(repoRoot, 'src', 'api', 'browser.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outfile: 'browser.js',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const nodeOnly = inputs.filter((i) =>
      /(^|\/)node:|node_modules\/(sharp|@img|@tensorflow\/tfjs-node)\/|attend-caption-native|src\/(cli|train)\//.test(i),
    );
    expect(nodeOnly).toEqual([]);
    const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((imp) => imp.path));
    expect(
      imports.filter((p) => p.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'module', 'url', 'child_process'].includes(p)),
    ).toEqual([]);
    expect(inputs).toContain('src/decoder/attention.ts'); // the model itself is in the bundle
  });
});
