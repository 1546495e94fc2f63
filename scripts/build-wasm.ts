/** `npm run build:wasm`: compile the WASM backend's SIMD kernels (simd-kernels.wat) into simd-kernels.wasm.ts. */
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { compileSimdKernels, GENERATED_FILE, generatedModule } from './lib/simd-kernels-wasm.js';

const bytes = await compileSimdKernels();
await writeFileAtomic(GENERATED_FILE, generatedModule(bytes));
process.stderr.write(`wrote ${GENERATED_FILE}: ${bytes.plain.length} bytes (plain memory), ${bytes.shared.length} (shared)\n`);
