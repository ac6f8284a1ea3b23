/**
 * Data pages in Chromium: an engineer uploads a real German load-profile CSV (one bad line) and
 * imports it through the mapping preview; a viewer asks the knowledge base and opens a citation;
 * the admin sees users, API keys and the audit log; the forecast page and the explorer render.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../api/src/test/app.js';
import { unlabelledControls } from './a11y.js';
import { canRun, DEMO, newPage, openPage, screenshot, signIn, startHarness, until, type Harness } from './harness.js';

const CSV = join(import.meta.dirname, '../../api/src/ingest/csv/fixtures/e_text_in_number.csv');

describe.skipIf(!canRun)('data pages in Chromium', () => {
  let h: Harness;
  beforeAll(async () => {
    // the shipped laws are indexed in the background at start (off by default under vitest)
    h = await startHarness({ LUNA_KNOWLEDGE_PRELOAD: 'on' });
    // indexing the laws keeps the service busy (PGlite runs in its process): wait until it is done
    const t0 = Date.now();
    await until(
      async () => (await call(h.t.base, 'GET', '/knowledge/documents', { token: h.adminToken })).body.preload?.state as string | undefined,
      (state) => state === 'done',
      150_000,
      'knowledge preload',
    );
    console.log(`knowledge preload took ${Date.now() - t0} ms after the harness started`);
  }, 330_000);
  afterAll(async () => {
    await h?.close();
  });

  it('engineer uploads a CSV, sees the mapping preview with the bad line, and imports', async () => {
    const { page, errors } = await newPage(h);
    await signIn(h, page, 'engineer');
    await openPage(h, page, '#/site/demo/imports');
    await page
      .getByLabel(/file \(\.csv or \.xlsx\)/i)
      .setInputFiles({ name: 'lastgang.csv', mimeType: 'text/csv', buffer: readFileSync(CSV) });
    await page.getByRole('button', { name: /upload and preview/i }).click();
    const preview = page.locator('[data-testid=import-preview]');
    await preview.waitFor({ timeout: 20_000 });
    expect(await preview.getByRole('row', { name: /wirkleistung/i }).count()).toBeGreaterThan(0);
    await preview.getByText(/rows that will be left out/i).click();
    expect(await preview.getByText(/line 3/i).count()).toBeGreaterThan(0);

    await preview.getByLabel(/^series key: wirkleistung/i).fill('import/e2e-power');
    await preview.getByLabel(/^quantity \(for a new series\): wirkleistung/i).selectOption('active_power');
    await screenshot(page, 'imports-preview-engineer');
    expect(await unlabelledControls(page), 'unlabelled controls').toEqual([]);
    await preview.getByRole('button', { name: /import now/i }).click();
    const result = page.locator('[data-testid=import-result]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toMatch(/values stored/);
    await screenshot(page, 'imports-done-engineer');

    const series = await call(h.t.base, 'GET', `/sites/${DEMO}/series`, { token: h.adminToken });
    const s = series.body.find((x: { key: string }) => x.key === 'import/e2e-power');
    expect(s).toBeTruthy();
    const r = await call(
      h.t.base,
      'GET',
      `/sites/${DEMO}/series/${s.id}/readings?from=2025-01-15T00:00:00Z&to=2025-01-16T00:00:00Z&agg=avg&resolution=raw`,
      {
        token: h.adminToken,
      },
    );
    expect(r.body.points.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 90_000);

  it('viewer asks a question and opens a citation', async () => {
    const { page, errors } = await newPage(h, 'de-DE');
    await signIn(h, page, 'viewer');
    await openPage(h, page, '#/knowledge');
    const ask = async () => {
      await page.getByLabel(/^frage$/i).fill('Was regelt § 14a EnWG zu steuerbaren Verbrauchseinrichtungen?');
      await page.getByRole('button', { name: /^fragen$/i }).click();
      await page.locator('[data-testid=answer]').waitFor({ timeout: 30_000 });
      return page.locator('[data-testid=answer] button.cite').count();
    };
    expect(await ask()).toBeGreaterThan(0);
    const cite = page.locator('[data-testid=answer] button.cite').first();
    const label = await cite.getAttribute('aria-label');
    expect(label).toMatch(/Quelle 1: .+/);
    await cite.click();
    await page.locator('.citation-open').waitFor();
    // the source gets the focus (for keyboard and screen reader users)
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-citation'))).toBe('1');
    await page
      .locator('.citation-open')
      .getByRole('button', { name: /dokumentdetails/i })
      .click();
    await page.locator('[data-testid=document-details]').waitFor({ timeout: 15_000 });
    await screenshot(page, 'knowledge-viewer-de');
    expect(await unlabelledControls(page), 'unlabelled controls').toEqual([]);
    expect(errors).toEqual([]);
  }, 200_000);

  it('admin sees users, API keys and the audit log; forecast and explorer render', async () => {
    const { page, errors } = await newPage(h);
    await signIn(h, page, 'admin');
    await openPage(h, page, '#/admin');
    await page.locator('[data-user=otto-operator]').waitFor({ timeout: 15_000 });
    await page.getByLabel(/^name$/i).fill('gateway-e2e');
    await page.getByLabel(/^site$/i).fill(DEMO);
    await page.getByRole('button', { name: /create key/i }).click();
    await page.locator('[data-testid=api-key-secret]').waitFor({ timeout: 15_000 });
    expect((await page.locator('[data-testid=api-key-secret]').textContent())?.length).toBeGreaterThan(10);
    await page.locator('[data-testid=audit]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=audit] tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'admin');
    expect(await unlabelledControls(page), 'unlabelled controls').toEqual([]);

    await openPage(h, page, '#/site/demo/forecast');
    await page.getByRole('heading', { name: /current plan/i }).waitFor();
    await page.waitForTimeout(2000);
    await screenshot(page, 'forecast-plan-admin');

    await openPage(h, page, '#/site/demo/explorer');
    await page
      .getByRole('row', { name: /grid\/power/ })
      .getByRole('checkbox')
      .check({ timeout: 15_000 });
    await expect.poll(() => page.locator('svg path').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const before = await page.locator('svg path').count();
    await page.getByLabel(/compare with the previous 24 h/i).check();
    await page.locator('[data-testid=compare-summary] li').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=compare-summary]').textContent()).toMatch(/mean .+ now, .+ in the previous period/);
    await expect.poll(() => page.locator('svg path').count(), { timeout: 15_000 }).toBeGreaterThan(before);
    await screenshot(page, 'explorer-compare-admin');
    expect(errors).toEqual([]);
  }, 90_000);
});
