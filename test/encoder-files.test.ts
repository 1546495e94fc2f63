/**
 * Reading tfjs model files: model.json + shards from disk or http, only the shards a cut model needs,
 * and one-line FileInputErrors for every broken folder. Also the variant table, the fingerprint id
 * and the checkpoint guard `assertSameEncoder`.
 */
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import {
  assertSameEncoder,
  cutAtLayer,
  ENCODER_VARIANTS,
  EncoderMismatchError,
  fileSystemHandler,
  loadEncoder,
  makeFingerprint,
  variantNamed,
  type EncoderFingerprint,
} from '../src/encoder/index.js';
import { modelJsonUrl } from '../src/encoder/http-io.js';
import { FileInputError, UserError } from '../src/util/user-error.js';
import { describeWithShared, sharedPath } from './shared.js';

const ALPHA_025 = (): string => sharedPath('weights', 'mobilenet_v1_0.25_224');

interface Group {
  paths: string[];
  weights: { name: string }[];
}

let tmp = '';
beforeAll(async () => {
  await selectBackend();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'encoder-files-'));
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

async function folder(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(tmp, name);
  await fs.mkdir(dir, { recursive: true });
  for (const [file, data] of Object.entries(files)) await fs.writeFile(path.join(dir, file), data);
  return dir;
}

const tinyModelJson = (bytes: number): string =>
  JSON.stringify({
    modelTopology: { node: [] },
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [bytes / 4], dtype: 'float32' }] }],
  });

async function loadError(source: string): Promise<FileInputError> {
  const err = await fileSystemHandler(source).load!().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FileInputError);
  return err as FileInputError;
}

describe('fileSystemHandler', () => {
  it('loads model.json and concatenates its shards into ModelArtifacts', async () => {
    const dir = await folder('tiny', { 'model.json': tinyModelJson(8), 'w.bin': new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) });
    for (const source of [dir, path.join(dir, 'model.json')]) {
      const artifacts = await fileSystemHandler(source).load!();
      expect(artifacts.weightSpecs?.map((w) => w.name)).toEqual(['w']);
      expect(Array.from(new Uint8Array(artifacts.weightData as ArrayBuffer))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });

  it('fails with a FileInputError naming model.json when it is missing, not JSON, or not a tfjs model', async () => {
    const none = await loadError(path.join(tmp, 'no-such-folder'));
    expect(none.message).toBe(
      `${path.join(tmp, 'no-such-folder', 'model.json')}: no such file: expected a TensorFlow.js model folder (model.json + weight shards)`,
    );
    const garbage = await loadError(await folder('garbage', { 'model.json': '{"modelTopology": {' }));
    expect(garbage.message).toMatch(/model\.json: is not valid JSON \(/);
    const notTfjs = await loadError(await folder('not-tfjs', { 'model.json': '{"hello": 1}' }));
    expect(notTfjs.message).toMatch(/model\.json: is not a TensorFlow\.js model\.json \(no modelTopology\)/);
    const noManifest = await loadError(await folder('no-manifest', { 'model.json': '{"modelTopology": {}}' }));
    expect(noManifest.message).toMatch(/no valid weightsManifest/);
    for (const err of [none, garbage, notTfjs, noManifest]) expect(err.message).not.toContain('\n');
  });

  it('fails with a FileInputError naming the shard when it is missing or short', async () => {
    const missing = await loadError(await folder('missing', { 'model.json': tinyModelJson(8) }));
    expect(missing.file).toBe(path.join(tmp, 'missing', 'w.bin'));
    expect(missing.message).toMatch(/w\.bin: no such file: a weight shard listed in model\.json is missing/);
    const short = await loadError(await folder('short', { 'model.json': tinyModelJson(8), 'w.bin': new Uint8Array(5) }));
    expect(short.message).toMatch(/w\.bin: weight shard holds 5 bytes but model\.json's manifest needs 8 \(truncated download\?\)/);
  });

  it('reads only the shards holding weights the selection keeps', async () => {
    const json = JSON.stringify({
      modelTopology: { node: [] },
      weightsManifest: [
        {
          paths: ['a.bin'],
          weights: [
            { name: 'a/x', shape: [1], dtype: 'float32' },
            { name: 'b/y', shape: [1], dtype: 'float32' },
          ],
        },
        { paths: ['c.bin'], weights: [{ name: 'c/z', shape: [1], dtype: 'float32' }] },
      ],
    });
    const f32 = (...v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);
    const dir = await folder('partial', { 'model.json': json, 'a.bin': f32(1, 2) }); // c.bin absent
    const handler = fileSystemHandler(dir, { select: (m) => ({ modelTopology: m.modelTopology, keepWeight: (n) => n === 'b/y' }) });
    const artifacts = await handler.load!();
    expect(artifacts.weightSpecs?.map((w) => w.name)).toEqual(['b/y']);
    expect(Array.from(new Float32Array(artifacts.weightData as ArrayBuffer))).toEqual([2]);
  });
});

describeWithShared('cutting a Keras model.json at the annotation layer', () => {
  it('keeps the layers up to it and only their weights', async () => {
    const json = JSON.parse(await fs.readFile(path.join(ALPHA_025(), 'model.json'), 'utf8'));
    const cut = cutAtLayer(json, 'conv_pw_11_relu', 'model.json');
    const config = (cut.modelTopology as { model_config: { config: { layers: { name: string }[]; output_layers: unknown } } }).model_config
      .config;
    expect(config.layers.at(-1)?.name).toBe('conv_pw_11_relu');
    expect(config.layers.some((l) => l.name.startsWith('conv_dw_12'))).toBe(false);
    expect(config.output_layers).toEqual([['conv_pw_11_relu', 0, 0]]);
    expect(cut.keepWeight('conv_pw_11_bn/gamma')).toBe(true);
    expect(cut.keepWeight('conv_dw_12/depthwise_kernel')).toBe(false);
    expect(cut.keepWeight('conv_preds/kernel')).toBe(false);
    expect(json.modelTopology.model_config.config.layers).toHaveLength(88); // input untouched
  });

  it('loads over http, fetching only the shards up to the annotation layer', async () => {
    const requested: string[] = [];
    const server = http.createServer((req, res) => {
      const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname);
      requested.push(name);
      fs.readFile(path.join(ALPHA_025(), name)).then(
        (data) => res.end(data),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const fromHttp = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: `http://127.0.0.1:${port}/weights/` });
      const fromDisk = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: ALPHA_025() });
      expect(fromHttp.fingerprint).toEqual(fromDisk.fingerprint);
      fromHttp.dispose();
      fromDisk.dispose();
      const manifest = JSON.parse(await fs.readFile(path.join(ALPHA_025(), 'model.json'), 'utf8')).weightsManifest as Group[];
      const late = manifest
        .filter((g) => g.weights.every((w) => /^(conv_(dw|pw)_1[23]|conv_preds)[/_]/.test(w.name)))
        .flatMap((g) => g.paths);
      expect(late.length).toBeGreaterThan(0);
      expect(requested[0]).toBe('model.json');
      expect(requested.filter((r) => late.includes(r))).toEqual([]);
      expect(requested.length).toBe(1 + manifest.length - late.length);
    } finally {
      server.close();
    }
  });

  it('gives the same weights hash for a truncated copy as for the full classifier', async () => {
    // Like ../shared's α=1.0 copy: topology ends at conv_pw_12_relu, head and last block removed.
    const json = JSON.parse(await fs.readFile(path.join(ALPHA_025(), 'model.json'), 'utf8'));
    const config = json.modelTopology.model_config.config;
    const end = config.layers.findIndex((l: { name: string }) => l.name === 'conv_pw_12_relu');
    config.layers = config.layers.slice(0, end + 1);
    config.output_layers = [['conv_pw_12_relu', 0, 0]];
    const isLate = (name: string): boolean => /^(conv_(dw|pw)_13|conv_preds)[/_]/.test(name);
    json.weightsManifest = (json.weightsManifest as Group[]).filter((g) => !g.weights.every((w) => isLate(w.name)));
    const dir = path.join(tmp, 'truncated-025');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    for (const g of json.weightsManifest as Group[]) {
      for (const p of g.paths) await fs.symlink(path.join(ALPHA_025(), p), path.join(dir, p));
    }
    const truncated = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: dir });
    const full = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: ALPHA_025() });
    expect(truncated.fingerprint.id).toBe(full.fingerprint.id);
    truncated.dispose();
    full.dispose();
  });

  it('says a graph model is not a Keras model (and vice versa)', async () => {
    const hub = sharedPath('weights', 'mobilenet_v1_0.25_224_tfhub');
    const asLayers = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: hub }).catch((e: unknown) => e);
    expect(asLayers).toBeInstanceOf(FileInputError);
    expect((asLayers as Error).message).toMatch(/is not a Keras layers model .*needs a tfhub_\* encoder/);
    const asGraph = await loadEncoder({ variant: 'tfhub_mobilenet_v1_0.25', source: ALPHA_025() }).catch((e: unknown) => e);
    expect(asGraph).toBeInstanceOf(FileInputError);
    expect((asGraph as Error).message).toMatch(/is not a graph model .*needs a mobilenet_v1_\* encoder/);
  });
});

describe('variants', () => {
  it('has one row per encoder, its expected grid and depth, and an online URL or a recipe for its local copy', () => {
    for (const [name, v] of Object.entries(ENCODER_VARIANTS)) {
      expect(v.name).toBe(name);
      const cellColour = 'cellColour' in v && v.cellColour;
      if (v.joins) {
        // A joined encoder: the first part's grid, both parts' depths (src/encoder/join-networks.ts).
        const [first, second] = v.joins.map((part) => variantNamed(part));
        expect(v.grid).toEqual(first!.grid);
        expect(v.depth).toBe(first!.depth + second!.depth);
        expect(v.howToMake).toMatch(/^npm run join-encoders -- --variant /);
        continue;
      }
      const pw12 = v.layer === 'conv_pw_12_relu';
      const resnet = v.name.startsWith('resnet');
      expect(v.depth).toBe((pw12 || resnet ? 1024 : 512) * v.alpha + (cellColour ? 3 : 0));
      expect(v.grid).toEqual(pw12 ? { height: 7, width: 7 } : { height: 14, width: 14 });
      if (v.url === undefined) expect(v.howToMake).toMatch(/^npm run convert-weights/);
      else expect(v.url).toMatch(/^https:\/\//);
      expect(v.inputRange).toEqual(v.format === 'layers' ? [-1, 1] : [0, 1]);
    }
  });

  it('rejects an unknown variant with the list of known ones', () => {
    expect(() => variantNamed('resnet50')).toThrow(UserError);
    expect(() => variantNamed('resnet50')).toThrow(/unknown encoder "resnet50" \(expected one of: mobilenet_v1_1\.0, /);
  });

  it('resolves model.json URLs like tfjs does (TF-Hub modules get ?tfjs-format=file)', () => {
    expect(modelJsonUrl(variantNamed('tfhub_mobilenet_v1_0.25').url!)).toBe(
      'https://tfhub.dev/google/imagenet/mobilenet_v1_025_224/classification/1/model.json?tfjs-format=file',
    );
    expect(modelJsonUrl('https://example.org/m/')).toBe('https://example.org/m/model.json');
    expect(modelJsonUrl('https://example.org/m/model.json')).toBe('https://example.org/m/model.json');
  });
});

describe('fingerprint', () => {
  const base = {
    variant: 'mobilenet_v1_1.0',
    format: 'layers',
    alpha: 1.0,
    layer: 'conv_pw_11_relu',
    outputShape: [14, 14, 512],
    inputSize: 224,
    resize: 'squash',
    inputRange: [-1, 1],
    weightsSha256: 'ab'.repeat(32),
  } satisfies Omit<EncoderFingerprint, 'id'>;

  it('has a readable, stable id', () => {
    expect(makeFingerprint(base).id).toBe(`mobilenet_v1_1.0/conv_pw_11_relu/14x14x512/224px-squash/sha256:${'ab'.repeat(32)}`);
  });

  it('assertSameEncoder accepts the same encoder and names what differs otherwise', () => {
    const a = makeFingerprint(base);
    expect(() => assertSameEncoder(a, makeFingerprint({ ...base }))).not.toThrow();
    expect(() => assertSameEncoder(a.id, a)).not.toThrow();
    const other = makeFingerprint({ ...base, weightsSha256: 'cd'.repeat(32), resize: 'center-crop' });
    let err: unknown;
    try {
      assertSameEncoder(a, other);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EncoderMismatchError);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/differ in: input, weights\)/);
    expect((err as Error).message).not.toContain('\n');
    const hub = makeFingerprint({
      ...base,
      variant: 'tfhub_mobilenet_v1_1.0',
      layer: 'module_apply_default/MobilenetV1/MobilenetV1/Conv2d_11_pointwise/Relu6',
    });
    expect(() => assertSameEncoder(a, hub)).toThrow(/differ in: encoder, layer, weights|differ in: encoder, layer\)/);
  });
});
