import { describe, expect, it } from 'vitest';
import { parseDeviceConfig, type DevicePoint } from './definition.js';
import { backoffMs, HealthTracker } from './health.js';
import { pointReading } from './values.js';

const cfg = parseDeviceConfig({ id: 'd1', siteId: 's', model: 'm', protocol: 'modbus', connection: { host: 'h' } });
if (!cfg.ok) throw new Error(cfg.errors.join());
const device = cfg.value;

describe('device health', () => {
  it('keeps the state with the time it changed, the newest value time and errors by kind and exception code', () => {
    let now = 1_000;
    const changes: string[] = [];
    const h = new HealthTracker(device, () => now, {
      onState: (_d, from, to, why) => changes.push(`${from}→${to}${why ? ` (${why})` : ''}`),
    });
    expect(h.snapshot('m')).toEqual(
      expect.objectContaining({ state: 'connecting', sinceMs: 1_000, lastValueMs: null, reads: 0, lastError: null }),
    );
    now = 2_000;
    h.read(3, 1_900);
    h.setState('online');
    now = 3_000;
    h.error('exception', 'exception 2 (illegal data address)', 2);
    h.error('exception', 'exception 2 (illegal data address)', 2);
    h.error('timeout', 'no reply within 2000 ms');
    h.setState('degraded', 'no reply within 2000 ms');
    h.read(0);
    const s = h.snapshot('m');
    expect(s).toEqual(
      expect.objectContaining({
        state: 'degraded',
        sinceMs: 3_000,
        lastValueMs: 1_900,
        reads: 2,
        exceptions: { '2': 2 },
        lastError: { kind: 'timeout', message: 'no reply within 2000 ms', atMs: 3_000 },
      }),
    );
    expect(s.errors).toEqual({ timeout: 1, connection: 0, exception: 2, decode: 0, write: 0, protocol: 0 });
    expect(changes).toEqual(['connecting→online', 'online→degraded (no reply within 2000 ms)']);
  });

  it('backs off doubling from min to max with jitter', () => {
    expect(backoffMs(0, 500, 30_000, () => 0.5)).toBe(500);
    expect(backoffMs(3, 500, 30_000, () => 0.5)).toBe(4_000);
    expect(backoffMs(20, 500, 30_000, () => 0.5)).toBe(30_000);
    expect(backoffMs(0, 500, 30_000, () => 0)).toBe(400);
    expect(backoffMs(0, 500, 30_000, () => 1)).toBe(600);
  });
});

describe('point values', () => {
  const p = (extra: Partial<DevicePoint>): DevicePoint =>
    ({
      name: 'p',
      quantity: 'energy_import',
      unit: 'kWh',
      source: { table: 'holding', address: 0, type: 'uint32', wordOrder: 'big' },
      ...extra,
    }) as DevicePoint;
  it('converts to the canonical unit and keeps the semantics', () => {
    const r = pointReading(device, p({}), 1.5, 10);
    expect(r.ok && r.reading).toEqual({
      seriesKey: 'd1/energy_import',
      quantity: 'energy_import',
      semantics: 'cumulative',
      point: 'p',
      tsMs: 10,
      value: 1500,
      quality: 'measured',
    });
  });
  it('refuses negative counters, values outside the limits and non-finite values', () => {
    const neg = pointReading(device, p({}), -1, 10);
    expect(!neg.ok && neg.rejection.reason).toBe('device d1, point p: -1000 Wh: a cumulative counter cannot be negative');
    const high = pointReading(device, p({ quantity: 'state_of_charge', unit: '%', max: 100 }), 100.5, 10);
    expect(!high.ok && high.rejection.reason).toMatch(/100.5 % is above the limit 100/);
    expect(pointReading(device, p({ quantity: 'active_power', unit: 'W' }), Number.NaN, 1).ok).toBe(false);
  });
});
