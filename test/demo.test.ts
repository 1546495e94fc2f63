/**
 * The in-browser demo in Debian's Chromium (playwright-core): the built static site, served on
 * localhost, loads the shipped model from its own origin, captions a chosen photo with the same words
 * as the Node API (same checkpoint, beam and backend: WASM; the photo is 224×224 already, so neither
 * side resamples it — browsers and sharp resample differently), paints a hovered word's attention
 * onto the canvas, and logs no console error. Prints the cold time to the first caption and per photo.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner } from '../src/api/node.js';
import { buildDemoSite, serveFolder } from '../src/demo/site.js';
import { BROWSER_REQUIRED, CHROMIUM, HAS_BROWSER, launchBrowser } from './browser.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = HAS_BROWSER || BROWSER_REQUIRED ? describe : describe.skip;

run(`in-browser demo${HAS_BROWSER ? '' : ` [skipped: no Chromium at ${CHROMIUM}]`}`, () => {
  let dir = '';
  let url = '';
  let close = (): void => {};
  const photos: string[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-'));
    await buildDemoSite(path.join(dir, 'site'));
    const served = await serveFolder(path.join(dir, 'site'), 0);
    url = served.url;
    close = () => served.server.close();
    for (const name of ['horse.png', 'chelsea.png']) {
      const file = path.join(dir, `224-${name}`);
      await sharp(path.join(repoRoot, 'docs', 'examples', 'photos', name))
        .removeAlpha()
        .resize(224, 224, { fit: 'fill' })
        .png()
        .toFile(file);
      photos.push(file);
    }
  }, 180_000);
  afterAll(async () => {
    close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('captions a chosen photo as the Node API does, paints the hovered word, logs no error', { timeout: 300_000 }, async () => {
    const node = await loadCaptioner({ backend: 'wasm' });
    const expected = (await node.caption(photos)).map((r) => r.words.map((w) => w.word).join(' '));
    node.dispose();

    const browser = await launchBrowser();
    const errors: string[] = [];
    const requests: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      const t0 = Date.now();
      await page.goto(`${url}?backend=wasm`);
      await page.waitForSelector('[data-testid=status][data-ready]', { timeout: 240_000 });
      const shown: string[] = [];
      const perPhoto: number[] = [];
      for (const [i, photo] of photos.entries()) {
        await page.setInputFiles('[data-testid=photo-input]', photo);
        await page.waitForFunction((n) => document.querySelector('[data-testid=status]')?.textContent === n, path.basename(photo), {
          timeout: 120_000,
        });
        if (i === 0)
          process.stdout.write(`[demo] cold: ${((Date.now() - t0) / 1000).toFixed(1)} s from opening the page to the first caption\n`);
        perPhoto.push(Number(await page.getAttribute('[data-testid=timing]', 'data-ms')));
        shown.push((await page.locator('[data-testid=word]').allTextContents()).join(' '));
      }
      process.stdout.write(`[demo] per photo (WASM, headless Chromium): ${perPhoto.join(', ')} ms\n`);
      expect(shown).toEqual(expected);

      const pixels = () => page.evaluate(() => (document.querySelector('[data-testid=canvas]') as HTMLCanvasElement).toDataURL());
      const plain = await pixels();
      const words = page.locator('[data-testid=word]');
      await words.nth(1).hover();
      const hovered = await pixels();
      expect(hovered).not.toBe(plain);
      expect(await page.textContent('[data-testid=word-info]')).toMatch(/β = 0\.\d\d/);
      await words.nth(2).focus(); // keyboard reachable: focus paints too
      expect(await pixels()).not.toBe(hovered);
      await page.mouse.move(0, 0);
      await page.locator('body').click({ position: { x: 1, y: 1 } });
      expect(await pixels()).toBe(plain);

      // "Your words": explain() in the browser gives the Node API's log-likelihood for the same photo and text.
      const mine = 'a dog runs on the grass';
      const nodeExplained = await (async () => {
        const c = await loadCaptioner({ backend: 'wasm' });
        try {
          return (await c.explain(photos.at(-1)!, mine))[0]!;
        } finally {
          c.dispose();
        }
      })();
      await page.fill('[data-testid=explain-text]', mine);
      await page.click('[data-testid=explain-form] button');
      await page.waitForFunction(() => document.querySelector('[data-testid=timing]')?.getAttribute('data-log-likelihood'), null, {
        timeout: 60_000,
      });
      expect(Number(await page.getAttribute('[data-testid=timing]', 'data-log-likelihood'))).toBeCloseTo(nodeExplained.logLikelihood, 2);
      expect(await page.locator('[data-testid=word]').allTextContents()).toEqual(mine.split(' '));
      await page.locator('[data-testid=word]').nth(1).hover();
      expect(await page.textContent('[data-testid=word-info]')).toMatch(/“dog”: β = 0\.\d\d, peak \d+\.\d× uniform/);

      expect(errors, errors.join('\n')).toEqual([]);

      // A photo chosen before the model is ready waits, says so, and is captioned once it is.
      // (The model's weights are held back 3 s so that the photo surely comes first.)
      const early = await browser.newPage();
      await early.route('**/model/weights.bin', async (route) => {
        await new Promise((r) => setTimeout(r, 3000));
        await route.continue();
      });
      await early.goto(`${url}?backend=wasm`);
      await early.setInputFiles('[data-testid=photo-input]', photos[0]!);
      expect(await early.getAttribute('[data-testid=status]', 'data-ready')).toBeNull();
      expect(await early.textContent('[data-testid=status]')).toMatch(/will be captioned when it is ready/);
      await early.waitForFunction((n) => document.querySelector('[data-testid=status]')?.textContent === n, path.basename(photos[0]!), {
        timeout: 240_000,
      });
      expect((await early.locator('[data-testid=word]').allTextContents()).join(' ')).toBe(expected[0]);
      expect(await early.getAttribute('[data-testid=status]', 'data-error')).toBeNull();
      // Nothing beyond its own origin (blob: URLs of that origin are the WASM thread workers').
      const origin = new URL(url).origin;
      expect(requests.filter((r) => !r.startsWith(`${origin}/`) && !r.startsWith(`blob:${origin}/`))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
