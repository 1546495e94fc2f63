/** A training-curve figure (SVG, turned into PNG with sharp): per-word CE and a validation score by epoch. */
import sharp from 'sharp';

/** What the figure reads of each epoch's line of a run's metrics.jsonl (the trainer writes more). */
export interface EpochPoint {
  epoch: number;
  trainCrossEntropy: number;
  val: Readonly<Record<string, number>>;
}

interface Series {
  label: string;
  colour: string;
  values: number[];
}

function panel(x0: number, title: string, s: Series, epochs: number[], w: number, h: number): string {
  const pad = 44;
  const min = Math.min(...s.values);
  const max = Math.max(...s.values);
  const lo = min - (max - min || 1) * 0.1;
  const hi = max + (max - min || 1) * 0.1;
  const px = (i: number) => x0 + pad + (epochs.length > 1 ? (i / (epochs.length - 1)) * (w - 2 * pad) : (w - 2 * pad) / 2);
  const py = (v: number) => pad + (1 - (v - lo) / (hi - lo)) * (h - 2 * pad);
  const points = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
  const ticks = [lo + (hi - lo) * 0.1, (lo + hi) / 2, hi - (hi - lo) * 0.1]
    .map((v) => `<text x="${x0 + pad - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(3)}</text>`)
    .join('');
  const xlabels = epochs.map((e, i) => `<text x="${px(i)}" y="${h - pad + 16}" text-anchor="middle" font-size="11">${e}</text>`).join('');
  const dots = s.values.map((v, i) => `<circle cx="${px(i)}" cy="${py(v)}" r="3" fill="${s.colour}"/>`).join('');
  return `<rect x="${x0 + pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#bbb"/>
<text x="${x0 + w / 2}" y="24" text-anchor="middle" font-size="14">${title}</text>
<polyline points="${points}" fill="none" stroke="${s.colour}" stroke-width="2"/>${dots}${ticks}${xlabels}
<text x="${x0 + w / 2}" y="${h - 8}" text-anchor="middle" font-size="11">epoch</text>`;
}

/** PNG bytes of the two-panel curve. */
export async function trainingCurvePng(history: readonly EpochPoint[], metric: string, title: string): Promise<Buffer> {
  const w = 420;
  const h = 300;
  const epochs = history.map((m) => m.epoch);
  const ce: Series = { label: 'train per-word CE', colour: '#3b528b', values: history.map((m) => m.trainCrossEntropy) };
  const val: Series = { label: metric, colour: '#21918c', values: history.map((m) => m.val[metric] ?? NaN) };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${h + 30}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${w}" y="${h + 22}" text-anchor="middle" font-size="13">${title}</text>
${panel(0, 'training cross-entropy per word', ce, epochs, w, h)}
${panel(w, `validation ${metric} (greedy decoding)`, val, epochs, w, h)}
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
