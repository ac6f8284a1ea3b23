/**
 * End to end in a real browser (Debian's Chromium, driven by playwright-core) against the real
 * service with the demo site: sign in, open the demo site's series, draw a chart, sign out.
 * Needs the built dashboard (npm run build) and CHROMIUM_PATH (scripts/services up); skipped otherwise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONTEND_DIST } from '../../api/src/http/server.js';
import { startTestApp, type TestApp } from '../../api/src/test/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH;
const canRun = Boolean(CHROMIUM && existsSync(CHROMIUM) && existsSync(join(FRONTEND_DIST, 'index.html')));

describe.skipIf(!canRun)('dashboard in Chromium', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp({ LUNA_ADMIN_PASSWORD: 'Sonnenstrom-2026!', LUNA_DEMO: 'replay', LUNA_DEMO_INTERVAL_S: '1' });
    // playwright gives the browser a fresh temporary profile of its own
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in, charts the demo site in local time, and signs out', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 }, locale: 'en-GB' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.base}/`);
    await page.getByLabel(/user name/i).fill('admin');
    await page.getByLabel(/^password/i).fill('Sonnenstrom-2026!');
    await page.getByRole('button', { name: /^sign in$/i }).click();
    await expect.poll(() => page.getByText('Signed in as').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByText('Musterwerk (Demo)').count(), { timeout: 10_000 }).toBeGreaterThan(0);

    await page
      .getByRole('button', { name: /open series/i })
      .first()
      .click();
    await expect.poll(() => page.getByRole('checkbox').count(), { timeout: 10_000 }).toBe(3);
    await page.getByRole('checkbox').first().check();
    await expect.poll(() => page.locator('svg path').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.getByText('Europe/Berlin').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: /sign out/i }).click();
    await expect.poll(() => page.getByRole('button', { name: /^sign in$/i }).count(), { timeout: 10_000 }).toBe(1);
    expect(errors).toEqual([]);
  }, 60_000);
});
