/**
 * Benchmarks: `npx tsx scripts/bench.ts <name> [options]` (or `npm run bench -- <name>`).
 * Each benchmark lives in scripts/bench/<name>.ts and exports `run(args)`; add a row to BENCHMARKS.
 */
import { isUserError } from '../src/util/user-error.js';

interface Benchmark {
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<void> }>;
}

const BENCHMARKS: Record<string, Benchmark> = {
  encoder: {
    summary: 'ms per image of the MobileNet α=1.0 encoder, batch 1 and 16, on each backend',
    load: () => import('./bench/encoder.js'),
  },
  train: {
    summary: 'training step (fwd+bwd+Adam) at the reference sizes, forward pass, greedy and beam-3 captions/s, per backend',
    load: () => import('./bench/train.js'),
  },
};

function usage(): string {
  const rows = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(10)} ${b.summary}`);
  return `usage: tsx scripts/bench.ts <benchmark> [options]\n\nbenchmarks:\n${rows.join('\n')}\n`;
}

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return;
  }
  const bench = BENCHMARKS[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}"\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  await (await bench.load()).run(args);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (isUserError(err)) {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
});
