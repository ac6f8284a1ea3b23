/**
 * An operator overrides a device (battery setpoint with expiry) and acknowledges an alert; the
 * effect is checked through the API. Alerts are evaluated every 2 s here; the alert comes from a
 * threshold rule the admin saves through the API (grid power above -1 TW: always true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../api/src/test/app.js';
import { canRun, DEMO, newPage, openPage, routeExists, screenshot, signIn, startHarness, type Harness } from './harness.js';

describe.skipIf(!canRun)('operating in Chromium', () => {
  let h: Harness;
  let overrides = false;
  let alerts = false;
  beforeAll(async () => {
    h = await startHarness({ LUNA_ALERT_INTERVAL_S: '2' });
    overrides = await routeExists(h, 'GET', `/sites/${DEMO}/overrides`);
    alerts = await routeExists(h, 'GET', `/sites/${DEMO}/alerts`);
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('operator sets and releases a manual override with expiry', async (ctx) => {
    if (!overrides) ctx.skip(true, 'overrides API (api/src/control/inputs) not in this build');
    // a §14a dimming order of the grid operator, as its gateway would send it
    const signal = await call(h.t.base, 'POST', `/sites/${DEMO}/grid-signals`, {
      token: h.adminToken,
      body: {
        kind: 'section14a-dimming',
        to: new Date(Date.now() + 600_000).toISOString(),
        maxControllablePowerW: 4200,
        reference: 'e2e-14a',
      },
    });
    expect(signal.status).toBeLessThan(300);

    const { page, errors } = await newPage(h);
    await signIn(h, page, 'operator');
    await openPage(h, page, '#/site/demo/devices');
    await page.getByRole('button', { name: /set override/i }).waitFor({ timeout: 20_000 });
    await page
      .locator('[data-testid=grid-signals]')
      .getByText(/§14a EnWG dimming/)
      .waitFor({ timeout: 15_000 });
    await page.getByLabel(/^asset$/i).selectOption('battery');
    await page.getByLabel(/setpoint in w/i).fill('-50000');
    await page.getByLabel(/expires after/i).fill('5');
    await page.getByLabel(/^reason$/i).fill('e2e: charge before the shift');
    await page.getByRole('button', { name: /set override/i }).click();
    await page.getByText(/override for battery set until/i).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=active-overrides]').getByText('battery').waitFor({ timeout: 15_000 });

    const api = await call(h.t.base, 'GET', `/sites/${DEMO}/overrides`, { token: h.adminToken });
    const active = api.body.active.find((o: { assetId: string }) => o.assetId === 'battery');
    expect(active).toMatchObject({ setpointW: -50000, userName: 'otto-operator', reason: 'e2e: charge before the shift' });
    expect(active.expiresAtMs - active.createdAtMs).toBe(300_000);
    await screenshot(page, 'devices-override-operator');

    await page.getByRole('button', { name: /hand back to automation: battery/i }).click();
    await page.locator('[data-testid=no-active-override]').waitFor({ timeout: 15_000 });
    const after = await call(h.t.base, 'GET', `/sites/${DEMO}/overrides`, { token: h.adminToken });
    expect(after.body.active).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);

  it('operator acknowledges an alert, which moves to the history', async (ctx) => {
    if (!alerts) ctx.skip(true, 'alerts API (api/src/alerts) not in this build');
    const rule = {
      id: 'e2e-grid',
      kind: 'threshold',
      name: 'e2e: grid power seen',
      severity: 'warning',
      seriesKey: 'grid/power',
      op: '>',
      value: -1e12,
    };
    const put = await call(h.t.base, 'PUT', `/sites/${DEMO}/alert-rules`, { token: h.adminToken, body: { rules: [rule] } });
    expect(put.status).toBe(200);

    const { page, errors } = await newPage(h);
    await signIn(h, page, 'operator');
    await openPage(h, page, '#/site/demo/alerts');
    const item = page.locator('[data-testid=open-alerts] li', { hasText: 'e2e' }).first();
    await item.waitFor({ timeout: 30_000 });
    await screenshot(page, 'alerts-firing-operator');
    await item.getByRole('button', { name: /acknowledge/i }).click();
    await page.locator('[data-testid=alert-history] li[data-state=acknowledged]').first().waitFor({ state: 'attached', timeout: 15_000 });

    const api = await call(h.t.base, 'GET', `/sites/${DEMO}/alerts?limit=10`, { token: h.adminToken });
    const list = Array.isArray(api.body) ? api.body : api.body.alerts;
    const acked = list.find((a: { ruleId: string }) => a.ruleId === 'e2e-grid');
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'otto-operator' });
    // the history opens by itself when no alert is open any more
    await page.locator('[data-testid=alert-history]').waitFor();
    await screenshot(page, 'alerts-acknowledged-operator');
    expect(errors).toEqual([]);
  }, 90_000);

  it('engineer finds a JSON error by line, validates the control rules and dry-runs them on history', async (ctx) => {
    if (!(await routeExists(h, 'POST', `/sites/${DEMO}/rules/validate`, {}))) ctx.skip(true, 'rules API (api/src/rules) not in this build');
    const { page, errors } = await newPage(h);
    await signIn(h, page, 'engineer');
    await openPage(h, page, '#/site/demo/alerts');
    const editor = page.getByLabel(/control rules as json/i);
    await expect.poll(async () => (await editor.inputValue()).length, { timeout: 15_000 }).toBeGreaterThan(2);
    const good = await editor.inputValue();
    const section = page.locator('.rule-editor', { has: page.getByRole('heading', { name: /^control rules$/i }) });

    await editor.fill(good.replace(/\n/, '\n  oops,\n'));
    await section.getByRole('button', { name: /^validate$/i }).click();
    await section.getByText(/not valid json at line 2, column 3/i).waitFor();

    await editor.fill(good);
    await section.getByRole('button', { name: /^validate$/i }).click();
    await section.getByText(/^valid\.$/i).waitFor({ timeout: 15_000 });

    await section.getByRole('button', { name: /dry run on history/i }).click();
    const dry = section.locator('[data-testid=dry-run]');
    await dry.waitFor({ timeout: 60_000 });
    expect(await dry.textContent()).toMatch(/steps replayed/);
    await screenshot(page, 'rules-dry-run-engineer');
    expect(errors).toEqual([]);
  }, 120_000);
});
