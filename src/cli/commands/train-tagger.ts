/**
 * Train the object tagger (src/tagger/) on a dataset's feature store, with labels read from its
 * captions, and put it inside a checkpoint (tagger.json + tagger.bin):
 *   npm run train-tagger -- --dataset ../shared/datasets/flickr8k --dataset coco1k.json \
 *     --features data/features/mine --out checkpoints/mine
 * Prints micro precision/recall on the validation split at several thresholds and the best classes.
 * With `--detector DIR` (made by `convert-weights --class-head`) and/or `--imagenet DIR` (the TF-Hub
 * MobileNet α=0.25 classifier) with `--imagenet-map` (`npm run map-imagenet`), those networks join the
 * caption head: they run on the val photos, the fusion is fitted there, and they are copied into the
 * checkpoint.
 */
import { BACKEND_OPTION } from '../backend-option.js';
import { defineCommand, requireInteger } from '../command.js';
import { datasetOptions } from '../../data/dataset-sources.js';

export const trainTaggerCommand = defineCommand({
  program: 'train-tagger',
  scriptName: 'npm run train-tagger --',
  description: 'Train the object tagger on frozen annotation vectors and put it into a checkpoint.',
  options: (y) =>
    datasetOptions(y)
      .option('features', { type: 'string', demandOption: true, describe: 'feature store of the dataset (the checkpoint’s encoder)' })
      .option('out', { type: 'string', demandOption: true, describe: 'checkpoint folder that gets tagger.json and tagger.bin' })
      .option('epochs', { type: 'number', default: 60 })
      .option('lr', { type: 'number', default: 1e-3 })
      .option('l2', { type: 'number', default: 1e-5, describe: 'L2 penalty on the kernel' })
      .option('batch-size', { type: 'number', default: 256 })
      .option('seed', { type: 'number', default: 1 })
      .option('positive-weight-cap', {
        type: 'number',
        default: 100,
        describe: 'rare classes: positives weigh min(cap, negatives/positives)^½ (0 = plain cross-entropy)',
      })
      .option('detector', {
        type: 'string',
        describe: 'SSD class-head network (convert-weights --class-head) to fuse with the caption head; copied into the checkpoint',
      })
      .option('imagenet', {
        type: 'string',
        describe:
          'TF-Hub MobileNet v1 α=0.25 ImageNet classifier (graph model folder) to fuse with the caption head; copied into the checkpoint',
      })
      .option('imagenet-map', {
        type: 'string',
        default: 'data/tagger/imagenet-coco.json',
        describe: 'with --imagenet: ImageNet class → COCO class table (npm run map-imagenet)',
      })
      .option('views', {
        type: 'string',
        default: '160:96,224:224',
        describe: "with --detector: the photo's sizes on the detector's gray canvas, CANVAS:SIZE,…",
      })
      .option('backend', BACKEND_OPTION)
      .check((a) => {
        requireInteger(a, ['epochs', 'batch-size', 'seed']);
        return true;
      }),
  run: async (args) => {
    const path = await import('node:path');
    const tf = await import('@tensorflow/tfjs');
    const { selectBackend } = await import('../../backend/select.js');
    const { requestedBackend } = await import('../backend-option.js');
    const { datasetSourcesOf, loadDatasets } = await import('../../data/dataset-sources.js');
    const { imagesOf } = await import('../../data/dataset.js');
    const { FeatureStoreReader } = await import('../../data/feature-store.js');
    const { COCO_CLASSES } = await import('../../data/coco-classes.js');
    const { classLabels } = await import('../../tagger/labels.js');
    const { fitTagger, pooledFeatures, tagQuality } = await import('../../train/train-tagger.js');
    const { Tagger } = await import('../../tagger/tagger.js');
    const { encodeTagger, TAGGER_BIN, TAGGER_JSON } = await import('../../tagger/tagger-file.js');
    const { writeFileAtomic } = await import('../../util/atomic-write.js');
    const log = (l: string) => process.stderr.write(`${l}\n`);
    await selectBackend({ requested: requestedBackend(args.backend) });
    const sources = datasetSourcesOf(args);
    const loadedParts = await Promise.all(sources.map((src) => loadDatasets([src], args.format as 'auto')));
    const sourceIndex = new Map(loadedParts.flatMap((l, k) => l.dataset.images.map((im) => [im.id, k] as const)));
    const sourceOf = (id: string): number => sourceIndex.get(id) ?? -1;
    const { dataset } = await loadDatasets(sources, args.format as 'auto');
    const store = await FeatureStoreReader.open(args.features);
    try {
      const train = imagesOf(dataset, 'train').filter((im) => store.has(im.id));
      const val = imagesOf(dataset, 'val').filter((im) => store.has(im.id));
      const yTrain = classLabels(train.map((im) => im.captions));
      const yVal = classLabels(val.map((im) => im.captions));
      log(`tagger: ${train.length} train photos (${yTrain.flat().filter(Boolean).length} labels), ${val.length} val photos`);
      const xTrain = await pooledFeatures(
        store,
        train.map((im) => im.id),
      );
      const xVal = await pooledFeatures(
        store,
        val.map((im) => im.id),
      );
      const t0 = performance.now();
      const weights = fitTagger(
        xTrain,
        yTrain,
        {
          epochs: args.epochs,
          learningRate: args.lr,
          l2: args.l2,
          batchSize: args['batch-size'],
          seed: args.seed,
          positiveWeightCap: args['positive-weight-cap'],
        },
        log,
      );
      const seconds = (performance.now() - t0) / 1000;
      const tagger = new Tagger(weights);
      const scores = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(xVal, weights.kernel), weights.bias)).arraySync() as number[][]);
      const thresholds = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
      // Person excluded (it never becomes a constraint), over all val photos and over each dataset's.
      const noPerson = (rows: readonly (readonly number[])[]) => rows.map((r) => r.slice(1));
      const groups = [
        { name: 'all', rows: val.map((_, i) => i) },
        ...args.dataset.map((d, k) => ({ name: path.basename(d), rows: val.flatMap((im, i) => (sourceOf(im.id) === k ? [i] : [])) })),
      ];
      const sweep = groups.map((g) => ({
        photos: g.name,
        n: g.rows.length,
        thresholds: thresholds.map((t) => ({
          threshold: t,
          ...tagQuality(noPerson(g.rows.map((i) => scores[i]!)), noPerson(g.rows.map((i) => yVal[i]!)), t).micro,
        })),
      }));
      for (const g of sweep)
        for (const s of g.thresholds)
          log(
            `val ${g.photos} (${g.n} photos, person excluded) threshold ${s.threshold}: precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}, F1 ${s.f1.toFixed(3)}`,
          );
      const at5 = tagQuality(scores, yVal, 0.5)
        .perClass.map((q, c) => ({ cls: COCO_CLASSES[c]!.name, ...q }))
        .filter((q) => q.support > 0)
        .sort((a, b) => b.support - a.support);
      log(
        `val per class at 0.5 (support, precision, recall): ${at5
          .slice(0, 25)
          .map((q) => `${q.cls} ${q.support} ${q.precision.toFixed(2)} ${q.recall.toFixed(2)}`)
          .join('; ')}`,
      );
      const training = {
        datasets: args.dataset.map((d) => path.resolve(d)),
        features: path.resolve(args.features),
        trainPhotos: train.length,
        labels: 'a class is in a photo when at least 2 of its captions name it',
        options: {
          epochs: args.epochs,
          lr: args.lr,
          l2: args.l2,
          batchSize: args['batch-size'],
          seed: args.seed,
          positiveWeightCap: args['positive-weight-cap'],
        },
        seconds,
        val: { photos: val.length, sweep, perClassAt05: at5 },
      };
      let photo: Parameters<typeof encodeTagger>[2];
      if (args.detector !== undefined || args.imagenet !== undefined)
        photo = await joinPhotoTaggers(
          args,
          store.header.encoder,
          val,
          yVal,
          tf.tidy(() => tf.add(tf.matMul(xVal, weights.kernel), weights.bias).arraySync() as number[][]),
          log,
        );
      const { json, bin } = encodeTagger(weights, training, photo);
      await writeFileAtomic(path.join(args.out, TAGGER_BIN), bin);
      await writeFileAtomic(path.join(args.out, TAGGER_JSON), json);
      log(`wrote ${path.join(args.out, TAGGER_JSON)} (${(bin.byteLength / 1e6).toFixed(2)} MB, trained in ${seconds.toFixed(1)} s)`);
      tagger.dispose();
      tf.dispose([xTrain, xVal]);
    } finally {
      await store.close();
    }
  },
});

/** Runs the photo taggers on the val photos, fits the fusion there, copies their networks into the checkpoint. */
async function joinPhotoTaggers(
  args: { detector?: string | undefined; imagenet?: string | undefined; 'imagenet-map': string; views: string; out: string },
  encoderId: string,
  val: readonly { file: string }[],
  labels: number[][],
  captionLogits: number[][],
  log: (line: string) => void,
): Promise<NonNullable<Parameters<typeof import('../../tagger/tagger-file.js').encodeTagger>[2]>> {
  const { readFile } = await import('node:fs/promises');
  const { copyModelFolder, fitFusionOn, loadDetector, parseViews, scoresOfFiles } = await import('../../tagger/photo-taggers.js');
  const { loadImagenetTagger } = await import('../../tagger/imagenet.js');
  const { modelFilesAt } = await import('../../encoder/model-files-at.js');
  const { encoderConfigOf } = await import('../../encoder/fingerprint.js');
  const { DETECTOR_FOLDER, IMAGENET_FOLDER } = await import('../../tagger/tagger-file.js');
  const { inputSize, resize } = encoderConfigOf(encoderId);
  const image = { size: inputSize, policy: resize };
  const files = val.map((im) => im.file);
  const timed = async (name: string, run: () => Promise<number[][]>) => {
    const t0 = performance.now();
    const scores = await run();
    log(`${name} on ${files.length} val photos: ${((performance.now() - t0) / files.length).toFixed(1)} ms each`);
    return scores;
  };
  let detector: { views: ReturnType<typeof parseViews>; scores: number[][] } | undefined;
  if (args.detector !== undefined) {
    const views = parseViews(args.views);
    const det = await loadDetector(args.detector, views);
    detector = { views, scores: await timed('detector', () => scoresOfFiles(det, files, image)) };
    det.dispose();
  }
  let imagenet: { classes: (string | null)[]; scores: number[][] } | undefined;
  if (args.imagenet !== undefined) {
    const table = JSON.parse(await readFile(args['imagenet-map'], 'utf8')) as { classes: { cls: string | null }[] };
    const classes = table.classes.map((c) => c.cls);
    const net = await loadImagenetTagger(modelFilesAt(args.imagenet), classes);
    imagenet = { classes, scores: await timed('ImageNet classifier', () => scoresOfFiles(net, files, image)) };
    net.dispose();
  }
  const fusion = fitFusionOn(
    captionLogits,
    { ...(detector ? { detector: detector.scores } : {}), ...(imagenet ? { imagenet: imagenet.scores } : {}) },
    labels,
  );
  log(
    `fusion fitted on val: ${Object.entries(fusion)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(', ')}`,
  );
  if (args.detector !== undefined) await copyModelFolder(args.detector, args.out, DETECTOR_FOLDER);
  if (args.imagenet !== undefined) await copyModelFolder(args.imagenet, args.out, IMAGENET_FOLDER);
  return {
    ...(detector ? { detector: { views: detector.views } } : {}),
    ...(imagenet ? { imagenet: { classes: imagenet.classes } } : {}),
    fusion,
  };
}
