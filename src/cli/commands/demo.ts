/**
 * The in-browser demo: `npm run demo` builds the static site into demo-site/ and serves it on
 * localhost (`npm run demo -- --port 8080`; `--host 0.0.0.0` for other machines; `--no-serve` only builds;
 * any static server works).
 */
import { defineCommand, requireInteger } from '../command.js';

export const demoCommand = defineCommand({
  program: 'demo',
  scriptName: 'npm run demo --',
  description: 'Build the in-browser demo (static files) and serve it on localhost.',
  options: (y) =>
    y
      .option('out', { type: 'string', default: 'demo-site', describe: 'folder for the built site (replaced)' })
      .option('port', { type: 'number', default: 8080, describe: 'port to serve on' })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'interface to bind (0.0.0.0: every interface, reachable from other machines)',
      })
      .option('serve', { type: 'boolean', default: true, describe: 'serve after building (--no-serve: only build)' })
      .check((a) => {
        requireInteger(a, ['port'], 0);
        return true;
      }),
  run: async (args) => {
    const { buildDemoSite, serveFolder } = await import('../../demo/site.js');
    const bytes = await buildDemoSite(args.out);
    process.stderr.write(`built ${args.out}/ (${(bytes / 1e6).toFixed(1)} MB)\n`);
    if (!args.serve) return;
    const { url } = await serveFolder(args.out, { port: args.port, host: args.host });
    process.stderr.write(`serving ${args.out}/ at ${url} (Ctrl-C to stop)\n`);
    await new Promise(() => {});
  },
});
