import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../audit/index.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { migrate, openDatabase, type Database } from '../store/index.js';
import { tempDir } from '../test/services.js';
import { RuleRequestError, RuleSetStore, resolveRuleSet } from './store.js';

describe('resolveRuleSet', () => {
  const site = { timeZone: 'Europe/Vienna', energy: DEMO_SITE_ENERGY };

  it('fills grid-friendly from the energy configuration (peak target before the import limit)', () => {
    const r = resolveRuleSet({ builtin: 'grid-friendly' }, site, 7);
    expect(r.builtin).toBe('grid-friendly');
    expect(r.ruleSet).toMatchObject({ version: 7, timeZone: 'Europe/Vienna' });
    const cap = (set: typeof r.ruleSet) => set.rules.find((x) => x.id === 'import-cap') as { maxImportW: number };
    expect(cap(r.ruleSet).maxImportW).toBe(1_000_000);
    const withTarget = { ...site, energy: siteEnergySchema.parse({ ...DEMO_SITE_ENERGY, peakTargetW: 420_000 }) };
    expect(cap(resolveRuleSet({ builtin: 'grid-friendly' }, withTarget, 1).ruleSet).maxImportW).toBe(420_000);
    expect(cap(resolveRuleSet({ builtin: 'grid-friendly', params: { importCapW: 5 } }, withTarget, 1).ruleSet).maxImportW).toBe(5);
  });

  it('names the missing parameters when the site has no energy configuration', () => {
    try {
      resolveRuleSet({ builtin: 'grid-friendly' }, { timeZone: 'Europe/Berlin' }, 1);
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(RuleRequestError);
      expect((err as RuleRequestError).issues.map((i) => i.field)).toEqual(['params.pvPeakW', 'params.importCapW']);
    }
  });

  it('overrides the version of a custom set and reports every issue of every rule', () => {
    const r = resolveRuleSet({ ruleSet: { id: 'a', name: 'A', version: 99, rules: [] } }, site, 3);
    expect(r.ruleSet.version).toBe(3);
    try {
      resolveRuleSet(
        {
          ruleSet: {
            id: 'a',
            name: 'A',
            rules: [
              { id: 'ok', type: 'noGridCharge', priority: 1 },
              { id: 'w', type: 'socReserve', priority: 2, minSocPercent: 10, window: { from: '18:00', to: '06:00' } },
              { id: 'x', type: 'warp', priority: 3 },
            ],
          },
        },
        site,
        1,
      );
      expect.fail('should throw');
    } catch (err) {
      const issues = (err as RuleRequestError).issues;
      expect(issues.map((i) => [i.ruleIndex, i.ruleId, i.field])).toEqual([
        [1, 'w', 'window'],
        [2, 'x', 'type'],
      ]);
      expect((err as Error).message).toMatch(/rule 1 \(w\), field window: "from" must be before "to"/);
    }
  });
});

describe('RuleSetStore cache', () => {
  let db: Database;
  let remove = () => undefined as void;
  beforeAll(async () => {
    const tmp = tempDir();
    remove = tmp.remove;
    db = await openDatabase({ adapter: 'pglite', dataDir: `${tmp.dir}/pglite` });
    await migrate(db);
    await db.query(`insert into sites (id, name) values ('werk', 'Werk')`);
  }, 60_000);
  afterAll(async () => {
    await db.close();
    remove();
  });

  it("sees another store's change only after the TTL; its own PUT at once", async () => {
    let now = 0;
    const a = new RuleSetStore(db, { ttlMs: 1_000, now: () => now });
    const b = new RuleSetStore(db);
    const site = { timeZone: 'Europe/Berlin' };
    expect(await a.active('werk')).toBeNull();
    await b.put('werk', { builtin: 'self-consumption' }, site, { actor: SYSTEM });
    expect(await a.active('werk')).toBeNull(); // cached
    now = 1_000;
    expect((await a.active('werk'))?.id).toBe('self-consumption');
    await a.put('werk', { enabled: false }, site, { actor: SYSTEM });
    expect(await a.active('werk')).toBeNull(); // invalidated by its own put
    expect((await a.current('werk'))?.version).toBe(2);
  });
});
