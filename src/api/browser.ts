/**
 * attend-caption in a browser: the same model, served as static files.
 *
 *   import { loadCaptioner } from 'attend-caption';              // the package's "browser" entry
 *   const captioner = await loadCaptioner({ checkpoint: '/model/', encoderWeights: '/model/encoder/' });
 *   const [result] = await captioner.caption([imgElement]);   // <img>, ImageBitmap, canvas, ImageData or [H, W, 3] tensor
 *   captioner.paint(canvas, imgElement, result, { word: 2 }); // that word's attention over the photo
 *
 * Nothing here imports Node.js or sharp (CI bundles this entry for the browser and fails on any Node
 * module). Overlays use the same colour maps and bicubic smoothing as the PNG overlays.
 */
import * as tf from '../util/tf.js';
import { borrowBackend, hostBackend, type AttachedBackend } from '../backend/borrow.js';
import { selectBrowserBackend, type BrowserBackend } from '../backend/select-browser.js';
import { urlFiles } from '../checkpoint/url-files.js';
import { CaptionModel } from '../model/caption-model.js';
import { encoderSource, loadEncoderFrom } from '../encoder/load-encoder-from.js';
import { assertSameEncoder, encoderConfigOf } from '../encoder/fingerprint.js';
import { HttpModelFiles } from '../encoder/http-io.js';
import { imagesToBatch } from '../encoder/preprocess.js';
import { browserPixels, prepareBrowserImage, rgbaToRgb, type BrowserImage } from '../image/browser-image.js';
import type { PreparedImage } from '../image/types.js';
import { paintWord } from '../overlay/display.js';
import { UserError } from '../util/user-error.js';
import { captionerInfo, checkDecodingOptions, decodeSettings } from './decoding-options.js';
import { lifetime } from './disposed.js';
import { explainTexts } from './explain.js';
import { isTensorLike, rgbPixels, type TensorLike } from './tensor-input.js';
import { displayRequest, toCaptionResult } from './result.js';
import type { CaptionerInfo, CaptionResult, DecodingOptions, ExplainResult, NetworkOptions, OverlayRequest } from './types.js';

export type {
  CaptionerInfo,
  CaptionResult,
  CaptionWordResult,
  DecodingOptions,
  ExplainResult,
  ExplainedWordResult,
  NetworkOptions,
  OverlayRequest,
  TensorLike,
} from './types.js';
export type { BrowserBackend } from '../backend/select-browser.js';
export { EncoderMismatchError, WeightsUnavailableError } from '../encoder/errors.js';
export { FileInputError, UserError } from '../util/user-error.js';
export { CaptionerDisposedError } from './disposed.js';

export interface BrowserCaptionerOptions extends DecodingOptions, NetworkOptions {
  /** The checkpoint's URL (a folder with model.json, weights.bin, vocab.json). */
  checkpoint: string;
  /** The encoder's weights URL (default: `<checkpoint>/encoder/`). */
  encoderWeights?: string;
  /**
   * Default: the backend your tfjs has active (nothing is set or changed), or `auto` if it has none yet.
   * A name, or `auto` (WebGL, else WASM, else CPU): that backend, brought up if needed and switched in
   * only while the captioner computes; yours is switched back after each call.
   */
  backend?: BrowserBackend | 'auto';
  /** Where the WASM backend's .wasm files are served (default `./wasm/`). */
  wasmPath?: string;
}

export type BrowserCaptionInput = BrowserImage | tf.Tensor3D | TensorLike;

export interface BrowserCaptioner {
  /** `options` override the load-time decoding options for this call. */
  caption(inputs: BrowserCaptionInput | readonly BrowserCaptionInput[], options?: DecodingOptions): Promise<CaptionResult[]>;
  /** Where the model would look for each word of `text` on the photo (teacher-forced decoding). */
  explain(input: BrowserCaptionInput, text: string | readonly string[]): Promise<ExplainResult[]>;
  /** Draws the photo on `canvas` (at the canvas's size) with one word's attention over it. */
  paint(canvas: HTMLCanvasElement | OffscreenCanvas, photo: BrowserImage, result: CaptionResult, request?: OverlayRequest): void;
  readonly info: CaptionerInfo;
  dispose(): void;
}

async function prepared(input: BrowserCaptionInput, size: number, i: number): Promise<PreparedImage> {
  if (isTensorLike(input)) {
    // Read through data(), so a tensor of another copy of tfjs works too.
    const { height: h, width: w, pixels: rgb } = await rgbPixels(input, `input ${i + 1}`);
    const resized = tf.tidy(() =>
      tf.round(tf.clipByValue(tf.image.resizeBilinear(tf.tensor3d(rgb, [h, w, 3], 'int32'), [size, size]), 0, 255)),
    ); // [S, S, 3]
    const pixels = Uint8Array.from(resized.dataSync());
    resized.dispose();
    return { file: `input ${i + 1}`, originalWidth: w, originalHeight: h, region: { left: 0, top: 0, width: w, height: h }, size, pixels };
  }
  return prepareBrowserImage(input, size, `input ${i + 1}`);
}

/** The host's backend, or the one asked for, borrowed (backend/borrow.ts). */
async function attachBrowserBackend(options: BrowserCaptionerOptions): Promise<AttachedBackend> {
  const host = tf.engine().backendName;
  if (options.backend === undefined && host) return hostBackend();
  const name = await selectBrowserBackend(options.backend ?? 'auto', options.wasmPath);
  if (host && host !== name) await tf.setBackend(host);
  return borrowBackend(name);
}

export async function loadCaptioner(options: BrowserCaptionerOptions): Promise<BrowserCaptioner> {
  checkDecodingOptions(options);
  const backend = await attachBrowserBackend(options);
  const decoder = await backend.during(() => CaptionModel.read(urlFiles(options.checkpoint, options)));
  const defaults = decodeSettings(decoder, options);
  const alive = lifetime();
  const config = encoderConfigOf(decoder.encoderId);
  if (config.resize !== 'squash') {
    decoder.dispose();
    throw new UserError(
      `${options.checkpoint}: its encoder crops photos (${config.resize}); the browser captioner supports squash-resized encoders only`,
    );
  }
  const weights =
    options.encoderWeights ??
    new URL('encoder/', new URL(options.checkpoint.endsWith('/') ? options.checkpoint : `${options.checkpoint}/`, location.href)).href;
  const encoder = await backend
    .during(() => loadEncoderFrom(new HttpModelFiles(encoderSource({ ...config, source: weights }), options), config))
    .catch((err: unknown) => {
      decoder.dispose();
      throw err;
    });
  try {
    assertSameEncoder(decoder.encoderId, encoder.fingerprint);
  } catch (err) {
    encoder.dispose();
    decoder.dispose();
    throw err;
  }
  return {
    info: captionerInfo(options.checkpoint, decoder, backend.name, defaults),
    async caption(inputs, perCall) {
      alive.check('caption');
      const settings = decodeSettings(decoder, options, perCall);
      const list = (Array.isArray(inputs) ? inputs : [inputs]) as readonly BrowserCaptionInput[];
      const out: CaptionResult[] = [];
      for (let i = 0; i < list.length; i += encoder.batchSize) {
        const images = await Promise.all(list.slice(i, i + encoder.batchSize).map((input, j) => prepared(input, encoder.inputSize, i + j)));
        const captions = backend.run(() => {
          const photos = imagesToBatch(images); // [B, S, S, 3]
          const features = tf.tidy(() => encoder.encode(photos)); // [B, L, D]
          try {
            return decoder.caption(features, settings, photos);
          } finally {
            tf.dispose([features, photos]);
          }
        });
        for (const c of captions) out.push(toCaptionResult(c, decoder.grid));
      }
      return out;
    },
    async explain(input, text) {
      alive.check('explain');
      const texts = typeof text === 'string' ? [text] : [...text];
      const image = await prepared(input, encoder.inputSize, 0);
      return backend.run(() => {
        const features = tf.tidy(() => tf.tile(encoder.encode(imagesToBatch([image])), [Math.max(1, texts.length), 1, 1])) as tf.Tensor3D; // [N, L, D]
        try {
          return explainTexts(decoder, features, texts);
        } finally {
          features.dispose();
        }
      });
    },
    paint(canvas, photo, result, request = {}) {
      alive.check('paint');
      const word = result.words[request.word ?? 0];
      if (!word) throw new UserError(`paint: word ${request.word ?? 0} does not exist (the caption has ${result.words.length} words)`);
      const { width, height } = canvas;
      const rgb = rgbaToRgb(browserPixels(photo, width, height).data);
      const region = { left: 0, top: 0, width, height };
      const painted = paintWord({ width, height, pixels: rgb }, region, result.grid, word, displayRequest(request));
      const out = new ImageData(width, height);
      for (let i = 0, j = 0; j < painted.pixels.length; i += 4, j += 3) {
        out.data[i] = painted.pixels[j]!;
        out.data[i + 1] = painted.pixels[j + 1]!;
        out.data[i + 2] = painted.pixels[j + 2]!;
        out.data[i + 3] = 255;
      }
      (canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D).putImageData(out, 0, 0);
    },
    dispose() {
      if (!alive.end()) return;
      encoder.dispose();
      decoder.dispose();
    },
  };
}
