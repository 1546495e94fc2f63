/**
 * Issue 21 §2, the tagger study, step 2: how good each view of detector-study.ts (and their max) is
 * as a tagger against caption labels (a class is in the photo when ≥ 2 references name it; main when
 * ≥ 3), person excluded: top-1 tag is a main object, and micro P/R/F1 at thresholds.
 *   npx tsx runs/everyday/detector-table.ts results/everyday/detector-scores-coco1k-val.json
 */
import { promises as fs } from 'node:fs';
import { tokenize } from '../../src/data/tokenize.js';
import { classesNamed, COCO_CLASSES, PERSON_CLASS } from '../../src/data/coco-classes.js';

interface Scores {
  images: { id: string; captions: string[]; views: Record<string, number[]> }[];
}
const data = JSON.parse(await fs.readFile(process.argv[2]!, 'utf8')) as Scores;
const extra = process.argv[3] ? (JSON.parse(await fs.readFile(process.argv[3], 'utf8')) as Record<string, Record<string, number[]>>) : {};
const P = COCO_CLASSES.findIndex((c) => c.id === PERSON_CLASS);

const votes = data.images.map((img) => {
  const v = new Array<number>(COCO_CLASSES.length).fill(0);
  for (const r of img.captions) for (const id of classesNamed(tokenize(r))) v[COCO_CLASSES.findIndex((c) => c.id === id)]! += 1;
  return v;
});

function report(name: string, rows: number[][]): void {
  let mainImages = 0;
  let top1 = 0;
  votes.forEach((v, i) => {
    if (!v.some((n, c) => c !== P && n >= 3)) return;
    mainImages++;
    let best = -1;
    rows[i]!.forEach((s, c) => {
      if (c !== P && (best < 0 || s > rows[i]![best]!)) best = c;
    });
    if (v[best]! >= 3) top1++;
  });
  const f1s = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map((t) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    votes.forEach((v, i) =>
      v.forEach((n, c) => {
        if (c === P) return;
        const pos = n >= 2;
        const said = rows[i]![c]! >= t;
        if (said && pos) tp++;
        else if (said) fp++;
        else if (pos) fn++;
      }),
    );
    const p = tp / Math.max(1, tp + fp);
    const r = tp / Math.max(1, tp + fn);
    return `${t}: ${p.toFixed(2)}/${r.toFixed(2)}/${(p + r ? (2 * p * r) / (p + r) : 0).toFixed(2)}`;
  });
  console.log(`${name.padEnd(28)} top-1 main ${top1}/${mainImages}  P/R/F1 ${f1s.join('  ')}`);
}

const names = Object.keys(data.images[0]!.views);
for (const n of names)
  report(
    n,
    data.images.map((img) => img.views[n]!),
  );
const maxOf = (ns: string[]) => data.images.map((img) => img.views[ns[0]!]!.map((_, c) => Math.max(...ns.map((n) => img.views[n]![c]!))));
report('max(c300s90,c300s150)', maxOf(['c300s90', 'c300s150']));
report('max(c160s96,c300s300)', maxOf(['c160s96', 'c300s300']));
report('max(c160s96,c192s128)', maxOf(['c160s96', 'c192s128']));
report('max(all)', maxOf(names));
for (const [name, byId] of Object.entries(extra))
  report(
    name,
    data.images.map((img) => byId[img.id]!),
  );
const det = maxOf(names);
const det2 = maxOf(['c160s96', 'c224s224']);
for (const [name, byId] of Object.entries(extra)) {
  const other = data.images.map((img) => byId[img.id]!);
  report(
    `mean(max(all),${name})`,
    det.map((r, i) => r.map((s, c) => (s + other[i]![c]!) / 2)),
  );
  report(
    `max(max(all),${name})`,
    det.map((r, i) => r.map((s, c) => Math.max(s, other[i]![c]!))),
  );
  report(
    `geo(max(all),${name})`,
    det.map((r, i) => r.map((s, c) => Math.sqrt(s * other[i]![c]!))),
  );
  report(
    `mean(c160s96+c224,${name})`,
    det2.map((r, i) => r.map((s, c) => (s + other[i]![c]!) / 2)),
  );
}
