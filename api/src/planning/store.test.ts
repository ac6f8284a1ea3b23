import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSolver, optimise } from '../optimiser/optimise.js';
import { STEP_MS } from '../optimiser/model.js';
import { DEMO_SITE_ENERGY } from '../site-energy/model.js';
import type { Database } from '../store/index.js';
import { migratedTestDatabase } from '../test/database.js';
import { services } from '../test/services.js';
import { buildPlanInput, toActivePlan } from './planner.js';
import { demoInputs } from './fixtures.js';
import { PlanStore, stepAt, type NewPlan } from './store.js';

const H = 3_600_000;
const T0 = Date.parse('2023-06-14T13:00:00Z');
const STORES = [
  { store: 'pglite', skip: false },
  { store: 'postgres', skip: !services.postgres },
] as const;

function plan(over: Partial<NewPlan>): NewPlan {
  return {
    siteId: 'werk',
    createdAtMs: T0,
    reason: 'test',
    status: 'optimal',
    horizonStartMs: T0,
    horizonEndMs: T0 + 24 * H,
    peakTargetW: 100_000,
    cost: null,
    problems: [],
    steps: [{ startMs: T0, gridW: 1, batteryW: { battery: 2 }, batterySocPct: { battery: 50 }, pvCapW: {}, flexibleW: {} }],
    inputs: {},
    solveMs: 3,
    ...over,
  };
}

describe.each(STORES)('plan store on $store', ({ store, skip }) => {
  let db: Database;
  let cleanup: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    if (skip) return;
    ({ db, close: cleanup } = await migratedTestDatabase(store));
    await db.query(`insert into sites (id, name, time_zone) values ('werk', 'Werk', 'Europe/Berlin'), ('other', 'Other', 'Europe/Berlin')`);
  }, 60_000);
  afterAll(() => cleanup());

  it.skipIf(skip)(
    'plans: active = the newest optimal/infeasible plan covering now; history paged newest first; prune keeps plans in force',
    async () => {
      const s = new PlanStore(db);
      const a = await s.insert(plan({ createdAtMs: T0, status: 'optimal' }));
      const b = await s.insert(plan({ createdAtMs: T0 + H, status: 'infeasible', horizonStartMs: T0 + H, horizonEndMs: T0 + 25 * H }));
      // an invalid plan has no steps and covers nothing
      const c = await s.insert(
        plan({ createdAtMs: T0 + 2 * H, status: 'invalid', horizonStartMs: T0 + 2 * H, horizonEndMs: T0 + 2 * H, steps: [] }),
      );
      await s.insert(plan({ siteId: 'other', createdAtMs: T0 + 3 * H }));
      expect((await s.active('werk', T0 + 30 * 60_000))?.id).toBe(a.id);
      expect((await s.active('werk', T0 + 2 * H))?.id).toBe(b.id);
      expect((await s.active('werk', T0 + 24.5 * H))?.id).toBe(b.id);
      expect(await s.active('werk', T0 + 25 * H)).toBeUndefined();
      expect((await s.latest('werk'))?.id).toBe(c.id);
      const got = await s.get('werk', a.id);
      expect(got?.steps[0]).toEqual({
        startMs: T0,
        gridW: 1,
        batteryW: { battery: 2 },
        batterySocPct: { battery: 50 },
        pvCapW: {},
        flexibleW: {},
      });

      const p1 = await s.list('werk', { limit: 2 });
      expect(p1.plans.map((p) => p.id)).toEqual([c.id, b.id]);
      expect(p1.plans[0]!.steps).toEqual([]); // history comes without steps
      const p2 = await s.list('werk', { limit: 2, before: p1.nextBefore! });
      expect(p2.plans.map((p) => p.id)).toEqual([a.id]);
      expect(p2.nextBefore).toBeNull();
      expect((await s.list('werk', { fromMs: T0 + H, toMs: T0 + 2 * H })).plans.map((p) => p.id)).toEqual([b.id]);

      // 30 days later: only plans whose horizon ended before the cut-off go
      // a and the other site's plan ended at T0+24h, c covered nothing; b is still in force
      expect(await s.prune(T0 + 24.5 * H)).toBe(3);
      expect(await s.get('werk', a.id)).toBeUndefined();
      expect(await s.get('werk', c.id)).toBeUndefined();
      expect(await s.get('werk', b.id)).toBeDefined();
    },
  );

  it.skipIf(skip)(
    'property: stored plans made from real data keep battery bounds and grid limits after the round trip',
    async () => {
      const highs = await loadSolver();
      const s = new PlanStore(db);
      const e = DEMO_SITE_ENERGY;
      const bat = e.batteries[0]!;
      for (const day of ['2023-01-17T06:40:00Z', '2023-04-02T11:05:00Z', '2023-07-21T16:20:00Z', '2023-10-30T21:55:00Z']) {
        const nowMs = Date.parse(day);
        const inputs = await demoInputs(nowMs, { socPct: { battery: 80 }, peakSoFarW: 350_000 });
        const setup = buildPlanInput(inputs);
        if (!setup.ok) throw new Error(setup.waiting);
        const result = optimise(highs, setup.input);
        const active = toActivePlan({ id: '', siteId: 'werk', createdAtMs: nowMs, reason: 'property' }, e, result, inputs.peakSoFarW);
        const { id: _id, ...rest } = active;
        void _id;
        const stored = await s.insert({
          ...rest,
          status: result.status,
          horizonStartMs: setup.summary.horizon.startMs,
          horizonEndMs: setup.summary.horizon.endMs,
          cost: result.cost,
          problems: result.problems,
          inputs: setup.summary,
          solveMs: 1,
        });
        const back = (await s.active('werk', nowMs))!;
        expect(back.id).toBe(stored.id);
        expect(back.steps).toHaveLength(setup.input.loadW.length);
        expect(back.cost?.objectiveEur).toBeCloseTo(result.cost!.objectiveEur, 6);
        expect(stepAt(back, nowMs)?.startMs).toBe(Math.floor(nowMs / STEP_MS) * STEP_MS);
        for (const st of back.steps) {
          expect(st.gridW).toBeLessThanOrEqual(e.grid.importLimitW + 1);
          expect(st.gridW).toBeGreaterThanOrEqual(-e.grid.exportLimitW - 1);
          expect(st.batteryW.battery!).toBeLessThanOrEqual(bat.maxDischargeW + 1);
          expect(st.batteryW.battery!).toBeGreaterThanOrEqual(-bat.maxChargeW - 1);
          expect(st.batterySocPct.battery!).toBeGreaterThanOrEqual(bat.socMinPct - 1e-3);
          expect(st.batterySocPct.battery!).toBeLessThanOrEqual(bat.socMaxPct + 1e-3);
          expect(Math.max(0, st.gridW)).toBeLessThanOrEqual(back.peakTargetW + 1);
        }
        expect(back.peakTargetW).toBeGreaterThanOrEqual(350_000);
      }
    },
    60_000,
  );
});
