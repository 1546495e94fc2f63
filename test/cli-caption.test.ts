/**
 * The `caption` command end to end, on a small untrained checkpoint made for the α=0.25 encoder (the
 * mechanics: inputs, exit codes, JSON, overlays, review page). The trained shapes checkpoint is tested
 * in cli-shapes.test.ts.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { saveCheckpoint } from '../src/checkpoint/checkpoint.js';
import { detokenize } from '../src/data/detokenize.js';
import { Vocabulary } from '../src/data/vocabulary.js';
import { createDecoder } from '../src/decoder/decoder.js';
import { loadEncoder } from '../src/encoder/load-encoder.js';
import { BROWSER_REQUIRED, CHROMIUM, HAS_BROWSER, launchBrowser } from './browser.js';
import { runCaptionCli } from './cli-helpers.js';
import { describeWithShared, sharedPath } from './shared.js';

/** An image's pixels at w×h, RGB. */
const rgbOf = (png: Buffer, w: number, h: number): Promise<Buffer> =>
  sharp(png).removeAlpha().resize(w, h, { fit: 'fill' }).raw().toBuffer();
const meanAbsDiff = (a: Buffer, b: Buffer): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('caption: usage errors', () => {
  it('--help documents the flags and the default checkpoint', () => {
    const r = runCaptionCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--checkpoint/);
    expect(r.stdout).toMatch(/checkpoints\/everyday .* else checkpoints\/shapes/s);
    expect(r.stdout).toMatch(/--overlay/);
  });

  it.each([
    [['x.png', '--beam', '0'], /--beam must be a positive integer/],
    [['x.png', '--max-len', '-3'], /--max-len must be a positive integer/],
    [['x.png', '--bogus'], /Unknown argument: bogus/],
    [[], /Not enough non-option arguments/],
  ])('%j is a usage error (exit 2, one line, no stack)', (args, message) => {
    const r = runCaptionCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing checkpoint folder gives a clear message', () => {
    const r = runCaptionCli(['x.png', '--checkpoint', '/nonexistent/ckpt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/ckpt: not a checkpoint folder \(no model\.json\)/);
  });
});

describeWithShared('caption: end to end on a small checkpoint (α=0.25 encoder, WASM)', () => {
  const weights = sharedPath('weights', 'mobilenet_v1_0.25_224');
  let dir: string;
  let ckpt: string;
  let wide: string;
  let square: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-'));
    await selectBackend({ requested: 'wasm', log: () => {} });
    const encoder = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: weights });
    const vocab = Vocabulary.build(['a red circle above a blue square', 'a green triangle'], { minCount: 1 });
    const decoder = createDecoder({
      vocabSize: vocab.size,
      featureDim: encoder.depth,
      embedDim: 16,
      hiddenDim: 16,
      attentionDim: 8,
      seed: 1,
    });
    ckpt = path.join(dir, 'ckpt');
    await saveCheckpoint(ckpt, {
      encoder: encoder.fingerprint.id,
      grid: encoder.grid,
      config: decoder.config,
      vocab: vocab.toJSON(),
      weights: decoder.getWeights(),
    });
    decoder.dispose();
    encoder.dispose();
    wide = path.join(dir, 'wide.png');
    square = path.join(dir, 'square.jpg');
    await sharp({ create: { width: 300, height: 180, channels: 3, background: '#c83232' } })
      .png()
      .toFile(wide);
    await sharp({ create: { width: 224, height: 224, channels: 3, background: '#3232c8' } })
      .jpeg()
      .toFile(square);
  });

  it('captions good images, reports the unreadable one, exits 2', async () => {
    const bad = path.join(dir, 'bad.jpg');
    await fs.writeFile(bad, 'this is not a JPEG');
    const r = runCaptionCli([wide, bad, square, '--checkpoint', ckpt, '--encoder-weights', weights, '--max-len', '5']);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual([wide, square]);
    for (const l of lines) expect(l.split('\t')[1]!.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/1 of 3 input\(s\) failed/);
    expect(r.stderr).toContain(`${bad}: not an image`);
  });

  it('a folder gives its images (sorted, not recursive, other files ignored); a glob gives its matches', async () => {
    const folder = path.join(dir, 'folder');
    await fs.mkdir(path.join(folder, 'sub'), { recursive: true });
    for (const name of ['b.png', 'a.jpg', 'sub/c.png']) await fs.copyFile(name.endsWith('.png') ? wide : square, path.join(folder, name));
    await fs.writeFile(path.join(folder, 'notes.txt'), 'not an image');
    const byFolder = runCaptionCli([folder, '--checkpoint', ckpt, '--encoder-weights', weights, '--max-len', '2', '--beam', '1']);
    expect(byFolder.code, byFolder.stderr).toBe(0);
    expect(
      byFolder.stdout
        .trim()
        .split('\n')
        .map((l) => path.basename(l.split('\t')[0]!)),
    ).toEqual(['a.jpg', 'b.png']);
    const byGlob = runCaptionCli([
      path.join(folder, '**', '*.png'),
      '--checkpoint',
      ckpt,
      '--encoder-weights',
      weights,
      '--max-len',
      '2',
      '--beam',
      '1',
    ]);
    expect(byGlob.code, byGlob.stderr).toBe(0);
    expect(
      byGlob.stdout
        .trim()
        .split('\n')
        .map((l) => path.relative(folder, l.split('\t')[0]!))
        .sort(),
    ).toEqual(['b.png', path.join('sub', 'c.png')]);
    const none = runCaptionCli([path.join(folder, '*.gif'), '--checkpoint', ckpt, '--encoder-weights', weights]);
    expect(none.code).toBe(2);
    expect(
      none.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('caption:')),
    ).toHaveLength(1);
  });

  it('a caption cut at --max-len is marked in text output as in JSON; captions are detokenized', () => {
    // The shipped model's greedy caption of this photo runs ~9 words, so 3 always cuts it.
    const photo = path.resolve('docs/examples/photos/motorcycle_left.png');
    const text = runCaptionCli([photo, '--max-len', '3', '--beam', '1', '--no-tags']);
    const json = runCaptionCli([photo, '--max-len', '3', '--beam', '1', '--no-tags', '--json']);
    expect(text.code, text.stderr).toBe(0);
    const rec = JSON.parse(json.stdout.trim()) as { caption: string; tokens: string[]; finished: boolean };
    expect(rec.finished).toBe(false);
    expect(rec.tokens).toHaveLength(3);
    expect(text.stdout.trim().split('\t')[1]).toBe(`${rec.caption} […]`);
    expect(rec.caption).toBe(detokenize(rec.tokens));
    expect(detokenize(['a', 'man', "'s", 'shirt'])).toBe("a man's shirt"); // clitics join the word before
    expect(rec.tokens).not.toContain('<unk>');
  });

  it('--json gives per-word α over the 14×14 grid summing to 1, β, log p and ids', () => {
    const r = runCaptionCli([wide, '--checkpoint', ckpt, '--encoder-weights', weights, '--json', '--beam', '2', '--max-len', '4']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout.trim());
    expect(rec.file).toBe(wide);
    expect(rec.grid).toEqual({ height: 14, width: 14 });
    expect(rec.beamSize).toBe(2);
    expect(rec.encoder).toMatch(/^mobilenet_v1_0\.25\/conv_pw_11_relu\/14x14x128\//);
    expect(rec.tokens.length).toBe(rec.words.length);
    expect(rec.words.length).toBeGreaterThan(0);
    for (const w of rec.words) {
      expect(w.alpha).toHaveLength(196);
      expect(w.alpha.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
      expect(w.beta).toBeGreaterThan(0);
      expect(w.beta).toBeLessThan(1);
      expect(w.logProb).toBeLessThanOrEqual(0);
    }
    expect(rec.timings.encodeMs).toBeGreaterThan(0);
  });

  it("--overlay writes a grid and one PNG per word at the photo's size, keeping other files", async () => {
    const out = path.join(dir, 'overlays');
    await fs.mkdir(path.join(out, 'wide'), { recursive: true });
    await fs.writeFile(path.join(out, 'wide', 'keep.txt'), 'mine');
    const r = runCaptionCli([wide, '--checkpoint', ckpt, '--encoder-weights', weights, '--overlay', out, '--json', '--max-len', '3']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout.trim());
    const files = (await fs.readdir(path.join(out, 'wide'))).sort();
    expect(files).toContain('grid.png');
    expect(files).toContain('keep.txt');
    const wordFiles = files.filter((f) => /^\d\d-.*\.png$/.test(f));
    expect(wordFiles).toHaveLength(rec.words.length);
    const meta = await sharp(path.join(out, 'wide', wordFiles[0]!)).metadata();
    expect([meta.width, meta.height]).toEqual([300, 180]);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('--html writes one self-contained page; hovering a word in Chromium shows its overlay', async (ctx) => {
    const page = path.join(dir, 'review.html');
    const r = runCaptionCli([wide, square, '--checkpoint', ckpt, '--encoder-weights', weights, '--html', page, '--max-len', '3']);
    expect(r.code).toBe(0);
    const html = await fs.readFile(page, 'utf8');
    expect(html).not.toMatch(/(src|href)="https?:/); // nothing fetched: works offline from disk
    expect(html.match(/<section class="item"/g)).toHaveLength(2);
    if (!HAS_BROWSER && !BROWSER_REQUIRED) {
      ctx.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium; CAPTION_REQUIRE_BROWSER=1 makes this a failure)`);
    }
    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage();
      await tab.goto(`file://${page}`);
      const img = tab.locator('.item').first().locator('img');
      const before = await img.getAttribute('src');
      const word = tab.locator('.item').first().locator('.word').first();
      await word.hover();
      const during = await img.getAttribute('src');
      expect(during).not.toBe(before);
      expect(during).toBe(await word.getAttribute('data-overlay'));
      expect(await img.getAttribute('data-word')).toBe(await word.textContent());
      await tab.mouse.move(0, 0);
      expect(await img.getAttribute('src')).toBe(before);
      await word.click(); // pinned: stays after the mouse leaves
      await tab.mouse.move(0, 0);
      expect(await img.getAttribute('src')).toBe(during);
      // What the page shows is that word's overlay, pixel for pixel (not the photo, not another word's).
      const shown = async () => rgbOf(await img.screenshot(), 120, 72);
      const overlayOf = async (src: string | null) => rgbOf(Buffer.from(src!.split(',')[1]!, 'base64'), 120, 72);
      const pinned = await shown();
      expect(meanAbsDiff(pinned, await overlayOf(during))).toBeLessThan(6);
      expect(meanAbsDiff(pinned, await overlayOf(before))).toBeGreaterThan(meanAbsDiff(pinned, await overlayOf(during)) + 3);
    } finally {
      await browser.close();
    }
  });
});
