/**
 * Issue 21: the demo with the new default model, as a person sees it in Chromium: build the site, serve
 * it, choose two sample photos, hover a word, read the caption and the timing line, take a screenshot.
 *   npx tsx runs/everyday/demo-look.ts [backend]   → docs/examples/screenshots/demo-everyday.png
 */
import * as path from 'node:path';
import { buildDemoSite, serveFolder } from '../../src/demo/site.js';
import { launchBrowser } from '../../test/browser.js';

const backend = process.argv[2] ?? 'wasm';
const site = path.resolve('demo-site');
await buildDemoSite(site);
const { url, server } = await serveFolder(site, { port: 0 });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  page.on('console', (m) => m.type() === 'error' && console.log('console error:', m.text()));
  const t0 = Date.now();
  await page.goto(`${url}?backend=${backend}`);
  await page.waitForSelector('[data-testid=status][data-ready]', { timeout: 240_000 });
  console.log(`ready after ${Date.now() - t0} ms`);
  for (const name of ['chelsea.png', 'coffee.png']) {
    const t1 = Date.now();
    await page.setInputFiles('[data-testid=photo-input]', path.resolve('docs/examples/photos', name));
    await page.waitForFunction((n) => document.querySelector('[data-testid=status]')?.textContent === n, name, { timeout: 120_000 });
    console.log(
      `${name}: "${await page.textContent('[data-testid=caption]')}" in ${Date.now() - t1} ms; ${await page.textContent('[data-testid=timing]')}`,
    );
  }
  const words = await page.$$('[data-testid=word]');
  await words.find(async () => true)?.hover();
  for (const w of words) if ((await w.textContent()) === 'cup') await w.hover();
  await page.screenshot({ path: 'docs/examples/screenshots/demo-everyday.png' });
} finally {
  await browser.close();
  server.close();
}
