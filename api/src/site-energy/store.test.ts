import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit, SYSTEM } from '../audit/index.js';
import type { Database } from '../store/index.js';
import { migratedTestDatabase } from '../test/database.js';
import { services } from '../test/services.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from './model.js';
import { ensureSiteEnergy, getSiteEnergy, listSiteEnergy, putSiteEnergy } from './store.js';

const STORES = [
  { store: 'pglite', skip: false },
  { store: 'postgres', skip: !services.postgres },
] as const;

describe.each(STORES)('site energy store on $store', ({ store, skip }) => {
  let db: Database;
  let cleanup: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    if (skip) return;
    ({ db, close: cleanup } = await migratedTestDatabase(store));
    await db.query(`insert into sites (id, name, time_zone) values ('werk', 'Werk', 'Europe/Berlin'), ('other', 'Other', 'Europe/Berlin')`);
  }, 60_000);
  afterAll(() => cleanup());

  it.skipIf(skip)('site energy: versioned on every change, audited with before/after; ensure does not overwrite', async () => {
    expect(await getSiteEnergy(db, 'werk')).toBeUndefined();
    const v1 = await putSiteEnergy(db, 'werk', DEMO_SITE_ENERGY, { actor: { type: 'user', id: 'u1', name: 'anna' }, requestId: 'r1' });
    expect(v1).toMatchObject({ siteId: 'werk', version: 1, updatedBy: 'anna' });
    const changed = siteEnergySchema.parse({ ...DEMO_SITE_ENERGY, peakTargetW: 420_000 });
    const v2 = await putSiteEnergy(db, 'werk', changed, { actor: { type: 'user', id: 'u1', name: 'anna' } });
    expect(v2.version).toBe(2);
    expect((await getSiteEnergy(db, 'werk'))?.config.peakTargetW).toBe(420_000);
    expect(await ensureSiteEnergy(db, 'werk', DEMO_SITE_ENERGY, SYSTEM)).toBe(false);
    expect((await getSiteEnergy(db, 'werk'))?.version).toBe(2);
    expect(await ensureSiteEnergy(db, 'other', DEMO_SITE_ENERGY, SYSTEM)).toBe(true);
    const audit = (await queryAudit(db, { siteId: 'werk', action: 'site.energy.configure', limit: 10 })).filter((a) => a.siteId === 'werk');
    const last = audit.find((a) => (a.after as { version: number }).version === 2)!;
    expect((last.before as { version: number; config: { peakTargetW?: number } }).version).toBe(1);
    expect((last.before as { config: { peakTargetW?: number } }).config.peakTargetW).toBeUndefined();
    expect((last.after as { config: { peakTargetW: number } }).config.peakTargetW).toBe(420_000);
    expect((await listSiteEnergy(db)).sites.map((s) => s.siteId)).toEqual(['other', 'werk']);
  });

  it.skipIf(skip)('site energy: a stored row that no longer validates is reported by list, not thrown', async () => {
    await db.query(`update site_energy set config = '{"tariffId": ""}' where site_id = 'other'`);
    const { sites, invalid } = await listSiteEnergy(db);
    expect(sites.map((s) => s.siteId)).toEqual(['werk']);
    expect(invalid[0]).toMatchObject({ siteId: 'other' });
    expect(invalid[0]!.error).toMatch(/no longer validates: tariffId/);
    await expect(getSiteEnergy(db, 'other')).rejects.toThrow(/no longer validates/);
    await db.query(`delete from site_energy where site_id = 'other'`);
  });
});
