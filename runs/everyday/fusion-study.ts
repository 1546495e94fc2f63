/**
 * Issue 21 §2, the tagger study, step 3: the caption head fused with the detector and/or the ImageNet
 * classifier,  s = σ(a · logit(p_cap) + b · logit(max over views of p_det) + c · logit(p_imagenet) + d),
 * for several sets of views, on both val splits. The weights are fitted by logistic regression on
 * caption labels, person excluded; the figures here are 2-fold cross-fitted over photos (fit on one
 * half, score the other), so they are not fitted on the photos they report.
 *   npx tsx runs/everyday/fusion-study.ts
 * CAPTION_HEAD=results/everyday/caption-tagger-joined7 npx tsx runs/everyday/fusion-study.ts: the same with
 * the joined encoder's caption head (session 9); the per-class table is then not rewritten.
 */
import { promises as fs } from 'node:fs';
import { tokenize } from '../../src/data/tokenize.js';
import { classesNamed, COCO_CLASSES, PERSON_CLASS } from '../../src/data/coco-classes.js';
import { fitFusion, type FusionExample } from '../../src/tagger/fit-fusion.js';

interface Photo {
  id: string;
  set: string;
  votes: number[];
  cap: number[];
  imagenet: number[];
  views: Record<string, number[]>;
}
const P = COCO_CLASSES.findIndex((c) => c.id === PERSON_CLASS);
const photos: Photo[] = [];
for (const set of ['coco1k', 'flickr8k']) {
  const det = JSON.parse(await fs.readFile(`results/everyday/detector-scores-${set}-val.json`, 'utf8')) as {
    images: { id: string; captions: string[]; views: Record<string, number[]> }[];
  };
  // CAPTION_HEAD=<prefix>: another model's caption head (caption-tagger-scores.ts wrote <prefix>-<set>-val.json).
  const capFile = `${process.env['CAPTION_HEAD'] ?? 'results/everyday/caption-tagger'}-${set}-val.json`;
  const cap = (JSON.parse(await fs.readFile(capFile, 'utf8')) as { caption: Record<string, number[]> }).caption;
  const imagenet = (
    JSON.parse(await fs.readFile(`results/everyday/imagenet-${set}-val.json`, 'utf8')) as { imagenet: Record<string, number[]> }
  ).imagenet;
  // The joined encoder's pooled view (runs/everyday/pooled-view-scores.ts), when it has been computed.
  const pooled = await fs
    .readFile(`results/everyday/pooled-view-${set}-val.json`, 'utf8')
    .then((t) => (JSON.parse(t) as { pooled: Record<string, number[]> }).pooled)
    .catch(() => undefined);
  for (const img of det.images) {
    if (pooled) img.views['pooled'] = pooled[img.id]!;
    const votes = new Array<number>(COCO_CLASSES.length).fill(0);
    for (const r of img.captions) for (const id of classesNamed(tokenize(r))) votes[COCO_CLASSES.findIndex((c) => c.id === id)]! += 1;
    photos.push({ id: img.id, set, votes, cap: cap[img.id]!, imagenet: imagenet[img.id]!, views: img.views });
  }
}
const logit = (p: number) => Math.log(Math.max(1e-6, Math.min(1 - 1e-6, p)) / (1 - Math.max(1e-6, Math.min(1 - 1e-6, p))));
const σ = (z: number) => 1 / (1 + Math.exp(-z));

function report(name: string, scoreOf: (p: Photo) => number[]): void {
  const parts = ['coco1k', 'flickr8k'].map((set) => {
    const ps = photos.filter((p) => p.set === set);
    let main = 0;
    let hit = 0;
    for (const p of ps) {
      if (!p.votes.some((n, c) => c !== P && n >= 3)) continue;
      main++;
      const s = scoreOf(p);
      let best = -1;
      s.forEach((v, c) => {
        if (c !== P && (best < 0 || v > s[best]!)) best = c;
      });
      if (p.votes[best]! >= 3) hit++;
    }
    const f1 = [0.3, 0.5, 0.7].map((t) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const p of ps) {
        const s = scoreOf(p);
        p.votes.forEach((n, c) => {
          if (c === P) return;
          const said = s[c]! >= t;
          if (said && n >= 2) tp++;
          else if (said) fp++;
          else if (n >= 2) fn++;
        });
      }
      const pr = tp / Math.max(1, tp + fp);
      const rc = tp / Math.max(1, tp + fn);
      return `${t}: ${pr.toFixed(2)}/${rc.toFixed(2)}/${(pr + rc ? (2 * pr * rc) / (pr + rc) : 0).toFixed(2)}`;
    });
    return `${set} top-1 ${hit}/${main} (${((100 * hit) / main).toFixed(0)} %) P/R/F1 ${f1.join(' ')}`;
  });
  console.log(`${name.padEnd(34)} ${parts.join(' | ')}`);
}

/** The fusion's inputs for one photo and class: the caption head's logit, then each source's. */
type Source = (p: Photo) => number[];
const examples = (ps: Photo[], sources: Source[]): FusionExample[] =>
  ps.flatMap((p) => {
    const rows = sources.map((f) => f(p));
    return p.votes.flatMap((n, c) =>
      c === P ? [] : [{ x: [logit(p.cap[c]!), ...rows.map((r) => logit(r[c]!))], label: (n >= 2 ? 1 : 0) as 0 | 1 }],
    );
  });

function fused(name: string, sources: Source[]): void {
  // 2-fold cross-fit: even photos fit the odd ones' fusion and back.
  const halves = [photos.filter((_, i) => i % 2 === 0), photos.filter((_, i) => i % 2 === 1)];
  const fits = halves.map((h) => fitFusion(examples(h, sources)));
  const fitOf = new Map(photos.map((p, i) => [p.id, fits[1 - (i % 2)]!]));
  report(name, (p) => {
    const f = fitOf.get(p.id)!;
    const rows = sources.map((s) => s(p));
    return p.cap.map((q, c) => σ(f.weights[0]! * logit(q) + rows.reduce((z, r, k) => z + f.weights[k + 1]! * logit(r[c]!), 0) + f.bias));
  });
  const all = fitFusion(examples(photos, sources));
  console.log(`  fitted on all val photos: weights ${all.weights.map((w) => w.toFixed(3)).join(', ')}, bias ${all.bias.toFixed(3)}`);
}

const detectorOf =
  (views: string[]): Source =>
  (p) =>
    p.cap.map((_, c) => Math.max(...views.map((v) => p.views[v]![c]!)));
report('caption head alone', (p) => p.cap);
report('ImageNet classifier alone', (p) => p.imagenet);
fused('caption + ImageNet (cross-fitted)', [(p) => p.imagenet]);
const SETS = [
  ['c160s96'],
  ['c192s128'],
  ['c224s224'],
  ['c160s96', 'c224s224'],
  ['c160s96', 'c192s128'],
  ['c192s128', 'c224s224'],
  ['c160s96', 'c300s300'],
  ['c160s96', 'c192s128', 'c224s224'],
  ['c160s96', 'c224s224', 'c300s150'],
  ['c160s96', 'c192s128', 'c224s224', 'c300s150', 'c300s300'],
  Object.keys(photos[0]!.views).filter((v) => v !== 'pooled'),
  ...('pooled' in photos[0]!.views ? [['pooled'], ['c160s96', 'pooled'], ['c160s96', 'c224s224', 'pooled']] : []),
];
for (const views of SETS) {
  const det = detectorOf(views);
  report(`detector ${views.join('+')}`, det);
  report(`  mean with caption head`, (p) => det(p).map((d, c) => (d + p.cap[c]!) / 2));
  fused(`  + caption (cross-fitted)`, [det]);
  fused(`  + caption + ImageNet (cross-fitted)`, [det, (p) => p.imagenet]);
}

// Per class, both val splits together, at 0.3 (person excluded): precision / recall of each source and of
// the shipped fusion (caption + detector c160s96+c224s224 + ImageNet, cross-fitted).
{
  const det = detectorOf(['c160s96', 'c224s224']);
  const sources: Source[] = [det, (p) => p.imagenet];
  const halves = [photos.filter((_, i) => i % 2 === 0), photos.filter((_, i) => i % 2 === 1)];
  const fits = halves.map((h) => fitFusion(examples(h, sources)));
  const fusedOf = (p: Photo, i: number) => {
    const f = fits[1 - (i % 2)]!;
    const rows = sources.map((s) => s(p));
    return p.cap.map((q, c) => σ(f.weights[0]! * logit(q) + rows.reduce((z, r, k) => z + f.weights[k + 1]! * logit(r[c]!), 0) + f.bias));
  };
  const scorers: [string, (p: Photo, i: number) => number[]][] = [
    ['caption head', (p) => p.cap],
    ['detector', (p) => det(p)],
    ['ImageNet', (p) => p.imagenet],
    ['fused', fusedOf],
  ];
  const lines = [
    '| class | photos | ' + scorers.map(([n]) => `${n} P / R`).join(' | ') + ' |',
    '|---|---|' + scorers.map(() => '---|').join(''),
  ];
  COCO_CLASSES.forEach((cls, c) => {
    if (c === P) return;
    const support = photos.filter((p) => p.votes[c]! >= 2).length;
    if (support < 3) return;
    const cells = scorers.map(([, f]) => {
      let tp = 0;
      let said = 0;
      photos.forEach((p, i) => {
        if (f(p, i)[c]! >= 0.3) {
          said++;
          if (p.votes[c]! >= 2) tp++;
        }
      });
      return `${said ? (tp / said).toFixed(2) : '–'} / ${(tp / support).toFixed(2)}`;
    });
    lines.push(`| ${cls.name} | ${support} | ${cells.join(' | ')} |`);
  });
  if (process.env['CAPTION_HEAD'] === undefined)
    await fs.writeFile(
      'results/everyday/tagger-per-class.md',
      `Tagger per class on both val splits (1,106 photos), threshold 0.3, person excluded; fused = cross-fitted (runs/everyday/fusion-study.ts).\n\n${lines.join('\n')}\n`,
    );
}
