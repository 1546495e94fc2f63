/**
 * `caption` end to end with the shipped shapes checkpoint: a freshly generated shapes photo (its
 * colour–shape pairs were seen in training, the photo was not) gets the right caption, its α sum to 1,
 * and the overlays come out at the photo's size.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { beforeAll, expect, it } from 'vitest';
import { generateShapeScenes } from '../src/data/shapes/generate.js';
import { renderScenePng } from '../src/data/shapes/render.js';
import { runCaptionCli } from './cli-helpers.js';
import { checkpointPath, describeWithCheckpoint, sharedPath } from './shared.js';

const CHECKPOINT = checkpointPath('shapes');

describeWithCheckpoint(CHECKPOINT, 'caption with the shipped shapes checkpoint', () => {
  // Seed 4242, image 18: "a green square above a blue square above a red circle" (not a training image).
  const scene = generateShapeScenes({ seed: 4242, counts: { train: 19, val: 0, test: 0 } })[18]!;
  let dir: string;
  let photo: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-shapes-'));
    photo = path.join(dir, 'scene.png');
    await fs.writeFile(photo, await renderScenePng(scene));
  });

  it('prints the right caption; α sums to 1 per word; overlays at the photo size', async () => {
    const out = path.join(dir, 'overlays');
    const r = runCaptionCli([
      photo,
      '--checkpoint',
      CHECKPOINT,
      '--encoder-weights',
      sharedPath('weights', 'mobilenet_v1_1.0_224'),
      '--json',
      '--overlay',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout.trim());
    expect(scene.caption).toBe('a green square above a blue square above a red circle');
    expect(rec.caption).toBe(scene.caption);
    for (const w of rec.words) expect(w.alpha.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    const files = await fs.readdir(path.join(out, 'scene'));
    expect(files).toContain('grid.png');
    expect(files.filter((f) => /^\d\d-/.test(f))).toHaveLength(rec.words.length);
    const meta = await sharp(path.join(out, 'scene', '03-square.png')).metadata();
    expect([meta.width, meta.height]).toEqual([scene.size, scene.size]);
  });

  it('the plain text output is path<TAB>caption', () => {
    const r = runCaptionCli([
      photo,
      '--checkpoint',
      CHECKPOINT,
      '--encoder-weights',
      sharedPath('weights', 'mobilenet_v1_1.0_224'),
      '--beam',
      '1',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${photo}\t${scene.caption}\n`);
  });
});
