/**
 * The ImageNet tagger: MobileNet v1 α=0.25 with its 1,000-class ImageNet classifier (the TF-Hub graph
 * model, through @tensorflow-models/mobilenet), its probabilities summed into COCO classes through the
 * WordNet map (imagenet-coco.ts, `npm run map-imagenet`):
 *   p_c = Σ_{i : i → c} softmax(logits)_i        photos [B, S, S, 3] → p = [B, 80]
 * A COCO class no ImageNet class maps to scores 0.
 */
import * as tf from '../util/tf.js';
import * as mobilenet from '@tensorflow-models/mobilenet';
import { artifactsHandler, readArtifacts } from '../encoder/artifacts.js';
import type { ModelFiles } from '../encoder/model-files.js';
import { COCO_CLASSES } from '../data/coco-classes.js';
import { FileInputError } from '../util/user-error.js';

export const IMAGENET_CLASS_COUNT = 1000;

export class ImagenetTagger {
  private readonly toCoco: tf.Tensor2D; // [1000, 80] one-hot rows (zero for unmapped classes)

  /** `classes[i]`: the COCO class name ImageNet class i maps to, or null. */
  constructor(
    private readonly net: mobilenet.MobileNet,
    readonly classes: readonly (string | null)[],
  ) {
    if (classes.length !== IMAGENET_CLASS_COUNT)
      throw new Error(`ImagenetTagger: ${classes.length} class entries, expected ${IMAGENET_CLASS_COUNT}`);
    const columns = classes.map((c) => (c === null ? -1 : COCO_CLASSES.findIndex((k) => k.name === c)));
    const bad = columns.findIndex((col, i) => col < 0 && classes[i] !== null);
    if (bad >= 0) throw new Error(`ImagenetTagger: unknown COCO class "${classes[bad]}"`);
    this.toCoco = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(columns, 'int32'), COCO_CLASSES.length), 'float32') as tf.Tensor2D); // [1000, 80]; −1 → zeros
  }

  /** Class probabilities [B, 80] (COCO_CLASSES order) of photos [B, S, S, 3] in 0..255. */
  scores(photos: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const logits = this.net.infer(photos, false) as tf.Tensor2D; // [B, 1000]; the package resizes to 224 and scales
      return tf.matMul(tf.softmax(logits), this.toCoco) as tf.Tensor2D; // [B, 80]
    });
  }

  dispose(): void {
    this.toCoco.dispose();
    (this.net as unknown as { model?: { dispose?: () => void } }).model?.dispose?.();
  }
}

/** Loads the TF-Hub MobileNet v1 α=0.25 classifier (input range [0, 1]) from its files. */
export async function loadImagenetTagger(files: ModelFiles, classes: readonly (string | null)[]): Promise<ImagenetTagger> {
  const artifacts = await readArtifacts(files);
  let net: mobilenet.MobileNet;
  try {
    net = await mobilenet.load({ version: 1, alpha: 0.25, modelUrl: artifactsHandler(artifacts), inputRange: [0, 1] });
  } catch (err) {
    throw new FileInputError(
      files.modelJsonLocation,
      `cannot be loaded as a TF-Hub MobileNet classifier (${String((err as Error).message ?? err).split('\n')[0]})`,
    );
  }
  return new ImagenetTagger(net, classes);
}
