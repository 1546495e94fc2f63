/**
 * The WASM backend's SIMD kernels are compiled from their source: the committed module
 * (src/fast-paths/simd-kernels.wasm.ts) is exactly what `npm run build:wasm` makes of
 * simd-kernels.wat with wabt, for plain and shared memory, and both validate with every export.
 * (What the kernels compute is tested in fast-paths-wasm.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSimdKernels, GENERATED_FILE, generatedModule } from '../scripts/lib/simd-kernels-wasm.js';

describe('the SIMD kernels module', () => {
  it('is what simd-kernels.wat compiles to (run `npm run build:wasm` after editing it)', async () => {
    const bytes = await compileSimdKernels();
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(generatedModule(bytes));
    for (const [which, b] of Object.entries(bytes)) {
      const module = new WebAssembly.Module(b as Uint8Array<ArrayBuffer>);
      const imports = WebAssembly.Module.imports(module);
      expect(imports, which).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(['weightedSum', 'rowDots', 'columnSums', 'rowSums', 'adam']);
    }
  });
});
