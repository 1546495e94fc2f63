#!/usr/bin/env node
// The `caption` command: the compiled CLI (`npm run build`; `npm pack` builds it through `prepack`).
try {
  await import('../dist/cli/caption-bin.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('caption-bin.js')) throw err;
  process.stderr.write('caption: dist/ is not built in this clone: run `npm run build` first\n');
  process.exitCode = 2;
}
