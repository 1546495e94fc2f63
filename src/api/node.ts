/**
 * `loadCaptioner` for Node.js: checkpoint + encoder + backend, behind the small `Captioner`
 * interface (types.ts). The CLI's `caption` is a client of the same pieces.
 */
import * as tf from '../util/tf.js';
import { attachBackend } from '../backend/attach.js';
import '../util/sha256-node.js'; // Node's crypto for fingerprints (same results as the pure-JS one)
import { SHIPPED_CHECKPOINT } from '../checkpoint/shipped.js';
import { prepareImage, readRgb } from '../image/load.js';
import type { PreparedImage } from '../image/types.js';
import { paintWord } from '../overlay/display.js';
import { encodePng } from '../overlay/rgb.js';
import { UserError } from '../util/user-error.js';
import { captionerInfo, checkDecodingOptions, decodeSettings } from './decoding-options.js';
import { lifetime } from './disposed.js';
import { explainTexts } from './explain.js';
import { isTensorLike, rgbPixels } from './tensor-input.js';
import { displayRequest, toCaptionResult } from './result.js';
import { imagesToBatch } from '../encoder/preprocess.js';
import { openSession } from './session.js';
import type { CaptionInput, CaptionResult, Captioner, CaptionerOptions, OverlayRequest } from './types.js';

/** The model `loadCaptioner()` uses when given no checkpoint: shipped with the package. */
export const DEFAULT_CHECKPOINT = SHIPPED_CHECKPOINT;

/** An input as something the image pipeline opens: a path, or bytes with a name for messages. */
async function sourceOf(input: CaptionInput, i: number): Promise<string | { bytes: Uint8Array; name: string }> {
  if (typeof input === 'string') return input;
  if (input instanceof Uint8Array) return { bytes: input, name: `input ${i + 1} (${input.byteLength} bytes)` };
  if (isTensorLike(input)) {
    const { height: h, width: w, pixels } = await rgbPixels(input, `input ${i + 1}`);
    const sharp = (await import('sharp')).default;
    const png = await sharp(pixels, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toBuffer();
    return { bytes: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), name: `input ${i + 1} (tensor ${h}×${w}×3)` };
  }
  throw new UserError(`input ${i + 1}: expected a file path, encoded image bytes or a [H, W, 3] tensor`);
}

export async function loadCaptioner(options: CaptionerOptions = {}): Promise<Captioner> {
  checkDecodingOptions(options);
  if (options.backend === 'webgl') throw new UserError('backend "webgl" is for browsers; in Node use auto, tensorflow, wasm or cpu');
  const backend = await attachBackend(options.backend, { processWide: options.processWide ?? false });
  const checkpoint = options.checkpoint ?? DEFAULT_CHECKPOINT;
  const session = await backend.during(() => openSession(checkpoint, options.encoderWeights, options));
  const { decoder, encoder } = session;
  const defaults = decodeSettings(decoder, options);
  const alive = lifetime();

  const prepare = async (inputs: readonly CaptionInput[]): Promise<PreparedImage[]> =>
    Promise.all(inputs.map(async (input, i) => prepareImage(await sourceOf(input, i), encoder.imageOptions)));

  return {
    info: captionerInfo(checkpoint, decoder, backend.name, defaults),
    async caption(inputs, perCall) {
      alive.check('caption');
      const settings = decodeSettings(decoder, options, perCall);
      const list = (Array.isArray(inputs) ? inputs : [inputs]) as readonly CaptionInput[];
      const out: CaptionResult[] = [];
      for (let i = 0; i < list.length; i += encoder.batchSize) {
        const images = await prepare(list.slice(i, i + encoder.batchSize));
        for (const c of backend.run(() => session.captionImages(images, settings)).captions) out.push(toCaptionResult(c, decoder.grid));
      }
      return out;
    },
    async explain(input, text) {
      alive.check('explain');
      const texts = typeof text === 'string' ? [text] : [...text];
      const [image] = await prepare([input]);
      return backend.run(() => {
        const features = tf.tidy(() => tf.tile(encoder.encode(imagesToBatch([image!])), [texts.length, 1, 1])) as tf.Tensor3D; // [N, L, D]
        try {
          return explainTexts(decoder, features, texts);
        } finally {
          features.dispose();
        }
      });
    },
    async overlay(input: CaptionInput, result: CaptionResult, request: OverlayRequest = {}) {
      alive.check('overlay');
      const index = request.word ?? 0;
      const word = result.words[index];
      if (!word) throw new UserError(`overlay: word ${index} does not exist (the caption has ${result.words.length} words)`);
      const source = await sourceOf(input, 0);
      const [image] = await prepare([input]);
      const photo = await readRgb(source);
      const painted = paintWord(photo, image!.region, result.grid, word, displayRequest(request));
      const png = await encodePng(painted);
      return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
    },
    dispose() {
      if (alive.end()) session.dispose();
    },
  };
}
