/** `caption --overlay DIR` and `--html FILE`: per-image overlay PNGs and the review page's items. */
import * as path from 'node:path';
import { readRgb } from '../image/load.js';
import type { PreparedImage } from '../image/types.js';
import { reviewItem, reviewPageHtml, type ReviewItem } from '../overlay/review-page.js';
import { checkedOverlayOptions, writeOverlays, type OverlayOptions } from '../overlay/write-overlays.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { CaptionArgs } from './caption-options.js';
import type { CaptionRecord } from './caption-record.js';

export class OverlayWriter {
  private readonly options: OverlayOptions;
  private readonly usedNames = new Set<string>();
  private readonly items: ReviewItem[] = [];

  constructor(private readonly args: Pick<CaptionArgs, 'overlay' | 'html' | 'colormap' | 'opacity' | 'smooth' | 'scale'>) {
    this.options = checkedOverlayOptions({ colormap: args.colormap, opacity: args.opacity, smooth: args.smooth, scale: args.scale });
  }

  /** A folder name per photo: its file name without extension, made unique within the run. */
  private baseName(file: string): string {
    const stem = path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9._-]/g, '_') || 'image';
    let name = stem;
    for (let n = 2; this.usedNames.has(name); n++) name = `${stem}-${n}`;
    this.usedNames.add(name);
    return name;
  }

  async add(record: CaptionRecord, image: PreparedImage): Promise<CaptionRecord['overlays']> {
    const photo = await readRgb(record.file);
    const words = record.words.map((w) => ({ word: w.word, alpha: w.alpha, beta: w.beta }));
    if (this.args.html) this.items.push(await reviewItem(record.file, photo, image.region, record.grid, words, this.options));
    if (!this.args.overlay) return undefined;
    const files = await writeOverlays(this.args.overlay, this.baseName(record.file), photo, image.region, record.grid, words, {
      ...this.options,
      caption: record.caption,
    });
    return { grid: files.grid, words: files.words };
  }

  async writeReviewPage(file: string): Promise<void> {
    await writeFileAtomic(file, reviewPageHtml(this.items));
  }
}
