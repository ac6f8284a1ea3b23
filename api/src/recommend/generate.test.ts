import { describe, expect, it } from 'vitest';
import { parseRuleSet } from '../rules/schema.js';
import { siteEnergySchema } from '../site-energy/model.js';
import { loadTariff } from '../tariffs/loader.js';
import { parseTariff } from '../tariffs/schema.js';
import { holdablePeakW, quantile, shaveAtLevel } from './analysis.js';
import { SYNTH_ENERGY, SYNTH_START_MS, syntheticHistory } from './fixtures.js';
import { recommend, type RecommendContext } from './generate.js';

const tariff = await loadTariff('musterwerk-2023');
const window = { from: new Date(SYNTH_START_MS).toISOString(), to: new Date(SYNTH_START_MS + 14 * 86_400_000).toISOString() };
const base: RecommendContext = {
  nowMs: SYNTH_START_MS + 14 * 86_400_000,
  timeZone: 'Europe/Berlin',
  energy: SYNTH_ENERGY,
  tariff,
  history: syntheticHistory(),
  window,
};

describe('analysis', () => {
  const battery = { usableWh: 50, maxChargeW: 1000, maxDischargeW: 1000, chargeEfficiency: 1, dischargeEfficiency: 1 };

  it('holds the lowest level the battery energy and power allow', () => {
    const gross = [100, 300, 500, 300, 100];
    const L = holdablePeakW(gross, battery);
    expect(shaveAtLevel(gross, L, battery).ok).toBe(true);
    expect(shaveAtLevel(gross, L - 2, battery).ok).toBe(false);
    // only the 500 W step is above 300 W: (500 − 300) W × 0.25 h = 50 Wh, all the battery holds
    expect(Math.abs(L - 300)).toBeLessThan(1);
    // power-limited: 100 W of discharge can only cut 100 W off the peak
    expect(holdablePeakW(gross, { ...battery, usableWh: 1e9, maxDischargeW: 100 })).toBeCloseTo(400, 0);
    expect(quantile([3, 1, 2, Number.NaN], 0.5)).toBe(2);
  });

  it('recharges below the level, so two peaks in a row can both be held', () => {
    // two peaks of 25 Wh above 300 W each, with room to recharge in between
    const gross = [500, 100, 100, 100, 500];
    expect(Math.abs(holdablePeakW(gross, { ...battery, usableWh: 50 }) - 300)).toBeLessThan(1);
    // with no charging power the second peak cannot be held at 300 W
    expect(shaveAtLevel(gross, 300, { ...battery, usableWh: 50, maxChargeW: 0 }).ok).toBe(false);
  });
});

describe('recommend', () => {
  const r = recommend(base);
  const byId = new Map(r.recommendations.map((x) => [x.id, x]));

  it('finds the peak, reserve, load shift and negative-price actions of the synthetic site', () => {
    expect([...byId.keys()].sort()).toEqual(['negative-price-charge', 'negative-price-export', 'peak-reserve', 'peak-target', 'shift-ev']);
  });

  it('ranks by expected saving × confidence and numbers the ranks', () => {
    const v = r.recommendations.map((x) => x.expectedSavingEur * x.confidence);
    expect(v).toEqual([...v].sort((a, b) => b - a));
    expect(r.recommendations.map((x) => x.rank)).toEqual(r.recommendations.map((_, i) => i + 1));
  });

  it('prices the peak cut with the demand charge and explains it with numbers, units and the time zone', () => {
    const p = byId.get('peak-target')!;
    const f = p.evidence.figures;
    // the outlier day sets the billing peak: 1.2 MW minus PV at 11:00
    expect(f.dailyPeakMaxKw).toBeGreaterThan(f.dailyPeakP90Kw!);
    expect(f.holdableKw).toBeLessThan(f.billingPeakKw!);
    expect(Math.abs(p.expectedSavingEur - (f.billingPeakKw! - f.holdableKw!) * 120)).toBeLessThan(1);
    expect(p.reason).toMatch(/Europe\/Berlin/);
    expect(p.reason).toMatch(/kW/);
    expect(p.reason).toMatch(/EUR/);
    expect(p.overlapsWith).toEqual(['peak-reserve']);
    expect(p.action.peakTargetW).toBeGreaterThanOrEqual(f.holdableKw! * 1000);
  });

  it('proposes a valid reserve rule before the weekday late-morning peak', () => {
    const res = byId.get('peak-reserve')!;
    const rule = res.action.rule as { window: { days: string[]; from: string; to: string }; minSocPercent: number };
    expect(() => parseRuleSet({ id: 'x', name: 'x', version: 1, rules: [rule] })).not.toThrow();
    expect(rule.window.days).toEqual(['mon', 'tue', 'wed', 'thu', 'fri']);
    expect(rule.window.from <= '10:00').toBe(true);
    expect(rule.window.to >= '11:00').toBe(true);
    expect(rule.minSocPercent).toBeGreaterThan(5);
    expect(res.evidence.figures.lowSocDays).toBeGreaterThan(0); // SoC 20 % in the fixture
  });

  it('moves the EV from the expensive evening into cheap steps and values it at the price difference', () => {
    const s = byId.get('shift-ev')!;
    // 100 kWh per day moved from ≥ 200 EUR/MWh spot into the cheapest steps (weekday 20, weekend −200 EUR/MWh)
    expect(s.evidence.figures.energyKwhPerDay).toBeCloseTo(100, 6);
    expect(s.observedSavingEur / 14).toBeGreaterThan(0.1 * (200 - 20));
    expect(s.reason).toMatch(/Europe\/Berlin/);
  });

  it('counts feed-in at negative prices and grid charging at negative import prices', () => {
    const e = byId.get('negative-price-export')!;
    expect(e.evidence.figures.exportedKwhAtNegativePrice).toBeGreaterThan(0);
    expect(e.action).toEqual({ noExportAtNegativePrice: true });
    const c = byId.get('negative-price-charge')!;
    expect(c.evidence.figures.chargeableKwh).toBeGreaterThan(0);
  });

  it('says so when the tariff has no demand charge and prices do not vary', () => {
    const flat = parseTariff({ id: 'flat', name: 'flat', energy: { type: 'fixed', priceCtPerKWh: 30 }, grid: {} });
    const out = recommend({ ...base, tariff: flat });
    expect(out.recommendations.map((x) => x.id)).toEqual([]);
    expect(out.notes.join(' ')).toMatch(/no demand charge/);
    expect(out.notes.join(' ')).toMatch(/prices barely vary/);
  });

  it('has nothing to recommend without grid data, and says why', () => {
    const h = syntheticHistory(2);
    const empty = { ...h, gridW: h.gridW.map(() => Number.NaN), loadW: h.loadW.map(() => Number.NaN) };
    const out = recommend({ ...base, history: empty });
    expect(out.recommendations).toEqual([]);
    expect(out.notes.join(' ')).toMatch(/no day with at least half/);
  });

  it('asks to raise an unreachable peak target instead of promising a saving', () => {
    const energy = siteEnergySchema.parse({ ...SYNTH_ENERGY, peakTargetW: 50_000 });
    const p = recommend({ ...base, energy }).recommendations.find((x) => x.id === 'peak-target')!;
    expect(p.title).toMatch(/Raise the peak target/);
    expect(p.expectedSavingEur).toBe(0);
  });
});
