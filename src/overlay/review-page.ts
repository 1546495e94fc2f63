/**
 * The review page: one self-contained HTML file (every image inlined as a data URI, no network) that
 * shows each captioned photo with its caption; hovering (or clicking, to pin) a word shows that word's
 * attention overlay in place of the photo.
 */
import type { Region, RgbImage } from '../image/types.js';
import { escapeXml } from './text.js';
import { paintWord, peakOverUniform } from './display.js';
import { encodeJpeg, resizeRgb } from './rgb.js';
import type { GridSize, WordAttention } from './types.js';
import { displayOf, type OverlayOptions } from './write-overlays.js';

export interface ReviewItem {
  file: string;
  caption: string;
  original: string; // data URI
  words: { word: string; beta?: number; peak: number; overlay: string }[];
}

const dataUri = (jpeg: Buffer) => `data:image/jpeg;base64,${jpeg.toString('base64')}`;

/** Photo and per-word overlays at review size (width ≤ maxWidth), as data URIs. */
export async function reviewItem(
  file: string,
  photo: RgbImage,
  region: Region,
  grid: GridSize,
  words: readonly WordAttention[],
  o: Pick<OverlayOptions, 'colormap' | 'opacity' | 'smooth' | 'scale'>,
  maxWidth = 480,
): Promise<ReviewItem> {
  const scale = Math.min(1, maxWidth / photo.width);
  const small = await resizeRgb(photo, Math.max(1, Math.round(photo.width * scale)), Math.max(1, Math.round(photo.height * scale)));
  const sx = small.width / photo.width;
  const sy = small.height / photo.height;
  const left = Math.round(region.left * sx);
  const top = Math.round(region.top * sy);
  const r: Region = {
    left,
    top,
    width: Math.max(1, Math.min(small.width - left, Math.round(region.width * sx))),
    height: Math.max(1, Math.min(small.height - top, Math.round(region.height * sy))),
  };
  const out: ReviewItem['words'] = [];
  for (const w of words) {
    const painted = paintWord(small, r, grid, w, displayOf(o));
    out.push({
      word: w.word,
      ...(w.beta === undefined ? {} : { beta: w.beta }),
      peak: peakOverUniform(w.alpha),
      overlay: dataUri(await encodeJpeg(painted)),
    });
  }
  return { file, caption: words.map((w) => w.word).join(' '), original: dataUri(await encodeJpeg(small)), words: out };
}

const STYLE = `
body{font:16px/1.4 system-ui,sans-serif;margin:24px;background:#fafafa;color:#222}
h1{font-size:20px}
.item{display:inline-block;vertical-align:top;margin:0 24px 32px 0;max-width:480px}
.item img{display:block;max-width:100%;border-radius:4px}
.file{font-size:12px;color:#666;margin:4px 0}
.caption .word{cursor:pointer;padding:1px 3px;border-radius:3px}
.caption .word:hover,.caption .word.pinned{background:#fde725}
.beta{font-size:12px;color:#666;margin-left:6px}
`;

const SCRIPT = `
document.querySelectorAll('.item').forEach(function (item) {
  var img = item.querySelector('img'), original = img.getAttribute('src'), beta = item.querySelector('.beta'), pinned = null;
  function show(w) { img.setAttribute('src', w ? w.getAttribute('data-overlay') : original); img.setAttribute('data-word', w ? w.textContent : '');
    beta.textContent = w ? (w.getAttribute('data-beta') ? 'β = ' + w.getAttribute('data-beta') + ', ' : '') + 'peak ' + w.getAttribute('data-peak') + '× uniform' : ''; }
  item.querySelectorAll('.word').forEach(function (w) {
    w.addEventListener('mouseenter', function () { show(w); });
    w.addEventListener('mouseleave', function () { show(pinned); });
    w.addEventListener('click', function () {
      if (pinned) pinned.classList.remove('pinned');
      pinned = pinned === w ? null : w;
      if (pinned) pinned.classList.add('pinned');
      show(pinned);
    });
  });
});
`;

export function reviewPageHtml(items: readonly ReviewItem[], title = 'Caption review'): string {
  const sections = items.map((it) => {
    const words = it.words
      .map(
        (w) =>
          `<span class="word" data-overlay="${w.overlay}"${w.beta === undefined ? '' : ` data-beta="${w.beta.toFixed(2)}"`} data-peak="${w.peak.toFixed(1)}">${escapeXml(w.word)}</span>`,
      )
      .join(' ');
    return `<section class="item"><img src="${it.original}" alt="${escapeXml(it.caption)}" data-word=""><div class="file">${escapeXml(it.file)}</div><p class="caption">${words}<span class="beta"></span></p></section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeXml(title)}</h1>
<p>Hover a word to see where the model looked when it wrote it; click to pin. Colour is attention relative to uniform (dark: no more than uniform, full: all on one cell); the photo greys as β, the gate, falls (β = 0: the image did not enter the word).</p>
${sections.join('\n')}
<script>${SCRIPT}</script></body></html>
`;
}
