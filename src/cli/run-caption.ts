/** The `caption` command's work: a client of the library's session (src/api/session.ts): load once, caption in batches. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSession } from '../api/session.js';
import { selectBackend } from '../backend/select.js';
import { resolveDecoding } from '../checkpoint/decoding.js';
import type { Encoder } from '../encoder/encoder.js';
import { prepareImage } from '../image/load.js';
import type { PreparedImage } from '../image/types.js';
import { ProgressBar } from '../util/progress.js';
import { isUserError, UserError } from '../util/user-error.js';
import { requestedBackend } from './backend-option.js';
import { DEFAULT_CHECKPOINTS, type CaptionArgs } from './caption-options.js';
import { captionRecord, explainRecord, textLine, type CaptionRecord } from './caption-record.js';
import { EXIT_OK, EXIT_USER } from './exit-codes.js';
import { expandInputs } from './expand-inputs.js';
import { OverlayWriter } from './overlay-writer.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The checkpoint to use: the flag's, else the first shipped default that exists. */
export function resolveCheckpoint(flag: string | undefined): string {
  if (flag !== undefined) {
    if (!existsSync(path.join(flag, 'model.json'))) throw new UserError(`${flag}: not a checkpoint folder (no model.json)`);
    return flag;
  }
  for (const rel of DEFAULT_CHECKPOINTS) {
    const dir = path.join(PROJECT_ROOT, rel);
    if (existsSync(path.join(dir, 'model.json'))) return dir;
  }
  throw new UserError(
    `no checkpoint found (looked in ${DEFAULT_CHECKPOINTS.join(', ')}): train one with \`npm run train\` or pass --checkpoint <dir>`,
  );
}

interface Failure {
  file: string;
  problem: string;
}

async function prepareAll(
  files: readonly string[],
  encoder: Encoder,
  failures: Failure[],
): Promise<{ file: string; image: PreparedImage }[]> {
  const results = await Promise.all(
    files.map(async (file) => {
      try {
        return { file, image: await prepareImage(file, encoder.imageOptions) };
      } catch (err) {
        if (!isUserError(err)) throw err;
        failures.push({ file, problem: err.message });
        return undefined;
      }
    }),
  );
  return results.filter((r): r is { file: string; image: PreparedImage } => r !== undefined);
}

export async function runCaption(args: CaptionArgs): Promise<number> {
  const log = args.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const checkpoint = resolveCheckpoint(args.checkpoint);
  const { files, problems } = expandInputs(args.images);
  const failures: Failure[] = problems.map((p) => ({ file: p.input, problem: `${p.input}: ${p.problem}` }));
  await selectBackend({ requested: requestedBackend(args.backend), ...(args.quiet ? { log: () => {} } : {}) });
  const session = await openSession(checkpoint, args.encoderWeights);
  const { decoder: captioner, encoder } = session;
  const { beamSize, lengthPenalty, context } = resolveDecoding(
    { beamSize: args.beam, lengthPenalty: args.lengthPenalty, context: args.context },
    captioner.decoding,
  );
  const tags = args.tags && captioner.tagger ? captioner.decoding.tags : undefined;
  const overlays = args.overlay || args.html ? new OverlayWriter(args) : undefined;
  const bar = new ProgressBar({
    label: 'caption',
    total: files.length,
    unit: 'img',
    enabled: !args.quiet && files.length > 3 && Boolean(process.stderr.isTTY),
  });
  try {
    for (let i = 0; i < files.length; i += encoder.batchSize) {
      const chunk = files.slice(i, i + encoder.batchSize);
      const t0 = performance.now();
      const ok = await prepareAll(chunk, encoder, failures);
      if (ok.length === 0) {
        bar.tick(chunk.length);
        continue;
      }
      const t1 = performance.now();
      const images = ok.map((o) => o.image);
      const explain = args.explain;
      const done =
        explain === undefined
          ? session.captionImages(images, { beamSize, lengthPenalty, context, maxLength: args.maxLen, allowUnk: args.allowUnk, tags })
          : session.explainImages(images, explain);
      const n = ok.length;
      const timings = { readMs: (t1 - t0) / n, encodeMs: done.encodeMs / n, decodeMs: done.decodeMs / n };
      for (let j = 0; j < n; j++) {
        const { file, image } = ok[j]!;
        const about = { grid: captioner.grid, beamSize, lengthPenalty, context, checkpoint, encoder: captioner.encoderId, timings };
        const record: CaptionRecord =
          'explanations' in done
            ? explainRecord(file, explain!, done.explanations[j]!, about)
            : captionRecord(file, done.captions[j]!, about);
        if (overlays) record.overlays = await overlays.add(record, image);
        process.stdout.write(`${args.json ? JSON.stringify(record) : textLine(record)}\n`);
      }
      bar.tick(chunk.length);
    }
    bar.finish();
    if (overlays && args.html) await overlays.writeReviewPage(args.html);
  } finally {
    session.dispose();
  }
  if (failures.length) {
    const total = files.length + problems.length;
    process.stderr.write(`caption: ${failures.length} of ${total} input(s) failed:\n${failures.map((f) => `  ${f.problem}`).join('\n')}\n`);
    return EXIT_USER;
  }
  log(`captioned ${files.length} image(s) with ${path.relative(process.cwd(), checkpoint) || checkpoint}`);
  return EXIT_OK;
}
