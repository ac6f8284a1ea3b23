import { describe, expect, it } from 'vitest';
import { assetsFromEnergy, checkOverride, parseDevices, parseModelSetpoints, parseOverrides } from './model';

describe('devices page model', () => {
  it('reads devices with their non-zero errors and the last error', () => {
    const [d] = parseDevices([
      {
        config: { id: 'battery', model: 'sim-battery-inverter', protocol: 'modbus', name: 'Battery inverter' },
        stored: false,
        health: {
          deviceId: 'battery',
          state: 'online',
          sinceMs: 1,
          lastValueMs: 2,
          reads: 10,
          errors: { timeout: 2, connection: 0 },
          lastError: { kind: 'timeout', message: 'no answer', atMs: 3 },
        },
      },
      { config: {}, health: {} },
    ]);
    expect(d).toMatchObject({
      id: 'battery',
      name: 'Battery inverter',
      state: 'online',
      lastValueMs: 2,
      errors: [{ kind: 'timeout', count: 2 }],
    });
    expect(d?.lastError?.message).toBe('no answer');
  });

  it('reads setpoints per model', () => {
    const m = parseModelSetpoints([
      { id: 'x', setpoints: [{ name: 'power', unit: 'W', min: -5, max: 5, defaultRevertTimeoutS: 60, maxRevertTimeoutS: 600 }] },
    ]);
    expect(m.get('x')?.[0]).toMatchObject({ name: 'power', min: -5, max: 5 });
  });

  it('reads overrides, skipping broken entries', () => {
    const o = parseOverrides({
      active: [{ assetId: 'battery', setpointW: -1000, expiresAtMs: 5, createdAtMs: 1 }, { nope: 1 }],
      recent: [],
    });
    expect(o.active).toHaveLength(1);
    expect(o.active[0]?.userName).toBeNull();
  });

  it('asset ranges from the energy configuration: battery − charge … + discharge', () => {
    const a = assetsFromEnergy({
      grid: {},
      batteries: [{ id: 'battery', maxChargeW: 500, maxDischargeW: 400 }],
      pv: [{ id: 'pv', ratedW: 750 }],
      flexibleLoads: [],
    });
    expect(a).toEqual([
      { id: 'battery', kind: 'battery', minW: -500, maxW: 400 },
      { id: 'pv', kind: 'pv', minW: 0, maxW: 750 },
    ]);
    expect(assetsFromEnergy(null)).toEqual([]);
  });

  it.each([
    ['', '15', 'value'],
    ['abc', '15', 'value'],
    ['600', '15', 'range'],
    ['-501', '15', 'range'],
    ['-200,5', '15', null],
    ['100', '0', 'expiry'],
    ['100', '1441', 'expiry'],
    ['100', '1.5', 'expiry'],
  ])('checks value %s, expiry %s min → %s', (v, e, want) => {
    expect(checkOverride(v, e, { minW: -500, maxW: 400 })).toBe(want);
  });
});
