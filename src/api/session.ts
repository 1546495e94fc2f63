/**
 * The pieces every Node client shares (the library's `loadCaptioner`, the `caption` command): a
 * checkpoint's decoder, the exact encoder it was trained on (from the flag, $CAPTION_MOBILENET, the
 * checkpoint's own `encoder/`, or its variant's online copy; downloaded weights that do not match the
 * fingerprint are refetched once), and captioning prepared photos in one batch.
 */
import * as tf from '../util/tf.js';
import { checkpointFolder } from '../checkpoint/checkpoint.js';
import { CaptionModel, type Caption, type DecodeSettings } from '../model/caption-model.js';
import { purgeCachedModel } from '../encoder/cached-http-io.js';
import type { Encoder } from '../encoder/encoder.js';
import { WeightsUnavailableError } from '../encoder/errors.js';
import { loadEncoder } from '../encoder/load-encoder.js';
import type { NetworkOptions } from '../util/network.js';
import { assertSameEncoder, encoderConfigOf } from '../encoder/fingerprint.js';
import { isHttp } from '../encoder/model-files.js';
import { imagesToBatch } from '../encoder/preprocess.js';
import { variantNamed } from '../encoder/variants.js';
import { weightsSource } from '../encoder/weights-source.js';
import type { PreparedImage } from '../image/types.js';
import type { Explanation } from '../search/explain.js';

export interface CaptionSession {
  readonly checkpoint: string;
  readonly decoder: CaptionModel;
  readonly encoder: Encoder;
  /** Captions of prepared photos (one encoder batch; the caller chunks), with encode and decode times. */
  captionImages(images: readonly PreparedImage[], settings: DecodeSettings): { captions: Caption[]; encodeMs: number; decodeMs: number };
  /** The same caption `text` explained on each photo (teacher forcing), with encode and decode times. */
  explainImages(images: readonly PreparedImage[], text: string): { explanations: Explanation[]; encodeMs: number; decodeMs: number };
  dispose(): void;
}

async function encoderFor(encoderId: string, source: string | undefined, network: NetworkOptions, retry = true): Promise<Encoder> {
  const config = encoderConfigOf(encoderId);
  const encoder = await loadEncoder({ ...config, source }, network);
  try {
    assertSameEncoder(encoderId, encoder.fingerprint);
  } catch (err) {
    encoder.dispose();
    // Downloaded weights that do not match: a corrupt or stale cache entry; fetch them once more.
    const url = source ?? variantNamed(config.variant).url;
    if (retry && url !== undefined && isHttp(url)) {
      await purgeCachedModel(url);
      return encoderFor(encoderId, source, network, false);
    }
    throw err;
  }
  return encoder;
}

/** Loads a checkpoint and its encoder; `weights` as `--encoder-weights` (undefined: the usual search). */
export async function openSession(checkpoint: string, weights: string | undefined, network: NetworkOptions = {}): Promise<CaptionSession> {
  const decoder = await CaptionModel.read(await checkpointFolder(checkpoint));
  const encoder = await encoderFor(decoder.encoderId, weightsSource(weights, checkpoint), network).catch((err: unknown) => {
    decoder.dispose();
    if (err instanceof WeightsUnavailableError && !err.needed)
      throw new WeightsUnavailableError(err.url, err.reason, { checkpoint, encoder: decoder.encoderId }, { cause: err.cause });
    throw err;
  });
  return {
    checkpoint,
    decoder,
    encoder,
    captionImages(images, settings) {
      const t0 = performance.now();
      const photos = imagesToBatch(images); // [B, S, S, 3]
      const features = tf.tidy(() => encoder.encode(photos)); // [B, L, D]
      features.dataSync(); // finish the encoder's work before timing the decoder
      const t1 = performance.now();
      try {
        const captions = decoder.caption(features, settings, photos);
        return { captions, encodeMs: t1 - t0, decodeMs: performance.now() - t1 };
      } finally {
        tf.dispose([features, photos]);
      }
    },
    explainImages(images, text) {
      const t0 = performance.now();
      const features = tf.tidy(() => encoder.encode(imagesToBatch(images))); // [B, L, D]
      features.dataSync();
      const t1 = performance.now();
      try {
        const explanations = decoder.explain(
          features,
          images.map(() => text),
        );
        return { explanations, encodeMs: t1 - t0, decodeMs: performance.now() - t1 };
      } finally {
        features.dispose();
      }
    },
    dispose() {
      encoder.dispose();
      decoder.dispose();
    },
  };
}
