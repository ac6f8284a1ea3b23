import { describe, expect, it } from 'vitest';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { heldEnergyWh, stateOf, toPlannerDemand, validateDemand, type DemandRequest, type FlexibleDemandRecord } from './model.js';

const NOW = Date.parse('2026-11-27T18:00:00Z');
const H = 3_600_000;
const energy = siteEnergySchema.parse({
  ...DEMO_SITE_ENERGY,
  flexibleLoads: [{ id: 'ev', kind: 'ev-charger', deviceId: 'ev', maxPowerW: 11_000 }],
});
const ask = (over: Partial<DemandRequest> = {}): DemandRequest => ({
  assetId: 'ev',
  energyKWh: 40,
  deadline: '2026-11-28T07:00:00+01:00',
  ...over,
});

describe('validateDemand: every error names the field', () => {
  it('accepts an EV needing 40 kWh by 07:00 local (12 h at 11 kW reach 132 kWh)', () => {
    const v = validateDemand(ask(), energy, NOW);
    expect(v).toMatchObject({
      ok: true,
      value: { energyWh: 40_000, availableFromMs: NOW, deadlineMs: Date.parse('2026-11-28T06:00:00Z') },
    });
  });

  it.each([
    ['an asset that is not a flexible load', ask({ assetId: 'battery' }), 'assetId', /not a flexible load .*flexible loads: ev/],
    ['no energy', ask({ energyKWh: 0 }), 'energyKWh', /> 0/],
    ['a deadline without offset', ask({ deadline: '2026-11-28T07:00:00' }), 'deadline', /not an instant/],
    ['a deadline in the past', ask({ deadline: NOW - 1 }), 'deadline', /not in the future/],
    ['a deadline 8 days ahead', ask({ deadline: NOW + 8 * 24 * H }), 'deadline', /more than 7 days/],
    ['availableFrom after the deadline', ask({ availableFrom: '2026-11-28T08:00:00+01:00' }), 'availableFrom', /before the deadline/],
    ['availableFrom not an instant', ask({ availableFrom: 'morgen' }), 'availableFrom', /not an instant/],
    // 2 h at 11 kW = 22 kWh
    ['more energy than max power reaches', ask({ deadline: NOW + 2 * H }), 'energyKWh', /reaches at most 22\.00 kWh/],
    // available from 1 h before the deadline: 11 kWh
    [
      'more energy than reachable after availableFrom',
      ask({ energyKWh: 12, availableFrom: '2026-11-28T06:00:00+01:00' }),
      'energyKWh',
      /reaches at most 11\.00 kWh/,
    ],
  ] as const)('rejects %s', (_name, req, field, message) => {
    const v = validateDemand(req, energy, NOW);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.field).toBe(field);
    expect(v.message).toMatch(message);
  });

  it('a site without flexible loads says so', () => {
    const v = validateDemand(ask(), DEMO_SITE_ENERGY, NOW);
    expect(v).toMatchObject({ ok: false, field: 'assetId', message: expect.stringMatching(/flexible loads: none/) });
  });
});

describe('heldEnergyWh: samples held until the next one, at most their hold time', () => {
  const s = (minute: number, powerW: number, holdMin = 5) => ({ tsMs: NOW + minute * 60_000, powerW, holdMs: holdMin * 60_000 });
  it.each([
    ['steady 11 kW for an hour, a reading every minute', Array.from({ length: 60 }, (_, m) => s(m, 11_000)), 0, 60, 11_000],
    ['a reading before the window covers its start', [s(-2, 6_000), s(1, 6_000)], 0, 6, 600],
    ['a gap longer than the hold counts as nothing', [s(0, 12_000), s(30, 12_000)], 0, 35, 2_000],
    ['negative power (noise of a consumer) counts as 0', [s(0, -500), s(1, 600)], 0, 2, 10],
    ['only inside the window', [s(0, 6_000, 60)], 10, 20, 1_000],
    ['nothing at all', [], 0, 60, 0],
  ] as const)('%s', (_n, samples, fromMin, toMin, wh) => {
    expect(heldEnergyWh(samples, NOW + fromMin * 60_000, NOW + toMin * 60_000)).toBeCloseTo(wh, 6);
  });
});

describe('demand states and the planner view', () => {
  const d: FlexibleDemandRecord = {
    id: 'd1',
    siteId: 'demo',
    assetId: 'ev',
    energyWh: 40_000,
    availableFromMs: NOW,
    deadlineMs: NOW + 12 * H,
    createdAtMs: NOW,
    createdBy: 'olga',
    state: 'open',
    deliveredWh: 15_000,
    deliveredSource: 'readings',
    closedAtMs: null,
  };
  it.each([
    ['open while short and before the deadline', 39_000, NOW + H, 'open'],
    ['done once delivered (1 Wh tolerance)', 39_999.5, NOW + H, 'done'],
    ['done even after the deadline', 40_000, NOW + 13 * H, 'done'],
    ['missed when the deadline passed short', 30_000, NOW + 12 * H, 'missed'],
  ] as const)('%s', (_n, wh, at, want) => {
    expect(stateOf(d, wh, at)).toBe(want);
  });
  it('the planner gets the energy still needed, under the asset id', () => {
    expect(toPlannerDemand(d)).toEqual({ id: 'ev', energyWh: 25_000, deadlineMs: NOW + 12 * H, availableFromMs: NOW });
  });
});
