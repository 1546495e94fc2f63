/**
 * Issue 25's table: the hostile requests of test/demo-requests.ts against a demo server, before and after.
 *   npx tsx runs/demo-server/probe.ts <path to a src/demo/site.ts>   (prints a markdown table)
 * The server runs in a child process (a crash must not end the probe); a file beside the site folder,
 * in a sibling whose name starts with the site's, holds a secret that must never come back.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostileTargets, rawRequest } from '../../test/demo-requests.js';

const siteModule = path.resolve(process.argv[2] ?? 'src/demo/site.ts');
const dir = mkdtempSync(path.join(os.tmpdir(), 'probe-'));
const site = path.join(dir, 'demo-site');
mkdirSync(site);
mkdirSync(`${site}-x`);
writeFileSync(path.join(site, 'index.html'), '<html>site</html>');
const SECRET = 'the-secret-text';
writeFileSync(path.join(`${site}-x`, 'secret.txt'), SECRET);

const code = `const m = await import(${JSON.stringify(siteModule)}); const { url } = await m.serveFolder(${JSON.stringify(site)}, 0); console.log(url);`;
let crashes = 0;
let lastError = '';
/** Starts the server in a child; restarted after each crash so that every request is tried. */
async function start() {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on(
    'data',
    (c: Buffer) =>
      (lastError =
        String(c)
          .split('\n')
          .find((l) => /Error/.test(l))
          ?.trim() ?? lastError),
  );
  const url = await new Promise<string>((resolve) => child.stdout.once('data', (c: Buffer) => resolve(String(c).trim())));
  return { child, url };
}
let server = await start();

const show = (t: string): string => (t.length > 60 ? `${t.slice(0, 40)}… (${t.length} chars)` : t).replace(/\|/g, '\\|');
console.log('| request | status | outside file served | server afterwards |');
console.log('|---|---|---|---|');
for (const target of [...hostileTargets('demo-site-x'), '/index.html']) {
  let status: string;
  let leaked = '-';
  try {
    const r = await rawRequest(server.url, target);
    status = r.status ? String(r.status) : 'connection closed, no status';
    leaked = r.body.toString('latin1').includes(SECRET) ? '**yes**' : 'no';
  } catch (err) {
    status = `no answer (${String((err as Error).message).split(' ')[0]})`;
  }
  await new Promise((r) => setTimeout(r, 150));
  let after = 'serving';
  if (server.child.exitCode !== null) {
    crashes++;
    after = `**died** (${lastError || `exit ${server.child.exitCode}`}); restarted`;
    server = await start();
  }
  console.log(`| \`GET ${show(target)}\` | ${status} | ${leaked} | ${after} |`);
}
console.log(`\n${crashes} crash(es)`);
server.child.kill();
