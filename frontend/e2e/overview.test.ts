/**
 * Overview in Chromium on the demo site (simulator, 1 s interval): live values move, the overview
 * renders (time printed as a BENCH line, never asserted), no console errors, keyboard navigation
 * reaches the page tabs with a visible focus, every form control and button has a name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun, DEMO, newPage, openPage, routeExists, screenshot, signIn, startHarness, type Harness } from './harness.js';
import { unlabelledControls } from './a11y.js';

describe.skipIf(!canRun)('overview in Chromium', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('shows live values that move, and renders quickly', async () => {
    const { page, errors } = await newPage(h);
    await signIn(h, page, 'viewer');
    const t0 = Date.now();
    await openPage(h, page, '#/site/demo/overview');
    const grid = page.locator('[data-testid=flow-grid] .flow-number');
    await expect.poll(async () => (await grid.getAttribute('data-value')) ?? '', { timeout: 15_000 }).not.toBe('');
    const renderMs = Date.now() - t0;
    console.log(`BENCH dashboard_overview_render ${renderMs} ms`);

    // live: a value of the power flow changes while we watch (readings every second)
    const snapshot = async () =>
      page.locator('.flow-facts .flow-number').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')).join('|'));
    const first = await snapshot();
    await expect.poll(snapshot, { timeout: 20_000, interval: 500 }).not.toBe(first);
    expect(await page.locator('[data-testid=flow-soc] .flow-number').getAttribute('data-value')).not.toBe('');
    // with the live WebSocket API in the service, the values arrive by push rather than by polling
    if (await routeExists(h, 'GET', `/sites/${DEMO}/live`)) {
      await expect.poll(() => page.locator('[data-testid=live-state]').getAttribute('data-live'), { timeout: 15_000 }).toBe('push');
    }
    console.log(`live values by ${await page.locator('[data-testid=live-state]').getAttribute('data-live')}`);
    await screenshot(page, 'overview-viewer-en');
    expect(errors).toEqual([]);
  }, 90_000);

  it('is usable by keyboard, every control is labelled, and works in German', async () => {
    const { page, errors } = await newPage(h, 'de-DE');
    await signIn(h, page, 'operator');
    // a fresh load of the page's address: focus starts at the top of the document
    await page.goto(`${h.t.base}/#/site/demo/overview`);
    await page.reload();
    await page.getByRole('heading', { name: /Übersicht/ }).waitFor();

    // Tab from the top: the skip link first, then on to the page tabs; focus is always visible
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/Zum Inhalt springen/);
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { text: el.textContent?.trim().slice(0, 60) ?? '', outline: style.outlineStyle !== 'none' || style.boxShadow !== 'none' };
      });
      if (!info) break; // past the last focusable element
      expect(info.outline, `visible focus on "${info.text}"`).toBe(true);
      reached.add(info.text);
    }
    expect([...reached]).toEqual(expect.arrayContaining(['Geräte', 'Warnungen']));
    // Enter on a tab opens the page
    await page.getByRole('link', { name: 'Geräte' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Geräte/ }).waitFor();

    for (const p of ['overview', 'explorer', 'forecast', 'devices', 'alerts']) {
      await openPage(h, page, `#/site/demo/${p}`);
      await page.waitForTimeout(800);
      expect(await unlabelledControls(page), `unlabelled controls on ${p}`).toEqual([]);
    }
    await openPage(h, page, '#/site/demo/overview');
    await page.waitForTimeout(1000);
    await screenshot(page, 'overview-operator-de');
    expect(errors).toEqual([]);
  }, 120_000);
});
