#!/usr/bin/env node
// The `caption` command: the compiled CLI (`npm run build`, run by `npm ci` through `prepare`).
await import('../dist/cli/caption-bin.js');
