/**
 * Runs the encoder over many images into a feature store. Resumable: images already in the store (or
 * already recorded as unreadable) are not done again. Photo decoding of the next batch overlaps the
 * encoder's work on the current one.
 */
import type { Encoder } from '../encoder/encoder.js';
import { prepareImage } from '../image/load.js';
import type { PreparedImage } from '../image/types.js';
import { isUserError } from '../util/user-error.js';
import { ProgressBar } from '../util/progress.js';
import { FeatureStoreWriter, readSkipped, type SkippedImage } from './feature-store.js';
import type { KeyedImage } from './image-list.js';

export interface ExtractSummary {
  total: number;
  alreadyDone: number;
  encoded: number;
  /** Unreadable images skipped in this run and earlier runs. */
  skipped: SkippedImage[];
  seconds: number;
}

interface Prepared {
  ok: { key: string; image: PreparedImage }[];
  bad: SkippedImage[];
}

async function prepareBatch(batch: readonly KeyedImage[], encoder: Encoder): Promise<Prepared> {
  const results = await Promise.all(
    batch.map(async ({ key, file }) => {
      try {
        return { key, image: await prepareImage(file, encoder.imageOptions) };
      } catch (err) {
        if (!isUserError(err)) throw err;
        return { key, reason: err.message };
      }
    }),
  );
  const out: Prepared = { ok: [], bad: [] };
  for (const r of results) {
    if (r.image) out.ok.push({ key: r.key, image: r.image });
    else out.bad.push({ key: r.key, reason: r.reason! });
  }
  return out;
}

export async function extractFeatures(
  images: readonly KeyedImage[],
  outDir: string,
  encoder: Encoder,
  options: { batchSize: number; progress: boolean; weights?: string | undefined },
): Promise<ExtractSummary> {
  const t0 = performance.now();
  const writer = await FeatureStoreWriter.open(outDir, {
    encoder: encoder.fingerprint.id,
    grid: encoder.grid,
    regions: encoder.grid.height * encoder.grid.width,
    depth: encoder.depth,
    ...(options.weights !== undefined ? { weights: options.weights } : {}),
  });
  try {
    const todo = images.filter((im) => !writer.has(im.key) && !writer.wasSkipped(im.key));
    const alreadyDone = images.length - todo.length;
    const bar = new ProgressBar({ label: 'features', total: images.length, unit: 'img', initial: alreadyDone, enabled: options.progress });
    const batches: KeyedImage[][] = [];
    for (let i = 0; i < todo.length; i += options.batchSize) batches.push(todo.slice(i, i + options.batchSize));
    let encoded = 0;
    let next = batches[0] ? prepareBatch(batches[0], encoder) : undefined;
    for (let b = 0; b < batches.length; b++) {
      const { ok, bad } = await next!;
      next = batches[b + 1] ? prepareBatch(batches[b + 1]!, encoder) : undefined; // decode ahead
      for (const s of bad) await writer.skip(s);
      const vectors = ok.length ? await encoder.encodeImages(ok.map((o) => o.image), options.batchSize) : [];
      for (let i = 0; i < ok.length; i++) {
        const { key, image } = ok[i]!;
        await writer.append({ key, width: image.originalWidth, height: image.originalHeight }, vectors[i]!);
      }
      encoded += ok.length;
      bar.tick(ok.length + bad.length);
    }
    bar.finish();
    return { total: images.length, alreadyDone, encoded, skipped: await readSkipped(outDir), seconds: (performance.now() - t0) / 1000 };
  } finally {
    await writer.close();
  }
}
