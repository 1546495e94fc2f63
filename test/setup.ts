// Every test file runs on the WASM backend: the fallback every user gets.
// (The native-vs-WASM parity test selects its backends itself.)
process.env['CAPTION_BACKEND'] ??= 'wasm';

// Downloaded weights are cached (src/encoder/cached-http-io.ts): never in the user's real cache.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
process.env['CAPTION_CACHE_DIR'] ??= mkdtempSync(path.join(os.tmpdir(), 'caption-cache-'));
