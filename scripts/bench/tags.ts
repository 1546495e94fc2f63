/**
 * Tag-guided decoding's cost: captions of the same photos with and without tags, alternated over
 * rounds in one process (the order swaps each round), on a checkpoint that has a tagger and tag
 * settings. Photos come from a feature store (the decoding only: the encoder's cost is the same for
 * both, so this ratio is the upper bound of the whole caption's).
 *
 *   npm run bench -- tags --checkpoint DIR --features DIR [--images 100] [--offset N] [--rounds 5] [--backend tensorflow]
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select.js';
import { BACKEND_OPTION, requestedBackend } from '../../src/cli/backend-option.js';
import { requireInteger, type SubcommandSpec } from '../../src/cli/command.js';
import { checkpointFolder } from '../../src/checkpoint/checkpoint.js';
import { FeatureStoreReader } from '../../src/data/feature-store.js';
import { Captioner } from '../../src/search/captioner.js';
import { UserError } from '../../src/util/user-error.js';
import { median } from './measure.js';

interface TagsBenchArgs {
  checkpoint: string;
  features: string;
  images: number;
  offset: number;
  rounds: number;
  threshold: number | undefined;
  margin: number | undefined;
  backend: string | undefined;
}

export const tagsBenchmark: SubcommandSpec<TagsBenchArgs> = {
  command: 'tags',
  description: "tag-guided decoding's cost against the plain caption (same photos, alternated rounds)",
  options: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'a checkpoint with a tagger' })
      .option('features', { type: 'string', demandOption: true, describe: "a feature store of its encoder's features" })
      .option('images', { type: 'number', default: 100, describe: 'photos per batch (the first ones of the store)' })
      .option('offset', { type: 'number', default: 0, describe: 'skip this many photos of the store first (negative: count from its end)' })
      .option('rounds', { type: 'number', default: 5 })
      .option('threshold', { type: 'number', describe: "tag threshold [default: the checkpoint's decoding.json]" })
      .option('margin', { type: 'number', describe: "margin [default: the checkpoint's decoding.json]" })
      .option('backend', BACKEND_OPTION)
      .check((a) => {
        requireInteger(a, ['images', 'rounds']);
        if (!Number.isInteger(a.offset)) throw new Error(`--offset must be an integer, got ${a.offset}`);
        return true;
      }),
  run: async (args) => {
    await selectBackend({ requested: requestedBackend(args.backend) });
    const captioner = await Captioner.read(await checkpointFolder(args.checkpoint), true);
    const store = await FeatureStoreReader.open(args.features);
    try {
      if (!captioner.tagger) throw new UserError(`${args.checkpoint}: no tagger (tagger.json)`);
      const d = captioner.decoding;
      const tags = { threshold: args.threshold ?? d.tags?.threshold ?? 0.5, margin: args.margin ?? d.tags?.margin ?? 1 };
      const start = args.offset < 0 ? Math.max(0, store.records.length + args.offset) : args.offset;
      const keys = store.records.slice(start, start + args.images).map((r) => r.key);
      const features = tf.tensor3d(await store.read(keys), [keys.length, store.header.regions, store.header.depth]); // [B, L, D]
      const settings = { beamSize: d.beamSize, lengthPenalty: d.lengthPenalty, context: d.context, maxLength: 20 };
      const once = (withTags: boolean): { ms: number; tried: number } => {
        const t0 = performance.now();
        const out = captioner.caption(features, withTags ? { ...settings, tags } : settings);
        return { ms: performance.now() - t0, tried: out.filter((c) => c.constraint).length };
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
        process.stderr.write(`round ${r + 1}: plain ${(got.get(false)!.ms / keys.length).toFixed(2)} ms/photo, tagged ${(got.get(true)!.ms / keys.length).toFixed(2)} ms/photo (load ${os.loadavg()[0]!.toFixed(2)})\n`);
      }
      features.dispose();
      process.stdout.write(
        `tags benchmark: ${args.checkpoint}, ${keys.length} photos, beam ${d.beamSize}, tags ≥ ${tags.threshold} margin ${tags.margin} (a constraint tried on ${tried})\n` +
          `decoding ms/photo, median of ${args.rounds} alternated rounds: plain ${(median(plain) / keys.length).toFixed(2)}, tagged ${(median(tagged) / keys.length).toFixed(2)}; ` +
          `tagged/plain ${median(ratios).toFixed(2)} (rounds ${ratios.map((x) => x.toFixed(2)).join(' ')}); load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`,
      );
    } finally {
      captioner.dispose();
      await store.close();
    }
  },
};
