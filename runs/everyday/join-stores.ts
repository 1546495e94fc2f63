/**
 * Issue 21/22, session 9, a study before any runtime code: does a 7×7 captioner that sees both trunks
 * keep the shipped model's Flickr8k captions and gain the detector trunk's COCO naming?
 *
 * Joins two feature stores of the same photos into one: the shipped encoder's conv_pw_12 (7×7×1024,
 * ImageNet) and the COCO-detection MobileNet's Conv2d_11 (14×14×512) averaged over 2×2 cells onto the
 * same 7×7 grid (cell (i, j) of the 7×7 grid covers cells 2i..2i+1 × 2j..2j+1 of the 14×14 one, both
 * over the squashed 224-px photo), concatenated per cell: 7×7×1536.
 *
 * The joined store has no encoder's weights (`weights` is absent), so `train` carries none: this is a
 * study store, not a shippable model. Its encoder id names both sources' ids.
 *
 *   npx tsx runs/everyday/join-stores.ts data/features/flickr8k-coco1k-pw12f16 data/features/flickr8k-coco1k-coco11 data/features/flickr8k-coco1k-pw12+coco7
 */
import { createHash } from 'node:crypto';
import { FeatureStoreReader, FeatureStoreWriter } from '../../src/data/feature-store.js';

async function main(): Promise<void> {
  const [coarseDir, fineDir, outDir] = process.argv.slice(2);
  if (!coarseDir || !fineDir || !outDir) throw new Error('usage: join-stores.ts <7×7 store> <14×14 store> <out>');
  const coarse = await FeatureStoreReader.open(coarseDir);
  const fine = await FeatureStoreReader.open(fineDir);
  const { grid: g7, depth: d7 } = coarse.header;
  const { grid: g14, depth: d14 } = fine.header;
  if (g14.height !== 2 * g7.height || g14.width !== 2 * g7.width)
    throw new Error(`grids ${g7.height}×${g7.width} and ${g14.height}×${g14.width} do not nest 2×2`);
  const id = createHash('sha256').update(`${coarse.header.encoder}\n${fine.header.encoder}\n`).digest('hex');
  const depth = d7 + d14;
  const writer = await FeatureStoreWriter.open(outDir, {
    encoder: `joined(${coarse.header.encoder.split('/')[0]}+${fine.header.encoder.split('/')[0]}:avgpool2)/concat/${g7.height}x${g7.width}x${depth}/224px-squash/sha256:${id}`,
    grid: g7,
    regions: g7.height * g7.width,
    depth,
  });
  const W7 = g7.width;
  const W14 = g14.width;
  let done = 0;
  for (const record of coarse.records) {
    if (writer.has(record.key)) continue;
    if (!fine.has(record.key)) throw new Error(`${fineDir} has no features for ${record.key}`);
    const a = await coarse.read([record.key]); // [49·1024]
    const b = await fine.read([record.key]); // [196·512]
    const out = new Float32Array(g7.height * W7 * depth); // [49, 1536]
    for (let i = 0; i < g7.height; i++) {
      for (let j = 0; j < W7; j++) {
        const cell = i * W7 + j;
        out.set(a.subarray(cell * d7, (cell + 1) * d7), cell * depth);
        for (let k = 0; k < d14; k++) {
          let sum = 0;
          for (const [di, dj] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ] as const)
            sum += b[((2 * i + di) * W14 + 2 * j + dj) * d14 + k]!;
          out[cell * depth + d7 + k] = sum / 4;
        }
      }
    }
    await writer.append(record, out);
    if (++done % 1000 === 0) console.log(`${done} joined`);
  }
  await writer.close();
  await coarse.close();
  await fine.close();
  console.log(`${writer.count} records in ${outDir}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
