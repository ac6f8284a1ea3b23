/**
 * Every role signs in (users created through the API) and is offered only what it may do:
 * viewer reads, operator also overrides and acknowledges, engineer also imports and edits rules,
 * admin also administers. One screenshot per role of the sites list and of the devices page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun, newPage, openPage, ROLES, screenshot, signIn, startHarness, type Harness } from './harness.js';

describe.skipIf(!canRun)('roles in Chromium', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it.each(ROLES)(
    '%s sees what the role allows',
    async (role) => {
      const { page, errors } = await newPage(h);
      await signIn(h, page, role);
      await page.getByText('Musterwerk (Demo)').first().waitFor({ timeout: 15_000 });
      await screenshot(page, `sites-${role}`);

      const globalNav = page.getByRole('navigation', { name: 'Installation' });
      expect(await globalNav.getByRole('link', { name: 'Administration' }).count()).toBe(role === 'admin' ? 1 : 0);
      expect(await globalNav.getByRole('link', { name: 'Knowledge' }).count()).toBe(1);

      await page
        .getByRole('button', { name: /open overview/i })
        .first()
        .click();
      const tabs = page.getByRole('navigation', { name: /pages of musterwerk/i });
      await tabs.waitFor();
      const names = await tabs.getByRole('link').allTextContents();
      const base = ['Overview', 'Explorer', 'Forecast & plan', 'Devices', 'Alerts'];
      expect(names).toEqual(role === 'engineer' || role === 'admin' ? [...base, 'Imports'] : base);

      await openPage(h, page, '#/site/demo/devices');
      await page.getByRole('heading', { name: /devices — musterwerk/i }).waitFor();
      await page.locator('[data-device]').first().waitFor({ timeout: 15_000 });
      const mayOperate = role !== 'viewer';
      if (mayOperate) await page.getByRole('button', { name: /set override|write setpoint/i }).waitFor({ timeout: 15_000 });
      else await page.getByText(/view only: this needs the operator role/i).waitFor();
      expect(await page.getByRole('button', { name: /set override|write setpoint/i }).count()).toBe(mayOperate ? 1 : 0);
      await screenshot(page, `devices-${role}`);

      await openPage(h, page, '#/site/demo/alerts');
      await page.getByRole('heading', { name: /alerts — musterwerk/i }).waitFor();
      await page.getByRole('heading', { name: /control rules/i }).waitFor();
      const mayConfigure = role === 'engineer' || role === 'admin';
      await expect.poll(() => page.getByRole('button', { name: /^save$/i }).count(), { timeout: 15_000 }).toBe(mayConfigure ? 2 : 0);

      // a forbidden page typed into the address bar falls back to the overview
      if (!mayConfigure) {
        await openPage(h, page, '#/site/demo/imports');
        await page.getByRole('heading', { name: /overview — musterwerk/i }).waitFor();
      }
      if (role !== 'admin') {
        await openPage(h, page, '#/admin');
        await page.getByRole('heading', { name: /^sites$/i }).waitFor();
      }
      expect(errors).toEqual([]);
    },
    90_000,
  );
});
