import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../src/image/types.js';
import { drawLabel, labelText } from '../src/overlay/label.js';
import { escapeXml, renderText } from '../src/overlay/text.js';

function photo(width: number, height: number, level = 200): RgbImage {
  return { width, height, pixels: new Uint8Array(width * height * 3).fill(level) };
}

/** Bounding box of the pixels that differ between two same-size images (null if none). */
function changedBox(a: RgbImage, b: RgbImage): { left: number; top: number; right: number; bottom: number } | null {
  let box: { left: number; top: number; right: number; bottom: number } | null = null;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const p = (y * a.width + x) * 3;
      if (a.pixels[p] === b.pixels[p] && a.pixels[p + 1] === b.pixels[p + 1] && a.pixels[p + 2] === b.pixels[p + 2]) continue;
      box = box
        ? { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x), bottom: Math.max(box.bottom, y) }
        : { left: x, top: y, right: x, bottom: y };
    }
  }
  return box;
}

describe('labels', () => {
  it('formats the word with β', () => {
    expect(labelText('circle', 0.834)).toBe('circle  β=0.83');
    expect(labelText('circle')).toBe('circle');
  });

  it('escapes XML special characters and characters XML forbids', () => {
    expect(escapeXml(`<a & "b">'`)).toBe('&lt;a &amp; &quot;b&quot;&gt;&apos;');
    expect(escapeXml('a\u0000b\u0007\nc')).toBe('a\ufffdb\ufffd c');
    expect(escapeXml('x\ud800y')).toBe('x\ufffdy'); // lone surrogate
    expect(escapeXml('😀')).toBe('😀');
  });

  it('renders words with <&> without crashing sharp', async () => {
    for (const word of ['<&>', 'a&b', '</text><svg>', ']]>', '<unk>', 'x\u0001y']) {
      const mask = await renderText(word, 20);
      expect(mask.width).toBeGreaterThan(5);
      expect(mask.alpha.some((a) => a > 200)).toBe(true);
    }
    expect((await renderText('   ', 20)).width).toBe(0);
  });

  it('draws a dark box with white text in the top-left corner only', async () => {
    const image = photo(400, 240);
    const labelled = await drawLabel(image, '<end> & β=0.50');
    const box = changedBox(image, labelled)!;
    expect(box.left).toBeGreaterThan(0);
    expect(box.top).toBeGreaterThan(0);
    expect(box.right).toBeLessThan(260);
    expect(box.bottom).toBeLessThan(50);
    expect(labelled.pixels.reduce((m, v) => Math.min(m, v), 255)).toBeLessThan(100); // the box
    expect(labelled.pixels.reduce((m, v) => Math.max(m, v), 0)).toBeGreaterThan(240); // the text
    expect(image.pixels.every((v) => v === 200)).toBe(true); // input untouched
  });

  it('shrinks a long label to fit a narrow image, and draws nothing for blank text', async () => {
    const image = photo(60, 60);
    const box = changedBox(image, await drawLabel(image, 'hippopotamus  β=0.99'))!;
    expect(box.right).toBeLessThan(60);
    expect(changedBox(image, await drawLabel(image, '  '))).toBeNull();
  });
});
