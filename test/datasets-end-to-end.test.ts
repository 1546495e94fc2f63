/**
 * Every dataset format the README lists can be extracted, trained on and evaluated, end to end through
 * the commands a user runs, on small fixtures made here: COCO captions (a train and a val JSON, each
 * with its own image folder), a Karpathy split JSON (Flickr30k-shaped), Flickr8k-style token and split
 * files, and JSONL. 12 photos each (sample photos, crops of them), the α=0.25 encoder, a tiny decoder.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithShared, sharedPath } from './shared.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'horse.png', 'motorcycle_left.png', 'rocket.jpg'];
const CAPTIONS = [
  'a person in a white suit',
  'a cat lying down',
  'a cup of coffee on a plate',
  'a horse standing on grass',
  'a red motorcycle parked',
  'a rocket on the launch pad',
];

function command(script: string, args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', `${script}.ts`), ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
    env: { ...process.env, CAPTION_BACKEND: 'wasm' },
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeWithShared('datasets end to end: extract-features → train → evaluate', () => {
  let dir = '';
  /** 12 distinct images: each sample photo whole and as its left half. */
  const images: { name: string; caption: string }[] = [];

  async function writeImage(folder: string, i: number, name: string): Promise<void> {
    await fs.mkdir(folder, { recursive: true });
    const src = sharedPath('images', PHOTOS[i % 6]!);
    const img = sharp(src).removeAlpha();
    const meta = await sharp(src).metadata();
    const part = i < 6 ? img : img.extract({ left: 0, top: 0, width: Math.floor(meta.width! / 2), height: meta.height! });
    await part.resize(64, 64, { fit: 'fill' }).jpeg().toFile(path.join(folder, name));
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'datasets-e2e-'));
    for (let i = 0; i < 12; i++)
      images.push({ name: `img${String(i).padStart(2, '0')}.jpg`, caption: `${CAPTIONS[i % 6]}${i < 6 ? '' : ' closely'}` });
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const weights = (): string[] => ['--variant', 'mobilenet_v1_0.25', '--encoder-weights', sharedPath('weights', 'mobilenet_v1_0.25_224')];
  const tiny = [
    '--min-count',
    '1',
    '--epochs',
    '2',
    '--batch-size',
    '4',
    '--embed-dim',
    '8',
    '--hidden-dim',
    '8',
    '--attention-dim',
    '4',
    '--no-progress',
    '--checkpoint-every',
    '1000',
  ];

  /** extract → train → evaluate with the same dataset flags; checks each step's account of the data. */
  async function endToEnd(name: string, datasetFlags: string[], expectImages: { train: number; val: number }): Promise<void> {
    const features = path.join(dir, name, 'features');
    const extract = command('extract-features', [...datasetFlags, '--out', features, ...weights(), '--no-progress']);
    expect(extract.code, extract.stderr).toBe(0);
    expect(extract.stderr).toMatch(/\b1[0-2] images encoded/);
    const out = path.join(dir, name, 'ckpt');
    const train = command('train', [
      ...datasetFlags,
      '--features',
      features,
      '--out',
      out,
      '--run-dir',
      path.join(dir, name, 'run'),
      ...tiny,
    ]);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stderr).toContain(`of ${expectImages.train} images; validating on ${expectImages.val} images`);
    expect(train.stderr).toMatch(/done: 2 epochs/);
    const evaluate = command('evaluate', [
      ...datasetFlags,
      '--checkpoint',
      out,
      '--features',
      features,
      '--split',
      'val',
      '--beams',
      '1',
      '--out',
      path.join(dir, name, 'val.json'),
    ]);
    expect(evaluate.code, evaluate.stderr).toBe(0);
    const result = JSON.parse(await fs.readFile(path.join(dir, name, 'val.json'), 'utf8'));
    expect(result.images).toBe(expectImages.val);
    expect(result.results[0].scores['CIDEr-D']).toBeGreaterThanOrEqual(0);
  }

  it('COCO: captions_train2014.json + train2014/ and a separate captions_val2014.json + val2014/', async () => {
    const root = path.join(dir, 'coco');
    const cocoJson = (set: string, idx: number[]) => ({
      images: idx.map((i) => ({ id: 1000 + i, file_name: `COCO_${set}_${images[i]!.name}` })),
      annotations: idx.flatMap((i) =>
        [0, 1].map((k) => ({
          id: 10 * i + k,
          image_id: 1000 + i,
          caption: k ? images[i]!.caption.toUpperCase() + '.' : images[i]!.caption,
        })),
      ),
    });
    const train = [0, 1, 2, 3, 4, 5, 6, 7];
    const val = [8, 9, 10, 11];
    await fs.mkdir(path.join(root, 'annotations'), { recursive: true });
    await fs.writeFile(path.join(root, 'annotations', 'captions_train2014.json'), JSON.stringify(cocoJson('train2014', train)));
    await fs.writeFile(path.join(root, 'annotations', 'captions_val2014.json'), JSON.stringify(cocoJson('val2014', val)));
    for (const i of train) await writeImage(path.join(root, 'train2014'), i, `COCO_train2014_${images[i]!.name}`);
    for (const i of val) await writeImage(path.join(root, 'val2014'), i, `COCO_val2014_${images[i]!.name}`);
    await endToEnd(
      'coco',
      [
        '--dataset',
        path.join(root, 'annotations', 'captions_train2014.json'),
        '--image-dir',
        path.join(root, 'train2014'),
        '--val-dataset',
        path.join(root, 'annotations', 'captions_val2014.json'),
        '--val-image-dir',
        path.join(root, 'val2014'),
      ],
      { train: 8, val: 4 },
    );
  });

  it('Karpathy split JSON (Flickr30k-shaped: dataset_flickr30k.json + flickr30k-images/)', async () => {
    const root = path.join(dir, 'karpathy');
    const split = (i: number) => (i < 7 ? 'train' : i < 8 ? 'restval' : i < 10 ? 'val' : 'test');
    const json = {
      dataset: 'flickr30k',
      images: images.map((im, i) => ({
        filename: im.name,
        imgid: i,
        split: split(i),
        sentences: [{ raw: `${im.caption}.`, tokens: im.caption.split(' ') }],
      })),
    };
    await fs.mkdir(root, { recursive: true });
    await fs.writeFile(path.join(root, 'dataset_flickr30k.json'), JSON.stringify(json));
    for (let i = 0; i < 12; i++) await writeImage(path.join(root, 'flickr30k-images'), i, images[i]!.name);
    await endToEnd(
      'karpathy',
      ['--dataset', path.join(root, 'dataset_flickr30k.json'), '--image-dir', path.join(root, 'flickr30k-images')],
      { train: 8, val: 2 },
    );
  });

  it('Flickr8k-style token file and split lists, images/ found beside them', async () => {
    const root = path.join(dir, 'flickr');
    await fs.mkdir(root, { recursive: true });
    await fs.writeFile(
      path.join(root, 'Flickr8k.token.txt'),
      images.flatMap((im) => [0, 1].map((k) => `${im.name}#${k}\t${im.caption} .`)).join('\n'),
    );
    await fs.writeFile(
      path.join(root, 'Flickr_8k.trainImages.txt'),
      images
        .slice(0, 8)
        .map((im) => im.name)
        .join('\n'),
    );
    await fs.writeFile(
      path.join(root, 'Flickr_8k.devImages.txt'),
      images
        .slice(8, 10)
        .map((im) => im.name)
        .join('\n'),
    );
    await fs.writeFile(
      path.join(root, 'Flickr_8k.testImages.txt'),
      images
        .slice(10)
        .map((im) => im.name)
        .join('\n'),
    );
    for (let i = 0; i < 12; i++) await writeImage(path.join(root, 'images'), i, images[i]!.name);
    await endToEnd('flickr', ['--dataset', root], { train: 8, val: 2 });
  });

  it('JSONL', async () => {
    const root = path.join(dir, 'jsonl');
    for (let i = 0; i < 12; i++) await writeImage(path.join(root, 'photos'), i, images[i]!.name);
    const lines = images.map((im, i) =>
      JSON.stringify({ image: `photos/${im.name}`, captions: [im.caption], split: i < 9 ? 'train' : 'val' }),
    );
    await fs.writeFile(path.join(root, 'data.jsonl'), `${lines.join('\n')}\n`);
    await endToEnd('jsonl', ['--dataset', path.join(root, 'data.jsonl')], { train: 9, val: 3 });
  });

  it("evaluate --choose writes the best dev setting as the checkpoint's decoding defaults, which caption then uses", async () => {
    const root = path.join(dir, 'jsonl');
    const flags = [
      '--dataset',
      path.join(root, 'data.jsonl'),
      '--checkpoint',
      path.join(dir, 'jsonl', 'ckpt'),
      '--features',
      path.join(dir, 'jsonl', 'features'),
    ];
    const onTest = command('evaluate', [...flags, '--split', 'test', '--choose', 'CIDEr-D']);
    expect(onTest.code).toBe(2);
    expect(onTest.stderr.trim()).toMatch(/^evaluate: --choose picks decoding settings on the validation split: use --split val/);
    for (const metric of ['BLEU-1', 'CIDEr-D']) {
      const out = path.join(dir, 'jsonl', `choose-${metric}.json`);
      const r = command('evaluate', [
        ...flags,
        '--split',
        'val',
        '--beams',
        '1,2,3',
        '--length-penalties',
        '0,1',
        '--choose',
        metric,
        '--out',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(await fs.readFile(out, 'utf8')).results as {
        beamSize: number;
        lengthPenalty: number;
        scores: Record<string, number>;
      }[];
      expect(results.map((x) => `${x.beamSize}/${x.lengthPenalty}`)).toEqual(['1/0', '2/0', '2/1', '3/0', '3/1']); // greedy has no length penalty
      const decoding = JSON.parse(await fs.readFile(path.join(dir, 'jsonl', 'ckpt', 'decoding.json'), 'utf8'));
      const best = Math.max(...results.map((x) => x.scores[metric]!));
      const first = results.find((x) => x.scores[metric] === best)!; // ties: the first listed
      expect({ beamSize: decoding.beamSize, lengthPenalty: decoding.lengthPenalty }).toEqual({
        beamSize: first.beamSize,
        lengthPenalty: first.lengthPenalty,
      });
      expect(decoding.chosenBy).toMatchObject({ metric, split: 'val', images: 3, score: best });
      expect(r.stdout).toContain(`decoding defaults → ${path.join(dir, 'jsonl', 'ckpt', 'decoding.json')}: beam ${first.beamSize}`);
    }
    // Within a tolerance the first listed (smallest) setting wins: here every setting is within 100.
    const lenient = command('evaluate', [...flags, '--split', 'val', '--beams', '1,2', '--choose', 'CIDEr-D', '--choose-within', '100']);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'jsonl', 'ckpt', 'decoding.json'), 'utf8'))).toMatchObject({
      beamSize: 1,
      chosenBy: { within: 100 },
    });
    // caption follows decoding.json unless told otherwise
    await fs.writeFile(path.join(dir, 'jsonl', 'ckpt', 'decoding.json'), JSON.stringify({ beamSize: 2, lengthPenalty: 0.5 }));
    const photo = path.join(root, 'photos', images[0]!.name);
    const caption = (extra: string[]) => {
      const r = spawnSync(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'caption.js'),
          photo,
          '--checkpoint',
          path.join(dir, 'jsonl', 'ckpt'),
          ...weights().slice(2),
          '--json',
          '--quiet',
          ...extra,
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, CAPTION_BACKEND: 'wasm' },
        },
      );
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { beamSize: number; lengthPenalty: number; context: string };
    };
    expect(caption([])).toMatchObject({ beamSize: 2, lengthPenalty: 0.5, context: 'expected' });
    expect(caption(['--beam', '1', '--context', 'argmax'])).toMatchObject({ beamSize: 1, lengthPenalty: 0.5, context: 'argmax' });
    expect(caption(['--length-penalty', '0'])).toMatchObject({ beamSize: 2, lengthPenalty: 0 });
    await fs.writeFile(path.join(dir, 'jsonl', 'ckpt', 'decoding.json'), JSON.stringify({ beamSize: 0, lengthPenalty: 0 }));
    const bad = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'caption.js'), photo, '--checkpoint', path.join(dir, 'jsonl', 'ckpt'), ...weights().slice(2)],
      { encoding: 'utf8', env: { ...process.env, CAPTION_BACKEND: 'wasm' } },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n').at(-1)).toMatch(
      /decoding\.json: bad decoding defaults: beam size must be a positive integer, got 0$/,
    );
    await fs.rm(path.join(dir, 'jsonl', 'ckpt', 'decoding.json'));
  });

  it('the same image id in two dataset files is one line naming both', async () => {
    const root = path.join(dir, 'coco');
    const r = command('train', [
      '--dataset',
      path.join(root, 'annotations', 'captions_train2014.json'),
      '--image-dir',
      path.join(root, 'train2014'),
      '--dataset',
      path.join(root, 'annotations', 'captions_train2014.json'),
      '--image-dir',
      path.join(root, 'train2014'),
      '--features',
      dir,
      '--out',
      path.join(dir, 'x'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/captions_train2014\.json: image id .* is also in .*captions_train2014\.json/);
  });
});
