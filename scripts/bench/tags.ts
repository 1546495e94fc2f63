/**
 * Tag-guided captioning's cost: the same photos captioned plainly and with tags (the photo taggers +
 * constrained decoding), alternated over rounds in one process (the order swaps each round), each a
 * whole caption from prepared photos: encoder, tagger networks, decoding. Decoding the image files
 * is done once beforehand (it is the same for both).
 *
 *   npm run bench -- tags --checkpoint DIR --dataset FILE [--split val] [--images 100] [--rounds 5] [--backend tensorflow]
 */
import * as os from 'node:os';
import { selectBackend } from '../../src/backend/select.js';
import { openSession } from '../../src/api/session.js';
import { BACKEND_OPTION, requestedBackend } from '../../src/cli/backend-option.js';
import { requireInteger, type SubcommandSpec } from '../../src/cli/command.js';
import { imagesOf, isSplit } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { prepareImage } from '../../src/image/load.js';
import { UserError } from '../../src/util/user-error.js';
import { median } from './measure.js';

interface TagsBenchArgs {
  checkpoint: string;
  dataset: string;
  split: string;
  images: number;
  rounds: number;
  threshold: number | undefined;
  margin: number | undefined;
  'plain-beam': number | undefined;
  backend: string | undefined;
}

export const tagsBenchmark: SubcommandSpec<TagsBenchArgs> = {
  command: 'tags',
  description: "tag-guided captioning's cost against the plain caption (same photos, alternated rounds)",
  options: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'a checkpoint with a tagger' })
      .option('dataset', {
        type: 'string',
        demandOption: true,
        describe: 'the photos: a dataset file or folder (any format caption-train reads)',
      })
      .option('split', { type: 'string', default: 'val', describe: 'its split to take photos from' })
      .option('images', { type: 'number', default: 100, describe: 'photos (the first ones of the split)' })
      .option('rounds', { type: 'number', default: 5 })
      .option('threshold', { type: 'number', describe: "tag threshold [default: the checkpoint's decoding.json]" })
      .option('margin', { type: 'number', describe: "margin [default: the checkpoint's decoding.json]" })
      .option('plain-beam', { type: 'number', describe: "beam of the plain caption it is compared with [default: the checkpoint's beam]" })
      .option('backend', BACKEND_OPTION)
      .check((a) => {
        requireInteger(a, ['images', 'rounds']);
        if (a['plain-beam'] !== undefined) requireInteger(a, ['plain-beam']);
        if (!isSplit(a.split)) throw new Error(`--split must be train, val or test, got "${a.split}"`);
        return true;
      }),
  run: async (args) => {
    await selectBackend({ requested: requestedBackend(args.backend) });
    const session = await openSession(args.checkpoint, undefined);
    try {
      const { decoder, encoder } = session;
      if (!decoder.tagger) throw new UserError(`${args.checkpoint}: no tagger (tagger.json) or no tags in its decoding.json`);
      const d = decoder.decoding;
      const tags = {
        threshold: args.threshold ?? d.tags?.threshold ?? 0.5,
        margin: args.margin ?? d.tags?.margin ?? 1,
        ...(d.tags?.classes ? { classes: d.tags.classes } : {}),
      };
      const { dataset } = await loadDataset(args.dataset);
      const files = imagesOf(dataset, args.split as 'val')
        .slice(0, args.images)
        .map((im) => im.file);
      if (!files.length) throw new UserError(`${args.dataset}: no photos in its ${args.split} split`);
      const photos = await Promise.all(files.map((f) => prepareImage(f, encoder.imageOptions)));
      const settings = { beamSize: d.beamSize, lengthPenalty: d.lengthPenalty, context: d.context, maxLength: 20 };
      const plainSettings = { ...settings, beamSize: args['plain-beam'] ?? d.beamSize };
      const once = (withTags: boolean): { ms: number; tried: number } => {
        const t0 = performance.now();
        let tried = 0;
        for (let i = 0; i < photos.length; i += encoder.batchSize) {
          const { captions } = session.captionImages(
            photos.slice(i, i + encoder.batchSize),
            withTags ? { ...settings, tags } : plainSettings,
          );
          tried += captions.filter((c) => c.constraint).length;
        }
        return { ms: performance.now() - t0, tried };
      };
      once(false);
      once(true); // warm-up
      const plain: number[] = [];
      const tagged: number[] = [];
      const ratios: number[] = [];
      let tried = 0;
      for (let r = 0; r < args.rounds; r++) {
        const order = r % 2 ? [true, false] : [false, true];
        const got = new Map(order.map((t) => [t, once(t)] as const));
        plain.push(got.get(false)!.ms);
        tagged.push(got.get(true)!.ms);
        tried = got.get(true)!.tried;
        ratios.push(got.get(true)!.ms / got.get(false)!.ms);
        process.stderr.write(
          `round ${r + 1}: plain ${(got.get(false)!.ms / files.length).toFixed(2)} ms/photo, tagged ${(got.get(true)!.ms / files.length).toFixed(2)} ms/photo (load ${os.loadavg()[0]!.toFixed(2)})\n`,
        );
      }
      process.stdout.write(
        `tags benchmark: ${args.checkpoint}, ${files.length} photos (batches of ${encoder.batchSize}), tagged: beam ${d.beamSize}, plain: beam ${plainSettings.beamSize}; tags ≥ ${tags.threshold} margin ${tags.margin} (a constraint tried on ${tried})\n` +
          `whole caption from prepared photos, ms/photo, median of ${args.rounds} alternated rounds: plain ${(median(plain) / files.length).toFixed(2)}, tagged ${(median(tagged) / files.length).toFixed(2)}; ` +
          `tagged/plain ${median(ratios).toFixed(2)} (rounds ${ratios.map((x) => x.toFixed(2)).join(' ')}); load average ${os
            .loadavg()
            .map((x) => x.toFixed(2))
            .join(' ')}\n`,
      );
    } finally {
      session.dispose();
    }
  },
};
