/**
 * The COCO class table (src/data/coco-classes.ts) against a real COCO instances file: the same category
 * ids under the same names, so boxes and detector outputs line up with the table by id.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { COCO_CLASSES } from '../src/data/coco-classes.js';
import { describeWithShared, sharedPath } from './shared.js';

describeWithShared('the COCO class table against an instances file', () => {
  it('has the id of every category of coco-mini-train2017 under the same name', async () => {
    const file = sharedPath('datasets/coco-mini-train2017/annotations/instances_train2017.json');
    const { categories } = JSON.parse(await readFile(file, 'utf8')) as { categories: { id: number; name: string }[] };
    expect(categories.map((c) => [c.id, c.name])).toEqual(COCO_CLASSES.map((c) => [c.id, c.name]));
  });
});
