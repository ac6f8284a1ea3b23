import { describe, expect, it } from 'vitest';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../../site-energy/model.js';
import { assetRange, differingFields, parseOverrideInput, parseSignalInput, type AssetRange } from './validate.js';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;

describe('parseSignalInput', () => {
  it.each([
    ['§14a dimming', { kind: 'section14a-dimming', to: iso(NOW + H), maxControllablePowerW: 8400 }],
    ['curtailment of PV only', { kind: 'redispatch-curtailment', from: iso(NOW + H), to: iso(NOW + 2 * H), maxPvPowerW: 0 }],
    ['curtailment of feed-in only', { kind: 'redispatch-curtailment', to: NOW + H, maxExportPowerW: 100_000 }],
    ['activation with export target', { kind: 'redispatch-activation', to: iso(NOW + H), targetGridW: -200_000, reference: 'RD-1' }],
    [
      'local offset',
      { kind: 'section14a-dimming', from: '2026-11-27T11:00:00+01:00', to: '2026-11-27T12:00:00+01:00', maxControllablePowerW: 0 },
    ],
  ])('accepts %s', (_name, input) => {
    const r = parseSignalInput(input, NOW);
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('defaults from to now and says so; converts offsets to UTC', () => {
    const a = parseSignalInput({ kind: 'section14a-dimming', to: iso(NOW + H), maxControllablePowerW: 4200 }, NOW);
    expect(a).toEqual({
      ok: true,
      fromDefaulted: true,
      value: { kind: 'section14a-dimming', fromMs: NOW, toMs: NOW + H, maxControllablePowerW: 4200 },
    });
    const b = parseSignalInput(
      { kind: 'section14a-dimming', from: '2026-11-27T12:00:00+01:00', to: iso(NOW + 2 * H), maxControllablePowerW: 1 },
      NOW,
    );
    expect(b.ok && b.value.fromMs).toBe(Date.parse('2026-11-27T11:00:00Z'));
    expect(b.ok && b.fromDefaulted).toBe(false);
  });

  it.each([
    ['not an object', [1, 2], ['(root): must be a JSON object']],
    [
      'unknown kind',
      { kind: 'dimming', to: iso(NOW + H) },
      ['kind: must be one of section14a-dimming, redispatch-curtailment, redispatch-activation, got "dimming"'],
    ],
    ['missing to', { kind: 'section14a-dimming', maxControllablePowerW: 1 }, ['to: is required']],
    [
      'from after to',
      { kind: 'section14a-dimming', from: iso(NOW + 2 * H), to: iso(NOW + H), maxControllablePowerW: 1 },
      ['to: must be after from'],
    ],
    [
      'already over',
      { kind: 'section14a-dimming', from: iso(NOW - 2 * H), to: iso(NOW - H), maxControllablePowerW: 1 },
      ['is already over'],
    ],
    [
      'longer than 7 days',
      { kind: 'section14a-dimming', to: iso(NOW + 8 * 24 * H), maxControllablePowerW: 1 },
      ['to: a signal lasts at most 7 days'],
    ],
    [
      'no offset',
      { kind: 'section14a-dimming', to: '2026-11-27T12:00:00', maxControllablePowerW: 1 },
      ['to: "2026-11-27T12:00:00" has no UTC offset'],
    ],
    [
      'garbage time',
      { kind: 'section14a-dimming', to: 'tomorrowZ', maxControllablePowerW: 1 },
      ['to: "tomorrowZ" is not an ISO 8601 time'],
    ],
    [
      'negative limit',
      { kind: 'section14a-dimming', to: iso(NOW + H), maxControllablePowerW: -1 },
      ['maxControllablePowerW: must be ≥ 0 W, got -1'],
    ],
    [
      'string limit',
      { kind: 'section14a-dimming', to: iso(NOW + H), maxControllablePowerW: '4200' },
      ['maxControllablePowerW: must be a number in W'],
    ],
    [
      '§14a without its limit',
      { kind: 'section14a-dimming', to: iso(NOW + H) },
      ['maxControllablePowerW: is required for section14a-dimming'],
    ],
    [
      'curtailment without a limit',
      { kind: 'redispatch-curtailment', to: iso(NOW + H) },
      ['maxPvPowerW or maxExportPowerW: at least one is required'],
    ],
    [
      'activation without target',
      { kind: 'redispatch-activation', to: iso(NOW + H) },
      ['targetGridW: is required for redispatch-activation'],
    ],
    [
      'field of another kind',
      { kind: 'section14a-dimming', to: iso(NOW + H), maxControllablePowerW: 1, maxPvPowerW: 5 },
      ['maxPvPowerW: does not belong to section14a-dimming'],
    ],
    ['unknown field', { kind: 'section14a-dimming', to: iso(NOW + H), maxControllablePowerW: 1, powerKW: 5 }, ['powerKW: unknown field']],
    [
      'empty reference',
      { kind: 'section14a-dimming', to: iso(NOW + H), maxControllablePowerW: 1, reference: ' ' },
      ['reference: must be a non-empty string'],
    ],
  ])('refuses %s, naming the field', (_name, input, expected) => {
    const r = parseSignalInput(input, NOW);
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    for (const e of expected)
      expect(
        errors.some((x) => x.startsWith(e) || x.includes(e)),
        `${JSON.stringify(errors)} has ${e}`,
      ).toBe(true);
  });

  it('reports every problem of one input together', () => {
    const r = parseSignalInput({ kind: 'redispatch-activation', to: 'x', maxPvPowerW: -5, extra: 1 }, NOW);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.map((e) => e.split(':')[0])).toEqual(['extra', 'to', 'maxPvPowerW', 'targetGridW', 'maxPvPowerW']);
  });

  it('lists the fields in which two deliveries differ', () => {
    const a = { kind: 'section14a-dimming' as const, fromMs: 1, toMs: 2, maxControllablePowerW: 5 };
    expect(differingFields(a, { ...a })).toEqual([]);
    expect(differingFields(a, { ...a, toMs: 3, maxControllablePowerW: 6 })).toEqual(['toMs', 'maxControllablePowerW']);
  });
});

describe('assetRange and parseOverrideInput', () => {
  const site = siteEnergySchema.parse({
    ...DEMO_SITE_ENERGY,
    pv: [...DEMO_SITE_ENERGY.pv, { id: 'roof', ratedW: 10_000, powerSeries: 'roof/power' }],
    flexibleLoads: [{ id: 'ev1', kind: 'ev-charger', deviceId: 'wallbox', maxPowerW: 22_000, minPowerW: 4_200 }],
  });
  const battery = assetRange(site, 'battery') as AssetRange;

  it('derives the physical range of each asset kind', () => {
    expect(battery).toMatchObject({ kind: 'battery', minW: -500_000, maxW: 500_000 });
    expect(assetRange(site, 'pv')).toMatchObject({ kind: 'pv', minW: 0, maxW: 750_000 });
    expect(assetRange(site, 'ev1')).toMatchObject({ kind: 'flexible', minW: 4_200, maxW: 22_000, offAllowed: true });
    expect(assetRange(site, 'roof')).toEqual({ error: expect.stringContaining('cannot be curtailed') });
    expect(assetRange(site, 'nope')).toBeUndefined();
  });

  it('accepts a setpoint inside the range with an expiry', () => {
    expect(parseOverrideInput({ setpointW: -500_000, expiresInS: 3600, reason: ' test ' }, battery, NOW)).toEqual({
      ok: true,
      value: { setpointW: -500_000, expiresAtMs: NOW + H, reason: 'test' },
    });
    expect(parseOverrideInput({ setpointW: 1000, expiresAt: iso(NOW + H) }, battery, NOW)).toMatchObject({
      ok: true,
      value: { expiresAtMs: NOW + H },
    });
    const ev = assetRange(site, 'ev1') as AssetRange;
    expect(parseOverrideInput({ setpointW: 0, expiresInS: 60 }, ev, NOW).ok).toBe(true);
  });

  it.each([
    [
      'above the discharge limit',
      { setpointW: 500_001, expiresInS: 60 },
      'setpointW: 500001 W is above the physical range of battery battery: −maxChargeW 500000 W … maxDischargeW 500000 W',
    ],
    ['below the charge limit', { setpointW: -600_000, expiresInS: 60 }, 'setpointW: -600000 W is below the physical range'],
    ['no setpoint', { expiresInS: 60 }, 'setpointW: is required'],
    ['no expiry', { setpointW: 0 }, 'expiresInS: an expiry is required'],
    ['both expiries', { setpointW: 0, expiresInS: 60, expiresAt: iso(NOW + H) }, 'expiresInS: give either'],
    ['expiry over 24 h', { setpointW: 0, expiresInS: 86_401 }, 'expiresInS: must be a whole number of seconds, 1 … 86400'],
    ['expiry in the past', { setpointW: 0, expiresAt: iso(NOW - 1000) }, 'expiresAt: 2026-11-27T09:59:59.000Z is not in the future'],
    ['unknown field', { setpointW: 0, expiresInS: 60, mode: 'x' }, 'mode: unknown field'],
  ])('refuses %s, naming the field and limit', (_name, input, expected) => {
    const r = parseOverrideInput(input, battery, NOW);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it('refuses a flexible load between off and its minimum', () => {
    const ev = assetRange(site, 'ev1') as AssetRange;
    const r = parseOverrideInput({ setpointW: 1000, expiresInS: 60 }, ev, NOW);
    expect(r.ok ? [] : r.errors).toEqual([expect.stringContaining('0 (off) or minPowerW 4200 W … maxPowerW 22000 W')]);
  });
});
