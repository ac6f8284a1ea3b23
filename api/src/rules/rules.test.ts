import { describe, expect, it } from 'vitest';
import { parseTariff } from '../tariffs/schema.js';
import { gridFriendly, selfConsumptionRules } from './builtin.js';
import { dryRun } from './dry-run.js';
import { applyRules, type BatteryLimits, type TickState } from './engine.js';
import { parseRuleSet, RuleSetError, type RuleSetInput } from './schema.js';

const battery: BatteryLimits = {
  capacityWh: 1_000_000,
  socMinWh: 50_000,
  socMaxWh: 950_000,
  maxChargeW: 500_000,
  maxDischargeW: 500_000,
  chargeEfficiency: 0.94,
  dischargeEfficiency: 0.94,
};
/** Monday 2023-06-05 16:00 CEST */
const MON_16 = Date.parse('2023-06-05T14:00:00Z');
const tick = (over: Partial<TickState> = {}): TickState => ({
  atMs: MON_16,
  loadW: 300_000,
  pvW: 0,
  spotPriceEurPerMWh: 100,
  socWh: 600_000,
  battery,
  ...over,
});
const set = (rules: RuleSetInput['rules']) => parseRuleSet({ id: 'test', name: 'test', version: 3, rules });

describe('rule sets as data', () => {
  it('rejects a bad rule set with every issue and its path', () => {
    try {
      parseRuleSet({
        id: 'x',
        name: 'x',
        version: 0,
        rules: [
          { id: 'a', type: 'socReserve', priority: 1, minSocPercent: 120 },
          { id: 'a', type: 'noGridCharge', priority: 2, window: { from: '18:00', to: '06:00' } },
        ],
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleSetError);
      const paths = (e as RuleSetError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['version', 'rules.0.minSocPercent', 'rules.1.window']));
    }
    expect(() =>
      parseRuleSet({
        id: 'x',
        name: 'x',
        version: 1,
        rules: [
          { id: 'a', type: 'noGridCharge', priority: 1 },
          { id: 'a', type: 'noGridCharge', priority: 2 },
        ],
      }),
    ).toThrow(/used twice/);
  });

  it('built-in sets validate', () => {
    expect(gridFriendly({ pvPeakW: 750_000, importCapW: 650_000 }).rules).toHaveLength(3);
    expect(selfConsumptionRules().version).toBe(1);
  });
});

describe('applyRules', () => {
  it('a reserve limits discharge inside its window only', () => {
    const s = set([{ id: 'r', type: 'socReserve', priority: 1, minSocPercent: 50, window: { days: ['mon'], from: '15:00', to: '18:00' } }]);
    const r = applyRules(s, tick(), { batteryPowerW: 500_000 });
    expect(r.intent.batteryPowerW).toBeCloseTo(((600_000 - 500_000) * 0.94) / 0.25, 6);
    expect(r.changes[0]).toMatchObject({ ruleId: 'r', field: 'batteryPowerW', from: 500_000 });
    expect(r.ruleSet).toEqual({ id: 'test', version: 3 });
    expect(applyRules(s, tick({ atMs: MON_16 + 3 * 3_600_000 }), { batteryPowerW: 500_000 }).intent.batteryPowerW).toBe(500_000); // 19:00
  });

  it('the higher priority has the last word: an import cap may use the reserve', () => {
    const rules: RuleSetInput['rules'] = [
      { id: 'reserve', type: 'socReserve', priority: 100, minSocPercent: 80 },
      { id: 'cap', type: 'importLimit', priority: 300, maxImportW: 200_000 },
    ];
    expect(applyRules(set(rules), tick(), { batteryPowerW: 0 }).intent.batteryPowerW).toBe(100_000);
    const swapped = rules.map((r) => ({ ...r, priority: r.id === 'reserve' ? 400 : 300 }));
    expect(applyRules(set(swapped), tick(), { batteryPowerW: 0 }).intent.batteryPowerW).toBe(0);
  });

  it('an export cap charges the battery first, then caps the PV', () => {
    const s = set([{ id: 'e', type: 'exportLimit', priority: 1, maxExportW: 100_000 }]);
    const r = applyRules(s, tick({ pvW: 700_000, loadW: 50_000, socWh: 900_000 }), { batteryPowerW: 0 });
    const room = (950_000 - 900_000) / (0.94 * 0.25);
    expect(r.intent.batteryPowerW).toBeCloseTo(-room, 6);
    expect(r.intent.pvCapW).toBeCloseTo(50_000 + 100_000 + room, 6);
  });

  it('charges from the grid only below the price; never with noGridCharge', () => {
    const cheap = set([{ id: 'p', type: 'gridChargeBelowPrice', priority: 1, maxPriceEurPerMWh: 50 }]);
    expect(applyRules(cheap, tick({ spotPriceEurPerMWh: 20 }), { batteryPowerW: -300_000 }).intent.batteryPowerW).toBe(-300_000);
    expect(applyRules(cheap, tick({ spotPriceEurPerMWh: 80, pvW: 400_000 }), { batteryPowerW: -300_000 }).intent.batteryPowerW).toBe(
      -100_000,
    );
    expect(applyRules(selfConsumptionRules(), tick(), { batteryPowerW: -300_000 }).intent.batteryPowerW).toBeCloseTo(0, 9);
    // an unknown price (the control loop passes +∞) never allows grid charging
    const unknown = applyRules(cheap, tick({ spotPriceEurPerMWh: Number.POSITIVE_INFINITY, pvW: 0 }), { batteryPowerW: -300_000 });
    expect(unknown.intent.batteryPowerW).toBeCloseTo(0, 9);
    expect(unknown.changes[0]?.reason).toMatch(/price unknown/);
  });
});

describe('dry run over history', () => {
  const tariff = parseTariff({
    id: 't',
    name: 't',
    energy: { type: 'dynamic', surcharges: [{ name: 's', priceCtPerKWh: 12 }] },
    feedIn: { type: 'spotMinusMargin', marginCtPerKWh: 0.4 },
    grid: { demandCharge: { priceEurPerKwPerYear: 120, billingPeriod: 'year' } },
  });
  it('shows what a rule would have changed and what it did to the bill', () => {
    const n = 96;
    const startMs = Date.parse('2023-06-04T22:00:00Z');
    const loadW = Array.from({ length: n }, (_, t) => (t >= 40 && t < 48 ? 800_000 : 300_000));
    const history = {
      startMs,
      loadW,
      pvW: new Array<number>(n).fill(0),
      spotPriceEurPerMWh: new Array<number>(n).fill(100),
      intentBatteryPowerW: new Array<number>(n).fill(0),
      initialSocWh: 900_000,
    };
    const r = dryRun(
      set([
        { id: 'cap', type: 'importLimit', priority: 1, maxImportW: 500_000 },
        { id: 'idle', type: 'noGridCharge', priority: 2 },
      ]),
      history,
      battery,
      tariff,
      { exportLimitW: 700_000 },
    );
    expect(r.withoutRules.peakKw).toBeCloseTo(800, 6);
    expect(r.withRules.peakKw).toBeCloseTo(500, 6);
    expect(r.costDeltaEur).toBeLessThan(0); // 300 kW less peak for one day's pro-rated charge
    const cap = r.rules.find((e) => e.ruleId === 'cap')!;
    expect(cap.stepsChanged).toBe(8);
    expect(cap.batteryEnergyShiftedWh).toBeCloseTo(8 * 300_000 * 0.25, 3);
    expect(r.rules.find((e) => e.ruleId === 'idle')!.stepsChanged).toBe(0);
  });
});
