/**
 * Writes a caption's attention figures for one photo into `<outDir>/<baseName>/`:
 *   grid.png        the paper-style figure (caption, input photo, one panel per word)
 *   NN-word.png     each word's overlay at the photo's original size, labelled with the word and β
 * Every file is written atomically; other files already in the folder are left alone. The tokens
 * `<start>`, `<end>` and `<pad>` are not words and get no panel (`<unk>` does: the model said it).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { END_TOKEN, PAD_TOKEN, START_TOKEN } from '../data/special-tokens.js';
import type { Region, RgbImage } from '../image/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UserError } from '../util/user-error.js';
import { isColormapName, type ColormapName } from './colormaps.js';
import { checkFolderName, isWordFileName, wordFileName } from './file-names.js';
import { composeGrid, panelHeight, type Panel } from './grid.js';
import { ATTENTION_SCALES, paintWord, wordLabel, type AttentionScale, type DisplayOptions } from './display.js';
import { drawLabel } from './label.js';
import { checkRegion } from './paint.js';
import { encodePng, resizeRgb } from './rgb.js';
import type { GridSize, WordAttention } from './types.js';

export interface OverlayOptions {
  colormap: ColormapName;
  /** Weight of the colour map over the photo, 0–1. */
  opacity: number;
  /** Bicubic upsampling of α (`--smooth`); default false: the cells as they are (display.ts). */
  smooth: boolean;
  /** Colour scale of α: fixed (relative to uniform attention, the default) or relative (to the map's peak). */
  scale: AttentionScale;
  /** Width of each grid panel in px (height keeps the photo's aspect ratio). */
  panelWidth: number;
  /** Grid panels per row (the input photo counts as one). */
  columns: number;
  /** The grid's title; default: the shown words joined by spaces. */
  caption?: string;
}

const DEFAULT_OVERLAY_OPTIONS: OverlayOptions = {
  colormap: 'viridis',
  opacity: 0.6,
  smooth: false,
  scale: 'fixed',
  panelWidth: 256,
  columns: 5,
};

/** The display rules' options from overlay options. */
export const displayOf = (o: Pick<OverlayOptions, 'colormap' | 'opacity' | 'smooth' | 'scale'>): DisplayOptions => ({
  colormap: o.colormap,
  opacity: o.opacity,
  scale: o.scale,
  upsample: o.smooth ? 'smooth' : 'nearest',
});

/** White space between grid panels, px. */
export const GRID_GAP = 6;
const NOT_WORDS = new Set<string>([START_TOKEN, END_TOKEN, PAD_TOKEN]);

export interface OverlayFiles {
  /** `<outDir>/<baseName>` */
  folder: string;
  grid: string;
  /** One per shown word, in caption order. */
  words: string[];
}

/** Options merged with the defaults; a bad value (from a CLI flag) is a UserError. */
export function checkedOverlayOptions(options: Partial<OverlayOptions>): OverlayOptions {
  const o = { ...DEFAULT_OVERLAY_OPTIONS, ...options };
  if (!ATTENTION_SCALES.includes(o.scale)) throw new UserError(`unknown attention scale "${String(o.scale)}": use fixed or relative`);
  if (!isColormapName(o.colormap)) throw new UserError(`unknown colour map "${String(o.colormap)}": use viridis, greys or jet`);
  if (!(o.opacity >= 0 && o.opacity <= 1)) throw new UserError(`invalid overlay opacity ${o.opacity}: must be between 0 and 1`);
  if (!Number.isInteger(o.panelWidth) || o.panelWidth < 32 || o.panelWidth > 4096) {
    throw new UserError(`invalid panel width ${o.panelWidth}: must be a whole number of pixels from 32 to 4096`);
  }
  if (!Number.isInteger(o.columns) || o.columns < 1) throw new UserError(`invalid column count ${o.columns}: must be at least 1`);
  return o;
}

/**
 * Renders and writes the figures. `photo`: the oriented original (`readRgb`); `region`: the part the
 * encoder saw (`PreparedImage.region`); `words[i].alpha`: `[grid.height · grid.width]`, row-major.
 * Returns the paths written.
 */
export async function writeOverlays(
  outDir: string,
  baseName: string,
  photo: RgbImage,
  region: Region,
  grid: GridSize,
  words: readonly WordAttention[],
  options: Partial<OverlayOptions> = {},
): Promise<OverlayFiles> {
  const o = checkedOverlayOptions(options);
  checkFolderName(baseName);
  checkRegion(photo, region);
  const shown = words.filter((w) => !NOT_WORDS.has(w.word));
  const folder = path.join(outDir, baseName);
  const pw = o.panelWidth;
  const ph = panelHeight(photo, pw);

  const panels: Panel[] = [{ image: await resizeRgb(photo, pw, ph) }];
  const written: string[] = [];
  for (const [i, w] of shown.entries()) {
    const painted = paintWord(photo, region, grid, w, displayOf(o)); // photo size
    const label = wordLabel(w.word, w.beta, w.alpha);
    const file = path.join(folder, wordFileName(i, shown.length, w.word));
    await writeFileAtomic(file, await encodePng(await drawLabel(painted, label)));
    written.push(file);
    panels.push({ image: await resizeRgb(painted, pw, ph), label }); // small copy only: memory stays O(words · panel)
  }

  const caption = o.caption ?? shown.map((w) => w.word).join(' ');
  const gridFile = path.join(folder, 'grid.png');
  const figure = await composeGrid(panels, caption, { panelWidth: pw, columns: o.columns, gap: GRID_GAP });
  await writeFileAtomic(gridFile, await encodePng(figure));
  // A photo captioned again into the same folder: the word files of its earlier caption go (only those).
  const kept = new Set(written.map((f) => path.basename(f)));
  for (const name of await fs.readdir(folder))
    if (isWordFileName(name) && !kept.has(name)) await fs.rm(path.join(folder, name), { force: true });
  return { folder, grid: gridFile, words: written };
}
