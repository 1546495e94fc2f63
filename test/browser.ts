/**
 * Headless Chromium for page tests (Debian's `chromium`, driven by playwright-core; nothing is
 * downloaded; playwright gives each launch a fresh profile). Absent browser: tests skip with a message, unless CAPTION_REQUIRE_BROWSER=1 (CI).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAS_BROWSER = existsSync(CHROMIUM);
export const BROWSER_REQUIRED = process.env['CAPTION_REQUIRE_BROWSER'] === '1';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
