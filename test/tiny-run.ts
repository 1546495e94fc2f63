/**
 * A tiny captioning run for the `train` command (20 images of 2×2×6 features, 16 train and 4 val,
 * 4 steps an epoch at batch 4): its files, its flags, and what two runs must share to be the same run.
 * Used in-process (train-resume-in-process.test.ts) and as child processes (train-resume.test.ts).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vi } from 'vitest';
import { runCommand } from '../src/cli/command.js';
import { trainCommand } from '../src/cli/commands/train.js';
import { FeatureStoreWriter } from '../src/data/feature-store.js';
import { mulberry32 } from '../src/util/random.js';

const WORDS = ['red', 'blue', 'green', 'circle', 'square'];
/** 16 training captions in batches of 4: 4 steps an epoch, 3 epochs, 12 steps. */
export const STEPS_PER_EPOCH = 4;
export const TOTAL_STEPS = 12;

export interface TinyRun {
  dir: string;
  /** The flags every run of the tiny set shares (dataset, features, sizes, seed). */
  common: string[];
}

/** Writes the tiny dataset and its feature store into a new temporary folder. */
export async function makeTinyRun(prefix: string): Promise<TinyRun> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const rng = mulberry32(3);
  const lines: string[] = [];
  const store = await FeatureStoreWriter.open(path.join(dir, 'features'), {
    encoder: 'tiny-test-encoder',
    grid: { height: 2, width: 2 },
    regions: 4,
    depth: 6,
  });
  for (let i = 0; i < 20; i++) {
    const id = `img${i}`;
    await fs.writeFile(path.join(dir, `${id}.png`), 'x'); // the loader checks existence only
    const caption = `a ${WORDS[i % 3]} ${WORDS[3 + (i % 2)]}`;
    lines.push(JSON.stringify({ id, image: `${id}.png`, captions: [caption], split: i < 16 ? 'train' : 'val' }));
    await store.append(
      { key: id, width: 8, height: 8 },
      Float32Array.from({ length: 24 }, () => rng()),
    );
  }
  await store.close();
  await fs.writeFile(path.join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
  const flags: Record<string, string> = {
    dataset: path.join(dir, 'data.jsonl'),
    features: path.join(dir, 'features'),
    'min-count': '1',
    'batch-size': '4',
    epochs: '3',
    'embed-dim': '8',
    'hidden-dim': '8',
    'attention-dim': '4',
    dropout: '0.3',
    lr: '0.01',
    'lr-patience': '1',
    'checkpoint-every': '1000',
    seed: '5',
  };
  return { dir, common: [...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]), '--no-progress'] };
}

/** `args` with `flag` set to `value` (replaced where present, so yargs never sees it twice). */
export function withFlags(args: readonly string[], ...pairs: [string, string][]): string[] {
  const out = [...args];
  for (const [flag, value] of pairs) {
    const at = out.indexOf(flag);
    if (at >= 0) out[at + 1] = value;
    else out.push(flag, value);
  }
  return out;
}

/** The run named `name`'s best checkpoint and run folder under `dir`. */
export const runArgs = (dir: string, name: string): string[] => [
  '--out',
  path.join(dir, name, 'best'),
  '--run-dir',
  path.join(dir, name, 'run'),
];

/** What must be identical between two runs: weights, Adam's state, position, history (minus timings). */
export async function runFingerprint(dir: string, name: string): Promise<Record<string, string>> {
  const last = path.join(dir, name, 'run', 'last');
  const dropTimes = (text: string) => text.replace(/"(seconds|tokensPerSecond)":\s*[-0-9.e+]+/g, '"$1":0');
  return {
    weights: (await fs.readFile(path.join(last, 'weights.bin'))).toString('base64'),
    optimizer: (await fs.readFile(path.join(last, 'optimizer.bin'))).toString('base64'),
    state: dropTimes(await fs.readFile(path.join(last, 'train-state.json'), 'utf8')),
    metrics: dropTimes(await fs.readFile(path.join(dir, name, 'run', 'metrics.jsonl'), 'utf8')),
    best: (await fs.readFile(path.join(dir, name, 'best', 'weights.bin'))).toString('base64'),
  };
}

/** `npm run train -- …args` in this process on WASM: its exit code and what it wrote to stderr. */
export async function trainInProcess(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    return { code: await runCommand(trainCommand, [...args, '--backend', 'wasm']), stderr };
  } finally {
    spy.mockRestore();
  }
}
