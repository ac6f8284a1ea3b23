/** The simulated meters' MQTT messages, decoded by the real MQTT ingest mappings into the demo's series. */
import { describe, expect, it } from 'vitest';
import { compileMappings, decodeMessage } from '../ingest/mqtt/mapping.js';
import { meterMappings, meterMessages } from './meter.js';
import { constantProfile } from './profile.js';
import { SiteSimulator } from './site.js';

describe('meter messages → MQTT ingest', () => {
  const start = Date.parse('2026-06-15T12:00:00Z');
  const sim = new SiteSimulator(constantProfile(300_000, 500_000), start);
  sim.step(3_600_000); // one hour exporting 200 kW
  sim.setBatteryPower(-50_000, 0);
  sim.step(1_000);
  const compiled = compileMappings(meterMappings('luna-sim/x'));
  if (!compiled.ok) throw new Error(compiled.errors.join('; '));

  it('publishes grid power (export negative) and the cumulative counters, stamped with the start of the last step', () => {
    const [grid, load] = meterMessages(sim, 'luna-sim/x', 0);
    expect(grid!.topic).toBe('luna-sim/x/grid');
    expect(JSON.parse(grid!.payload)).toEqual({ ts: start + 3_600_000, power: -150_000, energy_import: 0, energy_export: 200_041.7 }); // 200 kWh + 150 kW × 1 s, to 0.1 Wh
    expect(load).toEqual({ topic: 'luna-sim/x/load', payload: JSON.stringify({ ts: start + 3_600_000, power: 300_000 }) });
  });

  it('decodes with the mappings into grid/power, grid/energy_import, grid/energy_export, load/power at the message time', () => {
    const readings = meterMessages(sim, 'luna-sim/x', 0).flatMap((m) => {
      const d = decodeMessage(compiled.mappings, m.topic, m.payload, 999);
      expect(d.rejections).toEqual([]);
      return d.readings;
    });
    expect(readings.map((r) => [r.seriesKey, r.tsMs, r.value])).toEqual([
      ['grid/power', start + 3_600_000, -150_000],
      ['grid/energy_import', start + 3_600_000, 0],
      ['grid/energy_export', start + 3_600_000, Math.round((200_000 + 150_000 / 3_600) * 10) / 10],
      ['load/power', start + 3_600_000, 300_000],
    ]);
  });
});
