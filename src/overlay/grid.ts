/**
 * The figure of the paper: the caption as a title strip, then the input photo followed by one panel
 * per word (its overlay with the word's label), in rows of `columns`, on white with small gaps.
 *
 * Size: panels are `panelWidth` wide and keep the first panel's aspect ratio; with n panels and
 * c = min(columns, n), the grid is c·panelWidth + (c+1)·gap pixels wide.
 */
import type { RgbImage } from '../image/types.js';
import { drawLabel } from './label.js';
import { blankRgb, pasteRgb, resizeRgb } from './rgb.js';
import { drawText, renderText, type TextMask } from './text.js';

export interface GridLayout {
  /** Width of every panel in px. */
  panelWidth: number;
  /** Panels per row. */
  columns: number;
  /** White space between panels and around the figure, in px. */
  gap: number;
}

export interface Panel {
  image: RgbImage;
  /** Drawn on the panel after scaling (none for the input photo). */
  label?: string;
}

const INK = [17, 17, 17] as const;

/** Height of a `panelWidth`-wide panel of a width×height image (aspect ratio kept, ≥ 1). */
export function panelHeight(image: { width: number; height: number }, panelWidth: number): number {
  return Math.max(1, Math.round((panelWidth * image.height) / image.width));
}

/** Grid width in px for `count` panels (see the top comment). */
function gridWidth(count: number, layout: GridLayout): number {
  const c = Math.max(1, Math.min(layout.columns, count));
  return c * layout.panelWidth + (c + 1) * layout.gap;
}

/** `caption` greedily wrapped into lines whose rendered width fits `maxWidth` (a too-long word gets its own line). */
async function wrapCaption(caption: string, fontSize: number, maxWidth: number): Promise<TextMask[]> {
  const words = caption.split(/\s+/).filter((w) => w !== '');
  const lines: TextMask[] = [];
  let line = '';
  let mask: TextMask | undefined;
  for (const word of words) {
    const candidate = line === '' ? word : `${line} ${word}`;
    const rendered = await renderText(candidate, fontSize);
    if (rendered.width <= maxWidth || line === '') {
      line = candidate;
      mask = rendered;
    } else {
      lines.push(mask!);
      line = word;
      mask = await renderText(word, fontSize);
    }
  }
  if (mask) lines.push(mask);
  return lines;
}

/** The figure as one image: `panels` in order (first: the input photo), `caption` on top (empty: no title). */
export async function composeGrid(panels: readonly Panel[], caption: string, layout: GridLayout): Promise<RgbImage> {
  const first = panels[0];
  if (!first) throw new Error('a grid needs at least one panel');
  const { panelWidth: pw, columns, gap } = layout;
  const ph = panelHeight(first.image, pw);
  const width = gridWidth(panels.length, layout);
  const rows = Math.ceil(panels.length / Math.max(1, columns));

  const fontSize = Math.max(12, Math.round(pw / 12));
  const title = await wrapCaption(caption, fontSize, width - 2 * gap);
  const titleHeight = title.reduce((h, line) => h + line.height, 0);
  const top = gap + (title.length > 0 ? titleHeight + gap : 0); // first panel row

  const grid = blankRgb(width, top + rows * (ph + gap));
  let y = gap;
  for (const line of title) {
    drawText(grid, line, gap, y, INK);
    y += line.height;
  }
  for (const [i, panel] of panels.entries()) {
    let image = await resizeRgb(panel.image, pw, ph);
    if (panel.label !== undefined) image = await drawLabel(image, panel.label);
    const col = i % columns;
    const row = Math.floor(i / columns);
    pasteRgb(grid, image, gap + col * (pw + gap), top + row * (ph + gap));
  }
  return grid;
}
