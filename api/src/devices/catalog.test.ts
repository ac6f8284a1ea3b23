import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEVICE_MODELS_DIR, loadDeviceModels, validateModelJson } from './catalog.js';
import { parseDeviceConfig, parseDeviceModel, seriesKeyOf } from './definition.js';

describe('device model catalogue (devices/models/*.json)', () => {
  it('loads and validates every model file, SunSpec points checked against the official models', () => {
    const files = readdirSync(DEVICE_MODELS_DIR).filter((f) => f.endsWith('.json'));
    const r = loadDeviceModels();
    expect(r.errors).toEqual([]);
    expect(r.models.size).toBe(files.length);
    for (const protocol of ['modbus', 'sunspec', 'mqtt'] as const)
      expect([...r.models.values()].some((m) => m.protocol === protocol)).toBe(true);
  });

  it('every setpoint has a revert timeout or says why not', () => {
    for (const m of loadDeviceModels().models.values())
      for (const s of m.setpoints)
        expect('none' in s.revertTimeout ? s.revertTimeout.none.length : 1, `${m.id}.${s.name}`).toBeGreaterThan(0);
  });
});

const base = {
  id: 'x',
  name: 'X',
  manufacturer: 'Y',
  protocol: 'sunspec',
  points: [{ name: 'W', quantity: 'active_power', unit: 'W', source: { model: 103, point: 'W' } }],
};

describe('device definitions: errors name the field and the reason', () => {
  it('refuses unknown units, units of another quantity, duplicate series and bad limits', () => {
    const r = parseDeviceModel({
      ...base,
      points: [
        { name: 'W', quantity: 'active_power', unit: 'furlong', source: { model: 103, point: 'W' } },
        { name: 'E', quantity: 'active_power', unit: 'kWh', source: { model: 103, point: 'WH' } },
        { name: 'F', quantity: 'frequency', unit: 'Hz', min: 60, max: 40, source: { model: 103, point: 'Hz' } },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        'points.0.unit: unknown unit "furlong"',
        'points.1.unit: unit "kWh" does not measure active_power (it measures energy_import, energy_export, energy)',
        expect.stringMatching(/^points\.1\.series: series "active_power" is also fed by point "W"/),
        'points.2.min: min 60 is above max 40',
      ]),
    );
  });

  it('demands a revert timeout (or a reason) on setpoints', () => {
    const sp = { name: 'lim', unit: '%', min: 0, max: 100, target: { model: 123, point: 'WMaxLimPct' } };
    const r = parseDeviceModel({ ...base, setpoints: [sp] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join(' ')).toMatch(/setpoints\.0\.revertTimeout/);
    const why = parseDeviceModel({
      ...base,
      setpoints: [{ ...sp, revertTimeout: { none: 'the device reverts on its own after 60 s (vendor manual 4.2)' } }],
    });
    expect(why.ok).toBe(true);
  });

  it('checks SunSpec addresses against the official models, and the file name', () => {
    const r = validateModelJson(
      {
        ...base,
        points: [{ name: 'W', quantity: 'active_power', unit: 'W', source: { model: 103, point: 'Watts' } }],
        setpoints: [
          { name: 'lim', unit: '%', min: 0, max: 100, target: { model: 103, point: 'W' }, revertTimeout: { model: 999, point: 'T' } },
        ],
      },
      'x.json',
    );
    expect(r.errors).toEqual([
      'x.json: points.0.source: model 103 has no point "Watts"',
      'x.json: setpoints.0.target: 103.W is read-only',
      'x.json: setpoints.0.revertTimeout: SunSpec model 999 is not shipped (devices/sunspec/)',
    ]);
    expect(validateModelJson(base, 'other.json').errors).toEqual(['other.json: id "x" must equal the file name "other"']);
  });

  it('validates device instances and builds series keys', () => {
    const m = parseDeviceModel(base);
    if (!m.ok) throw new Error(m.errors.join());
    const d = parseDeviceConfig({ id: 'pv1', siteId: 's', model: 'x', protocol: 'sunspec', connection: { host: 'h' } }, m.value);
    expect(d.ok && d.value.connection).toEqual(
      expect.objectContaining({ port: 502, unitId: 1, timeoutMs: 2000, maxRegistersPerRead: 125 }),
    );
    expect(seriesKeyOf({ id: 'pv1' }, { quantity: 'active_power' })).toBe('pv1/active_power');
    expect(seriesKeyOf({ id: 'pv1', seriesPrefix: 'roof/pv' }, { quantity: 'energy_export', series: 'energy' })).toBe('roof/pv/energy');
    const bad = parseDeviceConfig({ id: 'PV 1', siteId: 's', model: 'x', protocol: 'sunspec', connection: {} });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^id: /), expect.stringMatching(/^connection\.host: /)]));
  });
});
