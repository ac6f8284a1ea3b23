import { describe, expect, it } from 'vitest';
import { costItems, parsePlan, savingsEur, stepAt } from './planModel';

const body = {
  id: 'p1',
  siteId: 'demo',
  createdAt: '2026-11-27T08:00:00Z',
  reason: 'startup',
  status: 'optimal',
  peakTargetW: 779_500,
  costEur: 1757.47,
  problems: [{ message: 'import limit reached at step 3' }, 'plain text'],
  cost: {
    tariff: { energyEur: 10, demandCharge: { totalEur: 5, peakKw: 700 }, totalEur: 20, marginal: { importEurPerKWh: [] } },
    importEur: 1800,
    feedInRevenueEur: 12,
    demandChargeIncrementEur: 0,
    wearEur: 4,
    terminalValueEur: 34.53,
    objectiveEur: 1757.47,
  },
  steps: [
    {
      start: '2026-11-27T08:00:00Z',
      gridW: 400_000,
      batteryW: { battery: 100_000 },
      batterySocPct: { battery: 50 },
      pvCapW: {},
      flexibleW: {},
    },
    {
      start: '2026-11-27T08:15:00Z',
      gridW: 380_000,
      batteryW: { battery: 120_000 },
      batterySocPct: { battery: 47 },
      pvCapW: {},
      flexibleW: {},
    },
    { nope: true },
  ],
};

describe('plan view', () => {
  const plan = parsePlan(body)!;

  it('reads the planning API answer', () => {
    expect(plan).toMatchObject({
      id: 'p1',
      reason: 'startup',
      status: 'optimal',
      peakTargetW: 779_500,
      totalEur: 1757.47,
      baselineEur: null,
    });
    expect(plan.steps).toHaveLength(2);
    expect(plan.steps[1]).toEqual({ startMs: Date.parse('2026-11-27T08:15:00Z'), gridW: 380_000, batteryW: 120_000, socPct: 47 });
    expect(plan.problems).toEqual(['import limit reached at step 3', 'plain text']);
  });

  it('separates the plan cost terms from the tariff breakdown', () => {
    expect(plan.items.map((i) => i.key)).toEqual([
      'importEur',
      'feedInRevenueEur',
      'demandChargeIncrementEur',
      'wearEur',
      'terminalValueEur',
      'objectiveEur',
    ]);
    expect(plan.tariffItems).toEqual([
      { key: 'energyEur', eur: 10 },
      { key: 'demandCharge.totalEur', eur: 5 },
      { key: 'totalEur', eur: 20 },
    ]);
  });

  it('no savings without a baseline; savings when there is one', () => {
    expect(savingsEur(plan)).toBeNull();
    expect(savingsEur(parsePlan({ ...body, baselineCostEur: 2000 })!)).toBeCloseTo(242.53);
  });

  it('finds the step in force', () => {
    expect(stepAt(plan, Date.parse('2026-11-27T08:20:00Z'))?.gridW).toBe(380_000);
    expect(stepAt(plan, Date.parse('2026-11-27T09:00:00Z'))).toBeNull();
    expect(stepAt(plan, Date.parse('2026-11-27T07:59:00Z'))).toBeNull();
  });

  it('is null for answers without steps', () => {
    expect(parsePlan({ error: 'no_plan' })).toBeNull();
    expect(costItems(null)).toEqual([]);
  });
});
